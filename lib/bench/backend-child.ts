// One backend's side of `npm run bench`, run as a child process so each backend (and PyTorch, in
// lib/bench/pytorch_loop.py, which speaks the same protocol) gets its own heap and its own peak RSS.
//
//   node dist/lib/bench/backend-child.js serve <backend>   reads commands on stdin, one JSON line per answer:
//       warmup N | run N (timed loop) | readout N (the notebook's loop with its live dashboard) | quit
//   node dist/lib/bench/backend-child.js long <backend> <longIterations> <convergeCap> <checkEvery> <targetW1> <seed>
//       time to converge (read-outs off the clock) and RSS growth; prints one JSON line.
//
// The loop is the seminar's: 5 × trainDisc(128) + 1 × trainGen(128) with the reference steps.
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { config } from '../config';
import {
  Dashboard,
  LiveOutput,
  REAL_MEAN,
  REAL_STD,
  Seminar,
  createSeminar,
  generate,
  initBackend,
  referenceSteps,
  wasserstein1ToNormal,
} from '..';
import { SEMINAR } from '../seminar/steps';

// the seminar's loop: its batch, discriminator steps per generator step, and the dashboard's redraw interval
const { batchSize: BATCH, discSteps: DISC_STEPS, every: DASHBOARD_EVERY } = SEMINAR;

type Answer = Record<string, unknown>;

function say(answer: Answer): void {
  process.stdout.write(JSON.stringify(answer) + '\n');
}

function loop(s: Seminar) {
  const steps = referenceSteps(s);
  let discLoss = NaN;
  let genLoss = NaN;
  return {
    iteration(): void {
      for (let k = 0; k < DISC_STEPS; k++) discLoss = steps.trainDisc(BATCH);
      genLoss = steps.trainGen(BATCH);
    },
    losses: () => ({ discLoss, genLoss }),
  };
}

function rssMB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** CPU time of this process (all threads), which other users of a shared machine do not inflate. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // KiB on Linux
}

/** Runs `n` iterations; seconds. */
function timed(n: number, step: () => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) step();
  return (performance.now() - t) / 1000;
}

async function start(backend: string): Promise<string> {
  try {
    return await initBackend(backend);
  } catch (err) {
    say({ backend, error: err instanceof Error ? err.message : String(err) });
    process.exit(2);
  }
}

async function serve(backend: string): Promise<void> {
  const active = await start(backend);
  const s = createSeminar({ seed: 1 });
  const l = loop(s);
  say({ backend: active, ready: true, tfjs: tf.version.tfjs, fused: config.fused() });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, arg] = line.trim().split(/\s+/);
    const n = Number(arg);
    if (cmd === 'quit') break;
    if (cmd === 'warmup' || cmd === 'run') {
      const cpu0 = cpuSeconds();
      const seconds = timed(n, () => l.iteration());
      const cpu = cpuSeconds() - cpu0;
      say({
        cmd,
        iterations: n,
        seconds,
        itPerSec: n / seconds,
        cpuSeconds: cpu,
        itPerCpuSec: n / cpu,
        tensors: tf.memory().numTensors,
      });
    } else if (cmd === 'readout') {
      // The notebook's training cell: the loop plus dashboard.update every 250 iterations. The output
      // sink swallows the bundles; everything before it (read-out, specs, PNG in the worker) is real.
      const dashboard = new Dashboard(s, { iterations: n, output: new LiveOutput({ writer: () => () => undefined }) });
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        l.iteration();
        if (i % DASHBOARD_EVERY === 0 || i === n - 1) dashboard.update(i, l.losses().discLoss, l.losses().genLoss);
      }
      const total = (performance.now() - t) / 1000;
      dashboard.close();
      const st = dashboard.stats();
      // waitShare: the part spent waiting for a picture (only the last update waits: the saved notebook's PNG,
      // once per run); steadyShare: the updates without that wait, over the loop without it (what a longer
      // run's share tends to)
      const waitSeconds = st.waitMs / 1000;
      say({
        cmd,
        iterations: n,
        seconds: total,
        itPerSec: n / total,
        updates: st.updates,
        updateSeconds: st.updateMs / 1000,
        share: st.updateMs / 1000 / total,
        waitShare: waitSeconds / total,
        waitSeconds,
        steadyShare: (st.updateMs / 1000 - waitSeconds) / (total - waitSeconds),
        renderMsPerPng: st.renderMsPerPng,
      });
    } else {
      say({ error: `unknown command: ${line}` });
    }
  }
  process.exit(0);
}

async function long(
  backend: string,
  longIterations: number,
  cap: number,
  every: number,
  target: number,
  seed: number,
): Promise<void> {
  const active = await start(backend);
  const s = createSeminar({ seed });
  const l = loop(s);
  let loopSeconds = 0;
  let best = { w1: Infinity, at: 0, seconds: 0 };
  let convergedAt: number | null = null;
  let convergeSeconds: number | null = null;
  let rssAt10k: number | null = null;
  let tensorsAt10k: number | null = null;
  for (let i = 0; i < longIterations;) {
    loopSeconds += timed(every, () => l.iteration());
    i += every;
    if (convergedAt === null && i <= cap) {
      const w1 = wasserstein1ToNormal(generate(s, 10000), REAL_MEAN, REAL_STD);
      if (w1 < best.w1) best = { w1, at: i, seconds: loopSeconds };
      if (w1 < target) {
        convergedAt = i;
        convergeSeconds = loopSeconds;
      }
    }
    if (i === 10000) {
      rssAt10k = rssMB();
      tensorsAt10k = tf.memory().numTensors;
    }
  }
  const rssEnd = rssMB();
  say({
    backend: active,
    fused: config.fused(),
    convergedAt,
    convergeSeconds,
    bestW1: best.w1,
    bestW1At: best.at,
    bestW1Seconds: best.seconds,
    convergeCap: cap,
    targetW1: target,
    longIterations,
    longItPerSec: longIterations / loopSeconds,
    peakRssMB: peakRssMB(),
    rssAt10kMB: rssAt10k,
    rssEndMB: rssEnd,
    rssGrowthMB: rssAt10k === null ? null : rssEnd - rssAt10k,
    tensorsAt10k,
    tensorsEnd: tf.memory().numTensors,
  });
  process.exit(0);
}

const [mode, backend, ...rest] = process.argv.slice(2);
if (mode === 'serve' && backend) void serve(backend);
else if (mode === 'long' && backend && rest.length === 5) {
  const [n, cap, every, target, seed] = rest.map(Number);
  void long(backend, n, cap, every, target, seed);
} else {
  process.stderr.write(
    'usage: backend-child.js serve <backend> | backend-child.js long <backend> <iterations> <cap> <every> <targetW1> <seed>\n',
  );
  process.exit(64);
}
