// lib/tfjs/kernel-fallback.ts: every kernel cpu has and wasm lacks is handled or listed (a tfjs
// upgrade's new gaps fail here); fallback kernels give cpu's numbers, leak nothing and stay off the
// reference loop; a trainDisc written with tf.gather trains on wasm like the reference.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  Seminar,
  createSeminar,
  disposeSeminar,
  getWeights,
  initBackend,
  quietCpuBanner,
  referenceSteps,
} from '../../lib';
import {
  FALLBACK_KERNELS,
  UNSUPPORTED_KERNELS,
  WRONG_ON_WASM,
  fallbackCpuDataIds,
  fallbackCpuRuns,
  fallbackRuns,
  registerWasmFallbacks,
  registeredFallbacks,
  wasmGaps,
  wasmOwnKernel,
} from '../../lib/tfjs/kernel-fallback';
import { setLogSoftmaxKernel } from '../../lib/tfjs/log-softmax';
import { maxWeightDiff } from '../helpers';
import { fixtureFile } from '../support/fixtures';
import { tempDir } from '../support/tmp';

interface Out {
  shape: number[];
  dtype: string;
  values: (number | string)[];
}

/** `f` on `backend` (inputs made inside `f`, so they live there); its outputs as plain values. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Out[]> {
  await tf.setBackend(backend);
  quietCpuBanner();
  const outs = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const res = outs.map((t) => ({
    shape: t.shape,
    dtype: t.dtype,
    values: Array.from(t.dataSync() as ArrayLike<number | string>),
  }));
  tf.dispose(outs);
  await tf.setBackend('wasm');
  return res;
}

/** A deterministic pseudo-random array (no tfjs RNG: the same on both backends by construction). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 4);
}

/** wasm's numbers are cpu's, bit for bit: the fallback runs cpu's kernel on the same float32 data. */
async function expectIdentical(what: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const [cpu, wasm] = [await on('cpu', f), await on('wasm', f)];
  expect(wasm, what).to.deep.equal(cpu);
}

/** wasm's own kernels (and wasm kernels around a fallback): cpu's numbers within float32 rounding. */
async function expectClose(what: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const [cpu, wasm] = [await on('cpu', f), await on('wasm', f)];
  expect(wasm.length, what).to.equal(cpu.length);
  cpu.forEach((c, i) => {
    const w = wasm[i];
    expect([w.shape, w.dtype], `${what} output ${i}`).to.deep.equal([c.shape, c.dtype]);
    const worst = Math.max(
      0,
      ...c.values.map((v, j) => Math.abs((v as number) - (w.values[j] as number)) / Math.max(1, Math.abs(v as number))),
    );
    expect(worst, `${what} output ${i}: worst relative difference`).to.be.below(tol);
  });
}

/** Tensors, wasm data and the fallback's cpu data left behind by `body`. */
function leftBehind(body: () => void): { tensors: number; wasmData: number; cpuData: number } {
  const tensors = tf.memory().numTensors;
  const wasmData = tf.backend().numDataIds();
  body();
  return {
    tensors: tf.memory().numTensors - tensors,
    wasmData: tf.backend().numDataIds() - wasmData,
    cpuData: fallbackCpuDataIds(),
  };
}

/** The seminar's trainDisc as a student may write it: tf.gather takes the column instead of slice. */
function gatherTrainDisc({ tf: t, gen, disc, discOpt, sampleNoise, sampleRealData, IS_FAKE, IS_REAL }: Seminar) {
  return (batchSize: number): number =>
    t.tidy(() => {
      const loss = discOpt.minimize(
        () => {
          const logpRealIsReal = t.gather(t.logSoftmax(disc(sampleRealData(batchSize))), IS_REAL, 1);
          const logpGenIsFake = t.gather(t.logSoftmax(disc(gen(sampleNoise(batchSize)))), IS_FAKE, 1);
          return t.mean(t.neg(t.add(logpRealIsReal, logpGenIsFake))) as tf.Scalar;
        },
        true,
        disc.parameters(),
      );
      return loss!.dataSync()[0];
    });
}

describe('wasm kernel fallback (lib/tfjs/kernel-fallback.ts)', () => {
  before(async () => {
    // wasm ships with the project: unavailable is a failure, not a skip
    expect(await initBackend('wasm')).to.equal('wasm');
  });
  after(async () => {
    await initBackend(); // later suites run on the default backend
  });

  it("handles every kernel the cpu backend registers and wasm's does not, or lists it as unsupported", () => {
    const gaps = wasmGaps();
    const listed = new Set([...FALLBACK_KERNELS, ...Object.keys(UNSUPPORTED_KERNELS)]);
    const unhandled = gaps.filter((name) => !listed.has(name));
    expect(
      unhandled,
      'wasm lacks these cpu kernels and lib/tfjs/kernel-fallback.ts does not cover them: add each to FALLBACK_KERNELS ' +
        "once cpu's kernel is checked to be a pure function of its inputs and attrs, else to UNSUPPORTED_KERNELS with a reason",
    ).to.deep.equal([]);
    // and the lists say what is true of this tfjs: no entry wasm has meanwhile, or cpu never had
    expect(
      [...listed].filter((name) => !gaps.includes(name)),
      'listed but no longer a gap',
    ).to.deep.equal([]);
    const forGaps = [...registeredFallbacks()].filter(([, kind]) => kind !== 'patched').map(([name]) => name);
    expect(forGaps.sort(), 'initBackend registered every gap').to.deep.equal(gaps);
    for (const name of gaps) expect(tf.getKernel(name, 'wasm'), name).to.not.equal(undefined);
    expect(registerWasmFallbacks(), 'registering again adds nothing').to.deep.equal([]);
  });

  it("stays off the reference loop: none of its kernels is a fallback (the gather variant's is)", async () => {
    const s = createSeminar({ seed: 3 });
    const steps = referenceSteps(s);
    const allRuns = () => [...registeredFallbacks().keys()].reduce((n, name) => n + fallbackRuns(name), 0);
    const before = allRuns();
    // copies: tf.profile hands back the engine's one profile object, reused by the next call
    const ref = [
      ...(
        await tf.profile(() => {
          steps.trainDisc(128);
          steps.trainGen(128);
        })
      ).kernelNames,
    ];
    // tfjs's own tf.logSoftmax casts its logits: a patched kernel (lib/tfjs/log-softmax.ts's kernel has none)
    setLogSoftmaxKernel(false);
    const plainLogSoftmax = [...(await tf.profile(() => steps.trainDisc(128))).kernelNames];
    setLogSoftmaxKernel(true);
    const afterRef = allRuns();
    const gathered = [
      ...(
        await tf.profile(() => {
          gatherTrainDisc(s)(128);
        })
      ).kernelNames,
    ];
    const segmentSums = fallbackRuns('UnsortedSegmentSum');
    gatherTrainDisc(s)(128);
    disposeSeminar(s);
    const fallback = (names: string[]) =>
      names.filter((name) => ['cpu', 'unsupported'].includes(registeredFallbacks().get(name) ?? ''));
    expect(ref.length, 'the profile saw kernels').to.be.above(10);
    expect(fallback(ref)).to.deep.equal([]);
    expect(fallback(gathered)).to.deep.equal(['UnsortedSegmentSum']);
    expect(fallback(plainLogSoftmax)).to.deep.equal([]);
    // patched wasm kernels (Cast, in tfjs's log-softmax): their cpu path never ran for the reference
    expect(
      plainLogSoftmax.filter((name) => registeredFallbacks().get(name) === 'patched'),
      'the loop meets a patched kernel',
    ).to.include('Cast');
    expect(afterRef - before, 'cpu runs during the reference steps').to.equal(0);
    expect(fallbackRuns('UnsortedSegmentSum') - segmentSums, "one per gather's gradient").to.equal(2);
  });

  it("UnsortedSegmentSum: cpu's numbers, every rank and segment pattern", async () => {
    await expectIdentical('1-d', () =>
      tf.unsortedSegmentSum(tf.tensor1d(values(7, 1)), tf.tensor1d([0, 2, 2, 1, 0, 4, 2], 'int32'), 5),
    );
    await expectIdentical('2-d rows', () =>
      tf.unsortedSegmentSum(tf.tensor2d(values(12, 2), [4, 3]), tf.tensor1d([1, 0, 1, 1], 'int32'), 3),
    );
    await expectIdentical('3-d', () =>
      tf.unsortedSegmentSum(tf.tensor3d(values(24, 3), [3, 2, 4]), tf.tensor1d([2, 0, 2], 'int32'), 3),
    );
    await expectIdentical('ids out of range are dropped', () =>
      tf.unsortedSegmentSum(tf.tensor2d(values(8, 4), [4, 2]), tf.tensor1d([0, -1, 3, 1], 'int32'), 2),
    );
    // float32 values with 1-d ids (tf.gather's gradient) are summed on the wasm heap; others by cpu's kernel
    const cpuRuns = fallbackCpuRuns('UnsortedSegmentSum');
    await on('wasm', () =>
      tf.unsortedSegmentSum(
        tf.tensor2d(values(256, 5), [128, 2]),
        tf.tensor1d(
          Array.from({ length: 128 }, (_, i) => i % 3),
          'int32',
        ),
        3,
      ),
    );
    expect(fallbackCpuRuns('UnsortedSegmentSum') - cpuRuns, 'float32, 1-d ids: on the heap').to.equal(0);
    await expectIdentical('int32 values', () =>
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 1, 0, 1], 'int32'), 2),
    );
    expect(fallbackCpuRuns('UnsortedSegmentSum') - cpuRuns, "int32: cpu's kernel").to.equal(1);
    // non-finite values stay in their segment (TensorFlow's answer; cpu's mask × value spreads NaN)
    const [nonFinite] = await on('wasm', () =>
      tf.unsortedSegmentSum(tf.tensor1d([1, Infinity, 2, NaN, 3]), tf.tensor1d([0, 1, 0, 2, 0], 'int32'), 4),
    );
    expect(nonFinite.values).to.deep.equal([6, Infinity, NaN, 0]);
  });

  it("tf.gather's gradient (UnsortedSegmentSum) on wasm: cpu's, for a column, rows and repeated indices", async () => {
    const logits = () => tf.tensor2d(values(256, 4), [128, 2]);
    await expectClose('d mean(gather(logSoftmax(x), 1, 1))', () =>
      tf.grad((x: tf.Tensor) => tf.mean(tf.gather(tf.logSoftmax(x), 1, 1)))(logits()),
    );
    await expectClose('d sum(gather(x, [3, 0, 3], 0) * w)', () =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(x, tf.tensor1d([3, 0, 3], 'int32'), 0), tf.tensor2d(values(6, 5), [3, 2]))),
      )(tf.tensor2d(values(10, 6), [5, 2])),
    );
    // the fallback kernel itself, on the gradient's own inputs: bit for bit
    await expectIdentical('UnsortedSegmentSum as the gradient calls it', () =>
      tf.unsortedSegmentSum(tf.tensor2d(values(6, 5), [3, 2]), tf.tensor1d([3, 0, 3], 'int32'), 5),
    );
  });

  it("conv1d / depthwiseConv2d gradients (Conv2DBackpropFilter, DepthwiseConv2dNativeBackprop*): cpu's", async () => {
    await expectIdentical('d conv1d / d filter', () =>
      tf.grad((f: tf.Tensor) => tf.sum(tf.conv1d(tf.tensor3d(values(16, 7), [2, 8, 1]), f as tf.Tensor3D, 1, 'same')))(
        tf.tensor3d(values(6, 8), [3, 1, 2]),
      ),
    );
    const x = () => tf.tensor4d(values(50, 9), [1, 5, 5, 2]);
    const w = () => tf.tensor4d(values(18, 10), [3, 3, 2, 1]);
    await expectIdentical('d depthwiseConv2d / d (x, filter)', () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
      )([x(), w()]),
    );
  });

  it("Einsum, ragged ops and string regex replace: cpu's", async () => {
    await expectIdentical('einsum ij,jk->ik', () =>
      tf.einsum('ij,jk->ik', tf.tensor2d(values(6, 11), [2, 3]), tf.tensor2d(values(6, 12), [3, 2])),
    );
    await expectIdentical('einsum bi,bi->b', () =>
      tf.einsum('bi,bi->b', tf.tensor2d(values(8, 13), [4, 2]), tf.tensor2d(values(8, 14), [4, 2])),
    );
    await expectIdentical('raggedRange', () => {
      const r = tf.raggedRange(tf.tensor1d([0, 5, 2]), tf.tensor1d([3, 8, 2]), tf.tensor1d([1, 1.5, 1]));
      return [r.rtNestedSplits, r.rtDenseValues];
    });
    await expectIdentical('raggedTensorToTensor', () =>
      tf.raggedTensorToTensor(
        tf.tensor1d([2, 3], 'int32'),
        tf.tensor1d([1, 2, 3, 4, 5]),
        tf.scalar(-1),
        [tf.tensor1d([0, 3, 5], 'int32')],
        ['ROW_SPLITS'],
      ),
    );
    await expectIdentical('raggedGather', () => {
      const r = tf.raggedGather(
        [tf.tensor1d([0, 2, 3, 6], 'int32')],
        tf.tensor1d([1, 2, 3, 4, 5, 6]),
        tf.tensor1d([2, 0, 2], 'int32'),
        1,
      );
      return [...r.outputNestedSplits, r.outputDenseValues];
    });
    const [wasm] = await on('wasm', () => tf.string.staticRegexReplace(tf.tensor1d(['a.b.c', 'Пётр.x']), '\\.', '/'));
    expect(wasm).to.deep.equal({ shape: [2], dtype: 'string', values: ['a/b/c', 'Пётр/x'] });
    await expectIdentical('staticRegexReplace', () =>
      tf.string.staticRegexReplace(tf.tensor1d(['a.b.c', 'Пётр.x']), '\\.', '/', false),
    );
  });

  it('Draw: the pixels cpu would draw, on a canvas-like object (tf.browser.draw)', async () => {
    const g = globalThis as { ImageData?: unknown };
    const hadImageData = 'ImageData' in g;
    if (!hadImageData)
      g.ImageData = class {
        constructor(
          readonly data: Uint8ClampedArray,
          readonly width: number,
          readonly height: number,
        ) {}
      };
    try {
      const drawn: Record<string, number[]> = {};
      for (const backend of ['cpu', 'wasm'] as const) {
        const canvas = {
          width: 0,
          height: 0,
          getContext: () => ({
            putImageData: (d: { data: Uint8ClampedArray }) => (drawn[backend] = Array.from(d.data)),
          }),
        };
        await on(backend, () => {
          const image = tf.tensor3d([0, 0.5, 1, 0.25, 0.75, 1], [1, 2, 3]);
          tf.browser.draw(image, canvas as unknown as HTMLCanvasElement);
          return image;
        });
      }
      expect(drawn.wasm).to.have.length(8).and.deep.equal(drawn.cpu);
    } finally {
      if (!hadImageData) delete g.ImageData;
    }
  });

  it("the inputs wasm's own kernels get wrong (WRONG_ON_WASM) get cpu's numbers; all others stay on wasm's kernel", async () => {
    type Call = [inputs: () => Record<string, tf.Tensor>, attrs: Record<string, unknown>];
    const x33 = () => tf.tensor2d(values(9, 20), [3, 3]);
    const i22 = () => ({
      a: tf.tensor2d([1, -2, 3, 4], [2, 2], 'int32'),
      b: tf.tensor2d([5, 6, 7, -8], [2, 2], 'int32'),
    });
    const noTranspose = { transposeA: false, transposeB: false };
    // kernel: [a call wasm's own kernel gets wrong, a call it gets right]
    const cases: Record<string, [Call, Call]> = {
      GatherV2: [
        [() => ({ x: x33(), indices: tf.tensor2d([0, 1, 2, 2, 1, 0], [3, 2], 'int32') }), { axis: 1, batchDims: 1 }],
        [() => ({ x: x33(), indices: tf.tensor1d([2, 0], 'int32') }), { axis: 1, batchDims: 0 }],
      ],
      OneHot: [
        [() => ({ indices: tf.tensor1d([0, 2, 1], 'int32') }), { depth: 3, onValue: 1, offValue: 0, dtype: 'float32' }],
        [() => ({ indices: tf.tensor1d([0, 2, -1], 'int32') }), { depth: 3, onValue: 1, offValue: 0, dtype: 'int32' }],
      ],
      ClipByValue: [
        [() => ({ x: tf.tensor1d([-5, 1, 5], 'int32') }), { clipValueMin: -1, clipValueMax: 2 }],
        [() => ({ x: tf.tensor1d(values(5, 21)) }), { clipValueMin: -1, clipValueMax: 1 }],
      ],
      Cast: [
        [() => ({ x: tf.tensor1d([0.5, -0.2, 0, 256]) }), { dtype: 'bool' }],
        [() => ({ x: tf.tensor1d([1.7, -1.7, 0]) }), { dtype: 'int32' }],
      ],
      BatchMatMul: [
        [i22, noTranspose],
        [() => ({ a: tf.tensor3d(values(6, 22), [1, 2, 3]), b: tf.tensor3d(values(6, 23), [1, 3, 2]) }), noTranspose],
      ],
    };
    expect(Object.keys(cases).sort()).to.deep.equal(Object.keys(WRONG_ON_WASM).sort());
    const run =
      ([inputs, attrs]: Call) =>
      () =>
        tf.engine().runKernel(name, inputs(), attrs as tf.NamedAttrMap) as tf.Tensor;
    let name = '';
    for ([name] of Object.entries(cases)) {
      const [wrong, right] = cases[name];
      expect(registeredFallbacks().get(name), name).to.equal('patched');
      // wasm's own kernel really is wrong there (when a tfjs upgrade fixes it, drop the patch)
      const [cpu] = await on('cpu', run(wrong));
      let own: Out | string;
      try {
        own = tf.tidy(() => {
          const t = tf.engine().makeTensorFromTensorInfo(
            wasmOwnKernel(name)!.kernelFunc({
              inputs: wrong[0](),
              attrs: wrong[1] as tf.NamedAttrMap,
              backend: tf.backend(),
            }) as tf.TensorInfo,
          );
          const out = { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) };
          t.dispose();
          return out as unknown as tf.Tensor; // tidy's typing; a plain object passes through
        }) as unknown as Out;
      } catch (err) {
        own = String(err);
      }
      expect(own, `${name}: wasm's own kernel is still wrong here`).to.not.deep.equal(cpu);

      const runs = fallbackRuns(name);
      await expectIdentical(`${name}, the call wasm gets wrong`, run(wrong));
      expect(fallbackRuns(name) - runs, `${name}: the wrong call ran on cpu`).to.equal(1);
      await expectClose(`${name}, a call wasm gets right`, run(right));
      expect(fallbackRuns(name) - runs, `${name}: the right call stayed on wasm`).to.equal(1);
    }
  });

  it('complex numbers fail at once on wasm, saying to use the cpu backend', () => {
    for (const [what, f] of [
      ['tf.complex', () => tf.complex([1], [2])],
      ['tf.spectral.rfft', () => tf.spectral.rfft(tf.tensor1d([1, 2, 3, 4]))],
    ] as const) {
      expect(f, what).to.throw(/complex numbers .* not supported on the wasm backend.*tf\.setBackend\('cpu'\)/);
    }
    expect(Object.keys(UNSUPPORTED_KERNELS).sort()).to.deep.equal([
      'Complex',
      'ComplexAbs',
      'FFT',
      'IFFT',
      'Imag',
      'Real',
    ]);
  });

  it('leaks nothing: no tensor, no wasm data, no cpu data — also when the cpu kernel throws', () => {
    const ids = tf.tensor1d([1, 0, 1], 'int32');
    const x = tf.tensor2d(values(6, 15), [3, 2]);
    for (let i = 0; i < 3; i++) {
      expect(leftBehind(() => tf.unsortedSegmentSum(x, ids, 2).dispose())).to.deep.equal({
        tensors: 0,
        wasmData: 0,
        cpuData: 0,
      });
      const range = () =>
        tf.tidy(
          () => Object.values(tf.raggedRange(tf.tensor1d([0]), tf.tensor1d([4]), tf.tensor1d([2]))) as tf.Tensor[],
        );
      expect(leftBehind(() => tf.dispose(range()))).to.deep.equal({ tensors: 0, wasmData: 0, cpuData: 0 });
    }
    tf.dispose([ids, x]);
    const zero = [tf.tensor1d([0]), tf.tensor1d([4]), tf.tensor1d([0])];
    const left = leftBehind(() => {
      expect(() =>
        tf.engine().runKernel('RaggedRange', { starts: zero[0], limits: zero[1], deltas: zero[2] }, {}),
      ).to.throw(/delta != 0/);
    });
    expect(left).to.deep.equal({ tensors: 0, wasmData: 0, cpuData: 0 });
    tf.dispose(zero);
  });

  it("students' other ops on wasm give cpu's numbers (gather, oneHot losses, where, cumsum, topk, …, with gradients)", async () => {
    const logits = () => tf.tensor2d(values(256, 16), [128, 2]);
    const labels = () =>
      tf.tensor1d(
        Array.from({ length: 128 }, (_, i) => i % 2),
        'int32',
      );
    await expectClose('gather rows', () => tf.gather(logits(), tf.tensor1d([5, 1, 5], 'int32')));
    await expectClose('oneHot cross-entropy + gradient', () =>
      tf.grad((x: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels(), 2), tf.logSoftmax(x)), 1))))(logits()),
    );
    await expectClose('losses.softmaxCrossEntropy + gradient', () =>
      tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels(), 2), x))(logits()),
    );
    await expectClose('losses.sigmoidCrossEntropy + gradient', () =>
      tf.grad((x: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.ones([128, 1]), x))(
        tf.tensor2d(values(128, 17), [128, 1]),
      ),
    );
    await expectClose('where + gradient', () => {
      const x = logits();
      const positive = tf.greater(x, 0); // outside the gradient: comparisons have none (on every backend)
      return tf.grad((v: tf.Tensor) => tf.sum(tf.where(positive, tf.log(tf.add(tf.relu(v), 1)), tf.square(v))))(x);
    });
    await expectClose('cumsum + gradient', () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.cumsum(x, 0), x)))(tf.tensor1d(values(50, 18))),
    );
    await expectClose('topk', () => {
      const { values: v, indices } = tf.topk(tf.tensor1d(values(40, 19)), 5);
      return [v, indices];
    });
    await expectClose('sigmoid, logSigmoid, softplus + gradient', () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.add(tf.add(tf.sigmoid(x), tf.logSigmoid(x)), tf.softplus(x))))(logits()),
    );
    await expectClose('stack / unstack / split / concat + gradient', () =>
      tf.grad((x: tf.Tensor) => {
        const [a, b] = tf.split(x, 2, 1);
        return tf.sum(tf.mul(tf.concat([b, a], 1), tf.stack(tf.unstack(x))));
      })(logits()),
    );
    await expectClose('max, argMax, clipByValue, logSumExp + gradient', () => [
      tf.argMax(logits(), 1),
      tf.grad((x: tf.Tensor) => tf.add(tf.sum(tf.max(x, 1)), tf.sum(tf.logSumExp(tf.clipByValue(x, -1, 1), 1))))(
        logits(),
      ),
    ]);
  });

  it("a trainDisc written with tf.gather trains on wasm: the reference's update to 1e-5, no tensor growth over 20 steps", () => {
    const ref = createSeminar({ seed: 21 });
    const start = getWeights(ref.disc);
    const refLoss = referenceSteps(ref).trainDisc(128);
    const refDisc = getWeights(ref.disc);
    disposeSeminar(ref);

    const s = createSeminar({ seed: 21 });
    const trainDisc = gatherTrainDisc(s);
    const loss = trainDisc(128);
    expect(maxWeightDiff(start, refDisc), 'the step moves the weights: the comparison can fail').to.be.above(1e-4);
    expect(maxWeightDiff(getWeights(s.disc), refDisc)).to.be.below(1e-5);
    expect(Math.abs(loss - refLoss)).to.be.below(1e-5);

    const tensors = tf.memory().numTensors;
    const wasmData = tf.backend().numDataIds();
    for (let i = 0; i < 20; i++) expect(Number.isFinite(trainDisc(128))).to.equal(true);
    expect(tf.memory().numTensors - tensors, 'tensors left by 20 steps').to.equal(0);
    expect(tf.backend().numDataIds() - wasmData, 'wasm data left by 20 steps').to.equal(0);
    expect(fallbackCpuDataIds(), "the fallback's cpu data").to.equal(0);
    disposeSeminar(s);
  });

  it('the grader gives full credit to both steps written with tf.gather (issue 11: it gave 0/20)', async () => {
    const { gradeNotebook } = await import('../../lib/grader');
    const reference = fs.readFileSync(fixtureFile('reference'), 'utf8');
    // `.slice([0, IS_REAL], [-1, 1])` → `tf.gather(…, IS_REAL, 1)`, in trainDisc (twice) and trainGen
    const gathered = reference.replace(
      /tf\.logSoftmax\((disc\((?:realData|genData)\))\)\.slice\(\[0, (IS_REAL|IS_FAKE)\], \[-1, 1\]\)/g,
      'tf.gather(tf.logSoftmax($1), $2, 1)',
    );
    expect(gathered.match(/tf\.gather\(/g), 'three columns taken with tf.gather').to.have.length(3);
    const file = path.join(tempDir('gan-gather-'), 'gather.ipynb');
    fs.writeFileSync(file, gathered);
    const result = await gradeNotebook(file);
    expect(
      result.diagnoses,
      result.checks
        .filter((c) => !c.passed)
        .map((c) => `${c.id}: ${c.message}`)
        .join('\n'),
    ).to.deep.equal([]);
    expect([result.score, result.status]).to.deep.equal([result.maxScore, 'complete']);
    expect(tf.getBackend(), "the grader's backend").to.equal('wasm');
  });
});
