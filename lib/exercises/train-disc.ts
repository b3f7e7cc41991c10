// Exercise 1: trainDisc — one step of the discriminator on a real batch and a generated batch.
import type { Exercise } from './exercise';
import { SEMINAR } from '../seminar/steps';

export const trainDisc: Exercise = {
  id: 'train_disc',
  functionName: 'trainDisc',
  checkCellId: 'check_train_disc',
  callsPerIteration: SEMINAR.discSteps,
  trains: 'disc',
  frozen: 'gen',
  frozenDiagnosis: 'disc-step-updates-generator',
  samplers: ['real', 'noise'],
  lossMistakes: [
    {
      // real data scored as fake and generated data as real
      diagnosis: 'swapped-heads',
      loss: ({ tf, logpReal, logpGen, column, IS_FAKE, IS_REAL }) =>
        tf.neg(tf.mean(tf.add(column(logpReal, IS_FAKE), column(logpGen, IS_REAL)))),
    },
    {
      // tf.softmax where the loss wants tf.logSoftmax
      diagnosis: 'probabilities-not-log',
      loss: ({ tf, logpReal, logpGen, column, IS_FAKE, IS_REAL }) =>
        tf.neg(tf.mean(tf.add(column(tf.exp(logpReal), IS_REAL), column(tf.exp(logpGen), IS_FAKE)))),
    },
    {
      // …in the fake term only
      diagnosis: 'probabilities-not-log',
      loss: ({ tf, logpReal, logpGen, column, IS_FAKE, IS_REAL }) =>
        tf.neg(tf.mean(tf.add(column(logpReal, IS_REAL), column(tf.exp(logpGen), IS_FAKE)))),
    },
    {
      // …in the real term only
      diagnosis: 'probabilities-not-log',
      loss: ({ tf, logpReal, logpGen, column, IS_FAKE, IS_REAL }) =>
        tf.neg(tf.mean(tf.add(column(tf.exp(logpReal), IS_REAL), column(logpGen, IS_FAKE)))),
    },
  ],
  // the seminar: a sum lets the discriminator win, a flipped sign or swapped heads train it backwards; without
  // varList the generator is pushed by the discriminator's loss and collapses to a point (the notebook says so)
  stopsLearning: ['sum-instead-of-mean', 'wrong-sign', 'swapped-heads', 'disc-step-updates-generator', 'wrong-update'],
  diagnoses: {
    'disc-step-updates-generator': {
      title: "the discriminator's step also changes the generator",
      advice:
        'Seminar: "The varList given to minimize holds only the discriminator\'s variables, so the generator stays put (PyTorch\'s detach)."',
      hint: 'Pass disc.parameters() as the third argument (varList) of discOpt.minimize(f, true, varList).',
    },
  },
};
