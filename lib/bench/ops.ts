// `node dist/lib/bench/ops.js [backend] [--iterations N]`: how many engine ops (runKernelFunc calls:
// registered kernels and customGrad ops) one seminar iteration makes — 5 × trainDisc(128) + 1 ×
// trainGen(128), the reference steps — and who makes them: the loss's ops (forward), the gradients
// (backprop), the SGD update, or the ops nested inside another op (clones of saved tensors, where they
// run a kernel: lib/tfjs/tape.ts shares the buffer instead). At the seminar's sizes each op costs a few
// µs of engine bookkeeping whatever its kernel does, so this count is what bounds the loop. A measuring
// tool, not a test.
import * as tf from '@tensorflow/tfjs-core';
import { createSeminar, disposeSeminar } from '../seminar/models';
import { referenceSteps } from '../reference';
import { SEMINAR } from '../seminar/steps';
import { initBackend } from '../tfjs/backend';
import { UsageError, command, intOption, runScript } from '../cli/options';

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

export const OPS = command({
  name: 'ops',
  invocation: 'node dist/lib/bench/ops.js',
  summary: 'engine ops per seminar iteration, by origin and kernel',
  synopsis: '[backend] [options]',
  about: `Counts the engine ops (registered kernels and customGrad ops) one seminar iteration makes on the
backend given (default: the fastest available) and says who makes them: forward, backprop, SGD update.`,
  options: { iterations: { type: 'string', arg: 'N', description: 'iterations counted (default 20)' } },
  positionals: true,
  run: (values, positionals) => countOps(intOption(values.iterations, 'iterations', 20), positionals),
});

async function countOps(n: number, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('give one backend');
  if (n === 0) throw new UsageError('--iterations must be positive');
  const backend = await initBackend(positionals[0]);
  const s = createSeminar({ seed: 1 });
  const steps = referenceSteps(s);
  const iteration = () => {
    for (let k = 0; k < SEMINAR.discSteps; k++) steps.trainDisc(SEMINAR.batchSize);
    steps.trainGen(SEMINAR.batchSize);
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
  return 0;
}

if (require.main === module) runScript(OPS);
