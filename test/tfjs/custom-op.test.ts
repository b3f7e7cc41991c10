// lib/tfjs/custom-op.ts: the lib's customGrad ops run the lean way with tfjs's semantics — the same value,
// gradients, saved tensors freed, errors and engine state as tf.customGrad, tf.profile seeing the op — and
// a training run (the fused model op) is bit-identical without tensor growth.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { itTrainsTheSameOnBothBackends, sameEffects } from '../support/training';
import { CustomOpFunc, customOp, leanCustomOpsOn, setLeanCustomOps } from '../../lib/tfjs/custom-op';

/** `f` does the same with the speed-up off and on (lib/tfjs: engine effects, test/support/training.ts). */
const expectSameEffects = (name: string, f: () => tf.Tensor | tf.Tensor[]) => sameEffects(name, setLeanCustomOps, f);

// x·y², saving both inputs (and a temporary the op's tidy frees) for its gradient
const mulSq: CustomOpFunc = (...args) => {
  const [x, y] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const y2 = tf.square(y);
  save([x, y]);
  return {
    value: tf.mul(x, y2),
    gradFunc: (dy, [sx, sy]) => [tf.mul(dy, tf.square(sy)), tf.mul(dy, tf.mul(tf.mul(sx, sy), 2))],
  };
};

describe('the lib’s customGrad ops without tfjs’s per-call closures (lib/tfjs/custom-op.ts)', () => {
  itTrainsTheSameOnBothBackends({ set: setLeanCustomOps, installed: leanCustomOpsOn, seed: 16 });

  it('gives the same values, gradients, errors and engine state as tf.customGrad, and frees what it saved', () => {
    const op = customOp(mulSq);
    const x = tf.tensor1d([1, -2, 3]);
    const y = tf.tensor1d([0.5, 4, -1]);
    expectSameEffects('forward only (nothing saved)', () => op(x, y));
    expectSameEffects('gradients', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(op(a, b)))([x, y]));
    expectSameEffects('a variable’s gradient', () => {
      const v = tf.variable(y);
      const { value, grads } = tf.variableGrads(() => tf.sum(op(x, v)), [v]);
      v.dispose();
      return [value, grads[v.name]];
    });
    const bad = customOp(() => ({ value: tf.scalar(1), gradFunc: () => [] }));
    expectSameEffects('a gradient of the wrong length', () => tf.grad((a: tf.Tensor) => tf.sum(bad(a)))(x));
    const noValue = customOp(() => ({ value: 1 as unknown as tf.Tensor, gradFunc: () => [] }));
    expectSameEffects('a result that is not a tensor', () => noValue(x));
    x.dispose();
    y.dispose();
  });

  it('lets tf.profile see the op (profiling takes tf.customGrad)', async () => {
    const op = customOp(mulSq);
    const x = tf.ones([4]);
    const kernels = async () =>
      (await tf.profile(() => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(op(a, a)))(x)))).kernelNames;
    setLeanCustomOps(false);
    const plain = await kernels();
    setLeanCustomOps(true);
    expect(await kernels()).to.deep.equal(plain);
    x.dispose();
  });
});
