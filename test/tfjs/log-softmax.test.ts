// lib/tfjs/log-softmax.ts: tf.logSoftmax as one kernel (and its gradient as one more) gives tfjs's op's
// numbers bit for bit — values, gradients, edge values — on wasm and on cpu,
// leaves what it does not cover to tfjs's op (same results, same errors), without tensor or buffer
// growth; GAN_LOG_SOFTMAX_KERNEL=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import * as core from '@tensorflow/tfjs-core';
import { initBackend } from '../../lib';
import { bits, expectOnOffSwitch, expectSameTraining } from '../support/training';
import {
  LOG_SOFTMAX_GRAD_KERNEL,
  LOG_SOFTMAX_KERNEL,
  logSoftmaxKernelInstalled,
  setLogSoftmaxKernel,
} from '../../lib/tfjs/log-softmax';

/** Runs `f` with tfjs's op, then with the kernel: both results as float32 bit patterns. */
function both(f: () => tf.Tensor | tf.Tensor[]): { plain: number[][]; fast: number[][]; opsFast: number } {
  const run = (on: boolean) => {
    setLogSoftmaxKernel(on);
    const before = tf.memory().numTensors;
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => bits(t.dataSync()));
    tf.dispose(list);
    expect(tf.memory().numTensors, `no tensor left behind (kernel ${on ? 'on' : 'off'})`).to.equal(before);
    return values;
  };
  const plain = run(false);
  let ops = 0;
  const runKernel = tf.engine().runKernel;
  const engine = tf.engine() as unknown as { runKernel: typeof runKernel };
  engine.runKernel = function (this: unknown, ...args: Parameters<typeof runKernel>) {
    if (args[0] === LOG_SOFTMAX_KERNEL) ops++;
    return runKernel.apply(this, args);
  } as typeof runKernel;
  try {
    return { plain, fast: run(true), opsFast: ops };
  } finally {
    delete (engine as { runKernel?: unknown }).runKernel;
  }
}

// logits with ties, large and tiny values, ±Infinity and NaN
const EDGES = [
  [0, 0],
  [1e30, -1e30],
  [-Infinity, 0],
  [Infinity, 1],
  [NaN, 2],
  [3.5, 3.5000002],
  [-88, 88],
  [1e-40, -1e-40],
];

describe('tf.logSoftmax as one kernel (lib/tfjs/log-softmax.ts)', () => {
  after(async () => {
    await initBackend('wasm');
    setLogSoftmaxKernel(true);
  });

  for (const backend of ['wasm', 'cpu']) {
    describe(backend, () => {
      before(async () => {
        await initBackend(backend);
      });

      it('a training run gives the same losses and weights, bit for bit; no tensor or buffer growth', () => {
        expect(logSoftmaxKernelInstalled(), 'initBackend puts it in place').to.equal(true);
        expect(tf.getKernel(LOG_SOFTMAX_KERNEL, backend), 'registered').to.not.equal(undefined);
        expect(tf.getKernel(LOG_SOFTMAX_GRAD_KERNEL, backend), 'gradient registered').to.not.equal(undefined);
        expectSameTraining((on) => setLogSoftmaxKernel(on), 12, 20);
      });

      it("values and gradients match tfjs's op bit for bit: the seminar's shape, other widths and ranks, edge values", () => {
        const cases: [string, tf.Tensor][] = [
          ['[128, 2]', tf.randomNormal([128, 2], 0, 3, 'float32', 5)],
          ['[7, 5]', tf.randomUniform([7, 5], -20, 20, 'float32', 6)],
          ['rank 1', tf.tensor1d([0.5, -1, 2, 7])],
          ['rank 3', tf.randomNormal([2, 3, 4], 0, 1, 'float32', 7)],
          ['edges', tf.tensor2d(EDGES)],
          ['one column', tf.tensor2d([[1], [-3]])],
        ];
        for (const [name, x] of cases) {
          const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 8);
          const { plain, fast, opsFast } = both(() => {
            const value = tf.logSoftmax(x);
            const axisGiven = tf.logSoftmax(x, x.rank - 1);
            const method = x.logSoftmax();
            const [g] = tf.grads((t: tf.Tensor) => tf.logSoftmax(t))([x], dy);
            return [value, axisGiven, method, g];
          });
          expect(opsFast, `${name}: the kernel ran for the function, the method and the gradient's forward`).to.equal(
            4,
          );
          expect(fast, name).to.deep.equal(plain);
          tf.dispose([x, dy]);
        }
      });

      it("a second-order gradient (the tape on during backprop) takes tfjs's differentiable ops: the same outcome", () => {
        const x = tf.tensor2d([
          [0.5, -1, 2],
          [3, 3, -7],
        ]);
        const w = tf.tensor2d([
          [1, 2, 3],
          [-1, 0.5, 4],
        ]);
        const outcome = (on: boolean) => {
          setLogSoftmaxKernel(on);
          const inner = (t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(u), w)))(t);
          let result: number[] | string = 'not run';
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            try {
              result = bits(
                tf
                  .grad((t: tf.Tensor) => tf.sum(tf.square(inner(t))))(x)
                  .dataSync(),
              );
            } catch (err) {
              result = (err as Error).message;
            }
          });
          // tfjs leaves the failed tape's saved tensors behind (16 on this case): the same number both ways
          return { result, left: tf.memory().numTensors - before };
        };
        const plain = outcome(false);
        // tfjs 4.22 cannot take this one (exp's gradient reads a saved clone the outer tape never saw)
        expect(plain.result).to.match(/Cannot compute gradient of y=f\(x\)/);
        expect(outcome(true)).to.deep.equal(plain);
        tf.dispose([x, w]);
      });

      it("what the kernel does not cover goes to tfjs's op: int32, arrays, another axis, empty, disposed — same results and errors", () => {
        const ints = tf.tensor2d(
          [
            [1, 2],
            [3, 9],
          ],
          [2, 2],
          'int32',
        );
        const empty = tf.zeros([0, 3]);
        const { plain, fast, opsFast } = both(() => [
          tf.logSoftmax(ints),
          tf.logSoftmax([[1, 2, 3]] as unknown as tf.Tensor),
          tf.logSoftmax(empty),
        ]);
        expect(opsFast, 'none of these runs the kernel').to.equal(0);
        expect(fast).to.deep.equal(plain);
        const message = (f: () => unknown) => {
          try {
            f();
          } catch (err) {
            return (err as Error).message;
          }
          return 'no error';
        };
        const x = tf.ones([2, 3]);
        const errors = (on: boolean) => {
          setLogSoftmaxKernel(on);
          const gone = tf.ones([2, 2]);
          gone.dispose();
          return [
            message(() => tf.logSoftmax(x, 0)),
            message(() => tf.logSoftmax(gone)),
            message(() => gone.logSoftmax()),
            message(() => tf.logSoftmax('a' as unknown as tf.Tensor)),
          ];
        };
        const plainErrors = errors(false);
        expect(plainErrors[0]).to.match(/Log Softmax along a non-last dimension is not yet supported/);
        expect(plainErrors[2]).to.match(/disposed/);
        expect(errors(true)).to.deep.equal(plainErrors);
        tf.dispose([ints, empty, x]);
      });
    });
  }

  it("is what the @tensorflow/tfjs namespace and the tensor method give; switched off, tfjs's op is back; GAN_LOG_SOFTMAX_KERNEL is checked", async () => {
    await initBackend('wasm');
    setLogSoftmaxKernel(true);
    const fast = core.logSoftmax;
    const method = tf.Tensor.prototype.logSoftmax;
    expect(tf.logSoftmax, 'the union namespace reads the patched export').to.equal(fast);
    expect(setLogSoftmaxKernel(false)).to.equal(false);
    expect(logSoftmaxKernelInstalled()).to.equal(false);
    expect(tf.logSoftmax).to.not.equal(fast);
    expect(tf.Tensor.prototype.logSoftmax).to.not.equal(method);
    expect(setLogSoftmaxKernel(true)).to.equal(true);
    expectOnOffSwitch('logSoftmaxKernel');
  });
});
