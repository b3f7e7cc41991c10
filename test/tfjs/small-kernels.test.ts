// lib/tfjs/small-kernels.ts against the wasm kernels it replaces: bit-identical outputs (special values
// included), the same training run, wasm's own kernel for what it does not cover, no leaks.
import { read } from '../../lib/config';
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib';
import { bits, expectSameTraining } from '../support/training';
import { SMALL_KERNEL_MAX, originalKernel, setSmallKernels, smallKernelsInstalled } from '../../lib/tfjs/small-kernels';

type Attrs = Record<string, unknown>;

/** Values that float32 arithmetic treats specially, mixed into the random inputs. */
const SPECIAL = [0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-45, -1e-40, 3.4028234663852886e38, 1e-38, 0.1];

function values(n: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Float32Array.from({ length: n }, (_, i) =>
    i % 7 === 3 ? SPECIAL[(i + seed) % SPECIAL.length] : (next() - 0.5) * 10 ** Math.floor(next() * 6 - 3),
  );
}

/** Runs kernel `name` as the small kernel and as wasm's own on the same inputs; both outputs. */
function both(name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs) {
  const backend = tf.backend();
  const mine = tf.getKernel(name, 'wasm');
  const theirs = originalKernel(name);
  if (!mine || !theirs) throw new Error(`no ${name} kernel`);
  const run = (k: tf.KernelConfig) => {
    const out = k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    const t = tf.engine().makeTensorFromTensorInfo(out);
    const v = { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
    t.dispose();
    return v;
  };
  return { mine: run(mine), theirs: run(theirs) };
}

function expectSame(name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs = {}): void {
  const { mine, theirs } = both(name, inputs, attrs);
  const what = `${name}(${Object.values(inputs)
    .map((t) => `[${t.shape}]`)
    .join(', ')} ${JSON.stringify(attrs)})`;
  expect(mine.shape, what).to.deep.equal(theirs.shape);
  expect(mine.dtype, what).to.equal(theirs.dtype);
  expect(bits(mine.values), what).to.deep.equal(bits(theirs.values));
}

describe('small-tensor kernels on wasm (lib/tfjs/small-kernels.ts)', () => {
  before(async function () {
    // wasm ships with the project: unavailable is a failure, not a skip
    await initBackend('wasm');
    expect(smallKernelsInstalled(), 'initBackend puts them in place on wasm').to.equal(true);
  });
  after(() => {
    setSmallKernels(false);
    setSmallKernels(true);
  });

  const t = (shape: number[], seed: number) =>
    tf.tensor(
      values(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
      'float32',
    );

  for (const name of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    it(`${name}: bit-identical to wasm's, same shape and every broadcast the seminar makes`, () => {
      tf.tidy(() => {
        const pairs: [number[], number[]][] = [
          [
            [128, 2],
            [128, 2],
          ], // same shape
          [
            [128, 2],
            [128, 1],
          ], // log-softmax: logits − row max
          [
            [128, 1],
            [128, 2],
          ],
          [[], [64, 2]], // SGD: −lr · gradient
          [[64, 2], []],
          [
            [1, 64],
            [128, 64],
          ],
          [[64], [128, 64]], // bias row
          [[5], [5, 1]], // both broadcast
          [
            [1, 1, 2],
            [3, 2],
          ], // leading 1s
          [[7], [7]],
          [[], []],
        ];
        pairs.forEach(([sa, sb], i) => expectSame(name, { a: t(sa, 2 * i + 1), b: t(sb, 2 * i + 2) }));
      });
    });
  }

  it('Slice, PadV2: bit-identical copies in rank 1 and 2', () => {
    tf.tidy(() => {
      const x = t([128, 2], 3);
      expectSame('Slice', { x }, { begin: [0, 1], size: [-1, 1] });
      expectSame('Slice', { x }, { begin: [0, 0], size: [-1, 1] });
      expectSame('Slice', { x }, { begin: [5, 0], size: [10, 2] });
      expectSame('Slice', { x: t([50], 4) }, { begin: [3], size: [20] });
      expectSame(
        'PadV2',
        { x: t([128, 1], 5) },
        {
          paddings: [
            [0, 0],
            [1, 0],
          ],
          constantValue: 0,
        },
      );
      expectSame(
        'PadV2',
        { x: t([128, 1], 6) },
        {
          paddings: [
            [0, 0],
            [0, 1],
          ],
          constantValue: 0,
        },
      );
      expectSame(
        'PadV2',
        { x: t([3, 4], 7) },
        {
          paddings: [
            [1, 2],
            [3, 0],
          ],
          constantValue: -2.5,
        },
      );
      expectSame('PadV2', { x: t([9], 8) }, { paddings: [[2, 1]], constantValue: 0 });
    });
  });

  it("Neg, Max, Sum, Mean (GAN_LOSS_KERNELS): bit-identical to wasm's over the last axis or everything", () => {
    tf.tidy(() => {
      expectSame('Neg', { x: t([128, 2], 21) });
      expectSame('Neg', { x: t([], 22) });
      for (const [shape, seed] of [
        [[128, 2], 23],
        [[128, 1], 24],
        [[16, 128], 25],
        [[300], 26],
      ] as [number[], number][]) {
        const x = t(shape, seed);
        const last = shape.length - 1;
        for (const keepDims of [true, false]) {
          expectSame('Max', { x }, { reductionIndices: [last], keepDims });
          expectSame('Sum', { x }, { axis: [last], keepDims });
          expectSame('Mean', { x }, { axis: null, keepDims });
          expectSame('Mean', { x }, { axis: shape.map((_, i) => i), keepDims });
          expectSame('Sum', { x }, { axis: -1, keepDims });
        }
      }
      // sums of many small and large numbers: the order of the float32 additions shows
      const ragged = tf.tensor(
        Float32Array.from({ length: 256 }, (_, i) => (i % 3 ? 1e-3 * i : 1e4 + i)),
        [128, 2],
      );
      expectSame('Mean', { x: ragged }, { axis: null, keepDims: false });
      expectSame('Sum', { x: ragged.reshape([256]) }, { axis: [0], keepDims: false });
      expectSame(
        'Max',
        {
          x: tf.tensor([
            [1, NaN],
            [NaN, 1],
            [-Infinity, -Infinity],
          ]),
        },
        { reductionIndices: [1], keepDims: true },
      );
    });
  });

  it('hands everything else to wasm: other dtypes, ranks, broadcasts, large tensors', () => {
    tf.tidy(() => {
      const big = t([SMALL_KERNEL_MAX + 2], 9);
      expectSame('Add', { a: big, b: big });
      expectSame('Add', { a: tf.tensor([1, 2, 3], [3], 'int32'), b: tf.tensor([4, 5, 6], [3], 'int32') });
      expectSame('Multiply', { a: t([2, 3, 4], 12), b: t([2, 1, 4], 13) });
      expectSame('Slice', { x: t([2, 3, 4], 14) }, { begin: [0, 1, 1], size: [2, 2, 3] });
      expectSame('Cast', { x: t([4], 15) }, { dtype: 'int32' });
      expectSame('Sum', { x: t([3, 5], 16) }, { axis: [0], keepDims: false }); // over columns
      expectSame('Max', { x: t([2, 3, 4], 17) }, { reductionIndices: [2], keepDims: false });
      expectSame('Mean', { x: tf.tensor([1, 2, 4], [3], 'int32') }, { axis: null, keepDims: false });
      expectSame('Neg', { x: tf.tensor([1, -2], [2], 'int32') });
    });
  });

  it('Identity and same-dtype Cast share the buffer, which outlives the input', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x); // the Identity kernel
    const z = tf.cast(x, 'float32');
    expect(y.dataId).to.equal(x.dataId);
    expect(z.dataId).to.equal(x.dataId);
    x.dispose();
    expect(Array.from(y.dataSync())).to.deep.equal([1, 2, 3]);
    y.dispose();
    expect(Array.from(z.dataSync())).to.deep.equal([1, 2, 3]);
    z.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('a training run gives the same weights, bit for bit, with and without them; no tensor or buffer growth', () => {
    expectSameTraining((on) => setSmallKernels(on), 7, 30);
  });

  it('can be switched off, and GAN_SMALL_KERNELS, GAN_LOSS_KERNELS are checked', () => {
    setSmallKernels(false);
    expect(smallKernelsInstalled()).to.equal(false);
    expect(originalKernel('Add')).to.equal(undefined);
    expect(setSmallKernels(true, false)).to.equal(true);
    expect(originalKernel('Add'), 'Add replaced').to.not.equal(undefined);
    expect(originalKernel('Mean'), 'Mean kept without the loss kernels').to.equal(undefined);
    setSmallKernels(false);
    expect(setSmallKernels(true, true)).to.equal(true);
    expect(originalKernel('Mean'), 'Mean replaced with them').to.not.equal(undefined);
    expect(read('lossKernels', { GAN_LOSS_KERNELS: '0' })).to.equal(false);
    expect(read('lossKernels', {})).to.equal(true);
    expect(read('smallKernels', { GAN_SMALL_KERNELS: '0' })).to.equal(false);
    expect(read('smallKernels', {})).to.equal(true);
    expect(() => read('smallKernels', { GAN_SMALL_KERNELS: 'maybe' })).to.throw(
      /GAN_SMALL_KERNELS="maybe" is not valid: use 1 or 0/,
    );
  });
});
