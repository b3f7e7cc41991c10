// Step "overrides": the instructor's word over the grader's — a CSV student,score,comment (score empty:
// only a comment). feedback.md, grades.csv and the LMS exports all show the overridden score.
import { readTable } from './csv';

export interface Override {
  score?: number;
  comment: string;
}

export function readOverrides(text: string, file: string): Map<string, Override> {
  const out = new Map<string, Override>();
  for (const r of readTable(text, file, ['student', 'score'])) {
    const score = r.score === '' ? undefined : Number(r.score);
    if (score !== undefined && !(Number.isFinite(score) && score >= 0))
      throw new Error(`${file}: score "${r.score}" of ${r.student} is not a number ≥ 0`);
    out.set(r.student.normalize('NFC'), { score, comment: r.comment ?? '' });
  }
  return out;
}
