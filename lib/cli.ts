#!/usr/bin/env node
// `gan-seminar <command>`: a table of subcommands, each in its own module (loaded on demand).
import { Command, UsageError, isUsageError } from './cli/options';

export const COMMANDS: Record<string, () => Command> = {
  train: () => require('./cli/train') as Command,
  grade: () => require('./cli/grade') as Command,
  check: () => require('./cli/check') as Command,
  release: () => require('./cli/release') as Command,
  autograder: () => require('./cli/autograder') as Command,
  course: () => require('./cli/course') as Command,
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, load]) => `  ${name.padEnd(12)} ${load().summary}`);
  return (
    `Usage: gan-seminar <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n` +
    `Run \`gan-seminar <command> --help\` for a command's options.\n`
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name = 'train', ...rest] = argv;
  if (name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const load = COMMANDS[name];
  try {
    if (!load) throw new UsageError(`unknown command "${name}"`);
    return await load().run(rest);
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`gan-seminar: ${err.message}\n\n${load ? load().usage : usage()}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`gan-seminar: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
