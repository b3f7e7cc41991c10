// Who the checks look at. By default (plain `mocha`) the subject is the reference itself; the grader
// and the self-check set a session holding a submission's observations before running the specs.
import * as tf from '@tensorflow/tfjs';
import { getWeights, withWeights } from '../seminar/nn';
import { Seminar, createSeminar } from '../seminar/models';
import type { Session, Subject } from './judge';
import { EXERCISES } from '../exercises';
import { ExerciseId, ExerciseObservation, Plan, observe } from './observe';
import { buildPlans, referenceRuntime } from './states';
import { hasReference } from '../reference';
import { readExpected } from './expected';

const pickBasis = ({ plans, reference }: Pick<Basis, 'plans' | 'reference'>) => ({ plans, reference });

export interface Basis {
  evaluator: Seminar;
  plans: Record<ExerciseId, Plan>;
  reference: Record<ExerciseId, ExerciseObservation>;
}

/**
 * Plans and the reference's observations on `s`'s models (weights are restored afterwards). With the
 * course's grading secret the states are private (lib/grader/states.ts stateSeed); without, public.
 */
export function buildBasis(s: Seminar, exercises: readonly ExerciseId[] = EXERCISES.map((ex) => ex.id), secret?: string): Basis {
  // student release (no lib/reference/solutions.ts): the reference's numbers shipped by `gan-seminar release`
  if (!hasReference()) return { evaluator: s, ...pickBasis(readExpected()) };
  return withWeights([[s.gen, getWeights(s.gen)], [s.disc, getWeights(s.disc)]], () => {
    const plans = buildPlans(s, secret);
    const rt = referenceRuntime(s);
    const reference = Object.fromEntries(exercises.map((ex) => [ex, observe(ex, plans[ex], rt)]));
    return { evaluator: s, plans, reference };
  });
}

const bases = new Map<string, Basis>();
/** One basis per backend and secret per process: the grader's states and reference observations. */
export function defaultBasis(secret?: string): Basis {
  const key = `${tf.getBackend()}\n${secret ?? ''}`;
  let b = bases.get(key);
  if (!b) {
    b = buildBasis(createSeminar(), undefined, secret);
    bases.set(key, b);
  }
  return b;
}

export function newSession(basis: Basis, subject: Record<ExerciseId, Subject>): Session {
  return { ...basis, subject, verdicts: new Map(), memo: new Map() };
}

let current: Session | undefined;

export function setSession(s: Session | undefined): void {
  current = s;
}

/** The session the specs check: the one set by the grader, else the reference checked against itself. */
export function currentSession(): Session {
  if (!current) {
    const basis = defaultBasis();
    current = newSession(basis, Object.fromEntries(Object.entries(basis.reference).map(([id, observation]) => [id, { observation }])));
  }
  return current;
}
