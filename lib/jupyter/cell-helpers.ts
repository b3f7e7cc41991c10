// Small helpers for the notebook: placeholders that compile, solution mode, loop length.
import { config } from '../config';
import type { Seminar } from '../seminar/models';
import { referenceSteps } from '../reference';
import type { Steps } from '../seminar/steps';
import { recoverEngineAndSay } from '../tfjs/engine-state';
import { StudentError } from '../seminar/todo';
import { brokenWeights, trainedRecord } from '../seminar/trained';
import { DEFINING_CELLS } from './prerequisites';

export { TODO } from '../seminar/todo';

/**
 * What the kernel adds around every training step: in Deno's kernel (lib/jupyter/deno.ts sets it) a
 * Kernel > Interrupt check before, and the output flushed on an error; nothing elsewhere.
 */
export const stepGuard: { before: () => void; onError: () => void } = {
  before: () => undefined,
  onError: () => undefined,
};

/** The student's own frames of an error's stack (the notebook's cells run as evalmachine code). */
function cellFrames(err: unknown): string[] {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  return stack
    .split('\n')
    .filter((l) => /^\s+at .*evalmachine/.test(l))
    .slice(0, 3);
}

/** A student step whose errors print as one message with the student's own frames, without TF.js's. */
function studentStep(name: string, step: (batchSize: number) => number): (batchSize: number) => number {
  return (batchSize) => {
    try {
      return step(batchSize);
    } catch (err) {
      stepGuard.onError(); // Deno's kernel: the dashboard's last update goes out before the error
      if (err instanceof StudentError || !(err instanceof Error)) throw err;
      const wrapped = new StudentError([`${name} failed: ${err.message}`, ...cellFrames(err)].join('\n'));
      (wrapped as Error & { cause?: unknown }).cause = err;
      throw wrapped;
    }
  };
}

/** True when the notebook should run the reference: `force`, or GAN_SOLUTIONS=1 in the kernel's environment. */
export function solutionMode(force = false): boolean {
  return force || config.solutions();
}

/** The training loop's length: GAN_ITERATIONS when set (demos, CI), else the seminar's default. */
export function iterations(defaultIterations: number): number {
  return config.iterations() ?? defaultIterations;
}

/**
 * The steps the training loop calls: the student's functions, or — in solution mode — the reference
 * from lib/reference/solutions.ts bound to the same models and optimizers.
 */
export function chooseSteps(useSolutions: boolean, seminar: Seminar, student: Steps): Steps {
  recoverEngineAndSay(); // the cell's own check, for kernels without the hooks
  const record = trainedRecord(seminar.gen);
  sayWhereTrainingStarts(seminar, record.iterations);
  // Deno's kernel: Kernel > Interrupt stops the loop between steps, with one line (lib/jupyter/deno.ts)
  const stoppable =
    (step: Steps['trainDisc']): Steps['trainDisc'] =>
    (batchSize) => {
      stepGuard.before();
      return step(batchSize);
    };
  const counting =
    (trainGen: Steps['trainGen']): Steps['trainGen'] =>
    (batchSize) => {
      const loss = trainGen(batchSize);
      record.iterations++;
      return loss;
    };
  if (!useSolutions) {
    // the student's own object comes back (with its functions wrapped once): errors print without
    // TF.js's frames, and generator steps are counted for the dashboard
    if (!WRAPPED.has(student)) {
      WRAPPED.add(student);
      student.trainDisc = stoppable(studentStep('trainDisc', student.trainDisc));
      student.trainGen = stoppable(counting(studentStep('trainGen', student.trainGen)));
    }
    return student;
  }
  const reference = referenceSteps(seminar); // in a student release this throws "not part of the student release"
  console.log('Solution mode: the loop uses the reference trainDisc/trainGen from lib/reference/solutions.ts.');
  return { trainDisc: stoppable(reference.trainDisc), trainGen: stoppable(counting(reference.trainGen)) };
}

const WRAPPED = new WeakSet<Steps>();

// the cell's name as the prerequisites hint gives it
const MODELS_CELL = DEFINING_CELLS.find((c) => c.cell === 'models')!.title;

/**
 * Before a training run: weights that blew up stop it with how to start fresh (a fixed step cannot
 * bring back NaN or 1e16 weights); trained weights are carried on, and it says so — with the same way out.
 */
export function sayWhereTrainingStarts(seminar: Pick<Seminar, 'gen' | 'disc'>, iterations: number): void {
  const broken = brokenWeights(seminar.gen, seminar.disc);
  if (broken) {
    throw new StudentError(
      `The models' weights are broken (${broken}): training on from them cannot recover, even with a fixed step. ` +
        `Start fresh: run ${MODELS_CELL} again (new weights), then this cell.`,
    );
  }
  if (iterations > 0) {
    console.log(
      `Carrying on from iteration ${iterations} with the models' current weights. To start fresh (e.g. after changing an exercise), ` +
        `run ${MODELS_CELL} again, then this cell.`,
    );
  }
}
