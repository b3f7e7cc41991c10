// `gan-seminar course [FILE]`: validates the course configuration and prints every key with its
// description and value (lib/course/config.ts), with the checks' resulting points.
import { parseArgs } from 'node:util';
import { UsageError, courseOption } from './options';

export const summary =
  'show and validate the course configuration (points, weights, hidden checks, variants, late penalty)';

export const usage = `Usage: gan-seminar course [FILE]

Validates FILE (default lib/course/course.json) and prints each key with its meaning and value, then
every check with its points and visibility. grade, release, autograder and check read the same file
(--course FILE).
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give one course file');
  courseOption(positionals[0]);
  const { COURSE_SCHEMA, course, courseFile } = await import('../course/config');
  const { configureChecks } = await import('../grader/checks');
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
