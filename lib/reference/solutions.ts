// The reference solutions to the two exercises — the only copy. The notebook's solution mode, the
// tests, the grader and the CLI all call these.
import type { Tensor } from '@tensorflow/tfjs';
import type { Seminar } from '../seminar/models';
import type { Steps } from '../seminar/steps';

/** The reference `trainDisc` / `trainGen`, bound to a seminar's globals like the notebook's cells. */
export function referenceSteps({
  tf,
  gen,
  disc,
  genOpt,
  discOpt,
  sampleNoise,
  sampleRealData,
  IS_FAKE,
  IS_REAL,
}: Seminar): Steps {
  function trainDisc(batchSize: number): number {
    return tf.tidy(() => {
      const discLoss = discOpt.minimize(
        () => {
          // log p(real | x) on real data
          const realData = sampleRealData(batchSize);
          const logpRealIsReal = tf.logSoftmax(disc(realData)).slice([0, IS_REAL], [-1, 1]);

          // log p(fake | G(z)); G stays fixed: only disc's variables are in varList below
          const noise = sampleNoise(batchSize);
          const genData = gen(noise);
          const logpGenIsFake = tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1]);

          const discLoss: Tensor = tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)));
          return discLoss;
        },
        true,
        disc.parameters(),
      );
      return discLoss!.dataSync()[0];
    });
  }

  function trainGen(batchSize: number): number {
    return tf.tidy(() => {
      const genLoss = genOpt.minimize(
        () => {
          const noise = sampleNoise(batchSize);
          const genData = gen(noise);
          // non-saturating loss: maximise log p(real | G(z))
          const logpGenIsReal = tf.logSoftmax(disc(genData)).slice([0, IS_REAL], [-1, 1]);
          const genLoss: Tensor = tf.mean(tf.neg(logpGenIsReal));
          return genLoss;
        },
        true,
        gen.parameters(),
      );
      return genLoss!.dataSync()[0];
    });
  }

  return { trainDisc, trainGen };
}
