#!/usr/bin/env node
// `gan-seminar` command line: `train` runs the seminar headless (what `npm start` calls).
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from './backend';
import { createSeminar } from './seminar';
import { SEMINAR, train } from './train';

const USAGE = `Usage: gan-seminar <command> [options]

Commands:
  train      train the seminar's GAN with the reference solutions (default)

Options for train:
  --iterations N   training iterations (default ${SEMINAR.iterations}; GAN_ITERATIONS also sets it)
  --seed N         random seed for weights and samples (default 42)
  --backend NAME   tensorflow | wasm | cpu (default: fastest available; GAN_BACKEND also sets it)
  -h, --help       show this help
`;

export class UsageError extends Error {}

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function trainCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      iterations: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const iterations = intOption(values.iterations ?? process.env.GAN_ITERATIONS, 'iterations', SEMINAR.iterations);
  const seed = intOption(values.seed, 'seed', 42);
  await initBackend(values.backend);
  console.log(describeBackend());
  const s = createSeminar({ seed });
  const final = train(s, {
    iterations,
    onReadout: (r) => {
      if (r.iteration % 2500 !== 0 && r.iteration !== r.iterations) return;
      console.log(
        `${String(r.iteration).padStart(6)}/${r.iterations}  D loss ${r.discLoss.toFixed(3)}  G loss ${r.genLoss.toFixed(3)}  ` +
          `mean ${r.genMean.toFixed(2)}  std ${r.genStd.toFixed(2)}  W1 ${r.w1.toFixed(3)}  ${r.itPerSec.toFixed(0)} it/s`,
      );
    },
  });
  console.log(`done: generated mean ${final.genMean.toFixed(3)} (target 5), std ${final.genStd.toFixed(3)} (target 1.5), ` +
    `W1 to N(5, 1.5²) ${final.w1.toFixed(3)}, ${final.itPerSec.toFixed(1)} it/s`);
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'train', ...rest] = argv;
  try {
    if (command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command === 'train') {
      await trainCommand(rest);
      return 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`gan-seminar: ${err.message}\n\n${USAGE}`);
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
