// The student release's stand-in for the reference: what the reference does from the grader's fixed
// states and where its own loop ends from the end-state runs' public starts, as plain numbers, in
// lib/grader/expected-values.json (written by `gan-seminar release`, see lib/release/write-expected.ts). Where
// lib/reference/solutions.ts is absent, the grader's basis (plans + reference
// observations) comes from this file, so the self-check works without the reference's code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { NOT_IN_RELEASE, hasReference } from '../../reference';
import type { EndState, ExerciseId, ExerciseObservation, Plan } from '../sandbox/observe';
import { ROOT } from '../../paths';
import { WEIGHTS_SCHEMA as weights } from '../sandbox/weights-schema';

export interface ExpectedValues {
  format: 'gan-seminar expected values';
  version: 3;
  /** For the student's eyes: where the numbers come from. */
  note: string;
  plans: Record<ExerciseId, Plan>;
  reference: Record<ExerciseId, ExerciseObservation>;
  /** Where the reference's own loop ends from each of the plans' endStates (the yardstick of the self-check's end-state runs). */
  referenceEndStates: EndState[];
  /** Checks the instructor keeps hidden: not in this release's self-check. */
  hiddenChecks: string[];
}

/** Where a release puts the file, relative to the bundle's root. */
export const EXPECTED_IN_BUNDLE = 'lib/grader/expected-values.json';
/** The file of the package this module belongs to (dist/lib/grader/… → lib/grader/…). */
export const EXPECTED_FILE = path.join(ROOT, EXPECTED_IN_BUNDLE);

const state = {
  type: 'object',
  required: ['name', 'seed', 'batchSize', 'gen', 'disc'],
  properties: {
    name: { type: 'string' },
    seed: { type: 'number' },
    batchSize: { type: 'integer' },
    gen: weights,
    disc: weights,
  },
};
/** What the self-check relies on; a hand-edited or truncated file fails here, not deep inside a check. */
const validate = new Ajv().compile({
  type: 'object',
  required: ['format', 'version', 'plans', 'reference', 'referenceEndStates', 'hiddenChecks'],
  properties: {
    format: { const: 'gan-seminar expected values' },
    version: { const: 3 },
    plans: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['states', 'leakSteps', 'endStates', 'endStateIterations'],
        properties: {
          states: { type: 'array', items: state },
          endStates: { type: 'array', minItems: 1, items: state },
          endStateIterations: { type: 'integer', minimum: 1 },
        },
      },
    },
    reference: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['exercise', 'steps', 'leak'],
        properties: { steps: { type: 'array', minItems: 1 } },
      },
    },
    referenceEndStates: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['genMean', 'genStd', 'w1', 'dGap'],
        properties: {
          genMean: { type: 'number' },
          genStd: { type: 'number' },
          w1: { type: 'number' },
          dGap: { type: 'number' },
        },
      },
    },
    hiddenChecks: { type: 'array', items: { type: 'string' } },
  },
});

let cache: ExpectedValues | undefined;

export function readExpected(file = EXPECTED_FILE): ExpectedValues {
  if (cache && file === EXPECTED_FILE) return cache;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `${NOT_IN_RELEASE}, and the expected values that replace them are missing (${file}: ${(err as Error).message}); ask your instructor for the full release folder`,
    );
  }
  if (!validate(json)) {
    const e = validate.errors?.[0];
    throw new Error(
      `${file} is not a gan-seminar expected-values file (version 3): ${e?.instancePath || '/'} ${e?.message ?? ''}; ask your instructor for the full release folder`,
    );
  }
  const values = json as ExpectedValues;
  const starts = Object.values(values.plans).map((p) => p.endStates.length);
  if (starts.some((n) => n !== values.referenceEndStates.length))
    throw new Error(
      `${file} has ${values.referenceEndStates.length} reference end states for ${starts[0]} starts; ask your instructor for the full release folder`,
    );
  if (file === EXPECTED_FILE) cache = values;
  return values;
}

/** True for a check the instructor keeps hidden, in a student release (the grading specs skip it there). */
export function hiddenInRelease(id: string): boolean {
  return !hasReference() && readExpected().hiddenChecks.includes(id);
}
