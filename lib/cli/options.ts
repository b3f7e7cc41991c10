// Shared bits of the command-line subcommands.

/** Misuse of the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  }
  return n;
}

/** The help line every command that reads the course shows (one spelling: `--course FILE`). */
export const COURSE_HELP = `  --course FILE     the course configuration (default lib/course/course.json): points and weights,
                    hidden checks, variant policy, late penalty — \`gan-seminar course\` describes each key`;

/** `--course FILE`: makes it the course in use (validated: a bad file is a usage error naming the key). */
export function courseOption(value: string | undefined): void {
  const { useCourse } = require('../course/config') as typeof import('../course/config');
  if (value === undefined) {
    useCourse(undefined);
    return;
  }
  try {
    useCourse(value);
    (require('../grader/checks') as typeof import('../grader/checks')).configureChecks(); // its check ids
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
