// Step "observe": the fixed protocol every subject goes through — the reference in the grader's
// process, a submission inside the sandbox child, the student's own functions in the self-check.
// It records what a step did (weights after, returned value, sampler calls, tensors) as plain data;
// judging happens elsewhere. This file must never import the reference: the sandbox child loads it.
import * as tf from '@tensorflow/tfjs';
import type { ExerciseId, ModelName } from '../exercises';
import { REAL_MEAN, REAL_STD, SamplerOverride, withSamplers } from '../seminar/data';
import { Module, Weights, getWeights, setWeights } from '../seminar/nn';
import { Rng } from '../seminar/random';
import { config } from '../config';
import { NOT_IMPLEMENTED } from '../seminar/todo';

export type { ExerciseId } from '../exercises';

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
  /** One step from each of these states. */
  states: State[];
  /** Steps of the leak probe (after two warm-up steps). */
  leakSteps: number;
  /** A short run of the step alone, from `behaviour`. */
  behaviour: State;
  behaviourSteps: number;
}

/** Why a call failed. */
export type FailureKind = 'not-implemented' | 'runtime-error' | 'timeout';

export interface Failure {
  kind: FailureKind;
  message: string;
}

export interface StepObservation {
  state: string;
  batchSize: number;
  failure?: Failure;
  /** typeof the returned value ("number", "object", "undefined", ...). */
  returnedType: string;
  returned: number | null;
  gen: Weights;
  disc: Weights;
  /** Batch sizes each sampler was asked for, in call order. */
  samplerCalls: { noise: number[]; real: number[] };
  /** Random sources other than the samplers (tf.random*, Math.random); only the sandbox sees these. */
  randomCalls: string[];
  /** Per model's optimizer: updates applied during the call, and its learning rate after it (where the runtime has the optimizers). */
  optimizers?: Record<ModelName, { steps: number; learningRate: number }>;
}

export interface ExerciseObservation {
  exercise: ExerciseId;
  /** Set when the exercise could not be run at all (no function, cell failed to compile or load). */
  unavailable?: Failure & { diagnosis?: string };
  steps: StepObservation[];
  /**
   * msPerCall: the leak probe's warm calls, timed; baselineMs: a fixed workload on the same models right
   * after, so calls timed in different processes under different load compare (only ever a note).
   */
  leak: { failure?: Failure; steps: number; growth: number; msPerCall?: number; baselineMs?: number };
  behaviour: { failure?: Failure; steps: number; gen: Weights; disc: Weights };
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
}

/** Each optimizer's update count and learning rate. */
function optimizerState(rt: Runtime): Record<ModelName, { steps: number; learningRate: number }> | undefined {
  if (!rt.optimizers) return undefined;
  const read = (o: tf.Optimizer) => ({ steps: o.iterations, learningRate: (o as unknown as { learningRate: number }).learningRate });
  return { gen: read(rt.optimizers.gen), disc: read(rt.optimizers.disc) };
}

/** Deterministic batches for a state: one stream per sampler, so the order of calls does not matter. */
export function fixedSamplers(seed: number, calls?: { noise: number[]; real: number[] }): SamplerOverride {
  const noiseRng = new Rng(seed * 2 + 1);
  const realRng = new Rng(seed * 2 + 2);
  return {
    noise(n: number) {
      calls?.noise.push(n);
      return tf.tensor2d(noiseRng.fill(n, () => noiseRng.uniform()), [n, 1]);
    },
    real(n: number) {
      calls?.real.push(n);
      return tf.tensor2d(realRng.fill(n, () => realRng.normal() * REAL_STD + REAL_MEAN), [n, 1]);
    },
  };
}

/** Milliseconds per gradient of both models on a batch (weights untouched): the machine's pace, right now. */
function baseline(rt: Runtime, batchSize: number): number {
  const x = tf.ones([batchSize, 1]) as tf.Tensor2D;
  const once = () =>
    tf.tidy(() => {
      tf.variableGrads(() => tf.mean(rt.disc(rt.gen(x))) as tf.Scalar, [...rt.gen.parameters(), ...rt.disc.parameters()]);
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

function optimizerDelta(before: ReturnType<typeof optimizerState>, after: ReturnType<typeof optimizerState>): StepObservation['optimizers'] {
  if (!before || !after) return undefined;
  const delta = (m: ModelName) => ({ steps: after[m].steps - before[m].steps, learningRate: after[m].learningRate });
  return { gen: delta('gen'), disc: delta('disc') };
}

/** The default classification: the notebook's TODO message means "not implemented". */
export function classifyError(err: unknown): Failure {
  const message = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { kind: 'timeout', message };
  if (NOT_IMPLEMENTED.test(message)) return { kind: 'not-implemented', message };
  if (config.graderDebug()) console.error(err); // the full stack, for whoever debugs the grader
  return { kind: 'runtime-error', message: `${err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) + ': ' : ''}${message}` };
}

function place(rt: Runtime, state: State): void {
  setWeights(rt.gen, state.gen);
  setWeights(rt.disc, state.disc);
}

function attempt(rt: Runtime, run: () => void): Failure | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return rt.classify(err);
  }
}

/** Which parts of the protocol to run: the grader runs the behavioural part only when the judge needs it. */
export interface Parts {
  steps: boolean;
  behaviour: boolean;
}

export const NOT_RUN: Failure = { kind: 'runtime-error', message: 'not run' };

/** One step from each state of the plan and a leak probe (`steps`), and a short behavioural run (`behaviour`). */
export function observe(exercise: ExerciseId, plan: Plan, rt: Runtime, parts: Parts = { steps: true, behaviour: true }): ExerciseObservation {
  const steps = !parts.steps ? [] : plan.states.map((state): StepObservation => {
    place(rt, state);
    const samplerCalls = { noise: [] as number[], real: [] as number[] };
    rt.takeRandomCalls();
    const before = optimizerState(rt);
    let returned: unknown;
    const failure = withSamplers(fixedSamplers(state.seed, samplerCalls), () =>
      attempt(rt, () => {
        returned = rt.call(exercise, state.batchSize);
      }),
    );
    return {
      state: state.name,
      batchSize: state.batchSize,
      failure,
      returnedType: failure ? 'error' : typeof returned,
      returned: typeof returned === 'number' ? (Number.isFinite(returned) ? returned : null) : null,
      gen: getWeights(rt.gen),
      disc: getWeights(rt.disc),
      samplerCalls,
      randomCalls: rt.takeRandomCalls(),
      optimizers: optimizerDelta(before, optimizerState(rt)),
    };
  });

  const first = plan.states[0];
  let growth = 0;
  let msPerCall: number | undefined;
  let baselineMs: number | undefined;
  let leakFailure: Failure | undefined = NOT_RUN;
  if (parts.steps) {
    place(rt, first);
    leakFailure = withSamplers(fixedSamplers(first.seed + 1000), () =>
      attempt(rt, () => {
        for (let i = 0; i < 2; i++) rt.call(exercise, first.batchSize);
        const before = tf.memory().numTensors;
        const started = performance.now();
        for (let i = 0; i < plan.leakSteps; i++) rt.call(exercise, first.batchSize);
        msPerCall = (performance.now() - started) / plan.leakSteps;
        growth = tf.memory().numTensors - before;
        baselineMs = baseline(rt, first.batchSize);
      }),
    );
  }

  let behaviourFailure: Failure | undefined = NOT_RUN;
  if (parts.behaviour) {
    place(rt, plan.behaviour);
    behaviourFailure = withSamplers(fixedSamplers(plan.behaviour.seed), () =>
      attempt(rt, () => {
        for (let i = 0; i < plan.behaviourSteps; i++) rt.call(exercise, plan.behaviour.batchSize);
      }),
    );
  }

  return {
    exercise,
    steps,
    leak: { failure: leakFailure, steps: plan.leakSteps, growth, msPerCall, baselineMs },
    behaviour: { failure: behaviourFailure, steps: plan.behaviourSteps, gen: getWeights(rt.gen), disc: getWeights(rt.disc) },
  };
}
