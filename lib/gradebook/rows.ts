// Step "rows": one gradebook row per student — per-exercise points, the variant flag, the late penalty
// and the instructor's override applied in that order (an override is the final word).
import { EXERCISES } from '../exercises';
import type { GradeResult } from '../grader/result';
import type { Late } from './late';
import type { Override } from './overrides';
import { csvDocument } from './csv';
import { ui } from '../grader/strings';

export interface Row {
  student: string;
  /** The grader's score (before late penalty and override). */
  raw: number;
  score: number;
  max: number;
  status: GradeResult['status'];
  diagnoses: string[];
  exercises: Record<string, number>;
  /** Some check passed as a valid variant the course flags for a look. */
  variant: boolean;
  late?: Late;
  override?: Override;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function rowOf(r: GradeResult, late?: Late, override?: Override): Row {
  const exercises = Object.fromEntries(
    EXERCISES.map((ex) => [
      ex.id,
      round(r.checks.filter((c) => c.id.startsWith(`${ex.id}.`)).reduce((a, c) => a + c.points, 0)),
    ]),
  );
  const afterLate = Math.max(0, round(r.score - (late?.penalty ?? 0)));
  return {
    student: r.student,
    raw: r.score,
    score: override?.score ?? afterLate,
    max: r.maxScore,
    status: r.status,
    diagnoses: r.diagnoses,
    exercises,
    variant: r.checks.some((c) => c.variant),
    late,
    override,
  };
}

export const num = (x: number): string => String(round(x));

/** grades.csv's columns: the first five as before, then per exercise, the flag, what changed the score. */
export function gradesHeader(): string[] {
  return [
    'student',
    'score',
    'max_score',
    'status',
    'diagnoses',
    ...EXERCISES.map((ex) => ex.id),
    'variant',
    'raw_score',
    'late_days',
    'late_penalty',
    'comment',
  ];
}

export function gradesFields(row: Row): string[] {
  return [
    row.student,
    num(row.score),
    num(row.max),
    row.status,
    row.diagnoses.join(';'),
    ...EXERCISES.map((ex) => num(row.exercises[ex.id] ?? 0)),
    row.variant ? 'yes' : '',
    num(row.raw),
    row.late ? String(row.late.days) : '',
    row.late ? num(row.late.penalty) : '',
    row.override?.comment ?? '',
  ];
}

/** What feedback.md adds when the score is not the grader's alone. */
export function gradeNote(row: Row): string[] {
  const t = ui();
  const out: string[] = [];
  if (row.late && row.late.penalty > 0)
    out.push(`- ${t.late(row.late.submitted, row.late.days, num(row.late.penalty))}`);
  if (row.override?.score !== undefined)
    out.push(`- ${t.overridden(num(row.override.score), num(row.max), num(row.raw))}`);
  if (row.override?.comment) out.push(`- ${t.comment}: ${row.override.comment}`);
  return out.length > 0
    ? [`## ${t.yourGrade}`, '', `**${t.finalScore}: ${num(row.score)} / ${num(row.max)}**`, '', ...out, '']
    : [];
}

/** grades.csv for these rows, sorted by student. */
export function gradesCsv(rows: Row[]): string {
  const sorted = [...rows].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
  return csvDocument(gradesHeader(), sorted.map(gradesFields));
}
