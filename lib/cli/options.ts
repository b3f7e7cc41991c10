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

/** `--course FILE`, the one spelling every command that reads the course declares. */
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
    (require('../grader/checks/checks') as typeof import('../grader/checks/checks')).configureChecks(); // its check ids
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

/** The parsed values of the options O declares. */
export type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/** What a subcommand declares; `command()` makes its usage text and its option parsing from it. */
export interface CommandSpec<O extends Record<string, OptionSpec>> {
  name: string;
  /** How a user calls it (default `gan-seminar NAME`; the bench is `npm run bench --`). */
  invocation?: string;
  /** Its line in `gan-seminar --help`. */
  summary: string;
  /** What follows the invocation in the usage line; one line per form (`autograder` and `autograder run`). */
  synopsis: string | string[];
  /** The paragraphs between the usage line and the options. */
  about: string;
  options: O;
  /** Whether it takes positional arguments (files, folders). */
  positionals?: boolean;
  run(values: Values<O>, positionals: string[]): Promise<number>;
}

/** A subcommand as lib/cli.ts's table loads it. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The options it declared (without help), for the command-shape test. */
  options: Readonly<Record<string, OptionSpec>>;
  run(args: string[]): Promise<number>;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Help lines wrap here; a long description continues under its own start. */
const HELP_WIDTH = 110;

function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** The subcommand: `--help` prints the usage made from the declaration; anything else goes to `spec.run`. */
export function command<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): Command {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
  const flags = Object.entries(options).map(([long, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${long}${o.arg ? ` ${o.arg}` : ''}`,
    o.description,
  ]);
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 3;
  const invocation = spec.invocation ?? `gan-seminar ${spec.name}`;
  const forms = (typeof spec.synopsis === 'string' ? [spec.synopsis] : spec.synopsis).map((s) =>
    `${invocation} ${s}`.trimEnd(),
  );
  const usage =
    `Usage: ${forms.join(`\n${' '.repeat('Usage: '.length)}`)}\n\n${spec.about.trim()}\n\nOptions:\n` +
    flags.map(([flag, text]) => `  ${flag.padEnd(width)}${wrap(text, width + 2)}`).join('\n') +
    '\n';
  const parse = Object.fromEntries(
    Object.entries(options).map(([long, o]) => [long, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
  );
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    options: spec.options,
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

/** Whether an error is the user's (a UsageError or parseArgs refusing an option): shown with the usage, exit 2. */
export function isUsageError(err: unknown): err is Error {
  const parseError = err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
  return err instanceof UsageError || parseError;
}

/**
 * A command as a script's entry point (`npm run bench`, `node dist/lib/bench/mistake-runs.js`): exits with its
 * code; a usage error prints the message and the usage (exit 2), any other error its message (exit 1).
 */
export function runScript(cmd: Command, args = process.argv.slice(2)): void {
  cmd.run(args).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const usage = isUsageError(err);
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${cmd.name}: ${message}\n${usage ? `\n${cmd.usage}` : ''}`);
      process.exit(usage ? 2 : 1);
    },
  );
}
