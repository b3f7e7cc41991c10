// Exercise 2: trainGen — one step of the generator against the (fixed) discriminator.
import type { Exercise } from './exercise';

export const trainGen: Exercise = {
  id: 'train_gen',
  functionName: 'trainGen',
  checkCellId: 'check_train_gen',
  callsPerIteration: 1,
  trains: 'gen',
  frozen: 'disc',
  frozenDiagnosis: 'gen-step-updates-discriminator',
  samplers: ['noise'],
  lossMistakes: [
    {
      // generated data pushed towards "fake"
      diagnosis: 'swapped-heads',
      loss: ({ tf, logpGen, column, IS_FAKE }) => tf.neg(tf.mean(column(logpGen, IS_FAKE))),
    },
    {
      // minimises log(1 − D(G(z))) = log p(fake | G(z))
      diagnosis: 'saturating-generator-loss',
      loss: ({ tf, logpGen, column, IS_FAKE }) => tf.mean(column(logpGen, IS_FAKE)),
    },
    {
      diagnosis: 'probabilities-not-log',
      loss: ({ tf, logpGen, column, IS_REAL }) => tf.neg(tf.mean(column(tf.exp(logpGen), IS_REAL))),
    },
  ],
  // a flipped sign, swapped heads or the saturating loss push the generator the wrong way or not at all;
  // moving the discriminator in the generator's step undoes its training. A sum only takes bigger steps.
  stopsLearning: [
    'wrong-sign',
    'swapped-heads',
    'saturating-generator-loss',
    'gen-step-updates-discriminator',
    'wrong-update',
  ],
  advice: {
    'sum-instead-of-mean':
      "In trainGen a sum makes each generator step batchSize times larger (128× in the notebook): it may still converge, but the step size then depends on the batch size, and the seminar's loss is the mean.",
    'wrong-sign':
      'Seminar: "read-outs at 0.5 for long while the samples are wrong → the generator won"; with the sign flipped the generator moves away from what the discriminator calls real.',
  },
  diagnoses: {
    'gen-step-updates-discriminator': {
      title: "the generator's step also changes the discriminator",
      advice: 'Seminar: "Only the generator\'s variables move."',
      hint: 'Pass gen.parameters() as the varList of genOpt.minimize(f, true, varList).',
    },
    'saturating-generator-loss': {
      title: 'the generator minimises log(1 − D(G(z))) — the saturating loss',
      advice:
        'Seminar: "minimise −mean(log p(real | G(z))) (the non-saturating loss; log(1 − D(G(z))) stops giving gradient early on)."',
      hint: 'Take column IS_REAL of tf.logSoftmax(disc(genData)) and minimise its negative mean.',
    },
  },
};
