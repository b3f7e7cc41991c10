// The sandbox's child process: runs one submission's cells in a vm context that holds only the
// notebook's globals, observes the exercises (observe.ts) and writes plain observations to the
// result file. The parent (sandbox.ts) starts it under Node's permission model, and judges.
// It never loads the reference (lib/reference/). Before any submission code runs it locks its own realm
// down (lib/grader/sandbox/harden.ts): frozen intrinsics and TF.js classes, a `tf` without the ways into this
// process, frozen models; and it signs its result with a key only the parent and this module know, so
// a submission can neither patch what the observer reads nor write a result the parent accepts.
import './lean-tfjs'; // first: @tensorflow/tfjs without what graded code never needs at load
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { EXERCISES, exercise } from '../../exercises';
import * as data from '../../seminar/data';
import { NOTEBOOK_GLOBALS, createSeminar } from '../../seminar/models';
import * as nn from '../../seminar/nn';
import { TODO } from '../../seminar/todo';
import { initBackend } from '../../tfjs/backend';
import { hardenRealm, submissionTf } from './harden';
import { kernelGlobals } from './environment';
import {
  ExerciseId,
  ExerciseObservation,
  Failure,
  Parts,
  Plan,
  RunPlan,
  Runtime,
  baseline,
  classifyError,
  endStateRun,
  observe,
  observeRun,
} from './observe';
import { freeingLeftovers, recoverEngine } from '../../tfjs/engine-state';

export interface Job {
  /** The backend to compute on: the parent's (lib/tfjs/backend.ts initGraderBackend). */
  backend: string;
  /** The notebook's code cells the grader runs (lib/jupyter/compile.ts), transpiled, in notebook order. */
  cells: { index: number; exercise?: ExerciseId; js: string; async: boolean }[];
  /** Exercises to observe, in order. */
  probe: ExerciseId[];
  /** The fixed states (a student release's protocol) and the end-state runs' starts. */
  plans: Record<ExerciseId, Plan>;
  /** The training run the steps are observed in; absent (a student release: no reference to replay), the plans' fixed states. */
  run?: RunPlan;
  parts: Parts;
  /**
   * After the steps: say "steps done" on stdout and read from stdin (one JSON line) the exercises whose
   * end-state runs the parent's judge wants, then run those here, output muted. A submission that
   * needs it then takes one child process instead of two.
   */
  askBehaviour: boolean;
  /** Wall-clock budget per exercise: for its cell's load, its calls in the training run. */
  budgetMs: number;
  /** Characters of console output kept. */
  outputCap: number;
  /** Wall-clock budget of the end-state runs, all starts together (Plan.endStates). */
  endStateBudgetMs?: number;
  /**
   * The end-state runs' ends, when the parent has them from an earlier grading of the same cells from the
   * same starts (they are a function of both: sandbox.ts endStateCache): the child then does not run them again.
   */
  endStateRuns?: NonNullable<ExerciseObservation['behaviour']>['runs'];
}

export interface ChildResult {
  observations: Partial<Record<ExerciseId, ExerciseObservation>>;
  /** The exercise being observed when the file was last written (a crash happened there). */
  running: ExerciseId | null;
  output: string;
  outputTruncated: boolean;
  /** The notebook's other cells that threw when they ran. */
  cellFailures: string[];
  /** Behavioural runs the parent asked for after the steps (Job.askBehaviour), by exercise. */
  asked: Partial<Record<ExerciseId, ExerciseObservation['behaviour']>>;
}

/** The submission's console, captured into the result up to the job's cap (mutable: muted for asked runs). */
function captureOutput(result: ChildResult, cap: number) {
  const capture = { muted: false, print: (..._args: unknown[]) => undefined as void };
  const write = (text: string) => {
    if (capture.muted) return;
    if (result.output.length >= cap) {
      result.outputTruncated = true;
      return;
    }
    result.output += text.slice(0, cap - result.output.length);
    if (text.length > cap) result.outputTruncated = true;
  };
  capture.print = (...args: unknown[]) =>
    write(args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ') + '\n');
  return capture;
}

/** The vm context: the notebook's globals (lib/seminar/models.ts NOTEBOOK_GLOBALS) and nothing of the host. */
function notebookContext(
  seminar: ReturnType<typeof createSeminar>,
  print: (...a: unknown[]) => void,
  noteRandom: (name: string) => void,
): vm.Context {
  const gan = Object.freeze({
    IS_FAKE: data.IS_FAKE,
    IS_REAL: data.IS_REAL,
    sampleNoise: data.sampleNoise,
    sampleRealData: data.sampleRealData,
    sequential: nn.sequential,
    linear: nn.linear,
    elu: nn.elu,
    TODO,
  });
  const globals: Record<string, unknown> = {
    // what a kernel's cells see (timers, TextEncoder, ...), with stand-ins for what the grader withholds
    ...kernelGlobals(),
    ...Object.fromEntries(NOTEBOOK_GLOBALS.map((name) => [name, seminar[name]])),
    tf: submissionTf(noteRandom),
    gan,
    TODO,
    SOLUTIONS: false,
    exports: {},
    console: { log: print, info: print, warn: print, error: print, debug: print },
    __noteRandom: noteRandom,
  };
  // (microtasks stay on the process's queue: a cell's top-level await on TF.js's promises must resume)
  const context = vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(
    '(() => { const random = Math.random, note = __noteRandom; Math.random = function random_() { note("Math.random"); return random(); }; })(); delete globalThis.__noteRandom;' +
      // no stack-trace hook in the cells' realm (the classic way to call sites of the host's frames)
      "Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });" +
      // the noting Math.random stays in place
      "Object.defineProperty(Math, 'random', { writable: false, configurable: false });",
    context,
  );
  return context;
}

const budgetUsedUp = () => Object.assign(new Error('time budget used up'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' });

/**
 * A realm of the host's own, never the cells': a stretch of calls runs in one script here, so one vm
 * timeout (one watchdog thread) limits all its calls.
 */
const stretchRealm = vm.createContext({ body: undefined as (() => void) | undefined });
const stretchScript = new vm.Script('body()');

/** Runs code in the context within the current deadline (a loop that never returns is cut there). */
class Runner {
  deadline = 0;
  /** Inside stretch(): its timeout limits the calls, they start no watchdog of their own. */
  private stretching = false;
  private readonly scripts = new Map<string, vm.Script>();
  constructor(private readonly context: vm.Context) {}
  run(code: string): unknown {
    const left = Math.floor(this.deadline - Date.now());
    if (left <= 0) throw budgetUsedUp();
    let script = this.scripts.get(code);
    if (!script) this.scripts.set(code, (script = new vm.Script(code)));
    return script.runInContext(
      this.context,
      this.stretching ? { displayErrors: false } : { timeout: left, displayErrors: false },
    );
  }

  /**
   * Runs `body` (host code that makes calls) under one timeout of `ms`; returns the timeout error when
   * it cut `body`, anywhere inside: a cut is uncatchable until here, so no finally block of `body` ran.
   */
  stretch(ms: number, body: () => void): unknown {
    if (ms <= 0) return budgetUsedUp();
    stretchRealm.body = body;
    this.stretching = true;
    try {
      stretchScript.runInContext(stretchRealm, { timeout: ms, displayErrors: false });
      return undefined;
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return err;
      throw err;
    } finally {
      this.stretching = false;
      stretchRealm.body = undefined;
    }
  }

  /** Waits for a cell's top-level await (its async function's promise), within the same deadline. */
  async settle(value: unknown): Promise<void> {
    const left = Math.max(0, Math.floor(this.deadline - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('time budget used up'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' })),
        left,
      );
    });
    // the cell's own then (its promise is of the cells' realm), attached at once: its rejection is handled
    const done = new Promise<void>((resolve, reject) => {
      if (value && typeof (value as PromiseLike<unknown>).then === 'function')
        (value as PromiseLike<unknown>).then(() => resolve(), reject);
      else resolve();
    });
    try {
      await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A thrown value as a Failure, worded for the student (a timeout states the real budget). */
function classifier(budgetMs: number): (err: unknown) => Failure {
  return (err) => {
    const f = classify(err);
    if (f.kind === 'timeout')
      f.message = `did not finish within the ${budgetMs / 1000} s budget (each cell has it to run; each step has it for all its calls)`;
    return f;
  };
}

function classify(err: unknown): Failure {
  const f = classifyError(err);
  if (f.kind === 'runtime-error' && /\b(require|exports|process|module) is not defined/.test(f.message)) {
    f.message += " — graded cells run with the notebook's globals only (no imports, require or process)";
  }
  return f;
}

const EMPTY = { steps: [], leak: { steps: 0, growth: 0 }, behaviour: { steps: 0, runs: [] } };

/** Why an exercise cannot be observed at all (its cell failed to load, or defines no function), else undefined. */
function unavailable(
  id: ExerciseId,
  runner: Runner,
  loadFailure: Failure | undefined,
): ExerciseObservation | undefined {
  const name = exercise(id).functionName;
  if (loadFailure) return { exercise: id, unavailable: loadFailure, ...EMPTY };
  let defined: boolean;
  try {
    defined = runner.run(`typeof ${name} === 'function'`) === true;
  } catch {
    defined = false;
  }
  if (defined) return undefined;
  const message = `the ${id} cell does not define a function ${name}(batchSize) (keep the function's name from the notebook)`;
  return { exercise: id, unavailable: { kind: 'runtime-error', message, diagnosis: 'missing-function' }, ...EMPTY };
}

/** Runs the cells in notebook order, as tslab would: a cell that throws takes its own exercise down only (another cell's failure is reported). */
async function runCells(
  job: Job,
  runner: Runner,
  classify: (err: unknown) => Failure,
  onOtherFailure: (message: string) => void,
): Promise<Map<ExerciseId, Failure>> {
  const loadFailures = new Map<ExerciseId, Failure>();
  for (const cell of job.cells) {
    runner.deadline = Date.now() + job.budgetMs;
    try {
      const value = runner.run(cell.js);
      if (cell.async) await runner.settle(value);
    } catch (err) {
      const failure = classify(err);
      if (cell.exercise !== undefined) loadFailures.set(cell.exercise, failure);
      else onOtherFailure(`cell #${cell.index + 1} threw when it ran: ${failure.message}`);
    }
  }
  return loadFailures;
}

/**
 * The job file, written by the parent (sandbox.ts) before any submission code exists. Checked by hand:
 * the child runs with --disallow-code-generation-from-strings, which rules out ajv's compiled validators.
 */
function readJob(file: string): Job {
  const job = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Job>;
  const ok =
    typeof job.backend === 'string' &&
    Array.isArray(job.cells) &&
    job.cells.every(
      (c) =>
        Number.isInteger(c?.index) &&
        (c.exercise === undefined || typeof c.exercise === 'string') &&
        typeof c.js === 'string' &&
        typeof c.async === 'boolean',
    ) &&
    Array.isArray(job.probe) &&
    job.probe.every((id) => typeof id === 'string' && job.plans?.[id] !== undefined) &&
    typeof job.parts?.steps === 'boolean' &&
    (job.run === undefined || (Number.isInteger(job.run.iterations) && Number.isInteger(job.run.batchSize))) &&
    typeof job.askBehaviour === 'boolean' &&
    Number.isInteger(job.budgetMs) &&
    Number.isInteger(job.outputCap);
  if (!ok) throw new Error(`sandbox: malformed job file ${file}`);
  return job as Job;
}

async function main(jobFile: string, resultFile: string): Promise<void> {
  const input = lines(process.stdin);
  // the signing key: the parent's first line on stdin, kept in this closure only
  const key = await input.next();
  const job = readJob(jobFile);
  // the parent's backend: its reference observations and these come from the same kernels
  await initBackend(job.backend);

  const result: ChildResult = {
    observations: {},
    running: null,
    output: '',
    outputTruncated: false,
    asked: {},
    cellFailures: [],
  };
  const { writeFileSync } = fs;
  const save = () => {
    const json = JSON.stringify(result);
    writeFileSync(resultFile, `${createHmac('sha256', key).update(json).digest('hex')}\n${json}`);
  };
  const output = captureOutput(result, job.outputCap);
  let randomCalls: string[] = [];
  const noteRandom = (name: string) => {
    if (randomCalls.length < 100) randomCalls.push(name);
  };
  // a cell's promise nobody awaited that rejects is the cell's failure, not the end of this process
  process.on('unhandledRejection', (reason) => {
    if (result.cellFailures.length < 20)
      result.cellFailures.push(`a promise rejected and nothing awaited it: ${classify(reason).message}`);
  });
  const seminar = createSeminar();
  // the run's start, before any cell runs: to the cells, the weights their models cell made
  if (job.run) {
    nn.setWeights(seminar.gen, job.run.start.gen);
    nn.setWeights(seminar.disc, job.run.start.disc);
  }
  const classifyWithBudget = classifier(job.budgetMs);
  hardenRealm(seminar, noteRandom);
  let runner = new Runner(notebookContext(seminar, output.print, noteRandom));
  // each exercise's calls spend its own budget: a step that hangs times out alone
  const budget = new Map<ExerciseId, number>();
  const runtime: Runtime = {
    gen: seminar.gen,
    disc: seminar.disc,
    call: (id, batchSize) => {
      const left = budget.get(id) ?? job.budgetMs;
      const started = Date.now();
      runner.deadline = started + left;
      try {
        return runner.run(`${exercise(id).functionName}(${Math.trunc(batchSize)})`);
      } finally {
        budget.set(id, left - (Date.now() - started));
      }
    },
    takeRandomCalls: () => {
      const r = randomCalls;
      randomCalls = [];
      return r;
    },
    classify: classifyWithBudget,
    optimizers: { gen: seminar.genOpt, disc: seminar.discOpt },
    stretch: (id, body) => {
      const cut = runner.stretch(budget.get(id) ?? job.budgetMs, body);
      if (cut === undefined) return undefined;
      budget.set(id, 0);
      return classifyWithBudget(cut);
    },
  };

  let otherFailures = 0;
  const loadFailures = await runCells(job, runner, classifyWithBudget, (m) => {
    // a few in full: the result file (read into the parent) stays small whatever the cells do
    if (++otherFailures <= 10) result.cellFailures.push(m);
    else result.cellFailures[10] = `${otherFailures - 10} more cells threw when they ran`;
  });
  const observable: ExerciseId[] = [];
  for (const id of job.probe) {
    const none = unavailable(id, runner, loadFailures.get(id));
    if (none) result.observations[id] = none;
    else observable.push(id);
  }

  if (job.parts.steps && job.run && observable.length > 0) {
    // the steps inside one training run of all the exercises; a crash is blamed on the step then running
    const observations = observeRun(runtime, job.run, observable, (id) => {
      if (result.running === id) return;
      result.running = id;
      save();
    });
    Object.assign(result.observations, observations);
    result.running = null;
    save();
  }
  let endStates: Promise<ExerciseObservation['behaviour']> | undefined;
  /**
   * The end-state runs (the plans' endStates): the notebook's loop with the submission's steps, each
   * from its start in the notebook afresh, under one time limit per start (no watchdog per call). The
   * loop runs every step, so one set of runs serves every exercise that asks.
   */
  const endStateRuns = async (plan: Plan): Promise<ExerciseObservation['behaviour']> => {
    const iterations = plan.endStateIterations;
    const out: ExerciseObservation['behaviour'] = { steps: iterations, runs: [] };
    const starts = plan.endStates;
    if (job.endStateRuns && job.endStateRuns.length === starts.length) return { ...out, runs: job.endStateRuns };
    // the budget follows the machine's pace right now (a loaded grader is slow for every step alike):
    // five times the loop's estimated cost at the reference's pace, within 1–3 times the fixed budget
    const fixed = (job.endStateBudgetMs ?? job.budgetMs) / Math.max(1, starts.length);
    const estimate = iterations * EXERCISES.reduce((a, ex) => a + ex.callsPerIteration, 0) * baseline(runtime, 128);
    const perStart = Math.floor(Math.min(3 * fixed, Math.max(fixed, 5 * estimate)));
    for (const start of starts) {
      // each start's cells and run in a scope of their own: what a leaking step kept (a new Adam per call keeps
      // its slot variables) is freed before the next start, so the memory limit meets one start's leak, not all
      const one = await freeingLeftovers(async (): Promise<Partial<ReturnType<typeof endStateRun>>> => {
        output.muted = true;
        runner = new Runner(notebookContext(seminar, output.print, noteRandom));
        await runCells(job, runner, classifyWithBudget, () => undefined);
        // the stretch's limit is the one that counts; no step's own budget may stop the loop first
        for (const ex of EXERCISES) budget.set(ex.id, perStart);
        let run: ReturnType<typeof endStateRun> | undefined;
        const cut = runner.stretch(perStart, () => {
          run = endStateRun(runtime, start, iterations);
        });
        if (!cut) return run!;
        data.overrideSamplers(null);
        recoverEngine();
        return {
          failure: {
            kind: 'timeout',
            message: `the notebook's loop with these steps did not finish ${iterations} iterations within ${perStart / 1000} s`,
          },
        };
      });
      if (one.failure || !one.reached) return { ...out, failure: one.failure };
      out.runs.push(one.reached);
    }
    return out;
  };

  /** The end-state runs the judge asked for `id`: one set serves every exercise (the loop runs every step). */
  const behaviourRuns = (id: ExerciseId): Promise<ExerciseObservation['behaviour']> =>
    (endStates ??= endStateRuns(job.plans[id]));

  const fixedStates = job.parts.steps && !job.run;
  if (fixedStates || job.parts.behaviour) {
    for (const id of observable) {
      result.running = id;
      save();
      budget.set(id, job.budgetMs);
      const observed = fixedStates
        ? observe(id, job.plans[id], runtime)
        : (result.observations[id] ?? {
            exercise: id,
            steps: [],
            leak: { steps: 0, growth: 0 },
            behaviour: { steps: 0, runs: [] },
          });
      result.observations[id] = job.parts.behaviour ? { ...observed, behaviour: await behaviourRuns(id) } : observed;
      result.running = null;
      save();
    }
  }

  if (job.askBehaviour) {
    process.stdout.write('steps done\n');
    const wanted = JSON.parse((await input.next()) || '[]') as ExerciseId[];
    output.muted = true;
    for (const id of observable.filter((ex) => wanted.includes(ex) && result.observations[ex])) {
      result.asked[id] = await behaviourRuns(id);
      save();
    }
  }
  save();
}

/** The lines of a stream, one per next() ('' once it has ended). */
function lines(stream: NodeJS.ReadableStream): { next(): Promise<string> } {
  let buffered = '';
  let ended = false;
  let waiting: (() => void) | undefined;
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    waiting?.();
  });
  stream.on('end', () => {
    ended = true;
    waiting?.();
  });
  return {
    async next() {
      while (!buffered.includes('\n') && !ended) await new Promise<void>((resolve) => (waiting = resolve));
      waiting = undefined;
      const i = buffered.indexOf('\n');
      const line = i < 0 ? buffered : buffered.slice(0, i);
      buffered = i < 0 ? '' : buffered.slice(i + 1);
      return line;
    },
  };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null && 'toString' in value
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  } catch {
    return '[unprintable]';
  }
}

if (require.main === module && process.argv[2] === '--warm') {
  // sandbox.ts warmChildren: no submission, only loading what a child loads, for the compile cache
  // (these two are loaded when needed: harden.ts, lib/tfjs/backend.ts)
  require('ses');
  require('@tensorflow/tfjs-backend-wasm');
} else if (require.main === module) {
  main(process.argv[2], process.argv[3]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `sandbox: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}\n`,
      );
      process.exit(70);
    },
  );
}
