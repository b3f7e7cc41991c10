// What a check (lib/grader/checks/check-definitions.ts) works with: the subject's observations of one exercise, the
// reference's on the same states, and the diagnosis a failure names. A check passes by returning and
// fails by a chai assertion (naming the diagnosis set with failureNames) or by fail(diagnosis, why).
import { AssertionError, expect } from 'chai';
import type { Exercise } from '../../exercises';
import type { Weights } from '../../seminar/nn';
import type { DiagnosisId } from '../diagnoses';
import {
  Session,
  Verdict,
  behaviour,
  callsOf,
  flat,
  isUnobserved,
  knownMistake,
  observedSteps,
  updatesMatch,
} from './judge';
import type { CallObservation, ExerciseObservation, StepObservation } from '../sandbox/observe';
import { course } from '../../course/config';
import { inWords, precise } from '../words';

/** A failure with its diagnosis, raised by CheckContext.fail. */
export class CheckFailure extends Error {
  constructor(
    readonly diagnosis: DiagnosisId,
    message: string,
  ) {
    super(message);
  }
}

export class CheckContext {
  private diagnosis: DiagnosisId | undefined;
  private passMessage = 'passed';
  private noteText: string | undefined;
  private variant = false;

  constructor(
    readonly session: Session,
    readonly ex: Exercise,
  ) {}

  /** The subject's steps observed in full (weights before and after); a missing or incomplete observation fails here with its own diagnosis. */
  steps(): StepObservation[] {
    const steps = observedSteps(this.session, this.ex);
    if (isUnobserved(steps)) this.fail(steps.diagnosis, steps.message);
    return steps;
  }

  /** The subject's whole observation (steps, leak probe, end-state runs). */
  observation(): ExerciseObservation {
    this.steps();
    return this.session.subject[this.ex.id].observation!;
  }

  /** Every call the subject made (in a training run, many more than the steps observed in full). */
  calls(): CallObservation[] {
    return callsOf(this.session, this.ex, this.steps());
  }

  /** What the reference did from where the subject's step i started, on the same batches. */
  reference(i: number): StepObservation {
    return this.session.reference[this.ex.id].steps[i];
  }

  /** The diagnosis an assertion failing from here on names. */
  failureNames(diagnosis: DiagnosisId): void {
    this.diagnosis = diagnosis;
  }

  fail(diagnosis: DiagnosisId, message: string): never {
    throw new CheckFailure(diagnosis, message);
  }

  /** A note for the feedback, whatever the outcome (it changes no score). */
  note(text: string): void {
    this.noteText = this.noteText ? `${this.noteText}; ${text}` : text;
  }

  /** What the report says when the check passes. */
  passes(message: string): void {
    this.passMessage = message;
  }

  /** The known mistake the subject's steps match, if any (lib/grader/checks/judge.ts knownMistake). */
  knownMistake(): DiagnosisId | undefined {
    return knownMistake(this.session, this.ex);
  }

  /**
   * Runs `compare` (assertions against the reference). A mismatch names the known mistake it matches;
   * else `ifUpdateMatches` when the weights do match; else the end-state runs decide: a step
   * that trains the GAN as the reference does passes with a note (a valid variant), one that doesn't
   * fails as wrong-update.
   */
  unlessValidVariant(compare: () => void, options: { ifUpdateMatches?: DiagnosisId } = {}): void {
    try {
      compare();
      return;
    } catch (err) {
      if (!(err instanceof AssertionError)) throw err;
      const why = inWords(err.message);
      const mistake = this.knownMistake();
      if (mistake) this.fail(mistake, why);
      if (options.ifUpdateMatches && updatesMatch(this.session, this.ex, this.steps()))
        this.fail(options.ifUpdateMatches, why);
      const b = behaviour(this.session, this.ex);
      if (b.unconfirmed) this.fail('unconfirmed-variant', `${why}; ${b.message}`);
      if (!b.accepted)
        this.fail('wrong-update', `${why}; it does not train the GAN as the seminar's step does: ${b.message}`);
      // it trains the GAN: the course's variant policy (lib/course/config.ts) decides the credit
      const policy = course().variants;
      if (policy === 'refuse')
        this.fail(
          'variant-not-accepted',
          `${why}; it trains the GAN (${b.verdict}), but this course accepts only the seminar's formulation`,
        );
      this.passes('valid variant');
      this.variant = policy === 'accept-and-flag';
      this.noteText = `does not match the reference formulation exactly, but trains the GAN — ${b.verdict}; accepted as a valid variant${this.variant ? ' (flagged for your instructor to look at)' : ''}`;
    }
  }

  /** Runs a check body and turns its outcome into a verdict (an unexpected error is the grader's). */
  verdictOf(body: (c: CheckContext) => void): Verdict {
    try {
      body(this);
      return { pass: true, message: this.passMessage, note: this.noteText, ...(this.variant ? { variant: true } : {}) };
    } catch (err) {
      if (err instanceof CheckFailure)
        return { pass: false, diagnosis: err.diagnosis, message: err.message, note: this.noteText };
      if (err instanceof AssertionError)
        return {
          pass: false,
          diagnosis: this.diagnosis ?? 'grader-error',
          message: inWords(err.message),
          note: this.noteText,
        };
      return {
        pass: false,
        diagnosis: 'grader-error',
        message: `the check itself failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
}

/** Asserts two models' weights agree elementwise to a relative tolerance, naming the worst element. */
export function expectWeightsClose(actual: Weights, expected: Weights, tol: number, what: string): void {
  const a = flat(actual);
  const b = flat(expected);
  expect(a.length, `${what}: number of weights`).to.equal(b.length);
  let worst = 0;
  let at = -1;
  a.forEach((v, j) => {
    const d = Math.abs(v - b[j]) / (1 + Math.abs(b[j]));
    if (!(d <= worst)) {
      worst = d;
      at = j;
    }
  });
  expect(
    worst,
    `${what}: largest relative difference from the reference's (weight #${at}: ${precise(a[at])} where the reference has ${precise(b[at])})`,
  ).to.be.at.most(tol);
}

/** One check on one exercise, as its mocha `it` (lib/grader/checks/checks.spec.ts) runs it: the verdict is kept in the session under `id`. */
export function checkVerdict(session: Session, ex: Exercise, id: string, run: (c: CheckContext) => void): Verdict {
  const verdict = new CheckContext(session, ex).verdictOf(run);
  session.verdicts.set(id, verdict);
  return verdict;
}
