// The SIMD kernels of the fused model op on wasm (lib/tfjs/simd): the committed module is what
// kernels.wat assembles to; forward values and every gradient match the plain tfjs ops (and the
// backend-kernel path they replace) on the seminar's models and on odd shapes; what they do not cover
// falls back; ELU's edge values; no tensor, backend-buffer or wasm-heap growth.
import * as fs from 'node:fs';
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import {
  Module,
  createSeminar,
  disposeSeminar,
  elu,
  initBackend,
  linear,
  referenceSteps,
  sequential,
  setFused,
} from '../../lib';
import type { KernelStep } from '../../lib/tfjs/fused-op';
import { setSimdKernels, simdForward, simdKernelsActive } from '../../lib/tfjs/simd/chain';
import { KERNELS_WASM_BASE64 } from '../../lib/tfjs/simd/kernels-wasm';
import { OUT, assemble, moduleSource } from '../../lib/tfjs/simd/assemble';

const TOLERANCE = 1e-5;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Runs `f` with the models' fused mode and the SIMD kernels as given, restoring both. */
function inMode<T>(fused: 'off' | 'backend-kernels', simd: boolean, f: () => T): T {
  const wasFused = setFused(fused);
  const wasSimd = setSimdKernels(simd);
  try {
    return f();
  } finally {
    setFused(wasFused);
    setSimdKernels(wasSimd);
  }
}

/** Output, d(loss)/dx and d(loss)/d(each parameter) of a model, for a loss that weighs every output differently. */
function probe(m: Module, x: tf.Tensor2D): Record<string, Float32Array> {
  return tf.tidy(() => {
    const out: Record<string, Float32Array> = { y: m(x).dataSync() as Float32Array };
    const weights = tf.tidy(() => tf.randomUniform(m(x).shape, -1, 1, 'float32', 7));
    const loss = (input: tf.Tensor2D) => tf.sum(tf.mul(tf.sin(m(input)), weights)) as tf.Scalar;
    out.dx = tf
      .grad((input: tf.Tensor) => loss(input as tf.Tensor2D))(x)
      .dataSync() as Float32Array;
    const { grads } = tf.variableGrads(() => loss(x), m.parameters());
    m.parameters().forEach((v, i) => (out[`d${i}`] = grads[v.name].dataSync() as Float32Array));
    return out;
  });
}

function stepsOf(m: Module): KernelStep[] {
  return m.layers.map((l): KernelStep =>
    l.name === 'Linear'
      ? {
          kind: 'linear',
          inF: (l as ReturnType<typeof linear>).inFeatures,
          outF: (l as ReturnType<typeof linear>).outFeatures,
        }
      : { kind: 'elu' },
  );
}

/** Chains the kernels take (each Linear has a width that is a multiple of 4), at several batch sizes. */
const COVERED: [string, () => Module, number[]][] = [
  ['the generator 1→16→ELU→1', () => sequential(linear(1, 16), elu(), linear(16, 1)), [1, 7, 128]],
  ['the discriminator 1→64→ELU→2', () => sequential(linear(1, 64), elu(), linear(64, 2)), [1, 5, 128]],
  ['3→8→ELU→5 (vectorised along out, then along in)', () => sequential(linear(3, 8), elu(), linear(8, 5)), [3, 33]],
  ['2→4→ELU→4→ELU→3 (two ELUs folded)', () => sequential(linear(2, 4), elu(), linear(4, 4), elu(), linear(4, 3)), [9]],
  ['12→4 (one Linear)', () => sequential(linear(12, 4)), [6]],
  ['12→1→ELU→8', () => sequential(linear(12, 1), elu(), linear(1, 8)), [10]],
  ['8→2→ELU→4 (two outputs along in, with the ELU)', () => sequential(linear(8, 2), elu(), linear(2, 4)), [1, 11]],
];
/** Chains they leave to the old path. */
const FALLBACK: [string, () => Module][] = [
  ['3→5 (neither width a multiple of 4)', () => sequential(linear(3, 5))],
  [
    '1→4→ELU→4→ELU (an ELU last: its gradient needs the output)',
    () => sequential(linear(1, 4), elu(), linear(4, 4), elu()),
  ],
  ['ELU→1→4 (an ELU first)', () => sequential(elu(), linear(1, 4))],
  ['1→4→ELU→ELU→4 (an ELU not after a Linear)', () => sequential(linear(1, 4), elu(), elu(), linear(4, 4))],
];

describe('SIMD kernels of the fused model op (wasm)', function () {
  this.timeout(120_000);

  it('lib/tfjs/simd/kernels-wasm.ts is what kernels.wat assembles to (npm run build:simd)', async () => {
    const bytes = await assemble();
    expect(
      Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(Buffer.from(bytes)),
      'run `npm run build:simd` and commit the result',
    ).to.equal(true);
    expect(fs.readFileSync(OUT, 'utf8')).to.equal(moduleSource(bytes));
  });

  describe('on wasm', () => {
    before(async () => {
      await initBackend('wasm');
    });
    after(async () => {
      await initBackend();
    });

    it('are in use on wasm (this engine has wasm SIMD), and off when switched off', () => {
      expect(simdKernelsActive()).to.equal(true);
      const was = setSimdKernels(false);
      expect(simdKernelsActive()).to.equal(false);
      setSimdKernels(was);
    });

    for (const [name, make, batches] of COVERED) {
      it(`${name}: forward and gradients match the plain ops and the old path within ${TOLERANCE}`, () => {
        const m = make();
        const steps = stepsOf(m);
        for (const batch of batches) {
          const x = tf.tidy(() =>
            tf.randomUniform([batch, steps[0].kind === 'linear' ? steps[0].inF : 1], -3, 3, 'float32', batch),
          ) as tf.Tensor2D;
          // the kernels are what runs (not a fallback)
          const acts = simdForward(steps, x, m.parameters());
          expect(acts, 'simdForward took the chain').to.not.equal(null);
          new Set(acts!.slice(1).map((a) => a.dataId)).forEach((id) => tf.backend().disposeData(id));
          const plain = inMode('off', false, () => probe(m, x));
          const old = inMode('backend-kernels', false, () => probe(m, x));
          const simd = inMode('backend-kernels', true, () => probe(m, x));
          for (const key of Object.keys(plain)) {
            expect(maxDiff(simd[key], plain[key]), `batch ${batch}, ${key}: SIMD vs plain ops`).to.be.below(TOLERANCE);
            expect(maxDiff(simd[key], old[key]), `batch ${batch}, ${key}: SIMD vs the backend kernels`).to.be.below(
              TOLERANCE,
            );
          }
          // the comparison can fail: the gradients are not all zero, and a changed weight shows
          expect(Math.max(...Object.values(simd).map((v) => Math.max(...Array.from(v, Math.abs))))).to.be.above(1e-3);
          x.dispose();
        }
        m.dispose();
      });
    }

    for (const [name, make] of FALLBACK) {
      it(`${name}: left to the old path, with the same numbers`, () => {
        const m = make();
        const steps = stepsOf(m);
        const inF = steps.find((s): s is Extract<KernelStep, { kind: 'linear' }> => s.kind === 'linear')!.inF;
        const x = tf.tidy(() => tf.randomUniform([6, inF], -3, 3, 'float32', 3)) as tf.Tensor2D;
        expect(simdForward(steps, x, m.parameters())).to.equal(null);
        const plain = inMode('off', false, () => probe(m, x));
        const simd = inMode('backend-kernels', true, () => probe(m, x));
        for (const key of Object.keys(simd)) expect(maxDiff(simd[key], plain[key]), key).to.be.below(TOLERANCE);
        x.dispose();
        m.dispose();
      });
    }

    it('ELU at its edges (−∞, below −87, −1e-5, ±0, NaN, +∞) as tfjs computes it', () => {
      const values = [
        -Infinity,
        -1e30,
        -100,
        -88,
        -87,
        -86.9,
        -20,
        -1,
        -0.5,
        -1e-3,
        -1e-5,
        -1e-30,
        -0,
        0,
        1e-30,
        0.5,
        3,
        1e30,
        Infinity,
        NaN,
      ];
      // Linear(1, 4) with W = 1, b = 0 feeds the values through unchanged; the fused Linear + ELU applies ELU
      const m = sequential(linear(1, 4), elu());
      const steps = stepsOf(m).concat([{ kind: 'linear', inF: 4, outF: 4 }]);
      const [w, b] = m.parameters();
      w.assign(tf.ones([1, 4]));
      b.assign(tf.zeros([4]));
      const x = tf.tensor2d(values, [values.length, 1]);
      const w2 = tf.eye(4);
      const b2 = tf.zeros([4]);
      // through a chain ending in Linear(4, 4) = identity, so that the kernels take it
      const acts = simdForward(steps, x, [w, b, w2, b2])!;
      expect(acts).to.not.equal(null);
      const got = tf.backend().readSync(acts[2].dataId) as Float32Array;
      new Set(acts.slice(1).map((a) => a.dataId)).forEach((id) => tf.backend().disposeData(id));
      const want = tf.tidy(() => tf.elu(tf.tile(x, [1, 4])).dataSync());
      values.forEach((v, i) => {
        for (let j = 0; j < 4; j++) {
          const g = got[i * 4 + j];
          const e = want[i * 4 + j];
          if (Number.isNaN(e)) expect(g, `ELU(${v})`).to.be.NaN;
          else if (Math.abs(e) === Infinity) expect(g, `ELU(${v})`).to.equal(e);
          else expect(Math.abs(g - e), `ELU(${v}) = ${g}, tfjs ${e}`).to.be.at.most(6e-8 * Math.max(1, Math.abs(e)));
        }
      });
      [x, w2, b2].forEach((t) => t.dispose());
      m.dispose();
    });

    it('ELU over the negative float32s: within 2e-7 relative of Math.expm1 and of tf.elu, in both kernel forms', () => {
      // every 1021st bit pattern from −0 down to −20 (1.1 M values, tiny ones included: relative accuracy
      // there is what an exp then − 1 loses) and the saturated range below it. Measured over every 97th
      // pattern: at most 1.21e-7 from Math.expm1 (1.32 ulp) and 1.24e-7 from tfjs-wasm's Elu.
      const xs: number[] = [];
      const bits = new Uint32Array(1);
      const f = new Float32Array(bits.buffer);
      for (let b = 0x80000001; b <= 0xc1a00000; b += 1021) {
        bits[0] = b;
        xs.push(f[0]);
      }
      xs.push(-20.5, -30, -87.5, -88, -1e4);
      const n = xs.length;
      const x = tf.tensor2d(xs, [n, 1]);
      const want = tf.tidy(() => tf.elu(x).dataSync());
      // lin_fwd_out's inline ELU: Linear(1, 4) with W = 1, b = 0, then an identity Linear(4, 4)
      const w = tf.ones([1, 4]);
      const b4 = tf.zeros([4]);
      const eye = tf.eye(4);
      const out = simdForward(
        [{ kind: 'linear', inF: 1, outF: 4 }, { kind: 'elu' }, { kind: 'linear', inF: 4, outF: 4 }],
        x,
        [w, b4, eye, b4],
      )!;
      // the $elu4 helper (lin_fwd_in, two outputs): Linear(4, 2) picking x, then Linear(2, 4)
      const x4 = tf.tidy(() =>
        tf.pad(x, [
          [0, 0],
          [0, 3],
        ]),
      );
      const pick = tf.tensor2d([1, 1, 0, 0, 0, 0, 0, 0], [4, 2]);
      const b2 = tf.zeros([2]);
      const w2 = tf.ones([2, 4]);
      const inner = simdForward(
        [{ kind: 'linear', inF: 4, outF: 2 }, { kind: 'elu' }, { kind: 'linear', inF: 2, outF: 4 }],
        x4,
        [pick, b2, w2, b4],
      )!;
      expect(out, 'the kernels take both chains').to.not.equal(null);
      expect(inner).to.not.equal(null);
      const forms: [string, Float32Array, number][] = [
        ['lin_fwd_out', tf.backend().readSync(out[2].dataId) as Float32Array, 4],
        ['lin_fwd_in', tf.backend().readSync(inner[2].dataId) as Float32Array, 2],
      ];
      for (const acts of [out, inner])
        new Set(acts.slice(1).map((a) => a.dataId)).forEach((id) => tf.backend().disposeData(id));
      for (const [form, got, width] of forms) {
        let worstExpm1 = 0;
        let worstTf = 0;
        for (let i = 0; i < n; i++) {
          const e = Math.expm1(xs[i]);
          for (let j = 0; j < width; j++) {
            const g = got[i * width + j];
            worstExpm1 = Math.max(worstExpm1, Math.abs(g - e) / Math.abs(e));
            worstTf = Math.max(worstTf, Math.abs(g - want[i]) / Math.abs(want[i]));
          }
        }
        expect(worstExpm1, `${form}: max relative error vs Math.expm1`).to.be.below(2e-7);
        expect(worstTf, `${form}: max relative difference to tf.elu`).to.be.below(2e-7);
      }
      tf.dispose([x, w, b4, eye, x4, pick, b2, w2]);
    });

    it('training leaves no tensors, backend buffers or wasm-heap growth behind', () => {
      const s = createSeminar({ seed: 5 });
      const steps = referenceSteps(s);
      const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
      const run = () => {
        for (let i = 0; i < 20; i++) {
          for (let k = 0; k < 5; k++) steps.trainDisc(128);
          steps.trainGen(128);
          tf.tidy(() => s.disc(s.gen(s.sampleNoise(64))).dataSync()); // forward only
        }
      };
      run(); // warm-up: the optimizers' constants, the kernels' scratch
      const tensors = tf.memory().numTensors;
      const buffers = tf.engine().backend.numDataIds();
      const heap = backend.wasm.HEAPU8.length;
      run();
      run();
      expect(tf.memory().numTensors).to.equal(tensors);
      expect(tf.engine().backend.numDataIds()).to.equal(buffers);
      expect(backend.wasm.HEAPU8.length, 'wasm heap size').to.equal(heap);
      disposeSeminar(s);
    });
  });

  it('are not used on cpu', async () => {
    await initBackend('cpu');
    try {
      expect(simdKernelsActive()).to.equal(false);
      const m = sequential(linear(1, 16), elu(), linear(16, 1));
      const x = tf.ones([4, 1]) as tf.Tensor2D;
      expect(simdForward(stepsOf(m), x, m.parameters())).to.equal(null);
      x.dispose();
      m.dispose();
    } finally {
      await initBackend();
    }
  });
});
