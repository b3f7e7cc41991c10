// What the reference does from the grader's fixed states, as plain numbers: computed live where the
// reference exists (the instructor's repository), read from lib/expected-values.json in the student
// release (written there by `gan-seminar release`). The self-check compares a student's steps with
// these, so it works without the reference's code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Exercise, ExerciseObservation, Plan } from './grader/probe';
import { buildBasis } from './grader/session';
import { NOT_IN_RELEASE, hasReference } from './reference';
import { Seminar } from './seminar';

export interface ExpectedValues {
  format: 'gan-seminar expected values';
  version: 1;
  /** For the student's eyes: where the numbers come from. */
  note: string;
  plans: Record<Exercise, Plan>;
  reference: Record<Exercise, ExerciseObservation>;
}

/** lib/expected-values.json of the package this module belongs to (dist/lib/… → ../../lib/…). */
export const EXPECTED_FILE = path.resolve(__dirname, '..', '..', 'lib', 'expected-values.json');

/** Runs the reference through the grader's protocol on `s`'s models (lib/grader/session.ts buildBasis). */
export function computeExpected(s: Seminar): ExpectedValues {
  const { plans, reference } = buildBasis(s);
  return {
    format: 'gan-seminar expected values',
    version: 1,
    note: 'What the reference trainDisc/trainGen do in one step from fixed weights and fixed sampler batches. Numbers only.',
    plans,
    reference,
  };
}

export function readExpected(file = EXPECTED_FILE): ExpectedValues {
  let json: ExpectedValues;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpectedValues;
  } catch (err) {
    throw new Error(`${NOT_IN_RELEASE}, and the expected values that replace them are missing (${file}: ${(err as Error).message}); ask your instructor for the full release folder`);
  }
  if (json.format !== 'gan-seminar expected values' || json.version !== 1) throw new Error(`${file} is not a gan-seminar expected-values file (version 1)`);
  return json;
}

/** The expected values for the self-check: live from the reference when present, else the shipped file. */
export function expectedValues(s: Seminar): ExpectedValues {
  return hasReference() ? computeExpected(s) : readExpected();
}
