// Step "report": the gradebook (grades.csv), a student's feedback.md, and Gradescope's results.json.
// Everything here is a pure function of the grade results, so the same submissions give the same bytes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCompileError } from './compile-error';
import { DIAGNOSES } from './diagnoses';
import { EXERCISES } from '../exercises';
import type { GradeResult } from './result';
import type { CheckResult } from './run-checks';
import { ROOT } from '../paths';

const num = (x: number) => String(Math.round(x * 100) / 100);

function csvField(s: string): string {
  // a name a spreadsheet would run as a formula (=, +, -, @) is kept as text
  const text = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** grades.csv: one row per submission, sorted by student; UTF-8 with a byte-order mark, so spreadsheets read Unicode names right. */
export function csvOf(results: GradeResult[]): string {
  const rows = [...results]
    .sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0))
    .map((r) => [r.student, num(r.score), num(r.maxScore), r.status, r.diagnoses.join(';')].map(csvField).join(','));
  return '\uFEFF' + ['student,score,max_score,status,diagnoses', ...rows].join('\n') + '\n';
}

/** The grader's own paths (its checkout, its scratch folders) as placeholders: a student sees none of them. */
export function redactPaths(text: string): string {
  const scratch = new RegExp(`${escapeRegExp(os.tmpdir())}/gan-[\\w.-]+`, 'g');
  return text.split(ROOT).join('<grader>').replace(scratch, '<scratch>');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One entry per distinct diagnosis: the checks it cost, what happened, the seminar's advice, what to try. */
function explain(failed: CheckResult[]): string[] {
  const groups = new Map<string, CheckResult[]>();
  for (const c of failed) groups.set(c.diagnosis ?? 'failed', [...(groups.get(c.diagnosis ?? 'failed') ?? []), c]);
  return [...groups].map(([id, checks]) => {
    const d = DIAGNOSES[id];
    const lost = checks.reduce((a, c) => a + c.maxPoints, 0);
    const lines = [`- \`${id}\`${d ? `: ${d.title}` : ''} (−${num(lost)}: ${checks.map((c) => c.name).join('; ')})`];
    for (const message of new Set(checks.map((c) => c.message))) lines.push(`  - What happened: ${message.replace(/\n/g, '\n    ')}`);
    if (d?.advice) lines.push(`  - ${d.advice}`);
    if (d?.hint) lines.push(`  - Try: ${d.hint}`);
    return lines.join('\n');
  });
}

/** feedback.md: what passed, what failed, why, what to try. */
export function feedbackOf(r: GradeResult): string {
  return redactPaths(feedbackText(r));
}

function feedbackText(r: GradeResult): string {
  const out = [`# Feedback for ${r.student}`, '', `**Score: ${num(r.score)} / ${num(r.maxScore)}** (${r.status})`, ''];
  if (r.message) out.push(`> ${r.message}`, '');
  for (const { id: ex, functionName } of EXERCISES) {
    const checks = r.checks.filter((c) => c.id.startsWith(`${ex}.`));
    if (checks.length === 0) continue;
    const got = checks.reduce((a, c) => a + c.points, 0);
    const max = checks.reduce((a, c) => a + c.maxPoints, 0);
    out.push(`## ${functionName} — ${num(got)} / ${num(max)}`, '');
    const cell = r.cells[ex];
    if (cell) out.push(`Graded cell: #${cell.cellIndex + 1} (found by ${cell.via}).`, '');
    out.push('| check | points | result |', '|---|---|---|');
    for (const c of checks) out.push(`| ${c.name} | ${num(c.points)}/${num(c.maxPoints)} | ${c.passed ? 'passed' : `failed: ${c.diagnosis ?? ''}`} |`);
    out.push('');
    const failed = checks.filter((c) => !c.passed);
    if (failed.length > 0) out.push('What failed and why:', '', ...explain(failed), '');
    const notes = checks.filter((c) => c.note).map((c) => `- ${c.name}: ${c.note}`);
    if (notes.length > 0) out.push('Notes:', '', ...[...new Set(notes)], '');
    if (cell && cell.compileErrors.length > 0) {
      out.push('Compile errors, as tslab shows them (line:column within the cell):', '', '```', ...cell.compileErrors.map(formatCompileError), '```', '');
    }
  }
  if (r.otherCells && r.otherCells.length > 0) out.push('## Your other cells', '', ...r.otherCells.map((n) => `- ${n.replace(/\n/g, '\n  ')}`), '');
  if (r.output.trim()) out.push('## Your code printed', '', '```', r.output.slice(0, 4000).trimEnd(), '```', '');
  return out.join('\n');
}

/** Gradescope's results.json (score, tests[] with name/score/max_score/status/output/visibility). */
export function gradescopeOf(r: GradeResult): object {
  return JSON.parse(redactPaths(JSON.stringify(gradescopeObject(r)))) as object;
}

function gradescopeObject(r: GradeResult): object {
  return {
    score: r.score,
    output: [
      `${r.status}: ${num(r.score)}/${num(r.maxScore)}${r.diagnoses.length ? ` — ${r.diagnoses.join(', ')}` : ''}`,
      r.message,
      ...new Set(r.checks.filter((c) => c.note).map((c) => `note: ${c.note}`)),
    ].filter(Boolean).join('\n'),
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: r.checks.map((c) => {
      const d = c.diagnosis ? DIAGNOSES[c.diagnosis] : undefined;
      const output = c.passed
        ? [c.message, c.note].filter(Boolean).join('\n')
        : [`${c.diagnosis}: ${d?.title ?? ''}`, c.message, d?.advice, d?.hint ? `Try: ${d.hint}` : ''].filter(Boolean).join('\n');
      return {
        name: c.name,
        number: c.id,
        score: c.points,
        max_score: c.maxPoints,
        status: c.passed ? 'passed' : 'failed',
        output,
        visibility: c.hidden ? 'after_published' : 'visible',
      };
    }),
  };
}

/** One path segment safe on every file system: no separators, reserved characters, control characters, dot names. */
function safeSegment(segment: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const s = segment.replace(/[<>:"|?*\\\u0000-\u001f]/g, '_').replace(/[. ]+$/, '');
  return s === '' || /^\.+$/.test(s) ? '_' : s;
}

/**
 * The feedback folder of each student: their key (Unicode kept, subfolders as folders), made safe;
 * keys that become the same folder (also when case is ignored, as macOS and Windows do) get -2, -3, ….
 */
export function feedbackFolders(results: GradeResult[]): Map<GradeResult, string> {
  const used = new Map<string, number>();
  const out = new Map<GradeResult, string>();
  for (const r of [...results].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : a.file < b.file ? -1 : 1))) {
    const safe = r.student.split('/').map(safeSegment).join('/') || '_';
    const n = (used.get(safe.toLowerCase()) ?? 0) + 1;
    used.set(safe.toLowerCase(), n);
    out.set(r, n === 1 ? safe : `${safe}-${n}`);
  }
  return out;
}

/** Writes grades.csv and, per student, feedback.md and results.json under `outDir`/<student>/. */
export function writeReports(results: GradeResult[], outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const root = path.resolve(outDir);
  for (const [r, folder] of feedbackFolders(results)) {
    const dir = path.resolve(root, folder);
    if (!dir.startsWith(root + path.sep)) throw new Error(`feedback folder ${folder} would leave ${root}`); // never: segments are made safe
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'feedback.md'), feedbackOf(r));
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(gradescopeOf(r), null, 2) + '\n');
  }
  fs.writeFileSync(path.join(outDir, 'grades.csv'), csvOf(results));
}
