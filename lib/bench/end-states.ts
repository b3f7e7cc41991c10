// Measurement behind the grader's end-state tolerances (lib/grader/end-state.ts): the notebook's loop,
// batch 128, from the grader's kind of private starts, with the reference steps and with valid and wrong
// variants of one step (the other step the reference's). Prints the read-outs every `every` iterations
// and the end state's gaps to the reference's own run from the same start.
//   node dist/lib/bench/end-states.js [iterations=6000] [starts=2] [variant,...]
import * as tf from '@tensorflow/tfjs';
import { referenceSteps } from '../reference';
import { fixedSamplers } from '../grader/observe';
import { initWeights } from '../grader/states';
import { withSamplers } from '../seminar/data';
import { train } from '../seminar/loop';
import { Seminar, createSeminar } from '../seminar/models';
import { getWeights, setWeights } from '../seminar/nn';
import type { Steps } from '../seminar/steps';
import { initGraderBackend } from '../tfjs/backend';

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

async function main(): Promise<void> {
  await initGraderBackend();
  const iterations = Number(process.argv[2] ?? 6000);
  const starts = Number(process.argv[3] ?? 2);
  const names = process.argv[4] ? process.argv[4].split(',') : Object.keys(VARIANTS);
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
