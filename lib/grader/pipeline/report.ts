// Step "report": a student's feedback.md and Gradescope's results.json (the class's gradebook: lib/gradebook/).
// Everything here is a pure function of the grade results, so the same submissions give the same bytes.
import * as os from 'node:os';
import { formatCompileError } from '../../jupyter/compile-error';
import { DIAGNOSES, adviceOf } from '../diagnoses';
import { diagnosisTexts, showsEndStates, ui } from '../strings';
import { EXERCISES } from '../../exercises';
import type { GradeResult } from '../result';
import type { CheckResult } from '../checks/run-checks';
import { ROOT } from '../../paths';

const num = (x: number) => String(Math.round(x * 100) / 100);

/** The grader's own paths (its checkout, its scratch folders) as placeholders: a student sees none of them. */
export function redactPaths(text: string): string {
  const scratch = new RegExp(`${escapeRegExp(os.tmpdir())}/gan-[\\w.-]+`, 'g');
  return text.split(ROOT).join('<grader>').replace(scratch, '<scratch>');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One entry per distinct diagnosis: the checks it cost, what happened, the seminar's advice, what to try. */
function explain(failed: CheckResult[], exerciseId?: string): string[] {
  const groups = new Map<string, CheckResult[]>();
  for (const c of failed) groups.set(c.diagnosis ?? 'failed', [...(groups.get(c.diagnosis ?? 'failed') ?? []), c]);
  return [...groups].map(([id, checks]) => {
    const t = ui();
    const d = diagnosisTexts(id, DIAGNOSES[id], adviceOf(id, exerciseId), exerciseId);
    const lost = checks.reduce((a, c) => a + c.maxPoints, 0);
    const lines = [
      `- \`${id}\`${d.title ? `: ${d.title}` : ''} (−${num(lost)}: ${checks.map((c) => c.name).join('; ')})`,
    ];
    for (const message of new Set(checks.map((c) => c.message)))
      lines.push(`  - ${t.whatHappened}: ${message.replace(/\n/g, '\n    ')}`);
    if (d.advice) lines.push(`  - ${d.advice}`);
    if (d.hint) lines.push(`  - ${t.tryThis[0].toUpperCase()}${t.tryThis.slice(1)}: ${d.hint}`);
    return lines.join('\n');
  });
}

/** feedback.md: what passed, what failed, why, what to try. */
export function feedbackOf(r: GradeResult): string {
  return redactPaths(feedbackText(r));
}

function feedbackText(r: GradeResult): string {
  const t = ui();
  const out = [
    `# ${t.feedbackFor} ${r.student}`,
    '',
    `**${t.score}: ${num(r.score)} / ${num(r.maxScore)}** (${t.status[r.status]})`,
    '',
  ];
  if (r.message) out.push(`> ${r.message}`, '');
  for (const { id: ex, functionName } of EXERCISES) {
    const checks = r.checks.filter((c) => c.id.startsWith(`${ex}.`));
    if (checks.length === 0) continue;
    const got = checks.reduce((a, c) => a + c.points, 0);
    const max = checks.reduce((a, c) => a + c.maxPoints, 0);
    out.push(`## ${functionName} — ${num(got)} / ${num(max)}`, '');
    const cell = r.cells[ex];
    if (cell) out.push(t.gradedCell(cell.cellIndex + 1, cell.via), '');
    out.push(t.tableHeader, '|---|---|---|');
    for (const c of checks)
      out.push(
        `| ${c.name}${c.hidden ? t.hiddenMark : ''} | ${num(c.points)}/${num(c.maxPoints)} | ${c.passed ? (c.variant ? t.passedVariant : t.passed) : `${t.failed}: ${c.diagnosis ?? ''}`} |`,
      );
    out.push('');
    const failed = checks.filter((c) => !c.passed);
    if (failed.length > 0) out.push(t.whatFailed, '', ...explain(failed, ex), '');
    const notes = [
      ...checks.filter((c) => c.note).map((c) => `- ${c.name}: ${c.note}`),
      // where the end-state runs judged a step that passed, where the loop ended (a failed one: under what failed)
      ...checks
        .filter((c) => c.passed && showsEndStates(c.message))
        .map((c) => `- ${c.name}: ${c.message!.replace(/\n/g, '\n  ')}`),
    ];
    if (notes.length > 0) out.push(t.notes, '', ...[...new Set(notes)], '');
    if (cell && cell.compileErrors.length > 0) {
      out.push(t.compileErrors, '', '```', ...cell.compileErrors.map(formatCompileError), '```', '');
    }
  }
  if (r.otherCells && r.otherCells.length > 0)
    out.push(`## ${t.otherCells}`, '', ...r.otherCells.map((n) => `- ${n.replace(/\n/g, '\n  ')}`), '');
  if (r.output.trim()) out.push(`## ${t.printed}`, '', '```', r.output.slice(0, 4000).trimEnd(), '```', '');
  return out.join('\n');
}

/** Gradescope's results.json (score, tests[] with name/score/max_score/status/output/visibility). */
export function gradescopeOf(r: GradeResult): object {
  return JSON.parse(redactPaths(JSON.stringify(gradescopeObject(r)))) as object;
}

function gradescopeObject(r: GradeResult): object {
  // the top-level output is visible before grades are published: it names only visible checks' results
  const shown = r.checks.filter((c) => !c.hidden);
  const shownDiagnoses = [...new Set(shown.filter((c) => !c.passed && c.diagnosis).map((c) => c.diagnosis!))];
  const got = shown.reduce((a, c) => a + c.points, 0);
  const max = shown.reduce((a, c) => a + c.maxPoints, 0);
  const hiddenCount = r.checks.length - shown.length;
  const t = ui();
  return {
    score: r.score,
    output: [
      `${t.visibleSummary(t.status[r.status], num(got), num(max))}${shownDiagnoses.length ? ` — ${shownDiagnoses.join(', ')}` : ''}`,
      hiddenCount > 0 ? t.hiddenLater(hiddenCount) : undefined,
      r.message,
      ...new Set(shown.filter((c) => c.note).map((c) => `note: ${c.note}`)),
    ]
      .filter(Boolean)
      .join('\n'),
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: r.checks.map((c) => {
      const exerciseId = c.id.split('.')[0];
      const d = c.diagnosis
        ? diagnosisTexts(c.diagnosis, DIAGNOSES[c.diagnosis], adviceOf(c.diagnosis, exerciseId), exerciseId)
        : undefined;
      const output = c.passed
        ? [c.message, c.note].filter(Boolean).join('\n')
        : [
            `${c.diagnosis}: ${d?.title ?? ''}`,
            c.message,
            d?.advice,
            d?.hint ? `${t.tryThis[0].toUpperCase()}${t.tryThis.slice(1)}: ${d.hint}` : '',
          ]
            .filter(Boolean)
            .join('\n');
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
  for (const r of [...results].sort((a, b) =>
    a.student < b.student ? -1 : a.student > b.student ? 1 : a.file < b.file ? -1 : 1,
  )) {
    const safe = r.student.split('/').map(safeSegment).join('/') || '_';
    const n = (used.get(safe.toLowerCase()) ?? 0) + 1;
    used.set(safe.toLowerCase(), n);
    out.set(r, n === 1 ? safe : `${safe}-${n}`);
  }
  return out;
}
