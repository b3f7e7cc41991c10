// Judging a step that matches no known formulation by where training ends: the notebook's loop (batch
// 128, 5 trainDisc per trainGen, the submission's own steps) run in the sandbox child from private
// starts (lib/grader/states.ts PROTOCOL.endState*), and the reference's own run from each start as the
// yardstick. Early gain is not where a run ends: steps that gain fast and settle elsewhere (uncoupled
// sigmoid heads, a discriminator shown altered data, a generator pulled towards real samples) are
// told apart only at the end.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EXERCISES } from '../exercises';
import { REAL_MEAN, REAL_STD } from '../seminar/data';
import { summarize, wasserstein1ToNormal } from '../seminar/metrics';
import type { Seminar } from '../seminar/models';
import { Weights, withWeights } from '../seminar/nn';
import { ExerciseObservation, Plan, State, fixedSamplers } from './observe';
import { referenceRun } from './states';

/** Read-outs of an end state, on fixed samples (the same for every run judged). */
export interface EndState {
  genMean: number;
  genStd: number;
  /** W1 of the generated sample to N(5, 1.5²). */
  w1: number;
  /** Mean P(real) on real data minus on generated data: ≈ 0 when the discriminator cannot tell them apart. */
  dGap: number;
}

/**
 * How far a variant's ends may be from the reference's ends from the same starts, averaged over the
 * starts (one start's end is noisy: the loop never settles exactly). Measured with lib/bench/end-states.ts
 * (the notebook's loop, batch 128, 2 private starts, 16000 iterations; gaps per start):
 *   valid  disc loss × 0.5     mean 0.03 / 0.07  std 0.07 / 0.16  W1 +0.03 / +0.09  D gap 0.00 / 0.02
 *   valid  gen loss × 0.5      mean 0.04 / 0.05  std 0.06 / 0.09  W1 −0.01 / −0.02  D gap 0.00 / 0.00
 *   valid  disc BCE, real logit mean 0.08 / 0.16  std 0.05 / 0.11  W1 +0.02 / +0.09  D gap 0.00 / 0.00
 *   wrong  disc sees real data of std 1.8    std 0.29 / 0.33  W1 +0.16 / +0.20
 *   wrong  gen pulled towards real samples   std 0.77 / 0.84  W1 +0.39 / +0.37  D gap 0.19 / 0.18
 *   wrong  uncoupled sigmoid heads (8000 it) mean 1.69 / 1.36  std 1.0 / 1.2
 * At 8000 iterations a valid variant from the slower start is still 0.36 off in mean and 0.35 in std,
 * hence the length. The D read-out is the gap P(real | x) − P(real | G(z)), not each: a discriminator
 * parametrised differently (BCE on one logit) reads 0.6 for both at its equilibrium.
 */
export const END_STATE_TOL = { mean: 0.25, std: 0.2, w1: 0.12, dGap: 0.1 } as const;

/** Fixed read-out samples: plenty for std ±0.02. */
const READOUT_SAMPLES = 4000;
const READOUT_SEED = 4242;

export function readEndState(s: Seminar, at: { gen: Weights; disc: Weights }): EndState {
  return withWeights(
    [
      [s.gen, at.gen],
      [s.disc, at.disc],
    ],
    () =>
      tf.tidy(() => {
        const samplers = fixedSamplers(READOUT_SEED);
        const fake = s.gen(samplers.noise(READOUT_SAMPLES));
        const real = samplers.real(READOUT_SAMPLES);
        const pReal = (x: tf.Tensor) =>
          tf
            .softmax(s.disc(x as tf.Tensor2D))
            .slice([0, s.IS_REAL], [-1, 1])
            .mean()
            .dataSync()[0];
        const xs = fake.dataSync();
        const { mean, std } = summarize(xs);
        return {
          genMean: mean,
          genStd: std,
          w1: wasserstein1ToNormal(xs, REAL_MEAN, REAL_STD),
          dGap: pReal(real) - pReal(fake),
        };
      }),
  );
}

const CACHE = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'gan-seminar', 'end-states');
const REFERENCE_CODE = path.join(__dirname, '..', 'reference', 'solutions.js');
const memory = new Map<string, EndState>();

/**
 * The reference's end from `start` (its own loop, same batches as the child's run). Minutes of work
 * once: kept in memory and on disk (node_modules/.cache/gan-seminar/end-states/, keyed by the start,
 * the length, the backend and the reference's code), so a grading run pays it at most once per course.
 */
export function referenceEndState(s: Seminar, start: State, iterations: number): EndState {
  let code = '';
  try {
    code = fs.readFileSync(REFERENCE_CODE, 'utf8');
  } catch {
    // no compiled reference beside this file (a bundle): the key still holds start, length and backend
  }
  const key = createHash('sha256')
    .update(JSON.stringify([start.seed, start.batchSize, start.gen, start.disc, iterations, tf.getBackend(), code]))
    .digest('hex')
    .slice(0, 32);
  const known = memory.get(key);
  if (known) return known;
  const file = path.join(CACHE, `${key}.json`);
  let state: EndState | undefined;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8')) as EndState;
  } catch {
    const reached = referenceRun(s, start, (steps) => {
      for (let it = 0; it < iterations; it++) {
        for (const ex of EXERCISES)
          for (let k = 0; k < ex.callsPerIteration; k++) steps[ex.functionName](start.batchSize);
      }
    });
    state = readEndState(s, reached);
    try {
      fs.mkdirSync(CACHE, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(state));
    } catch {
      // a read-only checkout: the memory cache still holds it for this process
    }
  }
  memory.set(key, state);
  return state;
}

/** Which read-outs miss, on the gaps to the reference's ends averaged over the starts (empty: it ends where the reference ends). */
export function endStateMisses(mine: readonly EndState[], refs: readonly EndState[]): string[] {
  const t = END_STATE_TOL;
  const avg = (gap: (m: EndState, r: EndState) => number) =>
    mine.reduce((a, m, i) => a + gap(m, refs[i]), 0) / mine.length;
  const mean = avg((m, r) => Math.abs(m.genMean - r.genMean));
  const std = avg((m, r) => Math.abs(m.genStd - r.genStd));
  const w1 = avg((m, r) => m.w1 - r.w1);
  const dGap = avg((m, r) => Math.abs(m.dGap - r.dGap));
  const misses: string[] = [];
  if (!(mean <= t.mean)) misses.push(`mean off by ${mean.toFixed(2)} (at most ${t.mean})`);
  if (!(std <= t.std)) misses.push(`std off by ${std.toFixed(2)} (at most ${t.std})`);
  if (!(w1 <= t.w1)) misses.push(`W1 higher by ${w1.toFixed(3)} (at most ${t.w1})`);
  if (!(dGap <= t.dGap)) misses.push(`D(x) − D(G(z)) off by ${dGap.toFixed(2)} (at most ${t.dGap})`);
  return misses;
}

const row = (label: string, e: EndState) =>
  `| ${label} | ${e.genMean.toFixed(2)} | ${e.genStd.toFixed(2)} | ${e.w1.toFixed(3)} | ${e.dGap.toFixed(2)} |`;

/**
 * The verdict from the end-state runs: accepted when the ends are within END_STATE_TOL of the
 * reference's (averaged over the starts). The loop runs the submission's other steps too: where one of them is itself
 * wrong (a known mistake, missing), the run cannot speak for this step and it is not accepted.
 */
export function endStateBehaviour(
  evaluator: Seminar,
  plan: Plan,
  sub: ExerciseObservation['behaviour'] | undefined,
  partner?: { functionName: string; mistake: string },
): { accepted: boolean; before: number; after: number; reference: number; message: string } {
  const starts = plan.endStates ?? [];
  const iterations = plan.endStateIterations ?? 0;
  const base = { before: NaN, after: NaN, reference: NaN };
  if (partner) {
    return {
      ...base,
      accepted: false,
      message: `its training is judged in the notebook's loop, which also runs ${partner.functionName}, and ${partner.functionName} has its own mistake (${partner.mistake}): fix that one and this step is judged by training`,
    };
  }
  if (!sub || sub.failure || sub.runs.length < starts.length) {
    return {
      ...base,
      accepted: false,
      message: `the notebook's loop with your steps (${iterations} iterations, batch 128) did not finish: ${sub?.failure?.message ?? 'not run'}`,
    };
  }
  const mine = sub.runs.map((w) => readEndState(evaluator, w));
  const refs = starts.map((st) => referenceEndState(evaluator, st, iterations));
  const misses = endStateMisses(mine, refs);
  const accepted = misses.length === 0;
  const table = [
    '',
    `The notebook's loop, ${iterations} iterations at batch 128, from ${starts.length} private starts (yours | the reference's from the same start):`,
    '',
    '| run | mean | std | W1 | D(x) − D(G(z)) |',
    '|---|---|---|---|---|',
    ...starts.flatMap((_, i) => [row(`start ${i + 1}: yours`, mine[i]), row(`start ${i + 1}: reference`, refs[i])]),
    '',
  ].join('\n');
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const verdict = accepted
    ? `ends where the reference ends (on average over the starts: mean ±${END_STATE_TOL.mean}, std ±${END_STATE_TOL.std}, W1 +${END_STATE_TOL.w1}, D gap ±${END_STATE_TOL.dGap})`
    : `does not end where the reference ends (on average over the starts): ${misses.join(', ')}`;
  return {
    accepted,
    before: NaN,
    after: mean(mine.map((m) => m.w1)),
    reference: mean(refs.map((r) => r.w1)),
    message: `${verdict}${table}`,
  };
}
