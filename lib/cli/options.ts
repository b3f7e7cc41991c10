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

/** `--hidden a,b`: check ids, each one known (the message lists the known ones); undefined when not given. */
export function hiddenOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const { parseCheckIds } = require('../grader/checks') as typeof import('../grader/checks');
  try {
    return parseCheckIds(value);
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

type Values<O extends Record<string, OptionSpec>> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

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
  const flags = Object.entries(options).map(([long, o]) => [`${o.short ? `-${o.short}, ` : ''}--${long}${o.arg ? ` ${o.arg}` : ''}`, o.description]);
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 3;
  const usage =
    `Usage: gan-seminar ${spec.name} ${spec.synopsis}\n\n${spec.about.trim()}\n\nOptions:\n` +
    flags.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join('\n') + '\n';
  const parse = Object.fromEntries(Object.entries(options).map(([long, o]) => [long, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
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
