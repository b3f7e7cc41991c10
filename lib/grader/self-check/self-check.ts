// The notebook's self-check: `gan.selfCheck({ gen: gen, disc: disc, genOpt: genOpt, discOpt: discOpt }).trainDisc(trainDisc)`
// runs the grader's own checks (the checks of lib/grader/checks/check-definitions.ts) in the kernel, on the notebook's
// models from fixed states, and prints a small pass/fail table with the diagnosis and a hint. The
// notebook's weights are restored afterwards. It never throws (but for Kernel > Interrupt): an unfinished
// exercise shows "not-implemented", a broken grader says so. Synchronous, without mocha: in Deno's kernel
// an interrupt can stop synchronous code safely, an await it would hang (lib/jupyter/deno-worker.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { config } from '../../config';
import { recoverEngineAndSay } from '../../tfjs/engine-state';
import { EXERCISES, Exercise, exercise } from '../../exercises';
import { hasReference, referenceSteps } from '../../reference';
import { Seminar, seminarOf } from '../../seminar/models';
import { overrideSamplers } from '../../seminar/data';
import { Module, Weights, getWeights, setWeights } from '../../seminar/nn';
import type { Step } from '../../seminar/steps';
import { denoJupyter } from '../../dashboard/live-output';
import { InterruptedError, flushDenoOutput, throwIfInterrupted, typeErrorsOfLatest } from '../../jupyter/deno';
import { beforeEachCell, lastRunOf } from '../../jupyter/kernel-hooks';
import { buildBasis, newSession } from '../checks/basis';
import { CompileError, formatCompileError } from '../../jupyter/compile-error';
import { configureChecks } from '../checks/checks';
import { DIAGNOSES, adviceOf } from '../diagnoses';
import { diagnosisTexts, showsEndStates, ui } from '../strings';
import { Subject, behaviour, knownMistake, needsBehaviour } from '../checks/judge';
import { END_STATE_CACHE, endStateKey } from '../checks/end-state';
import {
  ExerciseId,
  ExerciseObservation,
  NO_BEHAVIOUR,
  Plan,
  Runtime,
  baseline,
  classifyError,
  endStateRun,
  observe,
} from '../sandbox/observe';
import { CheckResult, runChecksNow } from '../checks/run-checks';

export interface Models {
  gen: Module;
  disc: Module;
  genOpt: tf.SGDOptimizer;
  discOpt: tf.SGDOptimizer;
}

export interface SelfCheckOptions {
  /** The cell's type errors where the kernel does not type-check (Deno): the step is not run, and every check fails as "compile-error", as the grader scores a cell tslab would refuse. */
  typeErrors?: CompileError[];
  /** The notebook's other steps (as last checked): the end-state runs' loop runs them beside this one, as the grader's does. */
  others?: Partial<Record<ExerciseId, StepFn>>;
  /** Hears what the self-check is about to do before its end-state runs (they take a while). */
  say?: (line: string) => void;
}

/** A step as the self-check runs it (a student's may return anything). */
type StepFn = (batchSize: number) => unknown;

/** The models' weights while a self-check moves them: put back by the next cell when an interrupt stopped it (tslab's runs no finally block). */
const PENDING = Symbol.for('gan-seminar.selfCheckWeights');
type Pending = { s: Seminar; gen: Weights; disc: Weights } | undefined;
const pendingSlot = globalThis as unknown as Record<symbol, Pending>;

function putBack(): Pending {
  const p = pendingSlot[PENDING];
  pendingSlot[PENDING] = undefined;
  if (p) {
    setWeights(p.s.gen, p.gen);
    setWeights(p.s.disc, p.disc);
  }
  return p;
}

/**
 * After a self-check stopped by Kernel > Interrupt: puts back the models' weights it had moved and the
 * notebook's samplers (it was drawing fixed batches); true when there was one to mend.
 */
export function restoreInterruptedSelfCheck(print?: (line: string) => void): boolean {
  if (!putBack()) return false;
  overrideSamplers(null);
  print?.(ui().selfCheckStopped);
  return true;
}

/** Runs `body` on `s`'s models and puts their weights back after it, also after an interrupt (at the next cell). */
function keepingWeights<T>(s: Seminar, body: () => T): T {
  restoreInterruptedSelfCheck();
  pendingSlot[PENDING] = { s, gen: getWeights(s.gen), disc: getWeights(s.disc) };
  beforeEachCell('self-check-weights', (print) => restoreInterruptedSelfCheck(print));
  try {
    return body();
  } finally {
    putBack();
  }
}

/** A runtime on the notebook's models calling `steps`; Kernel > Interrupt (Deno's) ends it, never a step's failure. */
function kernelRuntime(s: Seminar, steps: Partial<Record<ExerciseId, StepFn>>): Runtime {
  let calls = 0;
  return {
    gen: s.gen,
    disc: s.disc,
    call: (id, batchSize) => {
      if (++calls % 64 === 0) throwIfInterrupted();
      return steps[id]!(batchSize);
    },
    takeRandomCalls: () => [],
    classify: (err) => {
      if (err instanceof InterruptedError) throw err;
      return classifyError(err);
    },
    optimizers: { gen: s.genOpt, disc: s.discOpt },
  };
}

/**
 * The end-state runs of the self-check (the grader's, in the kernel): the notebook's loop with `steps`
 * from the plan's public starts. Kept on disk by what they are a function of — the steps' code, what
 * they do from the fixed states, the starts — so checking the same cell again does not wait again.
 */
function endStateRunsHere(
  s: Seminar,
  plan: Plan,
  steps: Record<ExerciseId, StepFn>,
  observed: ExerciseObservation[],
  announce: (cached: boolean) => void,
): ExerciseObservation['behaviour'] {
  const key = endStateKey([
    EXERCISES.map((ex) => String(steps[ex.id])),
    observed.map((o) => o.steps.map((st) => [st.returned, st.gen, st.disc])),
    plan.endStates,
    plan.endStateIterations,
  ]);
  const file = path.join(END_STATE_CACHE, 'self-check', `${key}.json`);
  let known: ExerciseObservation['behaviour']['runs'] | undefined;
  try {
    known = JSON.parse(fs.readFileSync(file, 'utf8')) as ExerciseObservation['behaviour']['runs'];
  } catch {
    // not run before
  }
  if (Array.isArray(known) && known.length === plan.endStates.length) {
    announce(true);
    return { steps: plan.endStateIterations, runs: known };
  }
  announce(false);
  const rt = kernelRuntime(s, steps);
  const out: ExerciseObservation['behaviour'] = { steps: plan.endStateIterations, runs: [] };
  for (const start of plan.endStates) {
    const run = endStateRun(rt, start, plan.endStateIterations);
    if (run.failure) return { ...out, failure: run.failure };
    out.runs.push(run.reached);
  }
  try {
    // whole or not at all (a rename): a check reading it meanwhile never sees half of it
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.part`, JSON.stringify(out.runs));
    fs.renameSync(`${file}.${process.pid}.part`, file);
  } catch {
    // a read-only install: made again next time
  }
  return out;
}

/** Seconds the end-state runs take at the machine's pace right now (gradients of both models per call, measured). */
function endStateSeconds(s: Seminar, plan: Plan): number {
  const calls =
    plan.endStates.length * plan.endStateIterations * EXERCISES.reduce((a, ex) => a + ex.callsPerIteration, 0);
  const ms = baseline(kernelRuntime(s, {}), 128);
  return Math.max(10, Math.round((calls * ms * END_STATE_PACE) / 10_000) * 10);
}
/**
 * A call of the loop costs about this many of baseline()'s gradients (measured: gleb's trainGen of the class
 * test with its trainDisc, 2 × 16000 iterations, 242 s where baseline() read 3.3 ms on a loaded machine).
 */
const END_STATE_PACE = 0.4;

/**
 * Runs the checks of one exercise on `step` (bound to `models`) and returns their results. A step that
 * matches no formulation, or makes a mistake that may not stop learning, is judged as the grader judges
 * it: by where the notebook's loop with it ends (lib/grader/checks/end-state.ts), from public starts, beside
 * the notebook's other steps (`others`; without one: the reference's where it is, else undecided).
 */
export function runSelfCheck(
  id: ExerciseId,
  step: StepFn,
  models: Models,
  options: SelfCheckOptions = {},
): CheckResult[] {
  const s = seminarOf(models);
  const ex = exercise(id);
  const typeErrors = options.typeErrors ?? [];
  // observing moves the notebook's models: their weights are put back before the checks run
  const session = keepingWeights(s, () => {
    const basis = buildBasis(s);
    const loop: Partial<Record<ExerciseId, StepFn>> = { [id]: step };
    const partners: { ex: Exercise; whose: 'yours' | 'seminar' }[] = [];
    const subject: Record<ExerciseId, Subject> = {};
    subject[id] =
      typeErrors.length > 0
        ? {
            unavailable: {
              diagnosis: 'compile-error',
              message: `Deno ran the ${id} cell without type-checking; tslab would refuse it:\n${typeErrors.slice(0, 5).map(formatCompileError).join('\n')}`,
              errors: typeErrors,
            },
          }
        : { observation: observe(id, basis.plans[id], kernelRuntime(s, { [id]: step })) };
    for (const other of EXERCISES.filter((e) => e !== ex)) {
      const given = options.others?.[other.id];
      if (given) {
        loop[other.id] = given;
        partners.push({ ex: other, whose: 'yours' });
        subject[other.id] = {
          observation: observe(other.id, basis.plans[other.id], kernelRuntime(s, { [other.id]: given })),
        };
      } else if (hasReference()) {
        loop[other.id] = referenceSteps(s)[other.functionName];
        partners.push({ ex: other, whose: 'seminar' });
        subject[other.id] = { observation: basis.reference[other.id] };
      } else {
        subject[other.id] = { unavailable: { diagnosis: 'grader-error', message: 'not part of this self-check' } };
      }
    }
    const session = newSession(basis, subject);
    const mine = subject[id].observation;
    if (!mine || !needsBehaviour(session, ex)) return session;
    const t = ui();
    const missing = EXERCISES.filter((e) => !loop[e.id]);
    if (missing.length > 0) {
      mine.behaviour = {
        ...NO_BEHAVIOUR,
        undecided: t.endStateUndecided(missing.map((e) => e.functionName).join(', ')),
      };
      return session;
    }
    // another step with a mistake of its own: the loop cannot speak for this one (judge.ts behaviour says so)
    if (partners.some((p) => knownMistake(session, p.ex))) return session;
    const plan = basis.plans[id];
    const why = t.endStateWhy(knownMistake(session, ex));
    const announce = (cached: boolean) =>
      options.say?.(
        cached
          ? t.endStateReused(ex.functionName, why)
          : t.endStateAnnounce(
              ex.functionName,
              why,
              plan.endStates.length,
              plan.endStateIterations,
              partners.map((p) => t.endStatePartner(p.ex.functionName, p.whose)).join(', '),
              endStateSeconds(s, plan),
            ),
      );
    const observed = EXERCISES.map((e) => subject[e.id].observation!);
    mine.behaviour = endStateRunsHere(s, plan, loop as Record<ExerciseId, StepFn>, observed, announce);
    // the reference's ends too, while the models are the self-check's (computed once where the reference is, then cached)
    behaviour(session, ex);
    return session;
  });
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
    // where the end-state runs judged "trains", where the loop ended (passed or not, whatever the diagnosis)
    const ends = r.id.endsWith('.trains') && showsEndStates(r.message) ? r.message.split('\n') : undefined;
    if (!r.passed && r.diagnosis && !explained.has(r.diagnosis)) {
      explained.add(r.diagnosis);
      const d = DIAGNOSES[r.diagnosis];
      const text = diagnosisTexts(r.diagnosis, d, adviceOf(r.diagnosis, id), id);
      lines.push(`      ${text.title ?? r.diagnosis}`);
      if (d?.showDetail && !ends) {
        const detail = r.message.split('\n');
        for (const l of r.diagnosis === 'compile-error' ? detail : detail.slice(0, 1)) lines.push(`      ${l}`);
      }
      if (text.hint) lines.push(`      ${t.tryThis}: ${text.hint}`);
    }
    for (const l of ends ?? []) if (l.trim() !== '') lines.push(`      ${l}`);
  }
  const open = results.filter(undecided).length;
  if (open > 0) {
    lines.push(t.undecided(open));
    // why, in the words of the check that decides "trains" (what it waits for)
    const why = results.find((r) => undecided(r) && r.id.endsWith('.trains')) ?? results.find(undecided);
    if (why) lines.push(`  ${why.message}`);
  }
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
function checkAndPrint(
  ex: Exercise,
  step: Step,
  models: Models,
  solutions: boolean,
  others: Partial<Record<ExerciseId, Step>>,
): { got: number; max: number } {
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
  const say = (line: string) => {
    console.log(line);
    flushDenoOutput(); // Deno's kernel: the line shows before the minutes of the runs, not after
  };
  const results = runSelfCheck(ex.id, subject, models, { typeErrors, others: solutions ? {} : others, say });
  console.log(formatSelfCheck(ex.id, results));
  return { got: results.reduce((a, r) => a + r.points, 0), max: results.reduce((a, r) => a + r.maxPoints, 0) };
}

/** The steps each notebook's self-check was last given, by its generator (the end-state runs' loop runs them together). */
const lastChecked = new WeakMap<Module, Partial<Record<ExerciseId, Step>>>();

/**
 * The notebook's check object. With `solutions` (the notebook's SOLUTIONS flag) it checks the
 * reference from lib/reference/solutions.ts instead of the cell, as the training loop would run it.
 */
export function selfCheck(models: Models, solutions = false): SelfCheck {
  const run = (ex: Exercise, step: Step): void => {
    let got = 0;
    let max = 0;
    recoverEngineAndSay(); // an interrupted training cell may have left TF.js mid-step
    restoreInterruptedSelfCheck((line) => console.log(line)); // kernels without the hooks
    const last = solutions ? undefined : lastRunOf(ex.functionName);
    const checked = lastChecked.get(models.gen) ?? {};
    lastChecked.set(models.gen, checked);
    try {
      // tslab keeps the previous definition when a cell fails: checking it would grade an older attempt
      if (last && !last.ok) console.log(lastRunFailed(ex, last.error));
      else {
        const { [ex.id]: _mine, ...others } = checked;
        checked[ex.id] = step;
        ({ got, max } = checkAndPrint(ex, step, models, solutions, others));
      }
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
