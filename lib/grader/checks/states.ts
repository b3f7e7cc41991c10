// Step "fix the states": the weights and sampler seeds every subject starts from. Built from fixed
// seeds (and, for the trained states, a few reference steps), so a submission scores the same on
// every run. The reference's observations come from the same protocol (observe.ts) on the same states.
import { createHash } from 'node:crypto';
import { EXERCISES, exercise } from '../../exercises';
import { referenceSteps } from '../../reference';
import { withSamplers } from '../../seminar/data';
import { Seminar, seminarOf } from '../../seminar/models';
import { Weights, getWeights, setWeights, withWeights } from '../../seminar/nn';
import { Rng } from '../../seminar/random';
import type { Steps } from '../../seminar/steps';
import {
  ExerciseId,
  Plan,
  RunPlan,
  Runtime,
  State,
  StepObservation,
  classifyError,
  fixedSamplers,
  observeCall,
} from '../sandbox/observe';

/** Knobs of the protocol; small so a submission grades in seconds. */
export const PROTOCOL = {
  leakSteps: 20,
  /** The grader's training run: iterations (the leak probe needs leakSteps + 2 calls of every step), batch sizes of its first two thirds (a step that hard-codes 128 shows); its last third runs at the notebook's 128. */
  runIterations: [22, 26],
  runBatchSizes: [32, 48, 64, 80, 96, 112],
  /** Calls of each step observed in full in the run, one in each equal part of its calls. */
  runObserved: 3,
  warmupIterations: 10,
  /**
   * The end-state runs that judge a step matching no known formulation (lib/grader/checks/end-state.ts): the
   * notebook's loop (its batch 128, 5 trainDisc per trainGen) with the submission's steps from this many
   * public starts (the self-check's) and, at grading, as many private ones from the course's secret, long
   * enough for the reference to converge from them (≈ 8000 iterations; a valid variant with half the step
   * size needs about twice that), each start's end compared with the reference's own run.
   */
  endStateIterations: 16000,
  endStateStarts: 2,
  /** The end-state runs' time: this many times the per-exercise budget, per start. */
  endStateBudget: 20,
} as const;

/** Weights like torch.nn.Linear's init, U(±1/√in), from a private stream (the shared one stays untouched). */
export function initWeights(template: Weights, seed: number): Weights {
  const r = new Rng(seed);
  const out: Weights = {};
  for (const [name, { shape }] of Object.entries(template)) {
    const layer = name.split('.')[0];
    const inFeatures = template[`${layer}.weight`].shape[0];
    const bound = 1 / Math.sqrt(inFeatures);
    const n = shape.reduce((a, b) => a * b, 1);
    out[name] = { shape: shape.slice(), values: Array.from(r.fill(n, () => (2 * r.uniform() - 1) * bound)) };
  }
  return out;
}

/** Runs reference steps on `s` from `start` and returns the weights reached; `s` is left as it was. */
export function referenceRun(s: Seminar, start: State, run: (steps: Steps) => void): { gen: Weights; disc: Weights } {
  return withWeights(
    [
      [s.gen, start.gen],
      [s.disc, start.disc],
    ],
    () =>
      withSamplers(fixedSamplers(start.seed), () => {
        run(referenceSteps(s));
        return { gen: getWeights(s.gen), disc: getWeights(s.disc) };
      }),
  );
}

/**
 * A state's seed: the public one (what a student release's self-check uses, shipped as numbers), or —
 * given the course's grading secret — one derived from it, so the grade never rests on numbers a
 * student has seen.
 */
export function stateSeed(publicSeed: number, secret: string | undefined, label: string): number {
  if (secret === undefined) return publicSeed;
  const digest = createHash('sha256').update(`${secret}\n${label}`).digest();
  return digest.readUInt32BE(0) % 1_000_000_007;
}

/** The plans for every exercise, built on `s`'s models (their weights are restored afterwards); `secret`: see stateSeed. */
export function buildPlans(s: Seminar, secret?: string): Record<ExerciseId, Plan> {
  const genT = getWeights(s.gen);
  const discT = getWeights(s.disc);
  const freshFrom =
    (from: string | undefined) =>
    (name: string, publicSeed: number, batchSize: number): State => {
      const seed = stateSeed(publicSeed, from, name);
      return { name, seed, batchSize, gen: initWeights(genT, seed * 7 + 1), disc: initWeights(discT, seed * 7 + 2) };
    };
  const fresh = freshFrom(secret);
  const a = fresh('fresh (batch 128)', 101, 128);
  const b = fresh('fresh (batch 32)', 202, 32);
  const warm = fresh(`after ${PROTOCOL.warmupIterations} iterations (batch 64)`, 303, 64);
  Object.assign(
    warm,
    referenceRun(s, warm, (steps) => {
      for (let i = 0; i < PROTOCOL.warmupIterations; i++) {
        for (let k = 0; k < 5; k++) steps.trainDisc(64);
        steps.trainGen(64);
      }
    }),
  );
  // one set for all exercises: the loop runs both steps, so one run judges each step that needs it. The
  // self-check's public starts come first, at grading too: whatever the self-check fails, the grader fails
  // (a step that ends elsewhere from one of them is judged so here as well); the course's own starts after
  // them keep a step tuned to the public ones from earning credit (issue #22: one judging path).
  const ends = (from: string | undefined, label: string) =>
    Array.from({ length: PROTOCOL.endStateStarts }, (_, k) => {
      const name = `end state (${k + 1})`;
      return { ...freshFrom(from)(name, 606 + 1000 * k, 128), name: `${label}${name}` };
    });
  const publicEnds = ends(undefined, '');
  const endStates = secret === undefined ? publicEnds : [...publicEnds, ...ends(secret, 'course ')];
  return Object.fromEntries(
    EXERCISES.map((ex) => [
      ex.id,
      {
        states: [a, b, warm],
        leakSteps: PROTOCOL.leakSteps,
        endStates,
        endStateIterations: PROTOCOL.endStateIterations,
        publicEndStates: publicEnds.length,
        fromSecret: secret !== undefined,
      },
    ]),
  );
}

/**
 * The grader's training run (lib/grader/sandbox/observe.ts observeRun): its start weights, batch seed, length,
 * batchSize and the calls observed in full all come from the course's secret and `salt` (the grader
 * passes the submission's code), so no number of it can be learnt from a release, nor from the feedback
 * on another submission; the same code always meets the same run. Without a secret it is a public one.
 */
export function buildRun(s: Seminar, secret?: string, salt = ''): RunPlan {
  const seed = stateSeed(505, secret, `training run\n${salt}`);
  const r = new Rng(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r.uniform() * (hi - lo)); // in [lo, hi)
  const [shortest, longest] = PROTOCOL.runIterations;
  const iterations = pick(shortest, longest + 1);
  const batchSize = PROTOCOL.runBatchSizes[pick(0, PROTOCOL.runBatchSizes.length)];
  const parts = PROTOCOL.runObserved;
  const observe = Object.fromEntries(
    EXERCISES.map((ex) => {
      const calls = iterations * ex.callsPerIteration;
      return [
        ex.id,
        Array.from({ length: parts }, (_, i) =>
          pick(Math.floor((i * calls) / parts), Math.floor(((i + 1) * calls) / parts)),
        ),
      ];
    }),
  );
  return {
    seed,
    batchSize,
    notebookBatchFrom: Math.floor((2 * iterations) / 3),
    iterations,
    observe,
    start: { gen: initWeights(getWeights(s.gen), seed * 7 + 1), disc: initWeights(getWeights(s.disc), seed * 7 + 2) },
  };
}

/** The reference as a Runtime on `s`'s models — the "subject" the checks run against by default. */
export function referenceRuntime(s: Seminar): Runtime {
  const steps = referenceSteps(seminarOf(s));
  return {
    gen: s.gen,
    disc: s.disc,
    call: (id, batchSize) => steps[exercise(id).functionName](batchSize),
    takeRandomCalls: () => [],
    classify: classifyError,
    optimizers: { gen: s.genOpt, disc: s.discOpt },
  };
}

/** The reference's step from where each of the subject's steps started (its weights before, its batches); `s` is left as it was. */
export function referenceReplay(s: Seminar, id: ExerciseId, steps: readonly StepObservation[]): StepObservation[] {
  const rt = referenceRuntime(s);
  return withWeights(
    [
      [s.gen, getWeights(s.gen)],
      [s.disc, getWeights(s.disc)],
    ],
    () =>
      steps
        .filter((st) => !st.failure)
        .map((st) => {
          setWeights(s.gen, st.before.gen);
          setWeights(s.disc, st.before.disc);
          return observeCall(rt, id, st);
        }),
  );
}
