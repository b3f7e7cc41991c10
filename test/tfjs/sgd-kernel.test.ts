// lib/tfjs/sgd-kernel.ts: tfjs's SGD update as one kernel per variable gives the same weights bit for
// bit as tfjs's own applyGradients, on wasm and on cpu, for both forms of the gradients argument,
// without tensor or buffer growth; GAN_SGD_KERNEL=0 keeps tfjs's.
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
