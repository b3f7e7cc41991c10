// What an exercise function is: one optimizer step on a batch, returning the loss. The training loop,
// the reference (lib/reference/solutions.ts) and the grader all speak of steps in these terms.

/** The seminar's loop: 5 discriminator steps per generator step, batch 128, a read-out every 250 iterations. */
export const SEMINAR = { iterations: 100000, batchSize: 128, discSteps: 5, every: 250 } as const;

/** One training step on a batch of `batchSize`; returns the loss as a number. */
export type Step = (batchSize: number) => number;

/** The exercise functions the training loop calls. */
export interface Steps {
  /** Trains the discriminator for one step; returns its loss. */
  trainDisc: Step;
  /** Trains the generator for one step; returns its loss. */
  trainGen: Step;
}
