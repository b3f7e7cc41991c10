// The student release's stand-in for the reference: what the reference does from the grader's fixed
// states, as plain numbers, in lib/expected-values.json (written by `gan-seminar release`, see
// lib/release/expected.ts). Where lib/solutions.ts is absent, the grader's basis (plans + reference
// observations) comes from this file, so the self-check works without the reference's code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Exercise, ExerciseObservation, Plan } from './grader/probe';
import { NOT_IN_RELEASE } from './reference';

export interface ExpectedValues {
  format: 'gan-seminar expected values';
  version: 1;
  /** For the student's eyes: where the numbers come from. */
  note: string;
  plans: Record<Exercise, Plan>;
  reference: Record<Exercise, ExerciseObservation>;
  /** Checks the instructor keeps hidden: not in this release's self-check. */
  hiddenChecks: string[];
}

/** lib/expected-values.json of the package this module belongs to (dist/lib/… → ../../lib/…). */
export const EXPECTED_FILE = path.resolve(__dirname, '..', '..', 'lib', 'expected-values.json');

let cache: ExpectedValues | undefined;

export function readExpected(file = EXPECTED_FILE): ExpectedValues {
  if (cache && file === EXPECTED_FILE) return cache;
  let json: ExpectedValues;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpectedValues;
  } catch (err) {
    throw new Error(`${NOT_IN_RELEASE}, and the expected values that replace them are missing (${file}: ${(err as Error).message}); ask your instructor for the full release folder`);
  }
  if (json.format !== 'gan-seminar expected values' || json.version !== 1) throw new Error(`${file} is not a gan-seminar expected-values file (version 1)`);
  if (file === EXPECTED_FILE) cache = json;
  return json;
}

/** The self-check's check configuration: in a student release, the instructor's hidden checks stay hidden. */
export function selfCheckConfig(): { hidden?: string[] } {
  // reference present = instructor's repository: the checks' own `hidden` flags apply
  const { hasReference } = require('./reference') as typeof import('./reference');
  return hasReference() ? {} : { hidden: readExpected().hiddenChecks };
}

/** True for a check the instructor keeps hidden, in a student release (the grading specs skip it there). */
export function hiddenInRelease(id: string): boolean {
  const { hasReference } = require('./reference') as typeof import('./reference');
  return !hasReference() && readExpected().hiddenChecks.includes(id);
}
