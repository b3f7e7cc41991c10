// Step "class summary": how the class did — the score distribution and how many students made each
// mistake in each exercise — as summary.md, a Vega-Lite chart (summary.vl.json) and its PNG.
import type { TopLevelSpec } from 'vega-lite';
import { EXERCISES } from '../exercises';
import { DIAGNOSES } from '../grader/diagnoses';
import type { GradeResult } from '../grader/result';
import { Row, num } from './rows';

export interface MistakeCount {
  exercise: string;
  diagnosis: string;
  students: number;
}

/** Students per (exercise, diagnosis): each student once per mistake in an exercise. */
export function mistakeCounts(results: GradeResult[]): MistakeCount[] {
  const out: MistakeCount[] = [];
  for (const ex of EXERCISES) {
    const counts = new Map<string, number>();
    for (const r of results) {
      const seen = new Set(
        r.checks.filter((c) => c.id.startsWith(`${ex.id}.`) && !c.passed && c.diagnosis).map((c) => c.diagnosis!),
      );
      for (const d of seen) counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    for (const [diagnosis, students] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
      out.push({ exercise: ex.functionName, diagnosis, students });
  }
  return out;
}

export function summarySpec(rows: Row[], mistakes: MistakeCount[]): TopLevelSpec {
  const max = rows[0]?.max ?? 20;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `How the class did — ${rows.length} submissions`, anchor: 'start' },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    hconcat: [
      {
        title: 'Final scores',
        width: 320,
        height: 220,
        data: { values: rows.map((r) => ({ student: r.student, score: r.score })) },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: {
            field: 'score',
            type: 'quantitative',
            bin: { extent: [0, max], step: Math.max(1, max / 10) },
            title: `score (of ${num(max)})`,
            axis: { format: '~g' },
          },
          y: { aggregate: 'count', type: 'quantitative', title: 'students', axis: { tickMinStep: 1, format: 'd' } },
        },
      },
      {
        title: 'Mistakes: students per exercise',
        width: 320,
        height: { step: 18 },
        data: { values: mistakes.length > 0 ? mistakes : [{ exercise: '', diagnosis: 'none', students: 0 }] },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'diagnosis', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 260 } },
          x: { field: 'students', type: 'quantitative', title: 'students', axis: { tickMinStep: 1, format: 'd' } },
          color: { field: 'exercise', type: 'nominal', title: 'exercise', scale: { range: ['#f58518', '#54a24b'] } },
          yOffset: { field: 'exercise' },
          tooltip: [{ field: 'exercise' }, { field: 'diagnosis' }, { field: 'students' }],
        },
      },
    ],
  } as TopLevelSpec;
}

export function summaryMarkdown(rows: Row[], mistakes: MistakeCount[]): string {
  const scores = rows.map((r) => r.score).sort((a, b) => a - b);
  const max = rows[0]?.max ?? 0;
  const mean = scores.reduce((a, x) => a + x, 0) / Math.max(1, scores.length);
  const median = scores.length ? (scores[(scores.length - 1) >> 1] + scores[scores.length >> 1]) / 2 : 0;
  const status = (s: string) => rows.filter((r) => r.status === s).length;
  const out = [
    '# Class summary',
    '',
    `${rows.length} submissions · mean ${num(mean)} · median ${num(median)} · of ${num(max)} · full marks: ${rows.filter((r) => r.score >= r.max).length}`,
    `complete ${status('complete')} · incomplete ${status('incomplete')} · unreadable ${status('unreadable')} · variants flagged ${rows.filter((r) => r.variant).length} · late ${rows.filter((r) => (r.late?.days ?? 0) > 0).length} · overridden ${rows.filter((r) => r.override).length}`,
    '',
    '![scores and mistakes](summary.png)',
    '',
    '## Per exercise',
    '',
    '| exercise | mean | full marks |',
    '|---|---|---|',
    ...EXERCISES.map((ex) => {
      const pts = rows.map((r) => r.exercises[ex.id] ?? 0);
      const full = rows.filter(
        (r) => r.exercises[ex.id] === Math.max(...rows.map((x) => x.exercises[ex.id] ?? 0)),
      ).length;
      return `| ${ex.functionName} | ${num(pts.reduce((a, x) => a + x, 0) / Math.max(1, pts.length))} | ${full} |`;
    }),
    '',
    '## Mistakes (students per exercise)',
    '',
  ];
  if (mistakes.length === 0) out.push('None.');
  else
    out.push(
      '| exercise | mistake | students |',
      '|---|---|---|',
      ...mistakes.map(
        (m) => `| ${m.exercise} | \`${m.diagnosis}\` ${DIAGNOSES[m.diagnosis]?.title ?? ''} | ${m.students} |`,
      ),
    );
  return [...out, ''].join('\n');
}
