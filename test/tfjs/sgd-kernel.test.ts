// lib/tfjs/sgd-kernel.ts: tfjs's SGD update as one kernel per variable gives the same weights bit for
// bit as tfjs's own applyGradients, on wasm and on cpu, for both forms of the gradients argument,
// without tensor or buffer growth; on wasm in place where the buffer is the variable's alone;
// GAN_SGD_KERNEL=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib';
import { expectOnOffSwitch, itTrainsTheSameOnBothBackends } from '../support/training';
import { SGD_KERNEL, setSgdKernel, sgdKernelInstalled } from '../../lib/tfjs/sgd-kernel';

describe('SGD update as one kernel (lib/tfjs/sgd-kernel.ts)', () => {
  itTrainsTheSameOnBothBackends({
    set: setSgdKernel,
    installed: sgdKernelInstalled,
    seed: 11,
    check: (backend) => expect(tf.getKernel(SGD_KERNEL, backend), 'registered').to.not.equal(undefined),
  });

  it('takes the gradients as a map or a list, skips a missing one, and matches v + c·g', async () => {
    await initBackend('wasm');
    setSgdKernel(true);
    const a = tf.variable(tf.tensor([1, -2, 3.5], [3]));
    const b = tf.variable(tf.tensor([[0.25, 4]], [1, 2]));
    const opt = tf.train.sgd(0.1);
    const ga = tf.tensor([0.5, 0.5, -1], [3]);
    const gb = tf.tensor([[2, -8]], [1, 2]);
    const expected = (v: tf.Tensor, g: tf.Tensor) =>
      Array.from(tf.tidy(() => tf.add(tf.mul(tf.scalar(-0.1), g), v)).dataSync());
    const wantA = expected(a, ga);
    const wantB = expected(b, gb);
    const before = tf.memory().numTensors;
    opt.applyGradients({ [a.name]: ga, [b.name]: null as unknown as tf.Tensor });
    expect(Array.from(a.dataSync())).to.deep.equal(wantA);
    expect(Array.from(b.dataSync()), 'a missing gradient leaves the variable').to.deep.equal([0.25, 4]);
    opt.applyGradients([{ name: b.name, tensor: gb }]);
    expect(Array.from(b.dataSync())).to.deep.equal(wantB);
    expect(tf.memory().numTensors, 'no tensor left behind').to.equal(before);
    tf.dispose([a, b, ga, gb]);
    opt.dispose();
  });

  it('on wasm writes over the variable’s own buffer, which tf.matMul then reads afresh; a shared buffer is left alone', async () => {
    await initBackend('wasm');
    setSgdKernel(true);
    const init = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.75], [2, 3]);
    const v = tf.variable(init);
    init.dispose(); // the variable's buffer is its own now
    const g = tf.tensor2d([1, 2, -3, 0.5, -0.25, 4], [2, 3]);
    const x = tf.tensor2d([1, 2, -1, 0.5], [2, 2]);
    const opt = tf.train.sgd(0.1);
    const want = Array.from(tf.tidy(() => tf.add(tf.mul(tf.scalar(-0.1), g), v)).dataSync());
    tf.tidy(() => tf.matMul(x, v).dataSync()); // wasm's XNNPACK keeps v's packed weights by buffer id
    const dataId = v.dataId;
    const before = tf.memory().numTensors;
    opt.applyGradients({ [v.name]: g });
    expect(v.dataId, 'updated in place').to.equal(dataId);
    expect(Array.from(v.dataSync())).to.deep.equal(want);
    expect(tf.memory().numTensors).to.equal(before);
    // the product with the new values, not with what XNNPACK packed before the step
    const fresh = tf.tensor2d(v.dataSync(), [2, 3]);
    const [got, expected] = tf.tidy(() => [tf.matMul(x, v).dataSync(), tf.matMul(x, fresh).dataSync()]);
    expect(Array.from(got)).to.deep.equal(Array.from(expected));
    // a clone shares the buffer: the variable gets a new one and the clone keeps the old values
    const copy = v.clone();
    const old = Array.from(copy.dataSync());
    opt.applyGradients({ [v.name]: g });
    expect(v.dataId, 'a shared buffer is not written over').to.not.equal(copy.dataId);
    expect(Array.from(copy.dataSync())).to.deep.equal(old);
    tf.dispose([v, g, x, fresh, copy]);
    opt.dispose();
  });

  it('on cpu gives the variable a new buffer (cpu’s dataSync hands out the buffer itself)', async () => {
    await initBackend('cpu');
    try {
      const v = tf.variable(tf.zeros([3]));
      const g = tf.ones([3]);
      const seen = v.dataSync();
      tf.train.sgd(0.5).applyGradients({ [v.name]: g });
      expect(Array.from(seen), 'an array read before the step').to.deep.equal([0, 0, 0]);
      expect(Array.from(v.dataSync())).to.deep.equal([-0.5, -0.5, -0.5]);
      tf.dispose([v, g]);
    } finally {
      await initBackend('wasm');
    }
  });

  it('can be switched off (tfjs applyGradients back), and GAN_SGD_KERNEL is checked', () => {
    const proto = tf.SGDOptimizer.prototype as unknown as { applyGradients: unknown };
    const fast = proto.applyGradients;
    expect(setSgdKernel(false)).to.equal(false);
    expect(sgdKernelInstalled()).to.equal(false);
    expect(proto.applyGradients).to.not.equal(fast);
    expect(setSgdKernel(true)).to.equal(true);
    expect(proto.applyGradients).to.equal(fast);
    expectOnOffSwitch('sgdKernel');
  });
});
