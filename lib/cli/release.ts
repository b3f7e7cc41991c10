// `gan-seminar release --out <dir>`: the student bundle (lib/release/bundle.ts).
import * as path from 'node:path';
import { describeBackend, initGraderBackend } from '../tfjs/backend';
import { COURSE_OPTION, UsageError, command, courseOption } from './options';
import { NOTEBOOK_PATH, SOLUTIONS_PATH } from '../paths';

export const { name, summary, usage, options, run } = command({
  name: 'release',
  summary: 'build the student bundle: notebook, lib without solutions, self-check (leak-guarded)',
  synopsis: '--out <dir> [options]',
  about: `Builds a folder to hand to students: the notebook with outputs cleared and the exercises as placeholders,
the lib without lib/reference/solutions.ts, the self-check with the reference's expected numbers, its own
package.json and README. Fails (and writes nothing) if any piece of the reference would be in it.`,
  options: {
    out: {
      type: 'string',
      arg: 'DIR',
      description: 'where to write the bundle (required; outside lib/, test/, notebooks/)',
    },
    force: { type: 'boolean', description: 'replace DIR if it exists and is not empty' },
    course: {
      ...COURSE_OPTION,
      description: `${COURSE_OPTION.description} (its hidden checks stay out of the bundle's self-check; the grader still runs them)`,
    },
    nbgrader: {
      type: 'string',
      arg: 'DIR',
      description:
        'also write an nbgrader course folder for instructors: DIR/nbgrader_config.py and DIR/source/gan_1d/gan_1d.ipynb with the reference between // BEGIN SOLUTION and // END SOLUTION (instructor-only: keep it away from students)',
    },
    'no-build': {
      type: 'boolean',
      description: 'skip compiling the bundle (and scanning the compiled output) — for quick looks only',
    },
  },
  run: release,
});

async function release(values: {
  out?: string;
  force?: boolean;
  course?: string;
  nbgrader?: string;
  'no-build'?: boolean;
}): Promise<number> {
  if (!values.out || values.out.trim() === '') throw new UsageError('--out <dir> is required');
  const out = path.resolve(values.out);
  const nbgrader = values.nbgrader === undefined ? undefined : path.resolve(values.nbgrader);
  if (nbgrader && (nbgrader === out || !path.relative(out, nbgrader).startsWith('..'))) {
    throw new UsageError('--nbgrader must be outside --out: its notebook holds the reference');
  }
  courseOption(values.course);
  // the expected values come from the grader's kernels (the self-check compares with a tolerance)
  await initGraderBackend();
  const { buildRelease } = await import('../release/bundle');
  console.log(`release: ${describeBackend()}`);
  const report = buildRelease({
    out,
    force: values.force ?? false,
    build: !values['no-build'],
    log: (line) => console.log(line),
  });
  console.log(
    `release: wrote ${report.files.length} files to ${report.out}\n` +
      `  exercises: ${report.exercises.join(', ')}; lib: ${report.lib.length} modules, no solutions; ` +
      `leak guard: ${report.guard.fingerprints} reference fingerprints, ${report.guard.files} files clean` +
      (report.hiddenChecks.length > 0 ? `\n  hidden checks kept out: ${report.hiddenChecks.join(', ')}` : ''),
  );
  if (nbgrader) {
    const fs = await import('node:fs');
    const { writeNbgraderCourse } = await import('../release/nbgrader');
    const { readNotebook, studentNotebook } = await import('../release/student-notebook');
    const { DEFAULT_ROOT } = await import('../release/bundle');
    const nb = studentNotebook(readNotebook(path.join(DEFAULT_ROOT, NOTEBOOK_PATH))).notebook;
    const files = writeNbgraderCourse(nb, fs.readFileSync(path.join(DEFAULT_ROOT, SOLUTIONS_PATH), 'utf8'), nbgrader);
    console.log(`release: nbgrader course files (instructor-only): ${files.join(', ')}`);
  }
  return 0;
}
