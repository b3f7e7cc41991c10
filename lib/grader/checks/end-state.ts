// Judging a step that matches no known formulation by where training ends: the notebook's loop (batch
// 128, 5 trainDisc per trainGen, the submission's own steps) run in the sandbox child from the self-check's
// public starts and the course's private ones (lib/grader/checks/states.ts PROTOCOL.endState*; in the
// self-check: the public ones, in the kernel), and the reference's own run from each start as the
// yardstick. Early gain is not where a run ends: steps that gain fast and settle elsewhere (uncoupled
// sigmoid heads, a discriminator shown altered data, a generator pulled towards real samples) are
// told apart only at the end.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { numericsKey } from '../../tfjs/numerics';
import { EXERCISES } from '../../exercises';
import { REAL_MEAN, REAL_STD } from '../../seminar/data';
import { summarize, wasserstein1ToNormal } from '../../seminar/metrics';
import type { Seminar } from '../../seminar/models';
import { Weights, withWeights } from '../../seminar/nn';
import { ROOT } from '../../paths';
import { hasReference } from '../../reference';
import { readExpected } from '../self-check/expected';
import { EndState, ExerciseObservation, Plan, State, fixedSamplers } from '../sandbox/observe';
import { referenceRun } from './states';
import { ui } from '../strings';

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

/**
 * The cache key of an end-state run's result: what it is a function of (`inputs`) and the numerics that
 * computed it (lib/tfjs/numerics.ts: backend and kernels' code), so no other version's numbers are read.
 */
export function endStateKey(inputs: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...inputs, numericsKey()]))
    .digest('hex')
    .slice(0, 32);
}

/** End states and end-state runs computed once, kept across processes (the reference's ends here; sandbox.ts and self-check.ts keep subjects' runs below). */
export const END_STATE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'gan-seminar', 'end-states');
const REFERENCE_CODE = path.join(__dirname, '..', '..', 'reference', 'solutions.js');
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
  const key = endStateKey([start.seed, start.batchSize, start.gen, start.disc, iterations, code]);
  const known = memory.get(key);
  if (known) return known;
  const file = path.join(END_STATE_CACHE, `${key}.json`);
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
      fs.mkdirSync(END_STATE_CACHE, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(state));
    } catch {
      // a read-only checkout: the memory cache still holds it for this process
    }
  }
  memory.set(key, state);
  return state;
}

/**
 * The reference's ends from the plan's starts: its own runs (cached, referenceEndState) where the
 * reference is, else the ones a student release ships with its expected values (lib/release/expected.ts).
 */
export function referenceEnds(s: Seminar, plan: Plan): EndState[] {
  if (hasReference()) return plan.endStates.map((st) => referenceEndState(s, st, plan.endStateIterations));
  return readExpected().referenceEndStates;
}

/**
 * The plan's sets of starts, as index ranges into endStates: the public ones (the self-check's), then the
 * course's (at grading). Each is judged on its own, so the public set decides alike here and in the self-check.
 */
export function startSets(plan: Pick<Plan, 'endStates' | 'publicEndStates'>): { from: number; to: number }[] {
  const n = plan.endStates.length;
  const pub = Math.min(n, plan.publicEndStates ?? n);
  return pub > 0 && pub < n
    ? [
        { from: 0, to: pub },
        { from: pub, to: n },
      ]
    : [{ from: 0, to: n }];
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
  const miss = ui().endStateMiss;
  const misses: string[] = [];
  if (!(mean <= t.mean)) misses.push(miss('mean', mean.toFixed(2), String(t.mean)));
  if (!(std <= t.std)) misses.push(miss('std', std.toFixed(2), String(t.std)));
  if (!(w1 <= t.w1)) misses.push(miss('w1', w1.toFixed(3), String(t.w1)));
  if (!(dGap <= t.dGap)) misses.push(miss('dGap', dGap.toFixed(2), String(t.dGap)));
  return misses;
}

/**
 * The misses of each set of starts (startSets), each averaged over its own starts: every set must end where
 * the reference ends — the public one (the self-check's verdict) and the course's.
 */
export function setMisses(
  mine: readonly EndState[],
  refs: readonly EndState[],
  plan: Pick<Plan, 'endStates' | 'publicEndStates'>,
): string[] {
  const sets = startSets(plan);
  return sets.flatMap(({ from, to }) => {
    const missed = endStateMisses(mine.slice(from, to), refs.slice(from, to));
    return sets.length > 1 && missed.length > 0 ? [ui().fromStarts(from + 1, to, from > 0, missed.join(', '))] : missed;
  });
}

const row = (label: string, e: EndState) =>
  `| ${label} | ${e.genMean.toFixed(2)} | ${e.genStd.toFixed(2)} | ${e.w1.toFixed(3)} | ${e.dGap.toFixed(2)} |`;

/**
 * The verdict from the end-state runs: accepted when the ends are within END_STATE_TOL of the
 * reference's (averaged over each set of starts: setMisses). The loop runs the submission's other steps too: where one of them is itself
 * wrong (a known mistake, missing), the run cannot speak for this step and it is not accepted.
 */
export function endStateBehaviour(
  evaluator: Seminar,
  plan: Plan,
  sub: ExerciseObservation['behaviour'] | undefined,
  partner?: { functionName: string; mistake: string },
): { accepted: boolean; after: number; reference: number; message: string; verdict: string } {
  const starts = plan.endStates;
  const iterations = plan.endStateIterations;
  const t = ui();
  const base = { after: NaN, reference: NaN };
  const only = (message: string) => ({ ...base, accepted: false, message, verdict: message });
  if (partner) return only(t.partnerHasMistake(partner.functionName, partner.mistake));
  if (!sub || sub.failure || sub.runs.length < starts.length)
    return only(t.loopDidNotFinish(iterations, sub?.failure?.message ?? 'not run'));
  const mine = sub.runs.map((w) => readEndState(evaluator, w));
  const refs = referenceEnds(evaluator, plan);
  const sets = startSets(plan);
  const misses = setMisses(mine, refs, plan);
  const accepted = misses.length === 0;
  const table = [
    '',
    t.endStateCaption(
      iterations,
      sets.length > 1 ? sets[0].to : starts.length,
      sets.length > 1 ? starts.length - sets[0].to : 0,
    ),
    '',
    t.endStateHeader,
    '|---|---|---|---|---|',
    ...starts.flatMap((_, i) => [
      row(t.endStateRow(i + 1, 'yours'), mine[i]),
      row(t.endStateRow(i + 1, 'reference'), refs[i]),
    ]),
    '',
  ].join('\n');
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const verdict = accepted ? t.endsWhere(END_STATE_TOL) : t.endsElsewhere(misses.join('; '));
  // the self-check's runs are the public set only: say that grading adds the course's
  const also = plan.fromSecret === true ? '' : ` ${t.graderAddsStarts}`;
  return {
    accepted,
    after: mean(mine.map((m) => m.w1)),
    reference: mean(refs.map((r) => r.w1)),
    message: `${verdict}.${also}${table}`,
    verdict,
  };
}
