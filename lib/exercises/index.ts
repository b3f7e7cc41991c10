// The exercise registry: every fill-in function of the notebook, in notebook order. A new exercise is
// one module here (see exercise.ts for what it declares) plus its cells in notebooks/gan_1d.ipynb.
import type { Exercise } from './exercise';
import { trainDisc } from './train-disc';
import { trainGen } from './train-gen';

export type { DiagnosisInfo, Exercise, LossInputs, LossMistake, ModelName, SamplerName } from './exercise';
export { MODEL_TITLES, SAMPLER_FUNCTIONS } from './exercise';
export { SHARED_MISTAKES } from './mistakes';

export const EXERCISES: readonly Exercise[] = [trainDisc, trainGen];

/** An exercise's id ("train_disc"): nbgrader grade_id, cell tag and check-id prefix. */
export type ExerciseId = string;

/** The exercise with this id; throws for an unknown one. */
export function exercise(id: ExerciseId): Exercise {
  const ex = EXERCISES.find((e) => e.id === id);
  if (!ex) throw new Error(`unknown exercise "${id}"; known: ${EXERCISES.map((e) => e.id).join(', ')}`);
  return ex;
}

/** The exercise whose function is `name` ("trainDisc"). */
export function exerciseByFunction(name: string): Exercise | undefined {
  return EXERCISES.find((e) => e.functionName === name);
}
