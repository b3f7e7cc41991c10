// Step "observe": what a step does, recorded as plain data (weights before and after, returned value,
// sampler calls, tensors, time); judging happens elsewhere. Two protocols: a training run with steps
// observed inside it (observeRun: the grader's, on a submission in the sandbox child), and one step from
// each of a few fixed states (observe: the self-check's, and the reference's numbers a release ships).
// This file must never import the reference: the sandbox child loads it.
import * as tf from '@tensorflow/tfjs';
import { EXERCISES, ExerciseId, ModelName, exercise } from '../../exercises';
import { REAL_MEAN, REAL_STD, SamplerOverride, overrideSamplers, withSamplers } from '../../seminar/data';
import { Module, Weights, getWeights, setWeights } from '../../seminar/nn';
import { Rng } from '../../seminar/random';
import { config } from '../../config';
import { recoverEngine } from '../../tfjs/engine-state';
import { NOT_IMPLEMENTED } from '../../seminar/todo';

export type { ExerciseId } from '../../exercises';

/** A fixed starting point: both models' weights and the seed of the sampler streams. */
export interface State {
  name: string;
  seed: number;
  batchSize: number;
  gen: Weights;
  disc: Weights;
}

/** What to observe for one exercise. */
export interface Plan {
  /** One step from each of these states (the fixed-states protocol, observe()). */
  states: State[];
  /** Steps of the leak probe (after two warm-up steps). */
  leakSteps: number;
  /**
   * The end-state runs' starts (the notebook's loop, batch 128) and length: what judges "trains" for a
   * step that matches no formulation. Private where the states are (the grader's), else public (the
   * self-check's, shipped in a student release with the reference's ends from them).
   */
  endStates: State[];
  endStateIterations: number;
  /**
   * The first this many endStates are the public ones (the self-check's); the rest are the course's. Each
   * set is judged on its own (averaged over its starts) and every set must pass, so a step the self-check
   * fails fails at grading too. Absent: one set.
   */
  publicEndStates?: number;
  /** True where the states come from the course's grading secret (lib/grader/checks/states.ts stateSeed). */
  fromSecret?: boolean;
}

/** Read-outs of an end state, on fixed samples (the same for every run judged). */
export interface EndState {
  genMean: number;
  genStd: number;
  /** W1 of the generated sample to N(5, 1.5²). */
  w1: number;
  /** Mean P(real) on real data minus on generated data: ≈ 0 when the discriminator cannot tell them apart. */
  dGap: number;
}

/** Why a call failed. */
export type FailureKind = 'not-implemented' | 'runtime-error' | 'timeout';

export interface Failure {
  kind: FailureKind;
  message: string;
}

/** What one call did, recorded for every call (no weights kept: a training run makes many). */
export interface CallObservation {
  state: string;
  batchSize: number;
  failure?: Failure;
  /** typeof the returned value ("number", "object", "undefined", ...). */
  returnedType: string;
  returned: number | null;
  /** Batch sizes each sampler was asked for, in call order. */
  samplerCalls: { noise: number[]; real: number[] };
  /** Random sources other than the samplers (tf.random*, Math.random); only the sandbox sees these. */
  randomCalls: string[];
  /** Per model's optimizer: updates applied during the call, and its learning rate before and after it (where the runtime has the optimizers). */
  optimizers?: Record<ModelName, { steps: number; learningRateBefore: number; learningRate: number }>;
  /** The largest relative change of the weights of the model the step must leave untouched (NaN counts as huge). */
  frozenMoved: number;
}

/** A call observed in full: the weights before and after it and the seed of its batches, so the reference can be replayed from the same point. */
export interface StepObservation extends CallObservation {
  seed: number;
  before: { gen: Weights; disc: Weights };
  gen: Weights;
  disc: Weights;
}

export interface ExerciseObservation {
  exercise: ExerciseId;
  /** Set when the exercise could not be run at all (no function, cell failed to compile or load). */
  unavailable?: Failure & { diagnosis?: string };
  /** The calls observed in full (the first failing call among them). */
  steps: StepObservation[];
  /** Every call of a training run (observeRun); absent where `steps` are all the calls there were. */
  calls?: CallObservation[];
  /**
   * msPerCall: the leak probe's warm calls, timed; baselineMs: a fixed workload on the same models right
   * after, so calls timed in different processes under different load compare (only ever a note).
   */
  leak: { failure?: Failure; steps: number; growth: number; msPerCall?: number; baselineMs?: number };
  /**
   * The end-state runs (the notebook's loop with the submission's steps from the plan's endStates, `steps`
   * iterations long): the weights each reached, in the order of the starts. `undecided`: why they cannot be
   * run here (the self-check of a student release without the other step); never set by the grader.
   */
  behaviour: { failure?: Failure; steps: number; runs: { gen: Weights; disc: Weights }[]; undecided?: string };
}

/** The place where the observed step runs. */
export interface Runtime {
  gen: Module;
  disc: Module;
  /** Runs one step of `exercise`; throws what the step threw. */
  call(exercise: ExerciseId, batchSize: number): unknown;
  /** Random sources used since the last call (and forgets them). */
  takeRandomCalls(): string[];
  /** Turns a thrown value into a Failure. */
  classify(err: unknown): Failure;
  /** The models' optimizers, when the runtime can see them: a step that applies more than one update, or changes the learning rate, shows. */
  optimizers?: Record<ModelName, tf.Optimizer>;
  /**
   * Runs `body`, a stretch of calls of `exercise`, under one time limit for the stretch (the sandbox's: a
   * vm timeout per call costs a watchdog thread, about half a millisecond). A call that outlasts the
   * exercise's budget cuts the whole stretch, host code included: the Failure says so. Absent: `body` just runs.
   */
  stretch?(exercise: ExerciseId, body: () => void): Failure | undefined;
}

/** Runs `body` as one stretch of `exercise`'s calls (never inside withSamplers): the Failure that cut it, if one did. */
function stretch(rt: Runtime, exercise: ExerciseId, body: () => void): Failure | undefined {
  if (!rt.stretch) {
    body();
    return undefined;
  }
  const cut = rt.stretch(exercise, body);
  if (cut) {
    // a cut runs no finally block: put back what the stretch's would have, the samplers and TF.js's engine
    overrideSamplers(null);
    recoverEngine();
  }
  return cut;
}

/** Each optimizer's update count and learning rate. */
function optimizerState(rt: Runtime): Record<ModelName, { steps: number; learningRate: number }> | undefined {
  if (!rt.optimizers) return undefined;
  const read = (o: tf.Optimizer) => ({
    steps: o.iterations,
    learningRate: (o as unknown as { learningRate: number }).learningRate,
  });
  return { gen: read(rt.optimizers.gen), disc: read(rt.optimizers.disc) };
}

/** Deterministic batches for a state: one stream per sampler, so the order of calls does not matter. */
export function fixedSamplers(seed: number, calls?: { noise: number[]; real: number[] }): SamplerOverride {
  const noiseRng = new Rng(seed * 2 + 1);
  const realRng = new Rng(seed * 2 + 2);
  return {
    noise(n: number) {
      calls?.noise.push(n);
      return tf.tensor2d(
        noiseRng.fill(n, () => noiseRng.uniform()),
        [n, 1],
      );
    },
    real(n: number) {
      calls?.real.push(n);
      return tf.tensor2d(
        realRng.fill(n, () => realRng.normal() * REAL_STD + REAL_MEAN),
        [n, 1],
      );
    },
  };
}

/** Milliseconds per gradient of both models on a batch (weights untouched): the machine's pace, right now. */
export function baseline(rt: Runtime, batchSize: number): number {
  const x = tf.ones([batchSize, 1]) as tf.Tensor2D;
  const once = () =>
    tf.tidy(() => {
      tf.variableGrads(
        () => tf.mean(rt.disc(rt.gen(x))) as tf.Scalar,
        [...rt.gen.parameters(), ...rt.disc.parameters()],
      );
    }); // returns nothing: tidy keeps what its function returns
  try {
    for (let i = 0; i < 2; i++) once();
    const started = performance.now();
    for (let i = 0; i < 10; i++) once();
    return (performance.now() - started) / 10;
  } finally {
    x.dispose();
  }
}

function optimizerDelta(
  before: ReturnType<typeof optimizerState>,
  after: ReturnType<typeof optimizerState>,
): StepObservation['optimizers'] {
  if (!before || !after) return undefined;
  const delta = (m: ModelName) => ({
    steps: after[m].steps - before[m].steps,
    learningRateBefore: before[m].learningRate,
    learningRate: after[m].learningRate,
  });
  return { gen: delta('gen'), disc: delta('disc') };
}

/** The default classification: the notebook's TODO message means "not implemented". */
export function classifyError(err: unknown): Failure {
  const message =
    err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { kind: 'timeout', message };
  if (NOT_IMPLEMENTED.test(message)) return { kind: 'not-implemented', message };
  if (config.graderDebug()) console.error(err); // the full stack, for whoever debugs the grader
  return {
    kind: 'runtime-error',
    message: `${err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) + ': ' : ''}${message}`,
  };
}

function place(rt: Runtime, weights: { gen: Weights; disc: Weights }): void {
  setWeights(rt.gen, weights.gen);
  setWeights(rt.disc, weights.disc);
}

function attempt(rt: Runtime, run: () => void): Failure | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return rt.classify(err);
  }
}

/** The largest relative change from `a` to `b` (NaN or a changed shape counts as huge). */
function largestChange(a: Weights, b: Weights): number {
  const x = Object.values(a).flatMap((v) => v.values);
  const y = Object.values(b).flatMap((v) => v.values);
  if (x.length !== y.length) return Number.MAX_VALUE;
  let worst = 0;
  for (let j = 0; j < x.length; j++) {
    const d = Math.abs(y[j] - x[j]) / (1 + Math.abs(x[j]));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.MAX_VALUE : d;
  }
  return worst;
}

const finite = (w: Weights) => Object.values(w).every((v) => v.values.every(Number.isFinite));

/** Where a call starts: its label, the seed of its batches, its batchSize. */
export interface CallAt {
  state: string;
  seed: number;
  batchSize: number;
}

/** A call under way: what observeCall records before the step runs (kept where a cut stretch can still read it). */
interface CallStart {
  at: CallAt;
  before: { gen: Weights; disc: Weights };
  samplerCalls: { noise: number[]; real: number[] };
  optimizers: ReturnType<typeof optimizerState>;
}

function startCall(rt: Runtime, at: CallAt): CallStart {
  const before = { gen: getWeights(rt.gen), disc: getWeights(rt.disc) };
  rt.takeRandomCalls();
  return { at, before, samplerCalls: { noise: [], real: [] }, optimizers: optimizerState(rt) };
}

/** The record of a call that started as `start`, from the models as it left them. */
function finishCall(
  rt: Runtime,
  id: ExerciseId,
  start: CallStart,
  failure: Failure | undefined,
  returned: unknown,
): StepObservation {
  const gen = getWeights(rt.gen);
  const disc = getWeights(rt.disc);
  const frozen = exercise(id).frozen;
  return {
    state: start.at.state,
    seed: start.at.seed,
    batchSize: start.at.batchSize,
    failure,
    returnedType: failure ? 'error' : typeof returned,
    returned: typeof returned === 'number' ? (Number.isFinite(returned) ? returned : null) : null,
    before: start.before,
    gen,
    disc,
    samplerCalls: start.samplerCalls,
    randomCalls: rt.takeRandomCalls(),
    optimizers: optimizerDelta(start.optimizers, optimizerState(rt)),
    frozenMoved: largestChange(start.before[frozen], { gen, disc }[frozen]),
  };
}

/**
 * One call of the step on the models as they are, its batches drawn from `at.seed`; `timed` gets the
 * call's milliseconds, `started` what a cut stretch needs to record the call (observeRun).
 */
export function observeCall(
  rt: Runtime,
  id: ExerciseId,
  at: CallAt,
  timed?: (ms: number) => void,
  started?: (start: CallStart) => void,
): StepObservation {
  const start = startCall(rt, at);
  started?.(start);
  let returned: unknown;
  const t = performance.now();
  const failure = withSamplers(fixedSamplers(at.seed, start.samplerCalls), () =>
    attempt(rt, () => {
      returned = rt.call(id, at.batchSize);
    }),
  );
  timed?.(performance.now() - t);
  return finishCall(rt, id, start, failure, returned);
}

/** A call's record without its weights (what a training run keeps of every call). */
function summary(st: StepObservation): CallObservation {
  const { seed: _seed, before: _before, gen: _gen, disc: _disc, ...call } = st;
  return call;
}

/** Which parts of the protocol to run: the grader runs the end-state runs (`behaviour`) only when the judge needs them. */
export interface Parts {
  steps: boolean;
  behaviour: boolean;
}

export const NOT_RUN: Failure = { kind: 'runtime-error', message: 'not run' };
export const NO_BEHAVIOUR: ExerciseObservation['behaviour'] = { failure: NOT_RUN, steps: 0, runs: [] };
/** Calls of a step before its tensors are counted and its time taken (first calls build caches). */
const WARM_CALLS = 2;

/** The leak probe's numbers for calls of one step: tensors gained, and its pace against a fixed workload. */
function leakOf(
  failure: Failure | undefined,
  steps: number,
  growth: number,
  ms: number,
  baselineMs: number | undefined,
): ExerciseObservation['leak'] {
  return {
    failure,
    steps,
    growth,
    msPerCall: steps > 0 && baselineMs !== undefined ? ms / steps : undefined,
    baselineMs,
  };
}

/**
 * The fixed-states protocol (the self-check's, and the reference's): one step from each state of the
 * plan and a leak probe. Its states are public in a release; the grader observes steps inside a training
 * run instead (observeRun).
 */
export function observe(exercise: ExerciseId, plan: Plan, rt: Runtime): ExerciseObservation {
  const steps = plan.states.map((state): StepObservation => {
    place(rt, state);
    return observeCall(rt, exercise, {
      state: `state "${state.name}"`,
      seed: state.seed,
      batchSize: state.batchSize,
    });
  });

  const first = plan.states[0];
  place(rt, first);
  let growth = 0;
  let ms = 0;
  let baselineMs: number | undefined;
  const failure = withSamplers(fixedSamplers(first.seed + 1000), () =>
    attempt(rt, () => {
      for (let i = 0; i < WARM_CALLS; i++) rt.call(exercise, first.batchSize);
      const before = tf.memory().numTensors;
      const started = performance.now();
      for (let i = 0; i < plan.leakSteps; i++) rt.call(exercise, first.batchSize);
      ms = performance.now() - started;
      growth = tf.memory().numTensors - before;
      baselineMs = baseline(rt, first.batchSize);
    }),
  );
  return { exercise, steps, leak: leakOf(failure, plan.leakSteps, growth, ms, baselineMs), behaviour: NO_BEHAVIOUR };
}

/**
 * The notebook's loop from `start` with the runtime's steps (every exercise's calls per iteration, in
 * registry order, at the start's batchSize), `iterations` long: the weights it ended at, or why it stopped.
 * A weight gone NaN ends it early (nothing trains back from there).
 */
export function endStateRun(
  rt: Runtime,
  start: State,
  iterations: number,
): { failure?: Failure; reached: { gen: Weights; disc: Weights } } {
  place(rt, start);
  const failure = withSamplers(fixedSamplers(start.seed), () =>
    attempt(rt, () => {
      for (let it = 0; it < iterations; it++) {
        for (const ex of EXERCISES) for (let k = 0; k < ex.callsPerIteration; k++) rt.call(ex.id, start.batchSize);
        if (it % 500 === 499 && !finite(getWeights(rt.gen))) return;
      }
    }),
  );
  return { failure, reached: { gen: getWeights(rt.gen), disc: getWeights(rt.disc) } };
}

/**
 * A training run as the notebook's loop makes it (lib/grader/checks/states.ts buildRun): the grader observes
 * steps inside it, so a step cannot tell its probes from training — no weights reset between calls, the
 * loop's order and numbers of calls, one batchSize throughout, and which calls are looked at and where
 * the run starts come from the course's secret.
 */
export interface RunPlan {
  /** The models' weights before any cell runs, as if the notebook's models cell had made them. */
  start: { gen: Weights; disc: Weights };
  /** Each call's batches come from a seed derived from this one and the call's number. */
  seed: number;
  batchSize: number;
  /** From this iteration on, the notebook's own batch size (128): a step right only at other sizes, or only at 128, shows (the last observed call of each step falls there). */
  notebookBatchFrom?: number;
  iterations: number;
  /** Per exercise: which of its calls (0-based) are observed in full. */
  observe: Record<ExerciseId, number[]>;
}

/** The notebook's batch size (lib/seminar/loop.ts SEMINAR.batchSize; that module loads the reference, this one must not). */
export const NOTEBOOK_BATCH = 128;

/** The seed of the batches of a run's call number `call`. */
export const callSeed = (runSeed: number, call: number): number =>
  (runSeed * 7919 + call * 104729 + 17) % 2_147_483_647;

/**
 * Runs the training loop (every exercise's calls per iteration, in registry order) with the steps of
 * `ids` and observes them: every call in summary, the plan's calls in full, tensors and time per step.
 * A step that throws, or leaves a weight NaN or infinite, is stopped there and its call undone, so the
 * other steps go on from sound weights. `beforeCall` hears which exercise is about to run (crash blame).
 */
export function observeRun(
  rt: Runtime,
  run: RunPlan,
  ids: readonly ExerciseId[],
  beforeCall?: (id: ExerciseId) => void,
): Record<ExerciseId, ExerciseObservation> {
  const active = EXERCISES.filter((ex) => ids.includes(ex.id));
  const records = new Map(
    active.map((ex) => [
      ex.id,
      {
        steps: [] as StepObservation[],
        calls: [] as CallObservation[],
        n: 0,
        growth: 0,
        counted: 0,
        ms: 0,
        failure: undefined as Failure | undefined,
      },
    ]),
  );
  let call = 0;
  const record = (id: ExerciseId, n: number, st: StepObservation) => {
    const r = records.get(id)!;
    if (!st.failure && !(finite(st.gen) && finite(st.disc)))
      st.failure = { kind: 'runtime-error', message: 'the step left a weight NaN or infinite' };
    if (st.failure) {
      r.failure = st.failure;
      place(rt, st.before);
    }
    if (st.failure || run.observe[id]?.includes(n)) r.steps.push(st);
    r.calls.push(summary(st));
  };
  for (let it = 0; it < run.iterations; it++) {
    for (const ex of active) {
      const r = records.get(ex.id)!;
      if (r.failure) continue;
      // (the label names no call number: which calls are looked at stays the grader's)
      const batchSize = it >= (run.notebookBatchFrom ?? Infinity) ? NOTEBOOK_BATCH : run.batchSize;
      const at = (seed: number): CallAt => ({
        state: `a ${ex.functionName} call inside a training run`,
        seed,
        batchSize,
      });
      // the iteration's calls of this step: one stretch (one time limit), as the loop makes them in a row
      let pending: { n: number; start?: CallStart } | undefined;
      const cut = stretch(rt, ex.id, () => {
        for (let k = 0; k < ex.callsPerIteration && !r.failure; k++) {
          beforeCall?.(ex.id);
          const n = r.n++;
          pending = { n };
          const tensors = tf.memory().numTensors;
          let ms = 0;
          const st = observeCall(
            rt,
            ex.id,
            at(callSeed(run.seed, call++)),
            (t) => (ms = t),
            (start) => (pending!.start = start),
          );
          if (n >= WARM_CALLS) {
            r.growth += tf.memory().numTensors - tensors;
            r.counted++;
            r.ms += ms;
          }
          pending = undefined;
          record(ex.id, n, st);
        }
      });
      if (cut) {
        // the call under way when the stretch was cut (or, between calls, the models as they are) failed
        const p: { n: number; start?: CallStart } = pending ?? { n: r.n };
        const start = p.start ?? startCall(rt, at(callSeed(run.seed, call)));
        record(ex.id, p.n, finishCall(rt, ex.id, start, cut, undefined));
      }
    }
  }
  const baselineMs = active.length > 0 ? baseline(rt, run.batchSize) : undefined;
  return Object.fromEntries(
    active.map((ex): [ExerciseId, ExerciseObservation] => {
      const r = records.get(ex.id)!;
      return [
        ex.id,
        {
          exercise: ex.id,
          steps: r.steps,
          calls: r.calls,
          leak: leakOf(r.failure, r.counted, r.growth, r.ms, baselineMs),
          behaviour: NO_BEHAVIOUR,
        },
      ];
    }),
  );
}
