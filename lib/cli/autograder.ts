// `gan-seminar autograder`: build a Gradescope autograder zip, or (inside Gradescope's container)
// grade the one submission there. See lib/release/autograder.ts.
import { config } from '../config';
import * as path from 'node:path';
import { COURSE_OPTION, UsageError, command, courseOption } from './options';

export const { name, summary, usage, options, run } = command({
  name: 'autograder',
  summary: 'build a Gradescope autograder zip (setup.sh, run_autograder); `run` grades inside Gradescope',
  synopsis: ['--out <file.zip> [options]', 'run [--root DIR]'],
  about: `Build: packs the project (reference included: the zip is for Gradescope, not for students) with
setup.sh (installs Node.js and the project) and run_autograder (grades each submission).

Run (what run_autograder calls): grades DIR/submission/*.ipynb into DIR/results/results.json.`,
  options: {
    out: { type: 'string', arg: 'FILE.zip', description: 'build: where to write the zip (required)' },
    course: {
      ...COURSE_OPTION,
      description: `build: ${COURSE_OPTION.description} (baked into the zip; hidden checks are "after_published" in Gradescope)`,
    },
    root: {
      type: 'string',
      arg: 'DIR',
      description: "run: Gradescope's layout root (default: $AUTOGRADER_ROOT or /autograder)",
    },
  },
  positionals: true,
  run: autograder,
});

async function autograder(values: { out?: string; course?: string; root?: string }, positionals: string[]) {
  const { buildAutograder, runAutograder } = await import('../release/autograder');
  if (positionals[0] === 'run') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const root = path.resolve(values.root ?? config.autograderRoot());
    const results = (await runAutograder(root)) as { score: number; output?: string };
    console.log(`autograder: score ${results.score}${results.output ? ` — ${results.output.split('\n')[0]}` : ''}`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.out || values.out.trim() === '') throw new UsageError('--out <file.zip> is required');
  if (!values.out.endsWith('.zip')) throw new UsageError(`--out must name a .zip file, got "${values.out}"`);
  courseOption(values.course);
  const { DEFAULT_ROOT } = await import('../release/bundle');
  const report = await buildAutograder({
    root: DEFAULT_ROOT,
    out: path.resolve(values.out),
    log: (line) => console.log(line),
  });
  console.log(
    `autograder: wrote ${report.out} (${report.files} files, ${(report.bytes / 1024).toFixed(0)} KiB). Upload it in Gradescope's "Configure Autograder" page.`,
  );
  return 0;
}
