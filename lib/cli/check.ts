// `gan-seminar check [notebook]` (the student bundle's `npm run check`): the grader's public checks on
// a saved notebook, isolated like grading, printed as the notebook's self-check table. In a student
// release the reference's numbers come from lib/grader/expected-values.json and hidden checks are left out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, command, COURSE_OPTION, courseOption } from './options';
import { NOTEBOOK_PATH } from '../paths';

export const { name, summary, usage, options, run } = command({
  name: 'check',
  summary: 'check the exercise cells of a saved notebook (the self-check, from the command line)',
  synopsis: '[notebook.ipynb]',
  about: `Runs the checks the notebook's check cells run on the trainDisc / trainGen cells of the saved
notebook (default ${NOTEBOOK_PATH}) and prints what passed, what failed and what to try.
Exit code 0 when every check passes, 1 when some fail, 2 on misuse.`,
  options: { course: COURSE_OPTION },
  positionals: true,
  run: check,
});

async function check(values: { course?: string }, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('give one notebook');
  courseOption(values.course);
  const file = path.resolve(positionals[0] ?? NOTEBOOK_PATH);
  if (!fs.existsSync(file)) throw new UsageError(`no such notebook: ${file}`);
  const { gradeNotebook } = await import('../grader');
  const { formatSelfCheck } = await import('../grader/self-check/self-check');
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
