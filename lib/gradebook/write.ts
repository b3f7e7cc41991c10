// `grade`'s output folder, one step per file: keep (store.ts) → late penalty, overrides → rows → grades.csv,
// feedback.md + results.json per student, LMS exports, similarity report, class summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { course } from '../course/config';
import type { GradeResult } from '../grader/result';
import { feedbackFolders, feedbackOf, gradescopeOf } from '../grader/pipeline/report';
import { latePenalty, readTimes } from './late';
import { canvasCsv, moodleCsv } from './lms';
import { readOverrides } from './overrides';
import { gradeNote, gradesCsv, rowOf } from './rows';
import { similarPairs, similarityMarkdown } from './similarity';
import { mistakeCounts, summaryMarkdown, summarySpec } from './summary';
import { mergeResults, readStore, writeStore } from './store';

export interface GradebookOptions {
  /** CSV student,submitted_at. */
  times?: string;
  /** CSV student,score,comment (default: <out>/overrides.csv when present). */
  overrides?: string;
}

export interface GradebookReport {
  rows: number;
  merged: number;
  files: string[];
  /** Students whose feedback folder could not be written, and why (the gradebook files are written regardless). */
  unwritten: string[];
}

/** Writes the whole gradebook for `fresh` results merged into what `outDir` already holds. */
export function writeGradebook(fresh: GradeResult[], outDir: string, options: GradebookOptions = {}): GradebookReport {
  fs.mkdirSync(outDir, { recursive: true });
  const { results, kept } = mergeResults(readStore(outDir), fresh);
  writeStore(outDir, results);
  const times = options.times
    ? readTimes(fs.readFileSync(options.times, 'utf8'), options.times)
    : new Map<string, string>();
  const overridesFile =
    options.overrides ??
    (fs.existsSync(path.join(outDir, 'overrides.csv')) ? path.join(outDir, 'overrides.csv') : undefined);
  const overrides = overridesFile ? readOverrides(fs.readFileSync(overridesFile, 'utf8'), overridesFile) : new Map();
  const unknown = [...overrides.keys(), ...times.keys()].filter((s) => !results.some((r) => r.student === s));
  if (unknown.length > 0)
    throw new Error(
      `no graded submission for ${[...new Set(unknown)].join(', ')} (in ${[overridesFile, options.times].filter(Boolean).join(' / ')}); the students are: ${results.map((r) => r.student).join(', ')}`,
    );
  const rows = results.map((r) =>
    rowOf(
      r,
      times.has(r.student) ? latePenalty(course().late, times.get(r.student)!, r.maxScore) : undefined,
      overrides.get(r.student),
    ),
  );
  const root = path.resolve(outDir);
  // one student's files that cannot be written (a file system's limit, a full disk) cost that student's files only
  const unwritten: string[] = [];
  for (const [r, folder] of feedbackFolders(results)) {
    try {
      const dir = path.resolve(root, folder);
      if (!dir.startsWith(root + path.sep)) throw new Error(`feedback folder ${folder} would leave ${root}`);
      fs.mkdirSync(dir, { recursive: true });
      const note = gradeNote(rows[results.indexOf(r)]);
      const feedback = feedbackOf(r);
      const [title, ...rest] = feedback.split('\n');
      fs.writeFileSync(
        path.join(dir, 'feedback.md'),
        note.length > 0 ? [title, '', ...note, ...rest].join('\n') : feedback,
      );
      fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(gradescopeOf(r), null, 2) + '\n');
    } catch (err) {
      unwritten.push(
        `${r.student}: feedback not written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }
  const write = (name: string, text: string | Buffer) => fs.writeFileSync(path.join(outDir, name), text);
  write('grades.csv', gradesCsv(rows));
  write('canvas.csv', canvasCsv(rows));
  write('moodle.csv', moodleCsv(rows));
  write('similarity.md', similarityMarkdown(similarPairs(results), results.length));
  const mistakes = mistakeCounts(results);
  const spec = summarySpec(rows, mistakes);
  write('summary.md', summaryMarkdown(rows, mistakes));
  write('summary.vl.json', JSON.stringify(spec, null, 2) + '\n');
  const files = ['grades.csv', 'canvas.csv', 'moodle.csv', 'similarity.md', 'summary.md', 'summary.vl.json'];
  return { rows: rows.length, merged: kept, files, unwritten };
}

/** summary.png, rendered headless from summary.vl.json (lib/dashboard/render.ts). */
export async function writeSummaryPng(outDir: string): Promise<string> {
  const { renderPng } = await import('../dashboard/render');
  const spec = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.vl.json'), 'utf8'));
  const file = path.join(outDir, 'summary.png');
  fs.writeFileSync(file, await renderPng(spec));
  return file;
}
