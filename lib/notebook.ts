// Small helpers for the notebook: placeholders that compile, solution mode, loop length.
import type { Seminar } from './seminar';
import { Steps, referenceSteps } from './reference';

/**
 * A placeholder for code the student writes. It type-checks as any value, so the exercise cell
 * compiles, and throws a message naming the missing piece when it runs.
 */
export function TODO(what: string): never {
  throw new Error(`not implemented: ${what} — replace TODO('${what}') in the exercise cell with your code`);
}

/** True when the notebook should run the reference: `force`, or GAN_SOLUTIONS=1 in the kernel's environment. */
export function solutionMode(force = false): boolean {
  const env = process.env.GAN_SOLUTIONS?.trim().toLowerCase();
  return force || env === '1' || env === 'true' || env === 'yes';
}

/** The training loop's length: GAN_ITERATIONS when set (demos, CI), else the seminar's default. */
export function iterations(defaultIterations: number): number {
  const raw = process.env.GAN_ITERATIONS;
  if (raw === undefined || raw.trim() === '') return defaultIterations;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`GAN_ITERATIONS="${raw}" must be a non-negative integer`);
  return n;
}

/**
 * The steps the training loop calls: the student's functions, or — in solution mode — the reference
 * from lib/solutions.ts bound to the same models and optimizers.
 */
export function chooseSteps(useSolutions: boolean, seminar: Seminar, student: Steps): Steps {
  if (!useSolutions) return student;
  const reference = referenceSteps(seminar); // in a student release this throws "not part of the student release"
  console.log('Solution mode: the loop uses the reference trainDisc/trainGen from lib/solutions.ts.');
  return reference;
}
