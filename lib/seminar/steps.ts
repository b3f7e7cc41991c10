// What an exercise function is: one optimizer step on a batch, returning the loss. The training loop,
// the reference (lib/reference/solutions.ts) and the grader all speak of steps in these terms.

/** One training step on a batch of `batchSize`; returns the loss as a number. */
export type Step = (batchSize: number) => number;

/** The exercise functions the training loop calls. */
export interface Steps {
  /** Trains the discriminator for one step; returns its loss. */
  trainDisc: Step;
  /** Trains the generator for one step; returns its loss. */
  trainGen: Step;
}
