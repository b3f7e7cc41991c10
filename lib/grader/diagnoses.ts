// The mistakes the grader can name: stable ids (they appear in grades.csv and results.json), a title,
// the seminar's own advice (its "what to expect" notes), and a concrete hint. The grader's own
// (pipeline) diagnoses live here; loss mistakes live with the exercises (lib/exercises/).
import { DiagnosisInfo, EXERCISES, SHARED_MISTAKES } from '../exercises';

const PIPELINE = {
  'not-implemented': {
    showDetail: true,
    title: 'the exercise still contains TODO(...)',
    advice: 'Seminar: "Fill in trainDisc and trainGen (the TODO(...) spots), then run the training loop."',
    hint: "Replace every TODO('…') in the cell with your code.",
  },
  'compile-error': {
    showDetail: true,
    title: 'the cell does not compile',
    advice: 'tslab type-checks each cell before running it; the errors below are the ones it would show.',
    hint: 'Fix the first error (line:column within the cell) and re-run the cell.',
  },
  'runtime-error': {
    showDetail: true,
    title: 'the step throws an error',
    advice: 'Run the cell and its check cell in the notebook to see the error with its stack.',
    hint: 'Check tensor shapes: disc(x) gives [batch, 2]; column j is t.slice([0, j], [-1, 1]).',
  },
  timeout: {
    showDetail: true,
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
    showDetail: true,
    title: 'the step leaks tensors',
    advice: 'Every tensor made in a step must live in tf.tidy (the notebook wraps the step in tf.tidy for you).',
    hint: 'Create tensors only inside the tf.tidy(() => …) callback; do not sample outside it.',
  },
  'private-randomness': {
    showDetail: true,
    title: "the step draws its own random numbers instead of using the seminar's samplers",
    advice:
      'Seminar: "sampleNoise: uniform noise of shape [batchSize, 1]; sampleRealData: normal real data, mu=5, std=1.5."',
    hint: 'Call sampleRealData(batchSize) and sampleNoise(batchSize) — not tf.randomUniform, Math.random or fixed numbers.',
  },
  'ignores-batch-size': {
    showDetail: true,
    title: 'the step ignores its batchSize argument',
    advice: 'The training loop calls trainDisc(128); the checks call it with other batch sizes too.',
    hint: 'Pass the batchSize argument to the samplers instead of a fixed number.',
  },
  'returns-non-number': {
    showDetail: true,
    title: 'the step does not return the loss as a number',
    advice: 'The training loop prints discLoss.toFixed(3): it needs a plain number.',
    hint: "Return loss.dataSync()[0] from the tf.tidy callback (as the notebook's template does).",
  },
  'missing-cell': {
    title: 'the exercise cell is missing',
    advice: 'The grader finds the cells by their nbgrader id, their tag or the function they define.',
    hint: 'Submit the notebook you were given, with the exercise cells kept (you may edit their code).',
  },
  'missing-function': {
    showDetail: true,
    title: 'the cell does not define the exercise function',
    advice: 'The training loop calls trainDisc(batchSize) and trainGen(batchSize).',
    hint: 'Keep the function names and signatures from the notebook.',
  },
  'malformed-notebook': {
    title: 'the file is not a readable notebook',
    advice: 'Submit the .ipynb file Jupyter saved.',
    hint: 'Download the notebook from Jupyter (File → Download) and submit that file.',
  },
  'too-large': {
    showDetail: true,
    title: 'the notebook is too large to grade',
    advice:
      "The grader takes notebooks up to a size (file, code cells, code) far above the seminar's; the message names the limit.",
    hint: 'Clear the outputs and delete scratch cells you do not need, save, and submit again.',
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
  'variant-not-accepted': {
    title: "the step trains the GAN, but not by the seminar's formulation, which this course requires",
    advice:
      'Your instructor set the course to accept only the seminar\'s loss (course configuration: variants "refuse").',
    hint: 'Write the loss as the exercise text gives it: −mean(log p(real | x) + log p(fake | G(z))) for trainDisc, −mean(log p(real | G(z))) for trainGen.',
  },
  'unconfirmed-variant': {
    title: "the step differs from the reference; only the instructor's grader can tell whether it is a valid variant",
    advice:
      'A rescaled or reformulated loss can still train the GAN; judging that needs the reference generator, which the student release does not ship.',
    hint: "If you meant the seminar's loss, compare yours with the exercise text term by term; if you chose a variant on purpose, the grader (and the self-check) judge it by where the notebook's loop with it ends.",
  },
  'grader-error': {
    title: 'the grader failed on this check (not your fault)',
    advice: 'Tell your instructor; the message below helps them.',
    hint: '',
  },
  'incomplete-observation': {
    title: 'the grader could not observe every step the checks need',
    advice: 'Every check compares every step it looks at; a check with fewer observations fails rather than passes.',
    hint: 'Make sure the step returns normally every time it is called; if it does, tell your instructor.',
  },
} satisfies Record<string, DiagnosisInfo>;

/** A diagnosis id: stable, it appears in grades.csv and results.json. */
export type DiagnosisId = string;

function assemble(): Readonly<Record<DiagnosisId, DiagnosisInfo>> {
  const out: Record<string, DiagnosisInfo> = { ...SHARED_MISTAKES };
  for (const ex of EXERCISES) {
    for (const [id, info] of Object.entries(ex.diagnoses)) {
      if (id in out && out[id] !== info)
        throw new Error(`diagnosis "${id}" is declared twice (by ${ex.id} and before it)`);
      out[id] = info;
    }
  }
  for (const [id, info] of Object.entries(PIPELINE)) {
    if (id in out) throw new Error(`diagnosis "${id}" is declared by an exercise and by the grader`);
    out[id] = info;
  }
  return out;
}

/** Every diagnosis: the grader's own, the shared loss mistakes, and each exercise's. */
export const DIAGNOSES = assemble();

export function isDiagnosisId(id: string): id is DiagnosisId {
  return Object.prototype.hasOwnProperty.call(DIAGNOSES, id);
}

/** The advice for a diagnosis in one exercise: the exercise's own where the shared text describes another step. */
export function adviceOf(id: DiagnosisId, exerciseId?: string): string | undefined {
  const own = EXERCISES.find((ex) => ex.id === exerciseId)?.advice?.[id];
  return own ?? DIAGNOSES[id]?.advice;
}
