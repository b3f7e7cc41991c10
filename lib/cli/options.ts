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
