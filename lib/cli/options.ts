// Shared bits of the command-line subcommands.
import { parseArgs } from 'node:util';

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

/** `--course FILE` as a `command()` option (the same text as COURSE_HELP). */
export const COURSE_OPTION = {
  type: 'string',
  arg: 'FILE',
  description:
    'the course configuration (default lib/course/course.json): points and weights, hidden checks, variant policy, late penalty — `gan-seminar course` describes each key',
} as const;

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

/** One option of a subcommand: parsed by node:util's parseArgs and listed in its --help, from this one entry. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in --help (`--iterations N`); string options only. */
  arg?: string;
  /** Its line in --help. */
  description: string;
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/** What a subcommand declares; `command()` makes its usage text and its option parsing from it. */
export interface CommandSpec<O extends Record<string, OptionSpec>> {
  name: string;
  /** Its line in `gan-seminar --help`. */
  summary: string;
  /** What follows `gan-seminar NAME` in the usage line. */
  synopsis: string;
  /** The paragraphs between the usage line and the options. */
  about: string;
  options: O;
  /** Whether it takes positional arguments (files, folders). */
  positionals?: boolean;
  run(values: Values<O>, positionals: string[]): Promise<number>;
}

/** A subcommand as lib/cli.ts's table loads it. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** The subcommand: `--help` prints the usage made from the declaration; anything else goes to `spec.run`. */
export function command<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): Command {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
  const flags = Object.entries(options).map(([long, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${long}${o.arg ? ` ${o.arg}` : ''}`,
    o.description,
  ]);
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 3;
  const usage =
    `Usage: gan-seminar ${spec.name} ${spec.synopsis}\n\n${spec.about.trim()}\n\nOptions:\n` +
    flags.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join('\n') +
    '\n';
  const parse = Object.fromEntries(
    Object.entries(options).map(([long, o]) => [long, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
  );
  return {
    summary: spec.summary,
    usage,
    async run(args) {
      const { values, positionals } = parseArgs({ args, options: parse, allowPositionals: spec.positionals ?? false });
      if (values.help) {
        process.stdout.write(usage);
        return 0;
      }
      return spec.run(values as Values<O>, positionals);
    },
  };
}
