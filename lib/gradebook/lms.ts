// Step "LMS exports": the gradebook in the shapes Canvas and Moodle import.
// Canvas (Grades → Import): Student, ID, SIS User ID, SIS Login ID, Section, then one column per
// assignment titled "<name> (<id>)" — Canvas matches students by ID or SIS ids, so the student key goes
// into SIS Login ID (name your submissions by login). Moodle (Grade administration → Import → CSV file):
// an identifier column mapped to "username" on import, the grade, and a feedback column.
import { csvDocument } from './csv';
import { Row, num } from './rows';

export const ASSIGNMENT = 'GAN seminar';

export function canvasCsv(rows: Row[], assignment = ASSIGNMENT): string {
  return csvDocument(
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', assignment],
    [
      ['Points Possible', '', '', '', '', num(rows[0]?.max ?? 0)],
      ...rows.map((r) => [r.student, '', '', r.student, '', num(r.score)]),
    ],
  );
}

export function moodleCsv(rows: Row[], assignment = ASSIGNMENT): string {
  const feedback = (r: Row) =>
    [r.diagnoses.length ? `mistakes: ${r.diagnoses.join(', ')}` : 'all checks passed', r.override?.comment]
      .filter(Boolean)
      .join('; ');
  return csvDocument(
    ['username', assignment, `${assignment} feedback`],
    rows.map((r) => [r.student, num(r.score), feedback(r)]),
  );
}
