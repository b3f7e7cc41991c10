// `gan-seminar train` (what `npm start` runs): the seminar headless on the default backend.
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from './backend';
import { UsageError, intOption } from './cli-util';
import { createSeminar } from './seminar';
import { SEMINAR, train } from './train';

export const summary = "train the seminar's GAN with the reference solutions";

export const usage = `Usage: gan-seminar train [options]

Options:
  --iterations N   training iterations (default ${SEMINAR.iterations}; GAN_ITERATIONS also sets it)
  --seed N         random seed for weights and samples (default 42)
  --backend NAME   tensorflow | wasm | cpu (default: fastest available; GAN_BACKEND also sets it)
  -h, --help       show this help
`;

export async function run(args: string[]): Promise<number> {
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
    process.stdout.write(usage);
    return 0;
  }
  const iterations = intOption(values.iterations ?? process.env.GAN_ITERATIONS, 'iterations', SEMINAR.iterations);
  const seed = intOption(values.seed, 'seed', 42);
  if (values.backend !== undefined && values.backend.trim() === '') throw new UsageError('--backend needs a name');
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
  console.log(
    `done: generated mean ${final.genMean.toFixed(3)} (target 5), std ${final.genStd.toFixed(3)} (target 1.5), ` +
      `W1 to N(5, 1.5²) ${final.w1.toFixed(3)}, ${final.itPerSec.toFixed(1)} it/s`,
  );
  return 0;
}
