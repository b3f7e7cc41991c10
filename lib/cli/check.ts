// `gan-seminar check [notebook]` (the student bundle's `npm run check`): the grader's public checks on
// a saved notebook, isolated like grading, printed as the notebook's self-check table. In a student
// release the reference's numbers come from lib/grader/expected-values.json and hidden checks are left out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { COURSE_HELP, UsageError, courseOption } from './options';

export const summary = 'check the exercise cells of a saved notebook (the self-check, from the command line)';

export const usage = `Usage: gan-seminar check [notebook.ipynb]

Runs the checks the notebook's check cells run on the trainDisc / trainGen cells of the saved
notebook (default notebooks/gan_1d.ipynb) and prints what passed, what failed and what to try.
Exit code 0 when every check passes, 1 when some fail, 2 on misuse.

Options:
${COURSE_HELP}
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { course: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give one notebook');
  courseOption(values.course);
  const file = path.resolve(positionals[0] ?? path.join('notebooks', 'gan_1d.ipynb'));
  if (!fs.existsSync(file)) throw new UsageError(`no such notebook: ${file}`);
  const { gradeNotebook } = await import('../grader');
  const { formatSelfCheck } = await import('../grader/self-check');
  const { EXERCISES } = await import('../exercises');
  const result = await gradeNotebook(file);
  const shown = result.checks.filter((c) => !c.hidden);
  if (result.message) console.log(result.message);
  for (const { id: ex } of EXERCISES) {
    const own = shown.filter((c) => c.id.startsWith(`${ex}.`));
    const hidden = result.checks.filter((c) => c.hidden && c.id.startsWith(`${ex}.`)).length;
    if (own.length > 0) console.log(formatSelfCheck(ex, own, hidden) + '\n');
  }
  return shown.every((c) => c.passed) ? 0 : 1;
}
