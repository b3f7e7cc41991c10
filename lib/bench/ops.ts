// `node dist/lib/bench/ops.js [backend] [--iterations N]`: how many engine ops (runKernelFunc calls:
// registered kernels and customGrad ops) one seminar iteration makes — 5 × trainDisc(128) + 1 ×
// trainGen(128), the reference steps — and who makes them: the loss's ops (forward), the gradients
// (backprop), the SGD update, or the ops nested inside another op (clones of saved tensors, where they
// run a kernel: lib/tfjs/tape.ts shares the buffer instead). At the seminar's sizes each op costs a few
// µs of engine bookkeeping whatever its kernel does, so this count is what bounds the loop. A measuring
// tool, not a test.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createSeminar, disposeSeminar } from '../seminar/models';
import { referenceSteps } from '../reference';
import { initBackend } from '../tfjs/backend';

/** The engine's one entry for every op (private in tfjs's types: counted here, not changed). */
type Params = { kernelName?: string };
type RunKernelFunc = (this: unknown, params: Params) => unknown;

/** Where an op was started from, judged by the functions on the stack. */
function origin(stack: string, nested: boolean): string {
  if (/applyGradients/.test(stack)) return 'SGD update';
  // tfjs's backpropagateGradients, or lib/tfjs/tape.ts's backpropagate
  if (/\bbackpropagate(Gradients)? /.test(stack)) return nested ? 'backprop (inside an op)' : 'backprop';
  return nested ? 'forward (inside an op)' : 'forward';
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { iterations: { type: 'string' } } });
  const backend = await initBackend(positionals[0]);
  const n = Number(values.iterations ?? 20);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--iterations must be a positive integer, got "${values.iterations}"`);
  const s = createSeminar({ seed: 1 });
  const steps = referenceSteps(s);
  const iteration = () => {
    for (let k = 0; k < 5; k++) steps.trainDisc(128);
    steps.trainGen(128);
  };
  for (let i = 0; i < 20; i++) iteration(); // warm: the first calls build caches
  const engine = tf.engine() as unknown as { runKernelFunc: RunKernelFunc };
  const counts = new Map<string, number>();
  const original = engine.runKernelFunc;
  let depth = 0;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 80;
  engine.runKernelFunc = function (this: unknown, params: Params) {
    const name = params.kernelName ?? 'customGrad op';
    const key = `${origin(new Error().stack ?? '', depth > 0)}\t${name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    depth++;
    try {
      return original.call(this, params);
    } finally {
      depth--;
    }
  };
  try {
    for (let i = 0; i < n; i++) iteration();
  } finally {
    engine.runKernelFunc = original;
    Error.stackTraceLimit = limit;
  }
  disposeSeminar(s);
  const rows = [...counts]
    .map(([k, c]) => [...k.split('\t'), c / n] as [string, string, number])
    .sort((a, b) => a[0].localeCompare(b[0]) || b[2] - a[2]);
  const total = rows.reduce((t, r) => t + r[2], 0);
  const byOrigin = new Map<string, number>();
  for (const [o, , c] of rows) byOrigin.set(o, (byOrigin.get(o) ?? 0) + c);
  process.stdout.write(`engine ops per iteration on ${backend}: ${total.toFixed(1)}\n`);
  for (const [o, c] of byOrigin) process.stdout.write(`  ${o}: ${c.toFixed(1)}\n`);
  process.stdout.write('\nby origin and kernel:\n');
  for (const [o, k, c] of rows) process.stdout.write(`${c.toFixed(1).padStart(7)}  ${o.padEnd(26)} ${k}\n`);
}

main().catch((err) => {
  process.stderr.write(`ops: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
