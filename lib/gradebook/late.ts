// Step "late penalty": from submission times (a CSV student,submitted_at) and the course's rule
// (lib/course/config.ts "late"): the share of the maximum taken per started day after deadline + grace.
import type { LatePolicy } from '../course/config';
import { readTable } from './csv';

export interface Late {
  submitted: string;
  /** Days late, started days (0: on time). */
  days: number;
  /** Points taken. */
  penalty: number;
}

export function readTimes(text: string, file: string): Map<string, string> {
  const rows = readTable(text, file, ['student', 'submitted_at']);
  const out = new Map<string, string>();
  for (const r of rows) {
    if (Number.isNaN(Date.parse(r.submitted_at)))
      throw new Error(
        `${file}: "${r.submitted_at}" (${r.student}) is not a date-time; write ISO 8601, e.g. 2026-12-20T23:59:00+03:00`,
      );
    out.set(r.student.normalize('NFC'), r.submitted_at);
  }
  return out;
}

/** The penalty for a submission at `submitted` worth `maxScore`; undefined without a deadline. */
export function latePenalty(policy: LatePolicy, submitted: string, maxScore: number): Late | undefined {
  if (!policy.deadline) return undefined;
  const over = Date.parse(submitted) - Date.parse(policy.deadline) - policy.graceMinutes * 60_000;
  const days = over > 0 ? Math.ceil(over / 86_400_000) : 0;
  const share = Math.min(policy.max, days * policy.perDay);
  return { submitted, days, penalty: Math.round(share * maxScore * 100) / 100 };
}
