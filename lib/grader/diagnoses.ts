// The mistakes the grader can name: stable ids (they appear in grades.csv and results.json), a title,
// the seminar's own advice (its "what to expect" notes), and a concrete hint.

export const DIAGNOSES = {
  'sum-instead-of-mean': {
    title: 'the loss sums over the batch instead of averaging',
    advice: 'Seminar: "If the values collapse into two spikes at 0 (fake) and 1 (real), the discriminator has beaten the generator … Summing instead of averaging over the batch does this too."',
    hint: 'Use tf.mean(...) over the batch, not tf.sum(...): the step size must not grow with the batch size.',
  },
  'wrong-sign': {
    title: 'the loss has the wrong sign (it maximises what it should minimise)',
    advice: 'Seminar: "If they settle at 0.5 while the samples still look wrong, the generator has beaten the discriminator: check the discriminator\'s loss."',
    hint: 'optimizer.minimize minimises: the loss is the NEGATIVE mean log-probability, −mean(log p).',
  },
  'disc-step-updates-generator': {
    title: "the discriminator's step also changes the generator",
    advice: 'Seminar: "The varList given to minimize holds only the discriminator\'s variables, so the generator stays put (PyTorch\'s detach)."',
    hint: 'Pass disc.parameters() as the third argument (varList) of discOpt.minimize(f, true, varList).',
  },
  'gen-step-updates-discriminator': {
    title: "the generator's step also changes the discriminator",
    advice: 'Seminar: "Only the generator\'s variables move."',
    hint: 'Pass gen.parameters() as the varList of genOpt.minimize(f, true, varList).',
  },
  'swapped-heads': {
    title: 'IS_REAL and IS_FAKE are swapped',
    advice: 'Seminar: "we define 0-th output of discriminator as is_fake output and 1-st as is_real".',
    hint: 'Real data should be scored with column IS_REAL, generated data with IS_FAKE in trainDisc; trainGen wants IS_REAL on generated data.',
  },
  'saturating-generator-loss': {
    title: 'the generator minimises log(1 − D(G(z))) — the saturating loss',
    advice: 'Seminar: "minimise −mean(log p(real | G(z))) (the non-saturating loss; log(1 − D(G(z))) stops giving gradient early on)."',
    hint: 'Take column IS_REAL of tf.logSoftmax(disc(genData)) and minimise its negative mean.',
  },
  'probabilities-not-log': {
    title: 'the loss uses probabilities instead of log-probabilities',
    advice: 'Seminar: "Loss: −mean(log p(real | x) + log p(fake | G(z))), with log p = tf.logSoftmax of the logits."',
    hint: 'Use tf.logSoftmax(logits), not tf.softmax(logits) (and no extra log of a softmax).',
  },
  'not-implemented': {
    title: 'the exercise still contains TODO(...)',
    advice: 'Seminar: "Fill in trainDisc and trainGen (the TODO(...) spots), then run the training loop."',
    hint: 'Replace every TODO(\'…\') in the cell with your code.',
  },
  'compile-error': {
    title: 'the cell does not compile',
    advice: 'tslab type-checks each cell before running it; the errors below are the ones it would show.',
    hint: 'Fix the first error (line:column within the cell) and re-run the cell.',
  },
  'runtime-error': {
    title: 'the step throws an error',
    advice: 'Run the cell and its check cell in the notebook to see the error with its stack.',
    hint: 'Check tensor shapes: disc(x) gives [batch, 2]; column j is t.slice([0, j], [-1, 1]).',
  },
  timeout: {
    title: 'the step did not finish in time',
    advice: 'One step on a batch of 128 takes milliseconds; a step that does not return has a loop that never ends.',
    hint: 'Remove loops from the step: one call of trainDisc/trainGen is one optimizer step.',
  },
  'memory-limit': {
    title: 'the step used too much memory',
    advice: 'Every tensor made in a loop lives in tf.tidy or is disposed.',
    hint: 'Do not keep tensors or arrays growing across calls.',
  },
  'tensor-leak': {
    title: 'the step leaks tensors',
    advice: 'Every tensor made in a step must live in tf.tidy (the notebook wraps the step in tf.tidy for you).',
    hint: 'Create tensors only inside the tf.tidy(() => …) callback; do not sample outside it.',
  },
  'private-randomness': {
    title: "the step draws its own random numbers instead of using the seminar's samplers",
    advice: 'Seminar: "sampleNoise: uniform noise of shape [batchSize, 1]; sampleRealData: normal real data, mu=5, std=1.5."',
    hint: 'Call sampleRealData(batchSize) and sampleNoise(batchSize) — not tf.randomUniform, Math.random or fixed numbers.',
  },
  'ignores-batch-size': {
    title: 'the step ignores its batchSize argument',
    advice: 'The training loop calls trainDisc(128); the checks call it with other batch sizes too.',
    hint: 'Pass the batchSize argument to the samplers instead of a fixed number.',
  },
  'returns-non-number': {
    title: 'the step does not return the loss as a number',
    advice: 'The training loop prints discLoss.toFixed(3): it needs a plain number.',
    hint: 'Return loss.dataSync()[0] from the tf.tidy callback (as the notebook\'s template does).',
  },
  'missing-cell': {
    title: 'the exercise cell is missing',
    advice: 'The grader finds the cells by their nbgrader id, their tag or the function they define.',
    hint: 'Submit the notebook you were given, with the exercise cells kept (you may edit their code).',
  },
  'missing-function': {
    title: 'the cell does not define the exercise function',
    advice: 'The training loop calls trainDisc(batchSize) and trainGen(batchSize).',
    hint: 'Keep the function names and signatures from the notebook.',
  },
  'malformed-notebook': {
    title: 'the file is not a readable notebook',
    advice: 'Submit the .ipynb file Jupyter saved.',
    hint: 'Download the notebook from Jupyter (File → Download) and submit that file.',
  },
  'wrong-loss-value': {
    title: 'the returned number is not the loss the step minimises',
    advice: 'The training loop prints the returned loss; it should be the value minimize() returned.',
    hint: 'Return discLoss!.dataSync()[0] / genLoss!.dataSync()[0] — the value minimize returns.',
  },
  'wrong-update': {
    title: 'the step changes the weights differently from the reference and does not train the GAN',
    advice: 'Seminar: "check the discriminator\'s loss" / "check the generator\'s loss".',
    hint: 'Compare your loss with the formula in the exercise text, term by term.',
  },
  'unconfirmed-variant': {
    title: 'the step differs from the reference; only the instructor\'s grader can tell whether it is a valid variant',
    advice: 'A rescaled or reformulated loss can still train the GAN; judging that needs the reference generator, which the student release does not ship.',
    hint: 'If you meant the seminar\'s loss, compare yours with the exercise text term by term; if you chose a variant on purpose, the grader will try it by a short training run.',
  },
  'grader-error': {
    title: 'the grader failed on this check (not your fault)',
    advice: 'Tell your instructor; the message below helps them.',
    hint: '',
  },
} as const;

export type DiagnosisId = keyof typeof DIAGNOSES;

export function isDiagnosisId(id: string): id is DiagnosisId {
  return Object.prototype.hasOwnProperty.call(DIAGNOSES, id);
}
