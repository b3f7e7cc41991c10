// `gan-seminar course [FILE]`: validates the course configuration and prints every key with its
// description and value (lib/course/config.ts), with the checks' resulting points.
import { UsageError, command, courseOption } from './options';

export const { name, summary, usage, options, run } = command({
  name: 'course',
  summary: 'show and validate the course configuration (points, weights, hidden checks, variants, late penalty)',
  synopsis: '[FILE]',
  about: `Validates FILE (default lib/course/course.json) and prints each key with its meaning and value, then
every check with its points and visibility. grade, release, autograder and check read the same file
(--course FILE).`,
  options: {},
  positionals: true,
  run: (_values, positionals) => showCourse(positionals),
});

async function showCourse(positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('give one course file');
  courseOption(positionals[0]);
  const { COURSE_SCHEMA, course, courseFile } = await import('../course/config');
  const { configureChecks } = await import('../grader/checks/checks');
  const c = course() as unknown as Record<string, unknown>;
  const lines = [`course configuration: ${courseFile()} (valid)`, ''];
  for (const [key, spec] of Object.entries(COURSE_SCHEMA.properties)) {
    if (key === '$schema') continue;
    lines.push(`${key}: ${JSON.stringify(c[key])}`, `    ${(spec as { description: string }).description}`);
  }
  lines.push('', 'checks (points; hidden until grades are published):');
  for (const k of configureChecks())
    lines.push(`  ${k.id.padEnd(36)} ${String(k.points).padStart(5)}${k.hidden ? '  hidden' : ''}`);
  console.log(lines.join('\n'));
  return 0;
}
