// Loss mistakes any exercise can make, with the seminar's own advice ("what to expect"). Each exercise
// names the ones it can detect, with its own detector (lossMistakes in train-disc.ts / train-gen.ts).
import type { DiagnosisInfo } from './exercise';

export const SHARED_MISTAKES = {
  'sum-instead-of-mean': {
    title: 'the loss sums over the batch instead of averaging',
    // the seminar expects two spikes; measured here (lib/bench/mistake-runs.js, 3000–4000 iterations) it looks otherwise
    advice:
      'Seminar: "Summing instead of averaging over the batch" lets the discriminator win. Here (notebook, "What you really get") D(x) and D(G(z)) both sit at 0, the D loss jumps between about 1000 and 20000 and the generator runs off to a mean of about 20.',
    hint: 'Use tf.mean(...) over the batch, not tf.sum(...): the step size must not grow with the batch size.',
  },
  'wrong-sign': {
    title: 'the loss has the wrong sign (it maximises what it should minimise)',
    advice:
      'Seminar: "If they settle at 0.5 while the samples still look wrong, the generator has beaten the discriminator: check the discriminator\'s loss."',
    hint: 'optimizer.minimize minimises: the loss is the NEGATIVE mean log-probability, −mean(log p).',
  },
  'swapped-heads': {
    title: 'IS_REAL and IS_FAKE are swapped',
    advice: 'Seminar: "we define 0-th output of discriminator as is_fake output and 1-st as is_real".',
    hint: 'Real data should be scored with column IS_REAL, generated data with IS_FAKE in trainDisc; trainGen wants IS_REAL on generated data.',
  },
  'probabilities-not-log': {
    title: 'the loss uses probabilities instead of log-probabilities',
    advice: 'Seminar: "Loss: −mean(log p(real | x) + log p(fake | G(z))), with log p = tf.logSoftmax of the logits."',
    hint: 'Use tf.logSoftmax(logits), not tf.softmax(logits) (and no extra log of a softmax).',
  },
  'extra-optimizer-steps': {
    title: 'one call makes more than one optimizer step',
    advice:
      'Seminar: "trains discriminator for one step" — the loop calls trainDisc 5 times per generator step; a call that steps twice changes that balance.',
    hint: 'Call optimizer.minimize(...) exactly once per call of the function.',
  },
  'changes-optimizer': {
    showDetail: true,
    title: 'the step uses another optimizer or changes a learning rate',
    advice:
      "The seminar fixes the optimizers and their learning rates (generator 1e-3, discriminator 1e-2) in the models cell; the exercise is the step, not the optimizer — another one (Adam, the other model's) changes how the GAN trains.",
    hint: "Step with the model's own optimizer as the models cell made it (discOpt in trainDisc, genOpt in trainGen): no tf.train.adam(...), no setLearningRate.",
  },
} as const satisfies Record<string, DiagnosisInfo>;
