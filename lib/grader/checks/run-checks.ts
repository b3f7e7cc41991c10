// Step "run the checks": mocha's programmatic API runs the one spec file (lib/grader/checks/checks.spec.ts)
// against the current session and collects a result per check id.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckInfo } from './checks';
import { checkVerdict } from './check-context';
import { DiagnosisId, isDiagnosisId } from '../diagnoses';
import { hiddenInRelease } from '../self-check/expected';
import type { Session } from './judge';
import { setSession } from './basis';
import { exercise } from '../../exercises';
import { CHECK_DEFINITIONS, checkId } from './check-definitions';

/** The compiled spec file, beside this module (dist/lib/grader/checks/checks.spec.js). */
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
  if (!fs.existsSync(SPEC_FILE))
    throw new Error(`grading checks not found at ${SPEC_FILE}: build the project (npx tsc -p .)`);
  return [SPEC_FILE];
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs the specs for `session`; runs are serialised (mocha's globals are per process). */
export function runChecks(session: Session, checks: CheckInfo[], grep?: string): Promise<CheckResult[]> {
  const next = queue.then(() => runOnce(session, checks, grep));
  queue = next.catch(() => undefined);
  return next;
}

type Outcomes = Map<string, { passed: boolean; error?: string }>;

/**
 * The same checks without mocha, synchronously, calling `between()` before each (the notebook's
 * self-check: in Deno's kernel an interrupt can stop synchronous code safely, an await not).
 */
export function runChecksNow(
  session: Session,
  checks: CheckInfo[],
  between: () => void = () => undefined,
): CheckResult[] {
  const outcomes: Outcomes = new Map();
  for (const c of checks) {
    between();
    const ex = exercise(c.exercise);
    const def = CHECK_DEFINITIONS.find((d) => checkId(ex, d) === c.id);
    if (!def || hiddenInRelease(c.id)) continue; // as the spec file, which has no `it` for these
    try {
      const verdict = checkVerdict(session, ex, c.id, def.run);
      outcomes.set(
        c.id,
        verdict.pass
          ? { passed: true }
          : { passed: false, error: `${verdict.diagnosis ?? 'failed'}: ${verdict.message}` },
      );
    } catch (err) {
      outcomes.set(c.id, { passed: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return resultsOf(session, checks, outcomes);
}

async function runOnce(session: Session, checks: CheckInfo[], grep?: string): Promise<CheckResult[]> {
  const Mocha = require('mocha') as typeof import('mocha');
  const outcomes: Outcomes = new Map();
  const idOf = (title: string) => title.split(':')[0];
  function Collector(runner: Mocha.Runner) {
    runner.on('pass', (test: Mocha.Test) => outcomes.set(idOf(test.title), { passed: true }));
    runner.on('fail', (test: Mocha.Test, err: Error) =>
      outcomes.set(idOf(test.title), { passed: false, error: err.message }),
    );
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
  return resultsOf(session, checks, outcomes);
}

function resultsOf(session: Session, checks: CheckInfo[], outcomes: Outcomes): CheckResult[] {
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
