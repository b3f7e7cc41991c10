// What the checks compare: a subject's observations against the reference's on the same states, and
// the known mistake a mismatch matches. Generic over the exercise registry (lib/exercises/): what an
// exercise trains, keeps frozen, samples and can get wrong comes from its declaration.
import * as tf from '@tensorflow/tfjs';
import { EXERCISES, Exercise, LossInputs, SAMPLER_FUNCTIONS } from '../../exercises';
import type { Seminar } from '../../seminar/models';
import { Weights, withWeights } from '../../seminar/nn';
import type { CompileError } from '../../jupyter/compile';
import type { DiagnosisId } from '../diagnoses';
import {
  CallObservation,
  ExerciseId,
  ExerciseObservation,
  Plan,
  StepObservation,
  fixedSamplers,
} from '../sandbox/observe';
import { optimizerProblem } from './optimizer-use';
import { endStateBehaviour } from './end-state';
import { updateIsMistake } from './mistaken-update';

export interface Subject {
  observation?: ExerciseObservation;
  /** Set when the exercise could not be observed at all (missing cell, compile error, crash). */
  unavailable?: { diagnosis: DiagnosisId; message: string; errors?: CompileError[] };
}

export interface Verdict {
  pass: boolean;
  diagnosis?: DiagnosisId;
  message: string;
  /** Set when credit was given for a valid variant (judged by its end-state runs). */
  note?: string;
  /** Credit given to a valid variant (the course's variant policy may flag it). */
  variant?: boolean;
}

/** Everything one grading of one submission needs; the checks read it through their CheckContext. */
export interface Session {
  plans: Record<ExerciseId, Plan>;
  reference: Record<ExerciseId, ExerciseObservation>;
  subject: Record<ExerciseId, Subject>;
  /** Steps observed in full each exercise's checks need (the plan's, never the observation's say). */
  needed: Record<ExerciseId, number>;
  /** Scratch models (weights restored after use) for candidate losses and the end states' read-outs. */
  evaluator: Seminar;
  /** Filled by the checks: id → verdict. */
  verdicts: Map<string, Verdict>;
  memo: Map<string, unknown>;
}

/** Relative tolerance of "matches the reference": float32 noise between kernels, far below any mistake. */
export const TOL = 1e-5;
/** Tolerance of "left untouched": the frozen model's weights must not move at all. */
export const FROZEN_TOL = 1e-7;
/** Tolerance of "returns the value of a known mistake's loss". */
export const MISTAKE_TOL = 1e-4;

export const close = (a: number, b: number, tol = TOL): boolean => Math.abs(a - b) <= tol * (1 + Math.abs(b));
export const flat = (w: Weights): number[] => Object.values(w).flatMap((v) => v.values);

export function memo<T>(s: Session, key: string, compute: () => T): T {
  if (!s.memo.has(key)) s.memo.set(key, compute());
  return s.memo.get(key) as T;
}

/** Why an exercise has nothing to check: its own diagnosis, never a pass. */
export interface Unobserved {
  diagnosis: DiagnosisId;
  message: string;
}

/** The subject's step observations, or why there are none to judge. */
export function observedSteps(s: Session, ex: Exercise): StepObservation[] | Unobserved {
  const subject = s.subject[ex.id];
  if (!subject) return { diagnosis: 'grader-error', message: `no subject for ${ex.id}` };
  if (subject.unavailable) return subject.unavailable;
  const obs = subject.observation;
  if (!obs) return { diagnosis: 'incomplete-observation', message: 'the step was not observed' };
  if (obs.unavailable)
    return { diagnosis: obs.unavailable.diagnosis ?? obs.unavailable.kind, message: obs.unavailable.message };
  const failed = obs.steps.find((st) => st.failure);
  if (failed) {
    // a literal batch size that breaks the step (shapes that do not broadcast) is named for what it is
    const wrong = [...failed.samplerCalls.real, ...failed.samplerCalls.noise].find((n) => n !== failed.batchSize);
    if (wrong !== undefined)
      return {
        diagnosis: 'ignores-batch-size',
        message: `asked a sampler for ${wrong} samples when batchSize was ${failed.batchSize}, and the step then failed: ${failed.failure!.message}`,
      };
    return { diagnosis: failed.failure!.kind, message: `at ${failed.state}: ${failed.failure!.message}` };
  }
  const needed = s.needed[ex.id];
  if (!(needed > 0) || obs.steps.length < needed || s.reference[ex.id].steps.length < obs.steps.length) {
    return {
      diagnosis: 'incomplete-observation',
      message: `observed ${obs.steps.length} of the ${needed} steps the checks need`,
    };
  }
  return obs.steps;
}

export const isUnobserved = (x: StepObservation[] | Unobserved): x is Unobserved => !Array.isArray(x);

/** Every call the subject made (a training run's), or its observed steps where those were all. */
export function callsOf(s: Session, ex: Exercise, steps: StepObservation[]): CallObservation[] {
  return s.subject[ex.id]?.observation?.calls ?? steps;
}

/** Sampler use: missing calls or other random sources → private randomness; wrong sizes → ignored batchSize. */
export function samplerProblem(ex: Exercise, calls: readonly CallObservation[]): Unobserved | undefined {
  for (const st of calls) {
    if (st.randomCalls.length > 0)
      return { diagnosis: 'private-randomness', message: `used ${[...new Set(st.randomCalls)].join(', ')}` };
    for (const sampler of ex.samplers) {
      if (st.samplerCalls[sampler].length === 0)
        return { diagnosis: 'private-randomness', message: `never called ${SAMPLER_FUNCTIONS[sampler]}` };
    }
    const wrong = [...st.samplerCalls.noise, ...st.samplerCalls.real].find((n) => n !== st.batchSize);
    if (wrong !== undefined)
      return {
        diagnosis: 'ignores-batch-size',
        message: `asked a sampler for ${wrong} samples when batchSize was ${st.batchSize}`,
      };
  }
  return undefined;
}

function atState<T>(s: Session, state: { gen: Weights; disc: Weights }, run: () => T): T {
  return withWeights(
    [
      [s.evaluator.gen, state.gen],
      [s.evaluator.disc, state.disc],
    ],
    run,
  );
}

/** The values of the exercise's known wrong losses where observed step i started, on its first batches. */
function mistakenLosses(s: Session, ex: Exercise, st: StepObservation, i: number): number[] {
  return memo(s, `mistaken-losses:${ex.id}:${i}`, () => {
    const { gen, disc, IS_FAKE, IS_REAL } = s.evaluator;
    const values = atState(s, st.before, () =>
      tf.tidy(() => {
        const batches = fixedSamplers(st.seed);
        const noise = batches.noise(st.batchSize);
        const real = batches.real(st.batchSize);
        const inputs: LossInputs = {
          tf,
          IS_FAKE,
          IS_REAL,
          logpReal: tf.logSoftmax(disc(real)) as tf.Tensor2D,
          logpGen: tf.logSoftmax(disc(gen(noise))) as tf.Tensor2D,
          column: (t, j) => t.slice([0, j], [-1, 1]),
        };
        return ex.lossMistakes.map((m) => m.loss(inputs).dataSync()[0]); // by index: a diagnosis may have several forms
      }),
    );
    return values;
  });
}

export function updatesMatch(s: Session, ex: Exercise, steps: StepObservation[]): boolean {
  return steps.every((st, i) => {
    const ref = flat(s.reference[ex.id].steps[i][ex.trains]);
    return flat(st[ex.trains]).every((v, j) => close(v, ref[j]));
  });
}

export function lossesMatch(s: Session, ex: Exercise, steps: StepObservation[]): boolean {
  return steps.every(
    (st, i) => st.returned !== null && close(st.returned, s.reference[ex.id].steps[i].returned ?? NaN),
  );
}

/** The update as a multiple k of the reference's, and how far it is from being one (relative residual). */
function updateScale(s: Session, ex: Exercise, st: StepObservation, i: number): { k: number; resid: number } {
  const start = flat(st.before[ex.trains]);
  const dSub = flat(st[ex.trains]).map((v, j) => v - start[j]);
  const dRef = flat(s.reference[ex.id].steps[i][ex.trains]).map((v, j) => v - start[j]);
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, j) => acc + v * b[j], 0);
  const norm = Math.max(dot(dRef, dRef), 1e-30);
  const k = dot(dSub, dRef) / norm;
  const rest = dSub.map((v, j) => v - k * dRef[j]);
  return { k, resid: Math.sqrt(dot(rest, rest) / norm) };
}

/** The known mistake a mismatching step makes, if its updates or returned losses match one. */
export function knownMistake(s: Session, ex: Exercise): DiagnosisId | undefined {
  return memo(s, `mistake:${ex.id}`, () => {
    const steps = observedSteps(s, ex);
    if (isUnobserved(steps)) return steps.diagnosis;
    const sampler = samplerProblem(ex, callsOf(s, ex, steps));
    if (sampler) return sampler.diagnosis;
    const optimizers = optimizerProblem(ex, callsOf(s, ex, steps), s.reference[ex.id].steps[0]?.optimizers);
    if (optimizers) return optimizers.diagnosis;
    // ×batchSize is a sum, ×(−1) a flipped sign
    const scales = steps.map((st, i) => ({ ...updateScale(s, ex, st, i), batchSize: st.batchSize }));
    if (scales.every((x) => x.resid < 1e-2)) {
      if (scales.every((x) => Math.abs(x.k / x.batchSize - 1) < 1e-2)) return 'sum-instead-of-mean';
      if (scales.every((x) => Math.abs(x.k + 1) < 1e-2)) return 'wrong-sign';
    }
    // by the update first (the same update is the same mistake, whatever the step returns) …
    const byUpdate = ex.lossMistakes.find((m) => steps.every((st) => updateIsMistake(s.evaluator, ex, st, m)));
    if (byUpdate) return byUpdate.diagnosis;
    // … a step with the reference's update made no loss mistake (a wrong returned value is its own diagnosis) …
    if (updatesMatch(s, ex, steps)) return undefined;
    // … else by the value it returns
    const returns = (value: (i: number, ref: number) => number | undefined) =>
      steps.every((st, i) => {
        const v = value(i, s.reference[ex.id].steps[i].returned ?? NaN);
        return st.returned !== null && v !== undefined && close(st.returned, v, MISTAKE_TOL);
      });
    if (returns((i, ref) => ref * steps[i].batchSize)) return 'sum-instead-of-mean';
    if (returns((_, ref) => -ref)) return 'wrong-sign';
    return ex.lossMistakes.find((_, k) => returns((i) => mistakenLosses(s, ex, steps[i], i)[k]))?.diagnosis;
  });
}

export interface Behaviour {
  accepted: boolean;
  /** Set where the runs cannot be made here (the self-check of a student release without the other step). */
  unconfirmed?: boolean;
  /** Mean W1 to N(5, 1.5²) over the starts: the subject's ends and the reference's. */
  after: number;
  reference: number;
  message: string;
  /** The verdict in one line (no table): for a note beside another check. */
  verdict: string;
}

/**
 * "Does it train?" for a step that matches no formulation exactly, or makes a mistake that may not stop
 * learning: where the notebook's loop with the submission's steps ends, from the plan's starts, against
 * where the reference's own loop ends from the same starts (lib/grader/checks/end-state.ts). The self-check's
 * runs are made in the kernel from public starts, the grader's in the sandbox from those and as many private
 * ones, each set judged alike: what the self-check fails, the grader fails.
 */
export function behaviour(s: Session, ex: Exercise): Behaviour {
  return memo(s, `behaviour:${ex.id}`, () => {
    const ran = s.subject[ex.id]?.observation?.behaviour;
    if (ran?.undecided)
      return {
        accepted: false,
        unconfirmed: true,
        after: NaN,
        reference: NaN,
        message: ran.undecided,
        verdict: ran.undecided,
      };
    // the loop runs the other steps too: one with a mistake of its own cannot stand beside this one
    const partner = EXERCISES.filter((o) => o.id !== ex.id)
      .map((o) => ({ functionName: o.functionName, mistake: knownMistake(s, o) ?? '' }))
      .find((p) => p.mistake);
    return endStateBehaviour(s.evaluator, s.plans[ex.id], ran, partner);
  });
}

/** Mistakes that say how a step gets its data or applies its update, not whether it trains: the end-state runs tell (the check "trains"). */
export const UNVERIFIED_MISTAKES: readonly DiagnosisId[] = [
  'changes-optimizer',
  'extra-optimizer-steps',
  'private-randomness',
  'ignores-batch-size',
];

/** True when the checks of `ex` will ask for the end-state runs: no exact match and no known mistake that decides alone. */
export function needsBehaviour(s: Session, ex: Exercise): boolean {
  const steps = observedSteps(s, ex);
  if (isUnobserved(steps)) return false;
  const mistake = knownMistake(s, ex);
  if (mistake) return UNVERIFIED_MISTAKES.includes(mistake);
  // the reference's update with another returned value is wrong-loss-value: no training run decides that
  return !updatesMatch(s, ex, steps);
}
