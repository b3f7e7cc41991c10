// The notebook's self-check: `await gan.selfCheck({ gen: gen, disc: disc, genOpt: genOpt, discOpt: discOpt }).trainDisc(trainDisc)`
// runs the grader's own checks (the mocha specs in test/grading/) in the kernel, on the notebook's
// models from fixed states, and prints a small pass/fail table with the diagnosis and a hint. The
// notebook's weights are restored afterwards. It never throws: an unfinished exercise shows
// "not-implemented", a broken grader says so.
import type * as tf from '@tensorflow/tfjs';
import { configureChecks } from './grader/checks';
import { CompileError, formatCompileError } from './grader/compile';
import { selfCheckConfig } from './release-expected';
import { DIAGNOSES, DiagnosisId } from './grader/diagnoses';
import type { Subject } from './grader/judge';
import { Exercise, FUNCTION_NAMES, Runtime, classifyError, observe } from './grader/probe';
import { CheckResult, runChecks } from './grader/run-checks';
import { buildBasis, newSession } from './grader/session';
import type { Module } from './nn';
import { denoJupyter } from './display';
import { typeErrorsOfLatest } from './jupyter/deno';
import { getWeights, setWeights } from './nn';
import { referenceSteps } from './reference';
import { seminarOf } from './seminar';

export interface Models {
  gen: Module;
  disc: Module;
  genOpt: tf.SGDOptimizer;
  discOpt: tf.SGDOptimizer;
}

/** Diagnoses whose detail is the student's own (their error, their calls), safe and useful to show. */
const SHOW_DETAIL = new Set<DiagnosisId>(['compile-error', 'not-implemented', 'runtime-error', 'timeout', 'returns-non-number', 'tensor-leak', 'private-randomness', 'ignores-batch-size', 'missing-function']);

/**
 * Runs the checks of one exercise on `step` (bound to `models`) and returns their results. With
 * `typeErrors` (the cell's, found where the kernel does not type-check: Deno) the step is not run and
 * every check fails as "compile-error", as the grader scores a cell tslab would refuse.
 */
export async function runSelfCheck(exercise: Exercise, step: (batchSize: number) => unknown, models: Models, typeErrors: CompileError[] = []): Promise<CheckResult[]> {
  const s = seminarOf(models);
  const saved = [getWeights(s.gen), getWeights(s.disc)];
  try {
    const basis = buildBasis(s, [exercise]);
    const rt: Runtime = { gen: s.gen, disc: s.disc, call: (_, batchSize) => step(batchSize), takeRandomCalls: () => [], classify: classifyError };
    const mine: Subject =
      typeErrors.length > 0
        ? { unavailable: { diagnosis: 'compile-error', message: `Deno ran the ${exercise} cell without type-checking; tslab would refuse it:\n${typeErrors.slice(0, 5).map(formatCompileError).join('\n')}`, errors: typeErrors } }
        : { observation: observe(exercise, basis.plans[exercise], rt) };
    const other: Subject = { unavailable: { diagnosis: 'grader-error', message: 'not part of this self-check' } };
    const subject = { train_disc: other, train_gen: other, [exercise]: mine } as Record<Exercise, Subject>;
    const checks = configureChecks(selfCheckConfig()).filter((c) => c.exercise === exercise && !c.hidden);
    return await runChecks(newSession(basis, subject), checks, `${exercise}\\.`);
  } finally {
    setWeights(s.gen, saved[0]);
    setWeights(s.disc, saved[1]);
  }
}

/** The pass/fail table the check cell prints. */
export function formatSelfCheck(exercise: Exercise, results: CheckResult[]): string {
  const got = results.reduce((a, r) => a + r.points, 0);
  const max = results.reduce((a, r) => a + r.maxPoints, 0);
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = [`${FUNCTION_NAMES[exercise]} self-check: ${got}/${max} points`];
  const explained = new Set<string>();
  for (const r of results) {
    lines.push(`  ${r.passed ? '✔' : '✘'} ${r.name.padEnd(width)}  ${r.points}/${r.maxPoints}${r.passed ? '' : `  ${r.diagnosis ?? ''}`}`);
    if (r.note) lines.push(`      note: ${r.note}`);
    if (!r.passed && r.diagnosis && !explained.has(r.diagnosis)) {
      explained.add(r.diagnosis);
      const d = DIAGNOSES[r.diagnosis];
      lines.push(`      ${d.title}`);
      if (SHOW_DETAIL.has(r.diagnosis)) {
        const detail = r.message.split('\n');
        for (const l of r.diagnosis === 'compile-error' ? detail : detail.slice(0, 1)) lines.push(`      ${l}`);
      }
      if (d.hint) lines.push(`      try: ${d.hint}`);
    }
  }
  if (got === max) lines.push('All checks pass. The auto-grader runs these same checks.');
  return lines.join('\n');
}

export interface SelfCheck {
  trainDisc(step: (batchSize: number) => number): Promise<void>;
  trainGen(step: (batchSize: number) => number): Promise<void>;
}

/**
 * The notebook's check object. With `solutions` (the notebook's SOLUTIONS flag) it checks the
 * reference from lib/solutions.ts instead of the cell, as the training loop would run it.
 */
export function selfCheck(models: Models, solutions = false): SelfCheck {
  const run = async (exercise: Exercise, step: (batchSize: number) => number): Promise<void> => {
    let got = 0;
    let max = 0;
    try {
      let subject = step;
      if (solutions) {
        const reference = referenceSteps(seminarOf(models));
        subject = exercise === 'train_disc' ? reference.trainDisc : reference.trainGen;
        console.log(`Solution mode: checking the reference ${FUNCTION_NAMES[exercise]} from lib/solutions.ts.`);
      }
      // Deno runs cells without type-checking them: check the exercise cell here, as tslab would have.
      let typeErrors: CompileError[] = [];
      if (!solutions && denoJupyter()) {
        const typed = await typeErrorsOfLatest(exercise);
        if ('errors' in typed) typeErrors = typed.errors;
        else console.log(`(type check skipped: ${typed.note})`);
      }
      const results = await runSelfCheck(exercise, subject, models, typeErrors);
      console.log(formatSelfCheck(exercise, results));
      got = results.reduce((a, r) => a + r.points, 0);
      max = results.reduce((a, r) => a + r.maxPoints, 0);
    } catch (err) {
      console.log(`${FUNCTION_NAMES[exercise]} self-check could not run: ${err instanceof Error ? err.message : String(err)}`);
    }
    // nbgrader scores a grade cell (the check cells are, 10 points each) 0 when it shows an error or
    // writes to stderr; its partial credit reads an execute_result, which tslab never sends. So under
    // `GAN_NBGRADER=1 nbgrader autograde` an incomplete check writes one line to stderr. Not a throw:
    // tslab aborts the requests arriving within 200 ms of a failed cell, so the next check cell would not
    // run (and nbgrader would give it full points). Students never see this.
    if (process.env.GAN_NBGRADER === '1' && (max === 0 || got < max)) {
      console.error(`${FUNCTION_NAMES[exercise]}: ${got}/${max} points in the self-check`);
    }
  };
  return { trainDisc: (step) => run('train_disc', step), trainGen: (step) => run('train_gen', step) };
}
