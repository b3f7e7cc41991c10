// lib/tfjs/mean-grad.ts: the gradient of tf.mean over every axis as one kernel gives tfjs's gradient bit
// for bit — in training, for any shape and edge values, on wasm and on cpu — leaves means over some axes
// and higher-order gradients to tfjs's, without tensor or buffer growth; GAN_MEAN_GRAD_KERNEL=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib';
import { bits, expectOnOffSwitch, itTrainsTheSameOnBothBackends } from '../support/training';
import { MEAN_GRAD_KERNEL, meanGradKernelInstalled, setMeanGradKernel } from '../../lib/tfjs/mean-grad';

/** `f`'s tensors as float32 bit patterns with tfjs's gradient, then with the kernel, and how often the kernel ran. */
function both(f: () => tf.Tensor[]): { plain: number[][]; fast: number[][]; kernelRuns: number } {
  const run = (on: boolean) => {
    setMeanGradKernel(on);
    const before = tf.memory().numTensors;
    const out = f();
    const values = out.map((t) => bits(t.dataSync()));
    tf.dispose(out);
    expect(tf.memory().numTensors, `no tensor left behind (kernel ${on ? 'on' : 'off'})`).to.equal(before);
    return values;
  };
  const plain = run(false);
  let kernelRuns = 0;
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const own = Object.prototype.hasOwnProperty.call(engine, 'runKernel');
  const runKernel = engine.runKernel;
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
    if (name === MEAN_GRAD_KERNEL) kernelRuns++;
    return runKernel.call(this, name, ...rest);
  };
  try {
    return { plain, fast: run(true), kernelRuns };
  } finally {
    if (own) engine.runKernel = runKernel;
    else delete (engine as { runKernel?: unknown }).runKernel;
  }
}

describe('tf.mean gradient as one kernel (lib/tfjs/mean-grad.ts)', () => {
  itTrainsTheSameOnBothBackends({
    set: setMeanGradKernel,
    installed: meanGradKernelInstalled,
    seed: 13,
    check: (backend) => expect(tf.getKernel(MEAN_GRAD_KERNEL, backend), 'registered').to.not.equal(undefined),
  });

  for (const backend of ['wasm', 'cpu']) {
    describe(`on ${backend}`, () => {
      before(async () => {
        await initBackend(backend);
      });

      it('a mean over every axis: the same gradient bit for bit, for any shape, size and edge values', () => {
        const edges = [0.1, -0, 0, 3.5, -1e30, 1e-40, 7, -2.25, NaN, Infinity, -Infinity, 1 / 3];
        const cases: [number[], number[]][] = [
          [[128, 1], Array.from({ length: 128 }, (_, i) => Math.sin(i) * 10)],
          [[3, 4], edges],
          [[12], edges],
          [[1], [5]],
          [[2, 3, 2], edges],
          [[70, 70], Array.from({ length: 4900 }, (_, i) => i / 7)], // above the small kernels' 4096
          [[0, 3], []], // empty: the mean is NaN, the gradient empty
        ];
        for (const [shape, data] of cases) {
          // dy scaled through the op after the mean: subnormal, huge, negative, zero
          for (const scale of [1, -0.3, 3e-39, 1e38, 0]) {
            const { plain, fast, kernelRuns } = both(() => {
              const x = tf.tensor(data, shape);
              const dx = tf.grad((t: tf.Tensor) => tf.mul(tf.mean(t), scale))(x);
              return [dx, x];
            });
            expect(kernelRuns, `${shape}: the kernel ran`).to.equal(1);
            expect(fast, `${shape}, dy = ${scale}`).to.deep.equal(plain);
          }
        }
      });

      it("a mean over some axes, and a second-order gradient, take tfjs's gradient (same numbers)", () => {
        const { plain, fast, kernelRuns } = both(() => {
          const x = tf.tensor([
            [1, -2, 3.5],
            [0.25, 4, -1e-3],
          ]);
          const byRow = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, 1), tf.tensor([1, -3]))))(x);
          const kept = tf.grad((t: tf.Tensor) => tf.mean(tf.mean(t, -1, true)))(x);
          // d²/dx² of mean(x²) through tf.grad of tf.grad: the inner gradient is recorded by the outer tape
          const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.mean(tf.square(u)))(t)))(x);
          return [byRow, kept, second, x];
        });
        // the outer mean of `kept` is over everything (its one kernel run); the rest is tfjs's
        expect(kernelRuns).to.equal(1);
        expect(fast).to.deep.equal(plain);
        expect(plain[2]).to.deep.equal(bits(new Array(6).fill(2 / 6)));
      });
    });
  }

  it("can be switched off (tfjs's Mean gradient back), and GAN_MEAN_GRAD_KERNEL is checked", async () => {
    await initBackend('wasm');
    const fast = tf.getGradient('Mean');
    expect(meanGradKernelInstalled()).to.equal(true);
    expect(setMeanGradKernel(false)).to.equal(false);
    expect(meanGradKernelInstalled()).to.equal(false);
    const original = tf.getGradient('Mean');
    expect(original).to.not.equal(fast);
    expect(setMeanGradKernel(true)).to.equal(true);
    expect(tf.getGradient('Mean')).to.not.equal(original);
    expect(setMeanGradKernel(false)).to.equal(false);
    expect(tf.getGradient('Mean'), 'the very same config as tfjs registered').to.equal(original);
    setMeanGradKernel(true);
    expectOnOffSwitch('meanGradKernel');
  });
});
