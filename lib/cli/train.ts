// `gan-seminar train` (what `npm start` runs): the seminar headless on the default backend, with a
// progress bar, final metrics, and the dashboard written as PNG + Vega-Lite JSON to an output folder.
import { config } from '../config';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeBackend, initBackend } from '../tfjs/backend';
import { UsageError, command, intOption } from './options';
import { Dashboard } from '../dashboard/dashboard';
import { renderPng } from '../dashboard/render';
import { createSeminar } from '../seminar/models';
import { Readout, SEMINAR, trainAsync } from '../seminar/loop';
import { referenceSteps } from '../reference';
import { CONVERGED, convergenceMisses, quality } from '../seminar/readout';
import { readSigns, verdictJson, verdictLine } from '../seminar/verdict';

export const DEFAULT_OUT = 'out';

/** The default length: about a minute on the wasm backend (≈ 250–480 it/s, BENCHMARKS.md), enough to
 *  converge (test/seminar/convergence.test.ts: seed 42 meets the criterion at 15000). */
export const DEFAULT_ITERATIONS = 15000;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/** One progress line: bar, iteration, losses, speed, ETA. */
export function progressLine(r: Readout, width = 24): string {
  const frac = r.iterations > 0 ? r.iteration / r.iterations : 1;
  const filled = Math.round(frac * width);
  const eta = (r.iterations - r.iteration) / r.itPerSec;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(r.iteration).padStart(String(r.iterations).length)}/${r.iterations}` +
    `  D loss ${r.discLoss.toFixed(3)}  G loss ${r.genLoss.toFixed(3)}  mean ${r.genMean.toFixed(2)} std ${r.genStd.toFixed(2)}` +
    `  ${r.itPerSec.toFixed(0)} it/s  ETA ${duration(eta)}`
  );
}

/** Redraws one line on a terminal; elsewhere (CI logs, pipes) prints a line every 10 % or 10 s, whichever comes first. */
export class Progress {
  private lastTenth = 0;
  private lastLine = performance.now();
  constructor(
    private readonly out: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
    private readonly everySeconds = 10,
  ) {}
  update(r: Readout): void {
    if (this.out.isTTY) {
      this.out.write(`\r${progressLine(r)}\x1b[K`);
      return;
    }
    const tenth = Math.floor((10 * r.iteration) / Math.max(1, r.iterations));
    const now = performance.now();
    if (tenth > this.lastTenth || now - this.lastLine >= 1000 * this.everySeconds) {
      this.out.write(`${progressLine(r)}\n`);
      this.lastLine = now;
    }
    this.lastTenth = tenth;
  }
  end(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}

interface TrainCliOptions {
  iterations: number;
  seed: number;
  outDir: string;
  backend?: string;
}

/** The command line's values, checked. */
function checkOptions(values: {
  iterations?: string;
  seminar?: boolean;
  seed?: string;
  out?: string;
  backend?: string;
}): TrainCliOptions {
  if (values.backend !== undefined && values.backend.trim() === '') throw new UsageError('--backend needs a name');
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out needs a folder');
  if (values.seminar && values.iterations !== undefined)
    throw new UsageError('--seminar and --iterations both set the length: give one');
  const fallback = values.seminar ? SEMINAR.iterations : (config.iterations() ?? DEFAULT_ITERATIONS);
  return {
    iterations:
      values.iterations !== undefined ? intOption(values.iterations, 'iterations', DEFAULT_ITERATIONS) : fallback,
    seed: intOption(values.seed, 'seed', 42),
    outDir: path.resolve(values.out ?? DEFAULT_OUT),
    backend: values.backend,
  };
}

/** dashboard.png, dashboard.vl.json and metrics.json in the output folder; returns their paths and the render time. */
async function writeOutputs(outDir: string, dashboard: Dashboard, metrics: Record<string, unknown>) {
  const spec = dashboard.spec();
  const t = performance.now();
  const png = await renderPng(spec);
  const renderSeconds = (performance.now() - t) / 1000;
  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    png: path.join(outDir, 'dashboard.png'),
    spec: path.join(outDir, 'dashboard.vl.json'),
    metrics: path.join(outDir, 'metrics.json'),
  };
  fs.writeFileSync(files.png, png);
  fs.writeFileSync(files.spec, `${JSON.stringify(spec, null, 1)}\n`);
  fs.writeFileSync(files.metrics, `${JSON.stringify(metrics, null, 1)}\n`);
  return { files, renderSeconds };
}

async function train(options: TrainCliOptions): Promise<number> {
  const { iterations, seed, outDir } = options;
  const backend = await initBackend(options.backend);
  console.log(describeBackend());
  console.log(`training ${iterations} iterations (seed ${seed}); the dashboard goes to ${outDir}`);

  const s = createSeminar({ seed });
  const dashboard = new Dashboard(s, { iterations, output: null });
  const progress = new Progress();
  // Ctrl-C: stop at the next read-out (≤ 250 iterations) and write what was done; a second one quits at once
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stdout.write(
      '\nCtrl-C: stopping at the next read-out and writing the results (Ctrl-C again quits at once)\n',
    );
  };
  process.on('SIGINT', onSigint);
  let result;
  try {
    result = await trainAsync(s, {
      iterations,
      steps: referenceSteps(s),
      shouldStop: () => stop,
      onReadout: (r) => {
        progress.update(r);
        if (r.iteration < r.iterations) dashboard.record(r, readSigns(s, r));
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.end();
  const { last, stopped } = result;
  if (stopped) {
    // the read-out it stopped at was recorded; read() records it again
    dashboard.history.pop();
    dashboard.signs.pop();
  }
  dashboard.read(last.iteration, last.discLoss, last.genLoss);

  // the verdict on 10 000 samples (the progress read-outs use 1000)
  const q = quality(s, 10000);
  const misses = convergenceMisses(q);
  const { itPerSec, seconds, discLoss, genLoss } = last;
  const { genMean, genStd, w1, dReal, dFake } = q;
  // the seminar's reading of the run (lib/seminar/verdict.ts), from the dashboard's read-outs
  const v = dashboard.verdict()!;
  const metrics = {
    iterations: last.iteration,
    requestedIterations: iterations,
    stopped,
    seed,
    backend,
    itPerSec,
    seconds,
    genMean,
    genStd,
    w1,
    dReal,
    dFake,
    discLoss,
    genLoss,
    converged: misses.length === 0,
    misses,
    criterion: CONVERGED,
    verdict: verdictJson(v),
  };
  const { files, renderSeconds } = await writeOutputs(outDir, dashboard, metrics);
  console.log(
    `${stopped ? `stopped at iteration ${last.iteration} of ${iterations}` : 'done'}: generated mean ${genMean.toFixed(3)} (target 5), std ${genStd.toFixed(3)} (target 1.5), ` +
      `W1 to N(5, 1.5²) ${w1.toFixed(3)}, D(x) ${dReal.toFixed(2)}, D(G(z)) ${dFake.toFixed(2)}\n` +
      `      backend ${backend}, ${itPerSec.toFixed(1)} it/s, ${duration(seconds)} of training`,
  );
  console.log(
    misses.length === 0
      ? `converged: mean and std within ${CONVERGED.meanTolerance} of 5 and 1.5, W1 below ${CONVERGED.maxW1}, D undecided (≈ 0.5)`
      : `not converged (${misses.join('; ')})${last.iteration < DEFAULT_ITERATIONS ? ` — ${last.iteration} iterations is short: the reference needs about 10000` : ''}`,
  );
  console.log(`wrote ${files.png} (${renderSeconds.toFixed(1)} s to render), ${files.spec}, ${files.metrics}`);
  // last, where the eye lands: what the run's read-outs say, in the notebook's two languages
  console.log(`${verdictLine(v, 'ru')}\n${verdictLine(v, 'en')}`);
  return stopped ? 130 : 0; // the shell's code for "stopped by Ctrl-C", after writing what was done
}

export const { name, summary, usage, options, run } = command({
  name: 'train',
  summary: "train the seminar's GAN with the reference solutions",
  synopsis: '[options]',
  about: `Trains the seminar's GAN with the reference solutions, shows progress, prints the final metrics, whether
it converged, and writes the dashboard (dashboard.png, dashboard.vl.json) and metrics.json to the output
folder. Ctrl-C stops early and still writes them, for the iterations done.

Converged means (on 10000 samples): generated mean within ${CONVERGED.meanTolerance} of 5 and std within ${CONVERGED.stdTolerance} of 1.5,
W1 to N(5, 1.5²) below ${CONVERGED.maxW1}, and mean D(x), D(G(z)) within ${CONVERGED.dTolerance} of 0.5.`,
  options: {
    iterations: {
      type: 'string',
      arg: 'N',
      description: `training iterations (default ${DEFAULT_ITERATIONS}, about a minute; GAN_ITERATIONS also sets it)`,
    },
    seminar: {
      type: 'boolean',
      description: `the seminar's full length, ${SEMINAR.iterations} iterations (about 10–15 minutes)`,
    },
    seed: { type: 'string', arg: 'N', description: 'random seed for weights and samples (default 42)' },
    out: { type: 'string', arg: 'DIR', description: `output folder (default ./${DEFAULT_OUT}; created if missing)` },
    backend: {
      type: 'string',
      arg: 'NAME',
      description: 'tensorflow | wasm | cpu (default: fastest available; GAN_BACKEND also sets it)',
    },
  },
  run: (values) => train(checkOptions(values)),
});
