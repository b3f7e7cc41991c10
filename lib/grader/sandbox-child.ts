// The sandbox's child process: runs one submission's cells in a vm context that holds only the
// notebook's globals, observes the exercises (probe.ts) and writes plain observations to the
// result file. The parent (sandbox.ts) starts it under Node's permission model, and judges.
// It never loads the reference (lib/reference.ts, lib/solutions.ts): a submission that escapes the
// context finds no reference and can only fake observations it would have to compute correctly.
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import * as data from '../data';
import * as nn from '../nn';
import { DISC_LR, GEN_LR, makeDiscriminator, makeGenerator } from '../seminar';
import { Exercise, ExerciseObservation, FUNCTION_NAMES, Failure, Parts, Plan, Runtime, classifyError, observe } from './probe';

export interface Job {
  /** The backend to compute on: the parent's (lib/backend.ts initGraderBackend). */
  backend: string;
  /** Transpiled exercise cells in notebook order. */
  cells: { exercise: Exercise; js: string }[];
  /** Exercises to observe, in order. */
  probe: Exercise[];
  plans: Record<Exercise, Plan>;
  parts: Parts;
  /**
   * After the steps: say "steps done" on stdout and read from stdin (one JSON line) the exercises whose
   * behavioural part the parent's judge wants, then run those here, output muted. A submission that
   * needs it then takes one child process instead of two.
   */
  askBehaviour: boolean;
  /** Wall-clock budget per exercise (cell load + observation). */
  budgetMs: number;
  /** Characters of console output kept. */
  outputCap: number;
}

export interface ChildResult {
  observations: Partial<Record<Exercise, ExerciseObservation>>;
  /** The exercise being observed when the file was last written (a crash happened there). */
  running: Exercise | null;
  output: string;
  outputTruncated: boolean;
  /** Behavioural runs the parent asked for after the steps (Job.askBehaviour), by exercise. */
  asked: Partial<Record<Exercise, ExerciseObservation['behaviour']>>;
}

const RANDOM_OPS = ['randomUniform', 'randomNormal', 'truncatedNormal', 'randomGamma', 'randomStandardNormal', 'multinomial', 'randomUniformInt'];

function TODO(what: string): never {
  // Same prefix as lib/notebook.ts's TODO, which the grader recognises as "not implemented".
  throw new Error(`not implemented: ${what} — replace TODO('${what}') in the exercise cell with your code`);
}

async function main(jobFile: string, resultFile: string): Promise<void> {
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as Job;
  // the parent's backend: its reference observations and these come from the same kernels
  await initBackend(job.backend);

  const result: ChildResult = { observations: {}, running: null, output: '', outputTruncated: false, asked: {} };
  const save = () => fs.writeFileSync(resultFile, JSON.stringify(result));
  let muted = false;
  const write = (text: string) => {
    if (muted) return;
    if (result.output.length >= job.outputCap) {
      result.outputTruncated = true;
      return;
    }
    result.output += text.slice(0, job.outputCap - result.output.length);
    if (text.length > job.outputCap) result.outputTruncated = true;
  };
  const print = (...args: unknown[]) => write(args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ') + '\n');

  const gen = makeGenerator();
  const disc = makeDiscriminator();
  let randomCalls: string[] = [];
  const noteRandom = (name: string) => {
    if (randomCalls.length < 100) randomCalls.push(name);
  };
  const tfView: Record<string, unknown> = {};
  for (const key of Object.keys(tf)) tfView[key] = (tf as unknown as Record<string, unknown>)[key];
  for (const name of RANDOM_OPS) {
    const op = tfView[name];
    if (typeof op === 'function') {
      tfView[name] = (...args: unknown[]) => {
        noteRandom(`tf.${name}`);
        return (op as (...a: unknown[]) => unknown)(...args);
      };
    }
  }
  const gan = {
    IS_FAKE: data.IS_FAKE,
    IS_REAL: data.IS_REAL,
    sampleNoise: data.sampleNoise,
    sampleRealData: data.sampleRealData,
    sequential: nn.sequential,
    linear: nn.linear,
    elu: nn.elu,
    TODO,
  };
  const globals = {
    tf: tfView,
    gan,
    gen,
    disc,
    genOpt: tf.train.sgd(GEN_LR),
    discOpt: tf.train.sgd(DISC_LR),
    sampleNoise: data.sampleNoise,
    sampleRealData: data.sampleRealData,
    IS_FAKE: data.IS_FAKE,
    IS_REAL: data.IS_REAL,
    TODO,
    SOLUTIONS: false,
    exports: {},
    console: { log: print, info: print, warn: print, error: print, debug: print },
    __noteRandom: noteRandom,
  };
  const context = vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(
    '(() => { const random = Math.random, note = __noteRandom; Math.random = function random_() { note("Math.random"); return random(); }; })(); delete globalThis.__noteRandom;',
    context,
  );

  let deadline = 0;
  const run = (code: string): unknown => {
    const left = Math.floor(deadline - Date.now());
    if (left <= 0) throw Object.assign(new Error('time budget used up'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' });
    return new vm.Script(code).runInContext(context, { timeout: left, displayErrors: false });
  };
  const classify = (err: unknown): Failure => {
    const f = classifyError(err);
    if (f.kind === 'runtime-error' && /\b(require|exports|process|module) is not defined/.test(f.message)) {
      f.message += ' — graded cells run with the notebook\'s globals only (no imports, require or process)';
    }
    return f;
  };

  const runtime = (): Runtime => ({
    gen,
    disc,
    call: (ex, batchSize) => run(`${FUNCTION_NAMES[ex]}(${Math.trunc(batchSize)})`),
    takeRandomCalls: () => {
      const r = randomCalls;
      randomCalls = [];
      return r;
    },
    classify,
  });

  // Load the cells in notebook order; a cell that fails to load takes its own exercise down only.
  const loadFailures = new Map<Exercise, Failure>();
  for (const cell of job.cells) {
    deadline = Date.now() + job.budgetMs;
    try {
      run(cell.js);
    } catch (err) {
      loadFailures.set(cell.exercise, classify(err));
    }
  }

  for (const exercise of job.probe) {
    result.running = exercise;
    save();
    deadline = Date.now() + job.budgetMs;
    const name = FUNCTION_NAMES[exercise];
    const plan = job.plans[exercise];
    const empty = { steps: [], leak: { steps: 0, growth: 0 }, behaviour: { steps: 0, gen: {}, disc: {} } };
    const loadFailure = loadFailures.get(exercise);
    let defined = false;
    try {
      defined = run(`typeof ${name} === 'function'`) === true;
    } catch {
      defined = false;
    }
    if (loadFailure) {
      result.observations[exercise] = { exercise, unavailable: loadFailure, ...empty };
    } else if (!defined) {
      const message = `the ${exercise} cell does not define a function ${name}(batchSize) (keep the function's name from the notebook)`;
      result.observations[exercise] = { exercise, unavailable: { kind: 'runtime-error', message, diagnosis: 'missing-function' }, ...empty };
    } else {
      result.observations[exercise] = observe(exercise, plan, runtime(), job.parts);
    }
    result.running = null;
    save();
  }

  if (job.askBehaviour) {
    process.stdout.write('steps done\n');
    const wanted = JSON.parse((await firstLine(process.stdin)) || '[]') as Exercise[];
    muted = true;
    for (const exercise of job.probe.filter((ex) => wanted.includes(ex) && result.observations[ex])) {
      deadline = Date.now() + job.budgetMs;
      result.asked[exercise] = observe(exercise, job.plans[exercise], runtime(), { steps: false, behaviour: true }).behaviour;
      save();
    }
  }
  save();
}

/** The first line of a stream ('' if it ends first). */
function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', done);
      resolve(text.split('\n')[0]);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) done();
    };
    stream.on('data', onData);
    stream.on('end', done);
  });
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null && 'toString' in value ? String(value) : JSON.stringify(value) ?? String(value);
  } catch {
    return '[unprintable]';
  }
}

if (require.main === module) {
  main(process.argv[2], process.argv[3]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`sandbox: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(70);
    },
  );
}
