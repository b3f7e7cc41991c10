// `release`: the student bundle, built as a pipeline of small named steps into a staging folder that
// becomes <out> only when every step — the leak guard last — has passed. A failed release leaves nothing
// a student could be handed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildProject } from './build';
import { assertNoLeaks } from './leak-guard';
import { STUDENT_COMMANDS, selectLib, studentCli } from './files';
import { readNotebook, studentNotebook, writeNotebook } from './student-notebook';
import { NOTEBOOK_PATH, PackageJson, studentLockfile, studentPackageJson, studentReadme } from './student-files';
import { ROOT, SOLUTIONS_PATH } from '../paths';

export interface ReleaseOptions {
  /** The instructor's repository (default: the one this module was built from). */
  root?: string;
  out: string;
  /** Replace an existing non-empty <out>. */
  force?: boolean;
  /** Skip compiling the bundle (tests of single steps); the default compiles and scans dist/ too. */
  build?: boolean;
  /** Check ids kept out of the bundle (default: the course's hidden checks, lib/course/config.ts). */
  hidden?: string[];
  /** Extra step run on the staging folder before the leak guard (tests plant leaks through it). */
  beforeGuard?: (staging: string) => void;
  log?: (line: string) => void;
}

export interface ReleaseReport {
  out: string;
  files: string[];
  lib: string[];
  exercises: string[];
  droppedCells: string[];
  expected?: string;
  hiddenChecks: string[];
  guard: { files: number; fingerprints: number };
}

/** The instructor's project (lib/paths.ts). */
export const DEFAULT_ROOT = ROOT;

/** Bundle tests: test/release/student*.spec.ts in the instructor repo → test/student*.test.ts in the bundle. */
const STUDENT_SPEC = /^student(.*)\.spec\.ts$/;

interface Context {
  root: string;
  hidden: string[];
  staging: string;
  report: ReleaseReport;
  log: (line: string) => void;
}

type Step = [name: string, run: (c: Context) => void];

function copy(c: Context, from: string, to = from, transform?: (text: string) => string): void {
  const dest = path.join(c.staging, to);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (transform) fs.writeFileSync(dest, transform(fs.readFileSync(path.join(c.root, from), 'utf8')));
  else fs.copyFileSync(path.join(c.root, from), dest);
}

function writeJson(c: Context, to: string, value: unknown): void {
  fs.writeFileSync(path.join(c.staging, to), JSON.stringify(value, null, 2) + '\n');
}

const STEPS: Step[] = [
  [
    'lib',
    (c) => {
      const { files } = selectLib(c.root);
      // hidden checks: the grading specs skip them where lib/grader/expected-values.json lists them
      const { parseCheckIds } = require('../grader/checks/checks') as typeof import('../grader/checks/checks');
      parseCheckIds(c.hidden.join(','), 'release: hidden');
      for (const f of files) copy(c, f, f, f === 'lib/cli.ts' ? studentCli : undefined);
      c.report.lib = files.filter((f) => f.startsWith('lib/'));
      c.report.hiddenChecks = c.hidden;
    },
  ],
  [
    'notebook',
    (c) => {
      const { notebook, exercises, dropped } = studentNotebook(readNotebook(path.join(c.root, NOTEBOOK_PATH)));
      fs.mkdirSync(path.join(c.staging, 'notebooks'), { recursive: true });
      writeNotebook(path.join(c.staging, NOTEBOOK_PATH), notebook);
      // images the notebook shows (attachment:x.svg / ![](x.svg)) live next to it
      for (const f of fs.readdirSync(path.join(c.root, 'notebooks'))) {
        if (/\.(svg|png|jpe?g|gif)$/i.test(f)) copy(c, `notebooks/${f}`);
      }
      c.report.exercises = exercises;
      c.report.droppedCells = dropped;
    },
  ],
  [
    'expected values',
    (c) => {
      // numbers from the reference on fixed states, for the self-check (see lib/release/write-expected.ts)
      const { writeExpected } = require('./write-expected') as typeof import('./write-expected');
      c.report.expected = writeExpected(c.staging, c.hidden);
      // the course (points, weights, variant policy; hidden as released): the bundle's self-check reads it
      const { COURSE_IN_PACKAGE, course } = require('../course/config') as typeof import('../course/config');
      writeJson(c, COURSE_IN_PACKAGE, { ...course(), hidden: c.hidden });
    },
  ],
  [
    'tests',
    (c) => {
      for (const f of fs.readdirSync(path.join(c.root, 'test', 'release'))) {
        const m = STUDENT_SPEC.exec(f);
        if (m)
          copy(c, `test/release/${f}`, `test/student${m[1]}.test.ts`, (text) =>
            text.replace(/'\.\.\/\.\.\/lib/g, "'../lib"),
          );
      }
    },
  ],
  [
    'package',
    (c) => {
      const project = JSON.parse(fs.readFileSync(path.join(c.root, 'package.json'), 'utf8')) as PackageJson;
      const pkg = studentPackageJson(project);
      writeJson(c, 'package.json', pkg);
      const lock = path.join(c.root, 'package-lock.json');
      if (fs.existsSync(lock))
        writeJson(c, 'package-lock.json', studentLockfile(JSON.parse(fs.readFileSync(lock, 'utf8')), pkg));
      copy(c, 'tsconfig.json');
      copy(c, '.mocharc.json');
      fs.writeFileSync(path.join(c.staging, '.gitignore'), 'node_modules/\ndist/\n.ipynb_checkpoints/\n');
      const hasCheck = STUDENT_COMMANDS.some((cmd) => c.report.lib.includes(`lib/cli/${cmd}.ts`));
      fs.writeFileSync(
        path.join(c.staging, 'README.md'),
        studentReadme({ exercises: c.report.exercises, hasCheckCommand: hasCheck }),
      );
    },
  ],
];

function checkOut(root: string, out: string, force: boolean): void {
  const rel = path.relative(out, root);
  if (rel === '' || !rel.startsWith('..'))
    throw new Error(`release: --out ${out} would contain the instructor repository; choose a folder outside it`);
  const inside = path.relative(root, out);
  if (!inside.startsWith('..') && /^(lib|test|notebooks|dist|node_modules)(\/|$)/.test(inside)) {
    throw new Error(`release: --out ${out} is inside the repository's ${inside.split('/')[0]}/; choose another folder`);
  }
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !force) {
    throw new Error(`release: ${out} exists and is not empty; pass --force to replace it`);
  }
}

export function buildRelease(options: ReleaseOptions): ReleaseReport {
  const root = path.resolve(options.root ?? DEFAULT_ROOT);
  const out = path.resolve(options.out);
  const log = options.log ?? (() => undefined);
  checkOut(root, out, options.force ?? false);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(out), `.${path.basename(out)}.partial-`));
  const report: ReleaseReport = {
    out,
    files: [],
    lib: [],
    exercises: [],
    droppedCells: [],
    hiddenChecks: [],
    guard: { files: 0, fingerprints: 0 },
  };
  const { configureChecks } = require('../grader/checks/checks') as typeof import('../grader/checks/checks');
  const hidden =
    options.hidden ??
    configureChecks()
      .filter((ch) => ch.hidden)
      .map((ch) => ch.id);
  const c: Context = { root, staging, report, log, hidden };
  try {
    const steps: Step[] = [...STEPS];
    if (options.build ?? true)
      steps.push(['build', (ctx) => buildProject(ctx.root, ctx.staging, 'release: the student bundle')]);
    if (options.beforeGuard) steps.push(['extra', (ctx) => options.beforeGuard!(ctx.staging)]);
    steps.push([
      'leak guard',
      (ctx) =>
        (ctx.report.guard = assertNoLeaks(ctx.staging, fs.readFileSync(path.join(root, SOLUTIONS_PATH), 'utf8'))),
    ]);
    for (const [name, run] of steps) {
      const t = Date.now();
      run(c);
      log(`  ${name.padEnd(16)} ok (${Date.now() - t} ms)`);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(staging, out);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const { listFiles } = require('./leak-guard') as typeof import('./leak-guard');
  report.files = listFiles(out);
  return report;
}
