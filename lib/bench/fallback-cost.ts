// `npx tsc -p . && node dist/lib/bench/fallback-cost.js`: what lib/tfjs/kernel-fallback.ts costs.
// A benchmark, not a test: it asserts nothing and CI does not run it. Measures, on wasm:
//  - registering the fallbacks (once per process);
//  - the reference loop's step with and without them registered (rounds alternate; medians): the
//    patched kernels' checks are the only code of theirs the reference loop can meet;
//  - a trainDisc written with tf.gather (its gradient's UnsortedSegmentSum runs on cpu) against the
//    reference's slice;
//  - one fallback UnsortedSegmentSum at the seminar's shape against the same kernel on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createSeminar, disposeSeminar, quietCpuBanner, referenceSteps, Seminar } from '..';
import { setSmallKernels } from '../tfjs/small-kernels';
import { registerWasmFallbacks, unregisterWasmFallbacks } from '../tfjs/kernel-fallback';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * µs of this process's CPU time (user + system) per call of `f`, one number per round of `n` calls:
 * on a shared machine CPU time is much steadier than wall time.
 */
function time(f: () => void, n: number, rounds = 7): number[] {
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const d = process.cpuUsage(t0);
    out.push((d.user + d.system) / n);
  }
  return out;
}

function gatherTrainDisc({ gen, disc, discOpt, sampleNoise, sampleRealData, IS_FAKE, IS_REAL }: Seminar) {
  return (batchSize: number): number =>
    tf.tidy(() => {
      const loss = discOpt.minimize(
        () => {
          const real = tf.gather(tf.logSoftmax(disc(sampleRealData(batchSize))), IS_REAL, 1);
          const fake = tf.gather(tf.logSoftmax(disc(gen(sampleNoise(batchSize)))), IS_FAKE, 1);
          return tf.mean(tf.neg(tf.add(real, fake))) as tf.Scalar;
        },
        true,
        disc.parameters(),
      );
      return loss!.dataSync()[0];
    });
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  setSmallKernels(true); // as initBackend does, but without the fallbacks yet
  const s = createSeminar({ seed: 1 });
  const ref = referenceSteps(s);
  const step = () => {
    ref.trainDisc(128);
    ref.trainGen(128);
  };
  for (let i = 0; i < 1500; i++) step(); // warm-up (V8 and XNNPACK settle over ~1000 steps)

  // rounds alternate without / with the fallbacks, so that other load on the machine hits both alike
  const without: number[] = [];
  const withFallbacks: number[] = [];
  let registerMs = 0;
  for (let r = 0; r < 11; r++) {
    without.push(...time(step, 200, 1));
    const t0 = process.hrtime.bigint();
    registerWasmFallbacks();
    registerMs = Number(process.hrtime.bigint() - t0) / 1e6; // wall time
    withFallbacks.push(...time(step, 200, 1));
    unregisterWasmFallbacks();
  }
  registerWasmFallbacks();

  const gatherDisc = gatherTrainDisc(s);
  for (let i = 0; i < 100; i++) gatherDisc(128);
  const slice: number[] = [];
  const gather: number[] = [];
  for (let r = 0; r < 11; r++) {
    slice.push(...time(() => ref.trainDisc(128), 200, 1));
    gather.push(...time(() => gatherDisc(128), 200, 1));
  }
  const [sliceUs, gatherUs] = [median(slice), median(gather)];
  disposeSeminar(s);

  // the gradient's call: dy [1, 128] rows summed into 2 segments (gather(logp, 1, 1)'s backward)
  const segment = () =>
    tf.tidy(() => tf.unsortedSegmentSum(tf.ones([1, 128]), tf.tensor1d([1], 'int32'), 2).dataSync());
  for (let i = 0; i < 200; i++) segment();
  const onWasm = median(time(segment, 500, 11));
  await tf.setBackend('cpu');
  quietCpuBanner();
  for (let i = 0; i < 200; i++) segment();
  const onCpu = median(time(segment, 500, 11));

  const rows: [string, string][] = [
    ['registerWasmFallbacks (once per process; the last of 11)', `${registerMs.toFixed(2)} ms`],
    [
      'reference step (trainDisc + trainGen), before registering',
      `${median(without).toFixed(0)} µs CPU (rounds ${without.map((x) => x.toFixed(0)).join(', ')})`,
    ],
    [
      'reference step, after registering',
      `${median(withFallbacks).toFixed(0)} µs CPU (rounds ${withFallbacks.map((x) => x.toFixed(0)).join(', ')})`,
    ],
    ["trainDisc with slice (the reference's)", `${sliceUs.toFixed(0)} µs CPU`],
    ['trainDisc with tf.gather (gradient through the fallback)', `${gatherUs.toFixed(0)} µs CPU`],
    ['UnsortedSegmentSum [1,128] → [2,128] + read: wasm fallback', `${onWasm.toFixed(1)} µs CPU`],
    ['  the same on the cpu backend', `${onCpu.toFixed(1)} µs CPU`],
  ];
  const w = Math.max(...rows.map(([a]) => a.length));
  for (const [a, b] of rows) console.log(`${a.padEnd(w)}  ${b}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
