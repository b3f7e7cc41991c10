// `gan-seminar autograder`: build a Gradescope autograder zip, or (inside Gradescope's container)
// grade the one submission there. See lib/release/autograder.ts.
import { config } from '../config';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { COURSE_HELP, UsageError, courseOption } from './options';

export const summary = 'build a Gradescope autograder zip (setup.sh, run_autograder); `run` grades inside Gradescope';

export const usage = `Usage: gan-seminar autograder --out <file.zip> [options]
       gan-seminar autograder run [--root DIR]

Build: packs the project (reference included: the zip is for Gradescope, not for students) with
setup.sh (installs Node.js and the project) and run_autograder (grades each submission).
  --out FILE.zip            where to write the zip (required)
${COURSE_HELP}
                    (baked into the zip; hidden checks are "after_published" in Gradescope)

Run (what run_autograder calls): grades DIR/submission/*.ipynb into DIR/results/results.json.
  --root DIR                Gradescope's layout root (default: $AUTOGRADER_ROOT or /autograder)

  -h, --help                show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      course: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const { buildAutograder, runAutograder } = await import('../release/autograder');
  if (positionals[0] === 'run') {
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
