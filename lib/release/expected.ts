// Step "expected values": the reference's numbers on the grader's fixed states, written into the
// bundle for the self-check (lib/release-expected.ts reads them there).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeExpected } from '../release-expected';
import { createSeminar, disposeSeminar } from '../seminar';

export const EXPECTED_IN_BUNDLE = 'lib/expected-values.json';

// Deterministic (fixed states, fixed batches), so one computation serves every release of a process.
let cached: string | undefined;

function expectedJson(): string {
  if (cached === undefined) {
    const s = createSeminar({ seed: 0 });
    try {
      cached = JSON.stringify(computeExpected(s)) + '\n';
    } finally {
      disposeSeminar(s);
    }
  }
  return cached;
}

/** Writes <staging>/lib/expected-values.json; returns its bundle-relative path. */
export function writeExpected(_root: string, staging: string): string {
  const file = path.join(staging, EXPECTED_IN_BUNDLE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, expectedJson());
  return EXPECTED_IN_BUNDLE;
}
