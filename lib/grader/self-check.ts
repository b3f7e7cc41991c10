// The notebook's self-check: `gan.selfCheck({ gen: gen, disc: disc, genOpt: genOpt, discOpt: discOpt }).trainDisc(trainDisc)`
// runs the grader's own checks (the checks of lib/grader/check-definitions.ts) in the kernel, on the notebook's
// models from fixed states, and prints a small pass/fail table with the diagnosis and a hint. The
// notebook's weights are restored afterwards. It never throws (but for Kernel > Interrupt): an unfinished
// exercise shows "not-implemented", a broken grader says so. Synchronous, without mocha: in Deno's kernel
// an interrupt can stop synchronous code safely, an await it would hang (lib/jupyter/deno-worker.ts).
import type * as tf from '@tensorflow/tfjs';
import { config } from '../config';
import { recoverEngineAndSay } from '../tfjs/engine-state';
import { EXERCISES, Exercise, exercise } from '../exercises';
import { referenceSteps } from '../reference';
import { seminarOf } from '../seminar/models';
import type { Module } from '../seminar/nn';
import { getWeights, withWeights } from '../seminar/nn';
import type { Step } from '../seminar/steps';
import { denoJupyter } from '../dashboard/live-output';
import { InterruptedError, throwIfInterrupted, typeErrorsOfLatest } from '../jupyter/deno';
import { lastRunOf } from '../jupyter/kernel-hooks';
import { buildBasis, newSession } from './basis';
import { CompileError, formatCompileError } from '../jupyter/compile-error';
import { configureChecks } from './checks';
import { DIAGNOSES, adviceOf } from './diagnoses';
import { diagnosisTexts, ui } from './strings';
import type { Subject } from './judge';
import { ExerciseId, Runtime, classifyError, observe } from './observe';
import { CheckResult, runChecksNow } from './run-checks';

export interface Models {
  gen: Module;
  disc: Module;
  genOpt: tf.SGDOptimizer;
  discOpt: tf.SGDOptimizer;
}

/**
 * Runs the checks of one exercise on `step` (bound to `models`) and returns their results. With
 * `typeErrors` (the cell's, found where the kernel does not type-check: Deno) the step is not run and
 * every check fails as "compile-error", as the grader scores a cell tslab would refuse.
 */
export function runSelfCheck(
  id: ExerciseId,
  step: (batchSize: number) => unknown,
  models: Models,
  typeErrors: CompileError[] = [],
): CheckResult[] {
  const s = seminarOf(models);
  const ex = exercise(id);
  // observing moves the notebook's models: their weights are put back before the checks run
  const session = withWeights(
    [
      [s.gen, getWeights(s.gen)],
      [s.disc, getWeights(s.disc)],
    ],
    () => {
      const basis = buildBasis(s, [id]);
      const rt: Runtime = {
        gen: s.gen,
        disc: s.disc,
        call: (_, batchSize) => step(batchSize),
        takeRandomCalls: () => [],
        classify: classifyError,
        optimizers: { gen: s.genOpt, disc: s.discOpt },
      };
      const mine: Subject =
        typeErrors.length > 0
          ? {
              unavailable: {
                diagnosis: 'compile-error',
                message: `Deno ran the ${id} cell without type-checking; tslab would refuse it:\n${typeErrors.slice(0, 5).map(formatCompileError).join('\n')}`,
                errors: typeErrors,
              },
            }
          : { observation: observe(id, basis.plans[id], rt) };
      const other: Subject = { unavailable: { diagnosis: 'grader-error', message: 'not part of this self-check' } };
      const subject: Record<ExerciseId, Subject> = Object.fromEntries(
        EXERCISES.map((e) => [e.id, e === ex ? mine : other]),
      );
      return newSession(basis, subject);
    },
  );
  const checks = configureChecks().filter((c) => c.exercise === id && !c.hidden);
  return runChecksNow(session, checks, throwIfInterrupted);
}

/** The pass/fail table the check cell prints. */
export function formatSelfCheck(
  id: ExerciseId,
  results: CheckResult[],
  hiddenCount = configureChecks().filter((c) => c.exercise === id && c.hidden).length,
): string {
  // a check this self-check cannot decide (unconfirmed-variant) counts neither way: the grader decides it
  const undecided = (r: CheckResult) => !r.passed && r.diagnosis === 'unconfirmed-variant';
  const got = results.reduce((a, r) => a + r.points, 0);
  const max = results.filter((r) => !undecided(r)).reduce((a, r) => a + r.maxPoints, 0);
  const width = Math.max(...results.map((r) => r.name.length));
  const t = ui();
  const round = (x: number) => String(Math.round(x * 100) / 100);
  const lines = [t.selfCheck(exercise(id).functionName, round(got), round(max))];
  const explained = new Set<string>();
  for (const r of results) {
    if (undecided(r)) {
      lines.push(`  ? ${r.name.padEnd(width)}  ?/${r.maxPoints}  ${t.decidedAtGrading}`);
      continue;
    }
    lines.push(
      `  ${r.passed ? '✔' : '✘'} ${r.name.padEnd(width)}  ${r.points}/${r.maxPoints}${r.passed ? '' : `  ${r.diagnosis ?? ''}`}`,
    );
    if (r.note) lines.push(`      ${t.note}: ${r.note}`);
    if (!r.passed && r.diagnosis && !explained.has(r.diagnosis)) {
      explained.add(r.diagnosis);
      const d = DIAGNOSES[r.diagnosis];
      const text = diagnosisTexts(r.diagnosis, d, adviceOf(r.diagnosis, id), id);
      lines.push(`      ${text.title ?? r.diagnosis}`);
      if (d?.showDetail) {
        const detail = r.message.split('\n');
        for (const l of r.diagnosis === 'compile-error' ? detail : detail.slice(0, 1)) lines.push(`      ${l}`);
      }
      if (text.hint) lines.push(`      ${t.tryThis}: ${text.hint}`);
    }
  }
  const open = results.filter(undecided).length;
  if (open > 0) lines.push(t.undecided(open));
  if (got === max && open === 0) lines.push(hiddenCount > 0 ? t.allShownPass(hiddenCount) : t.allPass);
  else if (hiddenCount > 0) lines.push(t.moreAtGrading(hiddenCount));
  return lines.join('\n');
}

/** The notebook's check object: one method per exercise, named like its function (`check.trainDisc(trainDisc)`). */
export type SelfCheck = Record<Exercise['functionName'], (step: Step) => void>;

/** What the check cell says instead of checking, when the exercise cell's last run failed. */
export function lastRunFailed(ex: Exercise, error = 'an error'): string {
  return (
    `${ex.functionName} self-check: not run — the last run of your ${ex.functionName} cell failed:\n` +
    `  ${error}\n` +
    `so ${ex.functionName} is still the definition from before that run. Fix the cell, run it (no error), then run this check again.`
  );
}

/** Checks `step` (or, with `solutions`, the reference) and prints the table; returns the points. */
function checkAndPrint(ex: Exercise, step: Step, models: Models, solutions: boolean): { got: number; max: number } {
  let subject = step;
  if (solutions) {
    subject = referenceSteps(seminarOf(models))[ex.functionName];
    console.log(`Solution mode: checking the reference ${ex.functionName} from lib/reference/solutions.ts.`);
  }
  // Deno runs cells without type-checking them: check the exercise cell here, as tslab would have.
  let typeErrors: CompileError[] = [];
  if (!solutions && denoJupyter()) {
    const typed = typeErrorsOfLatest(ex.id);
    if ('errors' in typed) typeErrors = typed.errors;
    else if ('notRun' in typed) {
      // its function may be a half-defined leftover (declared, its constants not): checking it would mislead
      console.log(`${ex.functionName} self-check: not run — ${typed.note}.`);
      return { got: 0, max: 0 };
    } else console.log(`(type check skipped: ${typed.note})`);
  }
  throwIfInterrupted();
  const results = runSelfCheck(ex.id, subject, models, typeErrors);
  console.log(formatSelfCheck(ex.id, results));
  return { got: results.reduce((a, r) => a + r.points, 0), max: results.reduce((a, r) => a + r.maxPoints, 0) };
}

/**
 * The notebook's check object. With `solutions` (the notebook's SOLUTIONS flag) it checks the
 * reference from lib/reference/solutions.ts instead of the cell, as the training loop would run it.
 */
export function selfCheck(models: Models, solutions = false): SelfCheck {
  const run = (ex: Exercise, step: Step): void => {
    let got = 0;
    let max = 0;
    recoverEngineAndSay(); // an interrupted training cell may have left TF.js mid-step
    const last = solutions ? undefined : lastRunOf(ex.functionName);
    try {
      // tslab keeps the previous definition when a cell fails: checking it would grade an older attempt
      if (last && !last.ok) console.log(lastRunFailed(ex, last.error));
      else ({ got, max } = checkAndPrint(ex, step, models, solutions));
    } catch (err) {
      if (err instanceof InterruptedError) throw err; // Kernel > Interrupt ends the cell
      // not the student's fault: their function's own errors are results (runtime-error), not a throw here
      if (config.graderDebug()) console.error(err);
      console.log(
        `${ex.functionName} self-check could not run (a problem of the kernel or the lib, not of your ${ex.functionName}): ` +
          `${err instanceof Error ? err.message : String(err)} — restart the kernel (Kernel > Restart) and run the cells from the top.`,
      );
    }
    // nbgrader scores a grade cell (the check cells are, 10 points each) 0 when it shows an error or
    // writes to stderr; its partial credit reads an execute_result, which tslab never sends. So under
    // `GAN_NBGRADER=1 nbgrader autograde` an incomplete check writes one line to stderr. Not a throw:
    // tslab aborts the requests arriving within 200 ms of a failed cell, so the next check cell would not
    // run (and nbgrader would give it full points). Students never see this.
    if (config.nbgrader() && (max === 0 || got < max)) {
      console.error(`${ex.functionName}: ${got}/${max} points in the self-check`);
    }
  };
  return Object.fromEntries(EXERCISES.map((ex) => [ex.functionName, (step: Step) => run(ex, step)])) as SelfCheck;
}
