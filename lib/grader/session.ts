// Who the checks look at. By default (plain `mocha`) the subject is the reference itself; the grader
// and the self-check set a session holding a submission's observations before running the specs.
import * as tf from '@tensorflow/tfjs';
import { Seminar, createSeminar } from '../seminar';
import type { Session, Subject } from './judge';
import { EXERCISES, Exercise, ExerciseObservation, Plan, observe } from './probe';
import { buildPlans, referenceRuntime } from './states';
import { hasReference } from '../reference';
import { readExpected } from '../release-expected';

const pickBasis = ({ plans, reference }: Pick<Basis, 'plans' | 'reference'>) => ({ plans, reference });

export interface Basis {
  evaluator: Seminar;
  plans: Record<Exercise, Plan>;
  reference: Record<Exercise, ExerciseObservation>;
}

/** Plans and the reference's observations on `s`'s models (weights are restored afterwards). */
export function buildBasis(s: Seminar, exercises: readonly Exercise[] = EXERCISES): Basis {
  // student release (no lib/solutions.ts): the reference's numbers shipped by `gan-seminar release`
  if (!hasReference()) return { evaluator: s, ...pickBasis(readExpected()) };
  const saved = [s.gen, s.disc].map((m) => m.namedParameters().map(([, v]) => tf.keep(v.clone())));
  try {
    const plans = buildPlans(s);
    const rt = referenceRuntime(s);
    const reference = Object.fromEntries(exercises.map((ex) => [ex, observe(ex, plans[ex], rt)])) as Record<Exercise, ExerciseObservation>;
    return { evaluator: s, plans, reference };
  } finally {
    [s.gen, s.disc].forEach((m, i) =>
      m.namedParameters().forEach(([, v], j) => {
        v.assign(saved[i][j]);
        saved[i][j].dispose();
      }),
    );
  }
}

const bases = new Map<string, Basis>();
/** One basis per backend per process: the grader's states and reference observations. */
export function defaultBasis(): Basis {
  const key = tf.getBackend();
  let b = bases.get(key);
  if (!b) {
    b = buildBasis(createSeminar());
    bases.set(key, b);
  }
  return b;
}

export function newSession(basis: Basis, subject: Record<Exercise, Subject>): Session {
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
    current = newSession(basis, { train_disc: { observation: basis.reference.train_disc }, train_gen: { observation: basis.reference.train_gen } });
  }
  return current;
}
