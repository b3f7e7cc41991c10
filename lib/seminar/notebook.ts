// Small helpers for the notebook: placeholders that compile, solution mode, loop length.
import { config } from '../config';
import type { Seminar } from './models';
import { Steps, referenceSteps } from '../reference';

export { TODO } from './todo';

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
  if (!useSolutions) return student;
  const reference = referenceSteps(seminar); // in a student release this throws "not part of the student release"
  console.log('Solution mode: the loop uses the reference trainDisc/trainGen from lib/reference/solutions.ts.');
  return reference;
}
