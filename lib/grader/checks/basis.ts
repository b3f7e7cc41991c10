// Who the checks look at. By default (plain `mocha`) the subject is the reference itself; the grader
// and the self-check set a session holding a submission's observations before running the specs.
import * as tf from '@tensorflow/tfjs';
import { getWeights, withWeights } from '../../seminar/nn';
import { Seminar, createSeminar } from '../../seminar/models';
import type { Session, Subject } from './judge';
import { EXERCISES } from '../../exercises';
import { ExerciseId, ExerciseObservation, Plan, RunPlan, observe } from '../sandbox/observe';
import { buildPlans, buildRun, referenceReplay, referenceRuntime } from './states';
import { hasReference } from '../../reference';
import { readExpected } from '../self-check/expected';

const pickBasis = ({ plans, reference }: Pick<Basis, 'plans' | 'reference'>) => ({ plans, reference });

export interface Basis {
  evaluator: Seminar;
  plans: Record<ExerciseId, Plan>;
  /** The reference's observations on the plans' fixed states (its leak-probe pace). */
  reference: Record<ExerciseId, ExerciseObservation>;
  /** The grader's training run (absent in a student release, whose self-check uses the fixed states). */
  run?: RunPlan;
}

/**
 * Plans and the reference's observations on `s`'s models (weights are restored afterwards). With the
 * course's grading secret the states are private (lib/grader/checks/states.ts stateSeed); without, public.
 */
export function buildBasis(
  s: Seminar,
  exercises: readonly ExerciseId[] = EXERCISES.map((ex) => ex.id),
  secret?: string,
): Basis {
  // student release (no lib/reference/solutions.ts): the reference's numbers shipped by `gan-seminar release`
  if (!hasReference()) return { evaluator: s, ...pickBasis(readExpected()) };
  return withWeights(
    [
      [s.gen, getWeights(s.gen)],
      [s.disc, getWeights(s.disc)],
    ],
    () => {
      const plans = buildPlans(s, secret);
      const rt = referenceRuntime(s);
      const reference = Object.fromEntries(exercises.map((ex) => [ex, observe(ex, plans[ex], rt)]));
      return { evaluator: s, plans, reference, run: buildRun(s, secret) };
    },
  );
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

/**
 * A session judging `subject`. observedIn 'states': the subject went through the plans' fixed states;
 * 'run': through the basis's training run, and the reference is replayed from where each of its
 * observed steps started, on the same batches.
 */
export function newSession(
  basis: Basis,
  subject: Record<ExerciseId, Subject>,
  observedIn: 'states' | 'run' = 'states',
): Session {
  const { run } = basis;
  if (observedIn === 'states' || !run) {
    const needed = Object.fromEntries(Object.entries(basis.plans).map(([id, plan]) => [id, plan.states.length]));
    return { ...basis, subject, needed, verdicts: new Map(), memo: new Map() };
  }
  const reference = Object.fromEntries(
    Object.entries(basis.reference).map(([id, ref]) => {
      const steps = subject[id]?.observation?.steps;
      return [id, steps ? { ...ref, steps: referenceReplay(basis.evaluator, id, steps) } : ref];
    }),
  );
  const needed = Object.fromEntries(Object.entries(run.observe).map(([id, calls]) => [id, calls.length]));
  return { ...basis, reference, subject, needed, verdicts: new Map(), memo: new Map() };
}

let current: Session | undefined;

export function setSession(s: Session | undefined): void {
  current = s;
}

/** The session the specs check: the one set by the grader, else the reference checked against itself. */
export function currentSession(): Session {
  if (!current) {
    const basis = defaultBasis();
    current = newSession(
      basis,
      Object.fromEntries(Object.entries(basis.reference).map(([id, observation]) => [id, { observation }])),
    );
  }
  return current;
}
