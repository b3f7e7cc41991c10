// lib/tfjs/kernel-calls.ts: the lean Engine.runKernel keeps tfjs's semantics — outputs, multi-output
// kernels, gradients through the tape (saved inputs and outputs), tfjs's errors, the tape paused and
// resumed around a kernel even when it throws, tf.profile — and a training run is bit-identical without
// tensor growth; GAN_FAST_KERNEL_CALLS=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { expectOnOffSwitch, itTrainsTheSameOnBothBackends, sameEffects } from '../support/training';
import { fastKernelCallsInstalled, setFastKernelCalls } from '../../lib/tfjs/kernel-calls';

/** `f` does the same with the speed-up off and on (lib/tfjs: engine effects, test/support/training.ts). */
const expectSameEffects = (name: string, f: () => tf.Tensor | tf.Tensor[]) =>
  sameEffects(name, setFastKernelCalls, f, fastKernelCallsInstalled);

describe("tfjs's kernel call without its per-call allocations (lib/tfjs/kernel-calls.ts)", () => {
  itTrainsTheSameOnBothBackends({ set: setFastKernelCalls, installed: fastKernelCallsInstalled, seed: 15 });

  it('gives the same outputs, gradients and errors as tfjs, and leaves the engine as tfjs does', () => {
    const x = tf.tensor2d([
      [1, -2, 3],
      [-4, 5, -6],
    ]);
    expectSameEffects('an op', () => tf.add(tf.mul(x, 2), 1));
    expectSameEffects('a kernel with several outputs', () => tf.split(x, [1, 2], 1));
    expectSameEffects('top-k: two outputs of different dtypes', () => {
      const { values, indices } = tf.topk(x, 2);
      return [values, indices];
    });
    // gradients read the inputs and outputs the kernel saved (Exp saves its output, Mul its inputs)
    expectSameEffects('a gradient through saved inputs and outputs', () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), tf.elu(b))))([x, tf.mul(x, 0.5)]),
    );
    expectSameEffects('a second-order gradient', () => tf.grad((a: tf.Tensor) => tf.grad((b) => tf.pow(b, 3))(a))(x));
    expectSameEffects(
      'a kernel that is not registered',
      () => tf.engine().runKernel('NoSuchKernel', { x }, {}) as tf.Tensor,
    );
    expectSameEffects('a kernel that throws, inside a gradient', () =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.engine().runKernel('Reshape', { x: a }, { shape: [7] }) as tf.Tensor))(x),
    );
    x.dispose();
  });

  it('lets tf.profile see every kernel (profiling takes tfjs’s own path)', async () => {
    const x = tf.ones([4]);
    const kernels = async () => (await tf.profile(() => tf.tidy(() => tf.sum(tf.mul(tf.add(x, 1), 2))))).kernelNames;
    setFastKernelCalls(false);
    const plain = await kernels();
    setFastKernelCalls(true);
    expect(await kernels()).to.deep.equal(plain);
    expect(plain).to.include.members(['Add', 'Multiply', 'Sum']);
    x.dispose();
  });

  it("can be switched off (tfjs's Engine.runKernel back), and GAN_FAST_KERNEL_CALLS is checked", () => {
    const engine = tf.engine() as unknown as { runKernel: unknown };
    setFastKernelCalls(true);
    const fast = engine.runKernel;
    expect(setFastKernelCalls(false)).to.equal(false);
    expect(fastKernelCallsInstalled()).to.equal(false);
    expect(engine.runKernel).to.not.equal(fast);
    expect(setFastKernelCalls(true)).to.equal(true);
    expect(engine.runKernel).to.equal(fast);
    expectOnOffSwitch('fastKernelCalls');
  });
});
