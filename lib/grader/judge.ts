// Step "check": compare a subject's observations with the reference's on the same states and name
// the mistake. The mocha specs in test/grading/ call these, one function per check id.
import * as tf from '@tensorflow/tfjs';
import { REAL_MEAN, REAL_STD, overrideSamplers } from '../data';
import { wasserstein1ToNormal } from '../metrics';
import { Weights, getWeights, setWeights } from '../nn';
import { hasReference, referenceSteps } from '../reference';
import { Seminar } from '../seminar';
import type { CompileError } from './compile';
import { DiagnosisId } from './diagnoses';
import { Exercise, ExerciseObservation, Plan, State, StepObservation, fixedSamplers } from './probe';
import { PROTOCOL } from './states';

export interface Verdict {
  pass: boolean;
  diagnosis?: DiagnosisId;
  message: string;
  /** Set when credit was given for a valid variant (behavioural path). */
  note?: string;
}

export interface Subject {
  observation?: ExerciseObservation;
  /** Set when the exercise could not be observed at all (missing cell, compile error, crash). */
  unavailable?: { diagnosis: DiagnosisId; message: string; errors?: CompileError[] };
}

/** Everything one grading of one submission needs; the specs read it via session.ts. */
export interface Session {
  plans: Record<Exercise, Plan>;
  reference: Record<Exercise, ExerciseObservation>;
  subject: Record<Exercise, Subject>;
  /** Scratch models (weights restored after use) for candidate losses and behavioural runs. */
  evaluator: Seminar;
  /** Filled by the checks: id → verdict. */
  verdicts: Map<string, Verdict>;
  memo: Map<string, unknown>;
}

const TOL = 1e-5;
/**
 * A variant passes the behavioural path when its short run gains at least this share of the
 * reference's W1 improvement: a loss scaled by 0.5 (half the step) gains about half.
 */
export const BEHAVIOUR_SHARE = 0.25;
/** …and at most this multiple: a far bigger short-run gain means a far bigger step (e.g. a sum), which diverges later. */
export const BEHAVIOUR_MAX = 4;
const close = (a: number, b: number, tol = TOL) => Math.abs(a - b) <= tol * (1 + Math.abs(b));
const flat = (w: Weights) => Object.values(w).flatMap((v) => v.values);
const trainedOf = (ex: Exercise) => (ex === 'train_disc' ? 'disc' : 'gen');
const frozenOf = (ex: Exercise) => (ex === 'train_disc' ? 'gen' : 'disc');

function memo<T>(s: Session, key: string, compute: () => T): T {
  if (!s.memo.has(key)) s.memo.set(key, compute());
  return s.memo.get(key) as T;
}

const fail = (diagnosis: DiagnosisId, message: string): Verdict => ({ pass: false, diagnosis, message });
const pass = (message: string, note?: string): Verdict => ({ pass: true, message, note });

/** The subject's successful step observations, or the verdict that stops every check of the exercise. */
function gate(s: Session, ex: Exercise): { steps: StepObservation[]; obs: ExerciseObservation } | Verdict {
  const subject = s.subject[ex];
  if (subject.unavailable) return fail(subject.unavailable.diagnosis, subject.unavailable.message);
  const obs = subject.observation!;
  if (obs.unavailable) return fail((obs.unavailable.diagnosis as DiagnosisId | undefined) ?? obs.unavailable.kind, obs.unavailable.message);
  const failed = obs.steps.find((st) => st.failure);
  if (failed) return fail(failed.failure!.kind, `from state "${failed.state}": ${failed.failure!.message}`);
  return { steps: obs.steps, obs };
}

const isVerdict = (x: unknown): x is Verdict => typeof x === 'object' && x !== null && 'pass' in x;

export function runs(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  for (const st of g.steps) {
    if (st.returnedType !== 'number') return fail('returns-non-number', `returned ${st.returnedType === 'object' ? 'an object (a tensor?)' : st.returnedType}, not a number`);
    if (st.returned === null) return fail('returns-non-number', 'returned NaN or Infinity');
  }
  return pass(`ran from ${g.steps.length} fixed states and returned numbers`);
}

/** Sampler use: missing calls or other random sources → private randomness; wrong sizes → ignored batchSize. */
function samplerProblem(ex: Exercise, steps: StepObservation[]): Verdict | undefined {
  for (const st of steps) {
    if (st.randomCalls.length > 0) return fail('private-randomness', `used ${[...new Set(st.randomCalls)].join(', ')}`);
    if (st.samplerCalls.noise.length === 0) return fail('private-randomness', 'never called sampleNoise');
    if (ex === 'train_disc' && st.samplerCalls.real.length === 0) return fail('private-randomness', 'never called sampleRealData');
    const sizes = [...st.samplerCalls.noise, ...st.samplerCalls.real];
    const wrong = sizes.find((n) => n !== st.batchSize);
    if (wrong !== undefined) return fail('ignores-batch-size', `asked a sampler for ${wrong} samples when batchSize was ${st.batchSize}`);
  }
  return undefined;
}

/** Loss values of known mistakes on each state's first batches. */
function candidateLosses(s: Session, ex: Exercise, i: number): Partial<Record<DiagnosisId, number>> {
  return memo(s, `candidates:${ex}:${i}`, () => {
    const state = s.plans[ex].states[i];
    const { gen, disc, IS_FAKE, IS_REAL } = s.evaluator;
    return withState(s, state, () =>
      tf.tidy(() => {
        const batches = fixedSamplers(state.seed);
        const real = ex === 'train_disc' ? batches.real(state.batchSize) : undefined;
        const noise = batches.noise(state.batchSize);
        const col = (t: tf.Tensor2D, j: number) => t.slice([0, j], [-1, 1]);
        const num = (t: tf.Tensor) => t.dataSync()[0];
        const lf = tf.logSoftmax(disc(gen(noise))) as tf.Tensor2D;
        const pf = tf.exp(lf) as tf.Tensor2D;
        if (ex === 'train_gen') {
          return {
            'swapped-heads': num(tf.neg(tf.mean(col(lf, IS_FAKE)))),
            'saturating-generator-loss': num(tf.mean(col(lf, IS_FAKE))),
            'probabilities-not-log': num(tf.neg(tf.mean(col(pf, IS_REAL)))),
          };
        }
        const lr = tf.logSoftmax(disc(real!)) as tf.Tensor2D;
        const pr = tf.exp(lr) as tf.Tensor2D;
        return {
          'swapped-heads': num(tf.neg(tf.mean(tf.add(col(lr, IS_FAKE), col(lf, IS_REAL))))),
          'probabilities-not-log': num(tf.neg(tf.mean(tf.add(col(pr, IS_REAL), col(pf, IS_FAKE))))),
        };
      }),
    );
  });
}

function withState<T>(s: Session, state: { gen: Weights; disc: Weights }, run: () => T): T {
  const { gen, disc } = s.evaluator;
  const saved = [getWeights(gen), getWeights(disc)];
  setWeights(gen, state.gen);
  setWeights(disc, state.disc);
  try {
    return run();
  } finally {
    setWeights(gen, saved[0]);
    setWeights(disc, saved[1]);
  }
}

function updatesMatch(s: Session, ex: Exercise, steps: StepObservation[]): boolean {
  const m = trainedOf(ex);
  return steps.every((st, i) => {
    const ref = flat(s.reference[ex].steps[i][m]);
    return flat(st[m]).every((v, j) => close(v, ref[j]));
  });
}

function lossesMatch(s: Session, ex: Exercise, steps: StepObservation[]): boolean {
  return steps.every((st, i) => st.returned !== null && close(st.returned, s.reference[ex].steps[i].returned ?? NaN));
}

/** The known mistake a mismatching step makes, if its updates or losses match one. */
export function identifyMistake(s: Session, ex: Exercise): DiagnosisId | undefined {
  return memo(s, `mistake:${ex}`, () => {
    const g = gate(s, ex);
    if (isVerdict(g)) return g.diagnosis;
    const sampler = samplerProblem(ex, g.steps);
    if (sampler) return sampler.diagnosis;
    const m = trainedOf(ex);
    // The update as a multiple of the reference's: ×batchSize is a sum, ×(−1) a flipped sign.
    const scales = g.steps.map((st, i) => {
      const start = flat(s.plans[ex].states[i][m]);
      const dSub = flat(st[m]).map((v, j) => v - start[j]);
      const dRef = flat(s.reference[ex].steps[i][m]).map((v, j) => v - start[j]);
      const dot = (a: number[], b: number[]) => a.reduce((acc, v, j) => acc + v * b[j], 0);
      const k = dot(dSub, dRef) / Math.max(dot(dRef, dRef), 1e-30);
      const resid = Math.sqrt(dot(dSub.map((v, j) => v - k * dRef[j]), dSub.map((v, j) => v - k * dRef[j])) / Math.max(dot(dRef, dRef), 1e-30));
      return { k, resid, batchSize: st.batchSize };
    });
    if (scales.every((x) => x.resid < 1e-2)) {
      if (scales.every((x) => Math.abs(x.k / x.batchSize - 1) < 1e-2)) return 'sum-instead-of-mean';
      if (scales.every((x) => Math.abs(x.k + 1) < 1e-2)) return 'wrong-sign';
    }
    const reported = (id: DiagnosisId, value: (i: number, ref: number) => number | undefined) =>
      g.steps.every((st, i) => {
        const v = value(i, s.reference[ex].steps[i].returned ?? NaN);
        return st.returned !== null && v !== undefined && close(st.returned, v, 1e-4);
      }) && id;
    const ids: DiagnosisId[] = ['swapped-heads', 'saturating-generator-loss', 'probabilities-not-log'];
    return (
      reported('sum-instead-of-mean', (i, ref) => ref * g.steps[i].batchSize) ||
      reported('wrong-sign', (_, ref) => -ref) ||
      ids.map((id) => reported(id, (i) => candidateLosses(s, ex, i)[id])).find((x): x is DiagnosisId => Boolean(x)) ||
      undefined
    );
  });
}

/** W1 of the generator with these weights to N(5, 1.5²), on a fixed noise batch. */
function w1Of(s: Session, gen: Weights): number {
  return withState(s, { gen, disc: getWeights(s.evaluator.disc) }, () => {
    const samples = tf.tidy(() => s.evaluator.gen(fixedSamplers(9999).noise(2000)).dataSync() as Float32Array);
    return wasserstein1ToNormal(samples, REAL_MEAN, REAL_STD);
  });
}

/** The generator reached by reference generator steps against a fixed discriminator. */
function genAgainst(s: Session, start: State, disc: Weights): Weights {
  return withState(s, { gen: start.gen, disc }, () => {
    overrideSamplers(fixedSamplers(start.seed + 77));
    try {
      const steps = referenceSteps(s.evaluator);
      for (let i = 0; i < PROTOCOL.behaviourGenSteps; i++) steps.trainGen(128);
    } finally {
      overrideSamplers(null);
    }
    return getWeights(s.evaluator.gen);
  });
}

/** The reference's behavioural result per state (the same for every submission). */
const referenceW1 = new WeakMap<State, number>();

export interface Behaviour {
  accepted: boolean;
  /** Set where the run cannot be judged here (a trainDisc variant in the student release). */
  unconfirmed?: boolean;
  before: number;
  after: number;
  reference: number;
  message: string;
}

/**
 * The behavioural path for variants that match no formulation exactly: from a fixed state, does the
 * step move the generator toward N(5, 1.5²) at least BEHAVIOUR_SHARE (and at most BEHAVIOUR_MAX times) as far as the reference does? For trainGen
 * the generator trains against a fixed, pre-trained discriminator; for trainDisc the discriminator
 * trains against a fixed generator, then reference generator steps against it show what it taught.
 */
export function behaviour(s: Session, ex: Exercise): Behaviour {
  return memo(s, `behaviour:${ex}`, () => {
    const sub = s.subject[ex].observation;
    const ref = s.reference[ex];
    const state = s.plans[ex].behaviour;
    const before = w1Of(s, state.gen);
    if (ex === 'train_disc' && !hasReference()) {
      // What a discriminator step taught shows only through reference generator steps against it.
      const message = 'the discriminator\'s step differs from the expected numbers, and without the reference this self-check cannot run the short training that would confirm a valid variant';
      return { accepted: false, unconfirmed: true, before, after: NaN, reference: NaN, message };
    }
    const reached = (o: ExerciseObservation) => (ex === 'train_gen' ? o.behaviour.gen : genAgainst(s, state, o.behaviour.disc));
    let reference = referenceW1.get(state);
    if (reference === undefined) {
      reference = w1Of(s, reached(ref));
      referenceW1.set(state, reference);
    }
    if (!sub || sub.unavailable || sub.behaviour.failure) {
      return { accepted: false, before, after: NaN, reference, message: `the short training run failed: ${sub?.behaviour.failure?.message ?? 'not run'}` };
    }
    const after = w1Of(s, reached(sub));
    const gained = before - after;
    const refGained = before - reference;
    const accepted = refGained > 0 && Number.isFinite(after) && gained >= BEHAVIOUR_SHARE * refGained && gained <= BEHAVIOUR_MAX * refGained;
    const message =
      `short run from a fixed state: W1 to N(5, 1.5²) ${before.toFixed(3)} → ${Number.isFinite(after) ? after.toFixed(3) : 'NaN'} ` +
      `(reference ${before.toFixed(3)} → ${reference.toFixed(3)})`;
    return { accepted, before, after, reference, message };
  });
}

const variantNote = (b: Behaviour) =>
  `does not match the reference formulation exactly, but trains correctly — ${b.message}; accepted as a valid variant`;

/** True when the checks of `ex` will ask for the behavioural run: no exact match and no known mistake. */
export function needsBehaviour(s: Session, ex: Exercise): boolean {
  const g = gate(s, ex);
  if (isVerdict(g) || identifyMistake(s, ex)) return false;
  return !updatesMatch(s, ex, g.steps) || !lossesMatch(s, ex, g.steps);
}

export function update(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  if (updatesMatch(s, ex, g.steps)) return pass(`matches the reference to ${TOL} from ${g.steps.length} states`);
  const mistake = identifyMistake(s, ex);
  if (mistake) return fail(mistake, `the ${trainedOf(ex) === 'disc' ? 'discriminator' : 'generator'}'s weights after one step differ from the reference's`);
  const b = behaviour(s, ex);
  if (b.accepted) return pass('valid variant', variantNote(b));
  if (b.unconfirmed) return fail('unconfirmed-variant', b.message);
  return fail('wrong-update', `the weights after one step differ from the reference's, and ${b.message}`);
}

export function untouched(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  const m = frozenOf(ex);
  for (const [i, st] of g.steps.entries()) {
    const start = flat(s.plans[ex].states[i][m]);
    if (!flat(st[m]).every((v, j) => close(v, start[j], 1e-7))) {
      return ex === 'train_disc'
        ? fail('disc-step-updates-generator', `the generator's weights changed during trainDisc (from state "${st.state}")`)
        : fail('gen-step-updates-discriminator', `the discriminator's weights changed during trainGen (from state "${st.state}")`);
    }
  }
  return pass(`the ${m === 'gen' ? 'generator' : 'discriminator'} kept its weights`);
}

export function loss(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  const r = runs(s, ex);
  if (!r.pass) return r;
  if (lossesMatch(s, ex, g.steps)) return pass('equals the reference loss');
  const shown = `returned ${g.steps[0].returned?.toFixed(5)}, the reference ${s.reference[ex].steps[0].returned?.toFixed(5)} (state "${g.steps[0].state}")`;
  const mistake = identifyMistake(s, ex);
  if (mistake) return fail(mistake, shown);
  if (updatesMatch(s, ex, g.steps)) return fail('wrong-loss-value', shown);
  const b = behaviour(s, ex);
  if (b.accepted) return pass('valid variant', variantNote(b));
  if (b.unconfirmed) return fail('unconfirmed-variant', `${shown}; ${b.message}`);
  return fail('wrong-update', shown);
}

export function noLeak(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  const leak = g.obs.leak;
  if (leak.failure) return fail(leak.failure.kind, `during ${leak.steps} steps: ${leak.failure.message}`);
  if (leak.growth > 0) return fail('tensor-leak', `${leak.growth} more tensors after ${leak.steps} steps (tf.memory().numTensors)`);
  return pass(`tf.memory().numTensors unchanged over ${leak.steps} steps`);
}

export function samplers(s: Session, ex: Exercise): Verdict {
  const g = gate(s, ex);
  if (isVerdict(g)) return g;
  return samplerProblem(ex, g.steps) ?? pass('uses the seminar\'s samplers with batchSize');
}
