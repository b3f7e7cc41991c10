// tf.logSigmoid with a working gradient. For two logits, log p(real) = logSigmoid(lReal − lFake) — the
// reference's log-softmax column, written another way — but in tfjs 4.22 its gradient reads the op's input
// without saving it (tfjs-core ops/log_sigmoid.js: the gradFunc's `sigmoid(neg(x))` closes over `x`), and
// minimize disposes that input, an intermediate of the loss, before the backward pass: the first step
// throws "TypeError: Cannot read properties of undefined (reading 'backend')", on every backend. Here
// the same op and the same formulas (value −softplus(−x), gradient dy·sigmoid(−x)) with `x` saved for
// the backward pass as tf.customGrad intends. Put in place by initBackend, so in the notebook and in the
// grader's sandbox child (before it hardens the realm) alike: tfjs-core's export, which the
// @tensorflow/tfjs namespace reads, and the tensor method `x.logSigmoid()`.
import * as tf from '@tensorflow/tfjs-core';
// the module's own exports object (`import * as` would give a copy with read-only getters)
import coreModule = require('@tensorflow/tfjs-core');

type LogSigmoid = typeof tf.logSigmoid;

/** tfjs's op with its input saved for the gradient. */
function logSigmoid_<T extends tf.Tensor>(x: T | tf.TensorLike): T {
  const $x = x instanceof tf.Tensor ? x : tf.tensor(x as tf.TensorLike);
  const customOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    const value = tf.neg(tf.softplus(tf.neg(input)));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sigmoid(tf.neg(saved[0])));
    return { value, gradFunc };
  });
  return customOp($x) as T;
}

const fixed = tf.op({ logSigmoid_ }) as LogSigmoid;

const coreExports = coreModule as unknown as Record<'logSigmoid', LogSigmoid>;
const tensorProto = tf.Tensor.prototype as unknown as Record<'logSigmoid', (this: tf.Tensor) => tf.Tensor>;

/** Whether tf.logSigmoid (the export and the tensor method) is the fixed one. */
export function logSigmoidFixed(): boolean {
  return coreExports.logSigmoid === fixed;
}

/** Puts the fixed tf.logSigmoid in place (once; a frozen realm keeps what is there). Returns whether it is. */
export function fixLogSigmoid(): boolean {
  if (logSigmoidFixed()) return true;
  if (Object.isFrozen(tensorProto) || !Object.getOwnPropertyDescriptor(coreModule, 'logSigmoid')?.writable)
    return false;
  coreExports.logSigmoid = fixed;
  tensorProto.logSigmoid = function (this: tf.Tensor) {
    this.throwIfDisposed();
    return fixed(this);
  };
  return true;
}
