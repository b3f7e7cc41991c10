// `gan-seminar release --out <dir>`: the student bundle (lib/release/bundle.ts).
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from './backend';
import { UsageError } from './cli-util';

export const summary = 'build the student bundle: notebook, lib without solutions, self-check (leak-guarded)';

export const usage = `Usage: gan-seminar release --out <dir> [options]

Builds a folder to hand to students: the notebook with outputs cleared and the exercises as placeholders,
the lib without lib/solutions.ts, the self-check with the reference's expected numbers, its own
package.json and README. Fails (and writes nothing) if any piece of the reference would be in it.

Options:
  --out DIR        where to write the bundle (required; outside lib/, test/, notebooks/)
  --force          replace DIR if it exists and is not empty
  --no-build       skip compiling the bundle (and scanning the compiled output) — for quick looks only
  -h, --help       show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (!values.out || values.out.trim() === '') throw new UsageError('--out <dir> is required');
  // the grader and the self-check compute on cpu: the expected values must come from the same kernels
  await initBackend('cpu');
  const { buildRelease } = await import('./release/bundle');
  console.log(`release: ${describeBackend()}`);
  const report = buildRelease({
    out: path.resolve(values.out),
    force: values.force ?? false,
    build: !values['no-build'],
    log: (line) => console.log(line),
  });
  console.log(
    `release: wrote ${report.files.length} files to ${report.out}\n` +
      `  exercises: ${report.exercises.join(', ')}; lib: ${report.lib.length} modules, no solutions; ` +
      `leak guard: ${report.guard.fingerprints} reference fingerprints, ${report.guard.files} files clean`,
  );
  return 0;
}
