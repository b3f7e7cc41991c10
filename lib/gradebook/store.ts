// Step "keep": every student's grade result in <out>/gradebook.json, so grading one student again (a
// regrade, a late submission) replaces that student's row and keeps everyone else's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GradeResult } from '../grader/result';

export const STORE_FILE = 'gradebook.json';

export function readStore(outDir: string): GradeResult[] {
  const file = path.join(outDir, STORE_FILE);
  if (!fs.existsSync(file)) return [];
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { results?: GradeResult[] };
  if (!Array.isArray(json.results))
    throw new Error(`${file} is not a gan-seminar gradebook (no "results"); move it away to start a new one`);
  return json.results;
}

/** The earlier results with `fresh` merged in (a student graded again replaces their row), sorted by student. */
export function mergeResults(earlier: GradeResult[], fresh: GradeResult[]): { results: GradeResult[]; kept: number } {
  const byStudent = new Map(earlier.map((r) => [r.student, r]));
  const before = byStudent.size;
  for (const r of fresh) byStudent.delete(r.student);
  const kept = byStudent.size;
  for (const r of fresh) byStudent.set(r.student, r);
  void before;
  return {
    results: [...byStudent.values()].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0)),
    kept,
  };
}

export function writeStore(outDir: string, results: GradeResult[]): void {
  fs.writeFileSync(
    path.join(outDir, STORE_FILE),
    JSON.stringify({ format: 'gan-seminar gradebook', version: 1, results }, null, 1) + '\n',
  );
}
