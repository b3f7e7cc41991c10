// Naming a mistake by what it does: the update a known wrong loss (lib/exercises/ lossMistakes) would
// make from where an observed step started, on the same batches, with the optimizer's learning rate —
// compared with the update the step made. Formulations with the same gradient get the same name
// whatever value they return (−L_D minimised by the generator updates it exactly as log(1 − D(G(z))) does).
import * as tf from '@tensorflow/tfjs';
import type { Exercise, LossInputs, LossMistake } from '../../exercises';
import type { Seminar } from '../../seminar/models';
import { Weights, getWeights, withWeights } from '../../seminar/nn';
import { StepObservation, fixedSamplers } from '../sandbox/observe';

const flat = (w: Weights): number[] => Object.values(w).flatMap((v) => v.values);

/** The trained model's weights after one SGD step on `mistake`'s loss from where `st` started (its batches, its learning rate). */
export function mistakenUpdate(s: Seminar, ex: Exercise, st: StepObservation, mistake: LossMistake): number[] {
  const model = s[ex.trains];
  const lr =
    st.optimizers?.[ex.trains].learningRateBefore ??
    (s[ex.trains === 'gen' ? 'genOpt' : 'discOpt'] as unknown as { learningRate: number }).learningRate;
  return withWeights(
    [
      [s.gen, st.before.gen],
      [s.disc, st.before.disc],
    ],
    () => {
      tf.tidy(() => {
        const batches = fixedSamplers(st.seed);
        const noise = batches.noise(st.batchSize);
        const real = batches.real(st.batchSize);
        const vars = model.parameters();
        const { grads } = tf.variableGrads(() => {
          const inputs: LossInputs = {
            tf,
            IS_FAKE: s.IS_FAKE,
            IS_REAL: s.IS_REAL,
            logpReal: tf.logSoftmax(s.disc(real)) as tf.Tensor2D,
            logpGen: tf.logSoftmax(s.disc(s.gen(noise))) as tf.Tensor2D,
            column: (t, j) => t.slice([0, j], [-1, 1]),
          };
          return mistake.loss(inputs).asScalar();
        }, vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(lr, grads[v.name])));
      });
      return flat(getWeights(model));
    },
  );
}

/**
 * True when the step's update is `mistake`'s: the difference of the two updates is below a thousandth
 * of the mistaken update's size (float32 noise between gradient paths is ~1e-6; a different loss is far off).
 */
export function updateIsMistake(s: Seminar, ex: Exercise, st: StepObservation, mistake: LossMistake): boolean {
  const start = flat(st.before[ex.trains]);
  const mine = flat(st[ex.trains]);
  const theirs = mistakenUpdate(s, ex, st, mistake);
  let diff = 0;
  let size = 0;
  for (let j = 0; j < start.length; j++) {
    diff += (mine[j] - theirs[j]) ** 2;
    size += (theirs[j] - start[j]) ** 2;
  }
  return size > 0 && Math.sqrt(diff) <= 1e-3 * Math.sqrt(size);
}
