// How a step used the seminar's optimizers: one minimize() of the trained model's own optimizer per
// call, learning rates untouched. Anything else — Adam or another optimizer, the other model's optimizer
// (another learning rate), a changed learning rate, weights assigned by hand — is not the exercise:
// `changes-optimizer`, never a valid variant; more than one update per call is `extra-optimizer-steps`.
import { Exercise, MODEL_TITLES } from '../../exercises';
import type { CallObservation, StepObservation } from '../sandbox/observe';

const OPTIMIZER_NAMES = { gen: 'genOpt', disc: 'discOpt' } as const;

/** A misuse found: its diagnosis and what happened. */
export interface OptimizerProblem {
  diagnosis: string;
  message: string;
}

/** The first misuse of the optimizers in `calls`, judged against the reference's one call (`ref`). */
export function optimizerProblem(
  ex: Exercise,
  calls: readonly CallObservation[],
  ref: StepObservation['optimizers'],
): OptimizerProblem | undefined {
  if (!ref) return undefined;
  const own = ex.trains;
  const other = ex.frozen;
  for (const st of calls) {
    const mine = st.optimizers;
    if (!mine || st.failure) continue; // a runtime that cannot see the optimizers; a failed call is judged as such
    if (mine[own].steps > ref[own].steps) {
      return {
        diagnosis: 'extra-optimizer-steps',
        message: `one call of ${ex.functionName} applied ${mine[own].steps} updates with ${OPTIMIZER_NAMES[own]} (the seminar's step applies ${ref[own].steps})`,
      };
    }
    for (const m of [own, other]) {
      if (mine[m].learningRate !== mine[m].learningRateBefore) {
        return {
          diagnosis: 'changes-optimizer',
          message: `${ex.functionName} changed ${OPTIMIZER_NAMES[m]}'s learning rate from ${mine[m].learningRateBefore} to ${mine[m].learningRate}`,
        };
      }
    }
    if (mine[other].steps > ref[other].steps) {
      return {
        diagnosis: 'changes-optimizer',
        message: `${ex.functionName} stepped with ${OPTIMIZER_NAMES[other]}, the ${MODEL_TITLES[other]}'s optimizer (learning rate ${mine[other].learningRateBefore}), instead of ${OPTIMIZER_NAMES[own]} (learning rate ${mine[own].learningRateBefore})`,
      };
    }
    if (mine[own].steps < ref[own].steps) {
      return {
        diagnosis: 'changes-optimizer',
        message: `${OPTIMIZER_NAMES[own]} made no update in a call of ${ex.functionName}: the ${MODEL_TITLES[own]} was updated another way (another optimizer such as tf.train.adam, or weights assigned by hand)`,
      };
    }
  }
  return undefined;
}
