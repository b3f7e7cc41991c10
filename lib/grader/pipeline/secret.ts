// The course's grading secret: the grader's fixed states are derived from it (lib/grader/checks/states.ts), so
// a submission is graded on states no student has seen — the public ones, whose reference numbers a
// student release ships for its self-check, decide nothing. Deterministic for the instructor: the same
// secret gives the same states, so the same submissions give byte-identical grades.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { config } from '../../config';
import { hasReference } from '../../reference';
import { ROOT } from '../../paths';

/** Where the instructor's repository keeps its secret (git-ignored; never in a student release). */
export const SECRET_FILE = path.join(ROOT, '.gan-grading-secret');

export interface GradingSecret {
  secret: string | undefined;
  /** Where it came from, for the grader's summary line. */
  source: string;
}

/** GAN_GRADING_SECRET, else .gan-grading-secret (made on first use); none in a student release. */
export function gradingSecret(): GradingSecret {
  if (!hasReference()) return { secret: undefined, source: 'public states (student release: no reference, no secret)' };
  const fromEnv = config.gradingSecret();
  if (fromEnv !== undefined) return { secret: fromEnv, source: 'private states from GAN_GRADING_SECRET' };
  try {
    return {
      secret: fs.readFileSync(SECRET_FILE, 'utf8').trim(),
      source: `private states from ${path.basename(SECRET_FILE)}`,
    };
  } catch {
    const secret = randomBytes(16).toString('hex');
    try {
      fs.writeFileSync(SECRET_FILE, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      // another grader process made it first: use theirs
      return {
        secret: fs.readFileSync(SECRET_FILE, 'utf8').trim(),
        source: `private states from ${path.basename(SECRET_FILE)}`,
      };
    }
    return {
      secret,
      source: `private states from a new ${path.basename(SECRET_FILE)} (keep it: it makes grades reproducible)`,
    };
  }
}
