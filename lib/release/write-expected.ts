// Step "expected values": the reference's numbers on the grader's fixed states (its basis: plans and
// reference observations), written into the bundle as lib/grader/expected-values.json for the self-check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBasis } from '../grader/checks/basis';
import { referenceEnds } from '../grader/checks/end-state';
import { EXERCISES } from '../exercises';
import { EXPECTED_IN_BUNDLE, ExpectedValues } from '../grader/self-check/expected';
import { createSeminar, disposeSeminar } from '../seminar/models';

/**
 * The reference run through the grader's protocol (lib/grader/checks/basis.ts buildBasis) from its public states,
 * and where its own loop ends from the end-state runs' public starts (a few minutes the first time, then
 * cached: lib/grader/checks/end-state.ts referenceEndState), so the self-check can judge a variant without it.
 */
export function computeExpected(hiddenChecks: string[] = []): ExpectedValues {
  const s = createSeminar({ seed: 0 });
  try {
    const { plans, reference } = buildBasis(s);
    return {
      format: 'gan-seminar expected values',
      version: 3,
      note: "What the reference trainDisc/trainGen do in one step from fixed weights and fixed sampler batches, and where the notebook's loop with them ends from fixed starts. Numbers only.",
      plans,
      reference,
      referenceEndStates: referenceEnds(s, plans[EXERCISES[0].id]),
      hiddenChecks,
    };
  } finally {
    disposeSeminar(s);
  }
}

// Deterministic (fixed states, fixed batches): one computation serves every release of a process.
let cached: { hidden: string; json: string } | undefined;

/** Writes <staging>/lib/grader/expected-values.json; returns its bundle-relative path. */
export function writeExpected(staging: string, hiddenChecks: string[] = []): string {
  const hidden = JSON.stringify(hiddenChecks);
  if (!cached || cached.hidden !== hidden)
    cached = { hidden, json: JSON.stringify(computeExpected(hiddenChecks)) + '\n' };
  const file = path.join(staging, EXPECTED_IN_BUNDLE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, cached.json);
  return EXPECTED_IN_BUNDLE;
}
