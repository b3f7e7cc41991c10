// Measurement behind the grader's end-state tolerances (lib/grader/checks/end-state.ts): the notebook's loop,
// batch 128, from the grader's kind of private starts, with the reference steps and with valid and wrong
// variants of one step (the other step the reference's). Prints the read-outs every `every` iterations
// and the end state's gaps to the reference's own run from the same start.
//   node dist/lib/bench/end-states.js [iterations=6000] [starts=2] [variant,...]
import * as tf from '@tensorflow/tfjs';
import { referenceSteps } from '../reference';
import { fixedSamplers } from '../grader/sandbox/observe';
import { initWeights } from '../grader/checks/states';
import { withSamplers } from '../seminar/data';
import { train } from '../seminar/loop';
import { Seminar, createSeminar } from '../seminar/models';
import { getWeights, setWeights } from '../seminar/nn';
import type { Steps } from '../seminar/steps';
import { initGraderBackend } from '../tfjs/backend';
import { UsageError, command, runScript } from '../cli/options';

type Loss = (s: Seminar, b: number) => tf.Scalar;
const col = (t: tf.Tensor, j: number) => t.slice([0, j], [-1, 1]);
const discStep = (s: Seminar, loss: Loss) => (b: number) =>
  tf.tidy(() => s.discOpt.minimize(() => loss(s, b), true, s.disc.parameters())!.dataSync()[0]);
const genStep = (s: Seminar, loss: Loss) => (b: number) =>
  tf.tidy(() => s.genOpt.minimize(() => loss(s, b), true, s.gen.parameters())!.dataSync()[0]);
const refDisc: Loss = (s, b) =>
  tf.mean(
    tf.neg(
      tf.add(
        col(tf.logSoftmax(s.disc(s.sampleRealData(b))), s.IS_REAL),
        col(tf.logSoftmax(s.disc(s.gen(s.sampleNoise(b)))), s.IS_FAKE),
      ),
    ),
  );
const refGen: Loss = (s, b) => tf.mean(tf.neg(col(tf.logSoftmax(s.disc(s.gen(s.sampleNoise(b)))), s.IS_REAL)));

/** Variants of one step: [valid?, which step, loss]. */
const VARIANTS: Record<string, { valid: boolean; disc?: Loss; gen?: Loss }> = {
  'disc-half': { valid: true, disc: (s, b) => tf.mul(0.5, refDisc(s, b)) },
  'disc-bce-one-head': {
    valid: true,
    disc: (s, b) =>
      tf.mean(
        tf.add(
          tf.softplus(tf.neg(col(s.disc(s.sampleRealData(b)), s.IS_REAL))),
          tf.softplus(col(s.disc(s.gen(s.sampleNoise(b))), s.IS_REAL)),
        ),
      ),
  },
  'gen-half': { valid: true, gen: (s, b) => tf.mul(0.5, refGen(s, b)) },
  'gen-bce-one-head': {
    valid: true,
    gen: (s, b) => tf.mean(tf.softplus(tf.neg(col(s.disc(s.gen(s.sampleNoise(b))), s.IS_REAL)))),
  },
  // the seed's uncoupled heads: each logit its own sigmoid
  'disc-per-head-sigmoid': {
    valid: false,
    disc: (s, b) =>
      tf.mean(
        tf.add(
          tf.softplus(tf.neg(col(s.disc(s.sampleRealData(b)), s.IS_REAL))),
          tf.softplus(tf.neg(col(s.disc(s.gen(s.sampleNoise(b))), s.IS_FAKE))),
        ),
      ),
  },
  // the discriminator shown real data stretched (mean kept, std 1.5 → 1.8)
  'disc-altered-real': {
    valid: false,
    disc: (s, b) =>
      tf.mean(
        tf.neg(
          tf.add(
            col(tf.logSoftmax(s.disc(tf.sub(tf.mul(s.sampleRealData(b), 1.2), 1))), s.IS_REAL),
            col(tf.logSoftmax(s.disc(s.gen(s.sampleNoise(b)))), s.IS_FAKE),
          ),
        ),
      ),
  },
  // the generator also pulled towards a real batch (a moment-matching term)
  'gen-pull-to-real': {
    valid: false,
    gen: (s, b) =>
      tf.add(refGen(s, b), tf.mul(0.5, tf.mean(tf.square(tf.sub(s.gen(s.sampleNoise(b)), s.sampleRealData(b)))))),
  },
};

function stepsOf(s: Seminar, name: string | undefined): Steps {
  const ref = referenceSteps(s);
  if (!name) return ref;
  const v = VARIANTS[name];
  return {
    trainDisc: v.disc ? discStep(s, v.disc) : ref.trainDisc,
    trainGen: v.gen ? genStep(s, v.gen) : ref.trainGen,
  };
}

/** A positional count: a positive integer, or the default when not given. */
function count(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer, got "${value}"`);
  return n;
}

export const END_STATES = command({
  name: 'end-states',
  invocation: 'node dist/lib/bench/end-states.js',
  summary: "the measurement behind the grader's end-state tolerances",
  synopsis: '[iterations=6000] [starts=2] [variant,...]',
  about: `Runs the notebook's loop from the grader's kind of private starts with the reference steps and with
each variant (default: all), and prints the read-outs and each end state's gaps to the reference's.`,
  options: {},
  positionals: true,
  run: (_values, [iterations, starts, variants, ...extra]) => {
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const names = variants ? variants.split(',') : Object.keys(VARIANTS);
    for (const n of names)
      if (!VARIANTS[n]) throw new UsageError(`unknown variant "${n}": one of ${Object.keys(VARIANTS).join(', ')}`);
    return measureEndStates(count(iterations, 'iterations', 6000), count(starts, 'starts', 2), names);
  },
});

async function measureEndStates(iterations: number, starts: number, names: string[]): Promise<number> {
  await initGraderBackend();
  const s = createSeminar();
  const gT = getWeights(s.gen);
  const dT = getWeights(s.disc);
  const fmt = (q: { genMean: number; genStd: number; w1: number; dReal: number; dFake: number }) =>
    `mean ${q.genMean.toFixed(3)} std ${q.genStd.toFixed(3)} W1 ${q.w1.toFixed(3)} D(x) ${q.dReal.toFixed(3)} D(G(z)) ${q.dFake.toFixed(3)}`;
  for (let k = 0; k < starts; k++) {
    const seed = 7_000_000 + 7919 * k;
    const runOf = (name: string | undefined) => {
      setWeights(s.gen, initWeights(gT, seed * 7 + 1));
      setWeights(s.disc, initWeights(dT, seed * 7 + 2));
      const t = performance.now();
      const trace: string[] = [];
      const q = withSamplers(fixedSamplers(seed), () =>
        train(s, {
          iterations,
          every: 1000,
          readoutSamples: 2000,
          steps: stepsOf(s, name),
          onReadout: (r) =>
            trace.push(`${r.iteration}: ${r.genMean.toFixed(2)}/${r.genStd.toFixed(2)}/${r.w1.toFixed(2)}`),
        }),
      );
      console.log(
        `start ${k} ${name ?? 'reference'} (${((performance.now() - t) / 1000).toFixed(0)} s): ${fmt(q)}\n   ${trace.join('  ')}`,
      );
      return q;
    };
    const ref = runOf(undefined);
    for (const name of names) {
      const q = runOf(name);
      console.log(
        `   gaps ${name} (${VARIANTS[name].valid ? 'valid' : 'wrong'}): mean ${Math.abs(q.genMean - ref.genMean).toFixed(3)} std ${Math.abs(q.genStd - ref.genStd).toFixed(3)} W1 ${(q.w1 - ref.w1).toFixed(3)} D(x) ${Math.abs(q.dReal - ref.dReal).toFixed(3)} D(G(z)) ${Math.abs(q.dFake - ref.dFake).toFixed(3)}`,
      );
    }
  }
  return 0;
}

if (require.main === module) runScript(END_STATES);
