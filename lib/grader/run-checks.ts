// Step "run the checks": mocha's programmatic API runs the one spec file (lib/grader/checks.spec.ts)
// against the current session and collects a result per check id.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckInfo } from './checks';
import { DiagnosisId, isDiagnosisId } from './diagnoses';
import type { Session } from './judge';
import { setSession } from './basis';

/** The compiled spec file, beside this module (dist/lib/grader/checks.spec.js). */
export const SPEC_FILE = path.join(__dirname, 'checks.spec.js');

export interface CheckResult {
  id: string;
  name: string;
  points: number;
  maxPoints: number;
  hidden: boolean;
  passed: boolean;
  diagnosis?: DiagnosisId;
  message: string;
  note?: string;
  /** Passed as a valid variant the course flags for a look (variants: "accept-and-flag"). */
  variant?: boolean;
}

export function specFiles(): string[] {
  if (!fs.existsSync(SPEC_FILE)) throw new Error(`grading checks not found at ${SPEC_FILE}: build the project (npx tsc -p .)`);
  return [SPEC_FILE];
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs the specs for `session`; runs are serialised (mocha's globals are per process). */
export function runChecks(session: Session, checks: CheckInfo[], grep?: string): Promise<CheckResult[]> {
  const next = queue.then(() => runOnce(session, checks, grep));
  queue = next.catch(() => undefined);
  return next;
}

async function runOnce(session: Session, checks: CheckInfo[], grep?: string): Promise<CheckResult[]> {
  const Mocha = require('mocha') as typeof import('mocha');
  const outcomes = new Map<string, { passed: boolean; error?: string }>();
  const idOf = (title: string) => title.split(':')[0];
  function Collector(runner: Mocha.Runner) {
    runner.on('pass', (test: Mocha.Test) => outcomes.set(idOf(test.title), { passed: true }));
    runner.on('fail', (test: Mocha.Test, err: Error) => outcomes.set(idOf(test.title), { passed: false, error: err.message }));
  }
  const mocha = new Mocha({ reporter: Collector as unknown as typeof Mocha.reporters.Base, timeout: 300_000, grep });
  for (const f of specFiles()) {
    delete require.cache[require.resolve(f)];
    mocha.addFile(f);
  }
  setSession(session);
  try {
    await new Promise<void>((resolve) => mocha.run(() => resolve()));
  } finally {
    setSession(undefined);
    mocha.dispose();
  }
  return checks.map((c): CheckResult => {
    const v = session.verdicts.get(c.id);
    const o = outcomes.get(c.id);
    if (!v || !o) {
      const why = o?.error ?? 'the check did not run';
      return { ...base(c), passed: false, diagnosis: 'grader-error', message: why };
    }
    const passed = o.passed && v.pass;
    return {
      ...base(c),
      points: passed ? c.points : 0,
      passed,
      diagnosis: passed ? undefined : v.diagnosis && isDiagnosisId(v.diagnosis) ? v.diagnosis : 'grader-error',
      message: v.message,
      note: v.note,
      ...(passed && v.variant ? { variant: true } : {}),
    };
  });
}

function base(c: CheckInfo) {
  return { id: c.id, name: c.name, points: 0, maxPoints: c.points, hidden: c.hidden };
}
