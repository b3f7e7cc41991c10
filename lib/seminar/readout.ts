// Read-outs of a seminar's models as plain numbers: what the plots and the metrics look at.
import { REAL_MEAN, REAL_STD } from './data';
import { summarize, wasserstein1ToNormal } from './metrics';
import type { Seminar } from './models';

/** n generated samples G(z), z ~ U[0, 1]. */
export function generate(s: Seminar, n: number): Float32Array {
  return s.tf.tidy(() => s.gen(s.sampleNoise(n)).dataSync() as Float32Array);
}

/** n samples of the real data. */
export function realSamples(s: Seminar, n: number): Float32Array {
  return s.tf.tidy(() => s.sampleRealData(n).dataSync() as Float32Array);
}

/** The discriminator's P(real | x) = softmax(logits)[IS_REAL] for each x. */
export function pReal(s: Seminar, xs: ArrayLike<number>): Float32Array {
  const { tf } = s;
  return tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(xs), [xs.length, 1]);
    return tf.softmax(s.disc(x)).slice([0, s.IS_REAL], [-1, 1]).dataSync() as Float32Array;
  });
}

export interface Quality {
  /** Mean and std of generated samples (target 5 and 1.5). */
  genMean: number;
  genStd: number;
  /** 1-Wasserstein distance of the generated sample to N(5, 1.5²). */
  w1: number;
  /** Mean P(real) the discriminator gives real data, and generated data (both → 0.5 at equilibrium). */
  dReal: number;
  dFake: number;
}

export function quality(s: Seminar, n = 10000): Quality {
  const fake = generate(s, n);
  const { mean, std } = summarize(fake);
  return {
    genMean: mean,
    genStd: std,
    w1: wasserstein1ToNormal(fake, REAL_MEAN, REAL_STD),
    dReal: summarize(pReal(s, realSamples(s, n))).mean,
    dFake: summarize(pReal(s, fake)).mean,
  };
}
