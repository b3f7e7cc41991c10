// `gan-seminar grade <notebook-or-folder>... --out <dir>`: the auto-grader over a class's submissions
// (lib/grader/index.ts does the work). Exit 0 when every submission got a row, 2 on misuse.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Submission } from '../grader';
import { COURSE_OPTION, UsageError, command, courseOption, intOption } from './options';

/**
 * The .ipynb files named by the arguments, each with its student: the path relative to the folder
 * given (subfolders kept: "sec1/anna"), or a lone file's base name; Unicode in NFC. Two inputs that
 * give the same student are told apart by the path from the working folder. Sorted by student.
 */
export function collectNotebooks(inputs: string[]): Submission[] {
  const found = new Map<string, string>(); // file → student
  const key = (rel: string) =>
    rel
      .split(path.sep)
      .join('/')
      .replace(/\.ipynb$/i, '')
      .normalize('NFC');
  const walk = (root: string, dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '__MACOSX') continue; // .ipynb_checkpoints, macOS zip debris
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(root, p);
      else if (e.name.toLowerCase().endsWith('.ipynb') && !found.has(path.resolve(p)))
        found.set(path.resolve(p), key(path.relative(root, p)));
    }
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`no such file or folder: ${input}`);
    if (fs.statSync(input).isDirectory()) walk(input, input);
    else if (!found.has(path.resolve(input))) found.set(path.resolve(input), key(path.basename(input)));
  }
  if (found.size === 0) throw new UsageError(`no .ipynb files in ${inputs.join(', ')}`);
  const count = new Map<string, number>();
  for (const student of found.values()) count.set(student, (count.get(student) ?? 0) + 1);
  return [...found]
    .map(([file, student]) => ({
      file,
      student: count.get(student)! > 1 ? key(path.relative(process.cwd(), file)) : student,
    }))
    .sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}

export const { name, summary, usage, options, run } = command({
  name: 'grade',
  summary: 'auto-grade submitted notebooks into grades.csv, feedback.md and Gradescope results.json',
  synopsis: '<notebook-or-folder>... --out <dir> [options]',
  about: `Grades each submitted gan_1d.ipynb (folders: every .ipynb inside, recursively) against the reference
and writes <dir>/grades.csv, <dir>/<student>/feedback.md and <dir>/<student>/results.json (Gradescope).
The student is the file's path relative to the folder given, without .ipynb (a file given by itself:
its base name); Unicode names are kept.`,
  options: {
    out: { type: 'string', arg: 'DIR', description: 'output folder (required)' },
    timeout: { type: 'string', arg: 'S', description: 'wall-clock seconds per submission (default 60)' },
    memory: { type: 'string', arg: 'MB', description: 'memory cap per submission (default 1024)' },
    parallel: {
      type: 'string',
      arg: 'N',
      description: `submissions graded at once (default: number of cores, ${os.availableParallelism()} here)`,
    },
    course: COURSE_OPTION,
    times: {
      type: 'string',
      arg: 'FILE',
      description: "submission times (CSV student,submitted_at in ISO 8601): the course's late penalty",
    },
    overrides: {
      type: 'string',
      arg: 'FILE',
      description: 'score overrides (CSV student,score,comment; default DIR/overrides.csv if present)',
    },
    json: { type: 'boolean', description: 'print the summary (one entry per submission) as JSON on stdout' },
  },
  positionals: true,
  run: grade,
});

async function grade(
  values: {
    out?: string;
    timeout?: string;
    memory?: string;
    parallel?: string;
    course?: string;
    times?: string;
    overrides?: string;
    json?: boolean;
  },
  positionals: string[],
): Promise<number> {
  if (positionals.length === 0) throw new UsageError('give at least one notebook or folder to grade');
  if (!values.out || values.out.trim() === '') throw new UsageError('--out <dir> is required');
  const timeout = intOption(values.timeout, 'timeout', 60);
  const memory = intOption(values.memory, 'memory', 1024);
  const parallel = intOption(values.parallel, 'parallel', os.availableParallelism());
  if (timeout === 0 || memory < 64 || parallel === 0) {
    throw new UsageError('--timeout and --parallel must be positive, --memory at least 64');
  }
  courseOption(values.course);
  for (const f of [values.times, values.overrides])
    if (f !== undefined && !fs.existsSync(f)) throw new UsageError(`no such file: ${f}`);
  const files = collectNotebooks(positionals);

  const { gradeFiles, gradingSecret } = await import('../grader');
  const started = Date.now();
  const results = await gradeFiles(files, {
    timeoutMs: timeout * 1000,
    memoryMb: memory,
    parallel,
    onProgress: (done, total, r) =>
      process.stderr.write(
        `[${done}/${total}] ${r.student}: ${r.score}/${r.maxScore} ${r.status}${r.diagnoses.length ? ` (${r.diagnoses.join(', ')})` : ''}\n`,
      ),
  });
  const { writeGradebook, writeSummaryPng } = await import('../gradebook/write');
  const book = writeGradebook(results, values.out, { times: values.times, overrides: values.overrides });
  for (const failure of book.unwritten) process.stderr.write(`${failure}\n`);
  await writeSummaryPng(values.out);
  book.files.push('summary.png');
  process.stderr.write(
    `gradebook: ${book.rows} student(s) in ${path.join(values.out, 'grades.csv')} (${book.merged} kept from earlier runs); ${book.files.join(', ')}\n`,
  );
  const isolation = results.find((r) => r.isolation.length > 0)?.isolation;
  if (isolation) process.stderr.write(`sandbox: ${isolation.join(', ')}\n`);
  process.stderr.write(`states: ${gradingSecret().source}\n`);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `graded ${results.length} submission(s) in ${seconds.toFixed(1)} s (${((results.length / seconds) * 60).toFixed(1)}/min) → ${path.join(values.out, 'grades.csv')}\n`,
  );
  if (values.json) {
    const summaryJson = results.map((r) => ({
      student: r.student,
      file: r.file,
      score: r.score,
      max_score: r.maxScore,
      status: r.status,
      diagnoses: r.diagnoses,
    }));
    process.stdout.write(JSON.stringify({ out: path.resolve(values.out), submissions: summaryJson }, null, 2) + '\n');
  }
  return 0;
}
