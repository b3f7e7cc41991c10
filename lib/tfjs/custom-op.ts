// tf.customGrad for the lib's own ops (the fused model op, log-sigmoid), run the lean way. tfjs 4.22's
// customGrad wraps each call in ≈8 closures (its forward and backward wrappers, Engine.runKernelFunc's
// save function and kernel function, scopedRun's three) and an inputs map, and keeps them on the tape
// node. This runs the same steps in the same order: the same forward in its own tidy with the tape
// paused (kernelDepth), the same tensors saved (kept clones), the same tape node with the same gradient
// map, the same errors. So the numbers are bit-identical (test/tfjs/custom-op.test.ts).
// While tf.profile, DEBUG or tfjs's leak check (IS_TEST) watches kernels, or the lean kernel calls are off
// (GAN_FAST_KERNEL_CALLS=0: this is part of that speed-up), tfjs's own tf.customGrad runs.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { fastKernelCallsInstalled } from './kernel-calls';

type Tensor = tf.Tensor;
type GradMap = Record<string, () => Tensor>;

/** The parts of tfjs's Engine used here (the class is internal to tfjs-core). */
interface Engine {
  backendName: string | null;
  readonly backend: tf.KernelBackend;
  state: { gradientDepth: number; kernelDepth: number; profiling: boolean; activeScope: { name: string } | null };
  ENV: { getBool(flag: string): boolean };
  tidy<T extends tf.TensorContainer>(fn: () => T): T;
  keep<T extends Tensor>(t: T): T;
  clone(t: Tensor): Tensor;
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: Tensor[],
    gradientsFunc: (dy: Tensor, saved: Tensor[]) => GradMap,
    saved: Tensor[],
    attrs: undefined,
  ): void;
}

/** What the op's function returns, as for tf.customGrad. */
export interface CustomOpResult {
  value: Tensor;
  gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
}

/** The op's function: its input tensors, then tfjs's save function (as tf.customGrad passes them). */
export type CustomOpFunc = (...args: (Tensor | tf.GradSaveFunc)[]) => CustomOpResult;

let lean = true;

/** Whether customOp takes the lean path (else always tfjs's tf.customGrad; for tests and A/B timing). */
export function setLeanCustomOps(on: boolean): boolean {
  const was = lean;
  lean = on;
  return was;
}

/** Whether customOp takes the lean path where it can. */
export function leanCustomOpsOn(): boolean {
  return lean;
}

const BAD_RESULT = 'The function f passed in customGrad(f) must return an object where ';

/** tf.customGrad(f), with the lean path above when nothing watches kernels. */
export function customOp(f: CustomOpFunc): (...inputs: Tensor[]) => Tensor {
  const tfjsOp = tf.customGrad(f as Parameters<typeof tf.customGrad>[0]) as (...inputs: Tensor[]) => Tensor;
  return (...inputs) => {
    const e = tf.engine() as unknown as Engine;
    const state = e.state;
    if (state.profiling || e.ENV.getBool('DEBUG') || e.ENV.getBool('IS_TEST') || !lean || !fastKernelCallsInstalled())
      return tfjsOp(...inputs);
    return run(e, f, inputs);
  };
}

/** tfjs-core/src/engine.ts Engine.customGrad and Engine.runKernelFunc (a forwardFunc), step for step. */
function run(e: Engine, f: CustomOpFunc, inputs: Tensor[]): Tensor {
  tf.util.assert(
    inputs.every((t) => t instanceof tf.Tensor),
    () => 'The args passed in customGrad(f)(x1, x2,...) must all be tensors',
  );
  const state = e.state;
  const isTapeOn = state.gradientDepth > 0 && state.kernelDepth === 0;
  if (e.backendName == null) void e.backend; // tfjs's lazy backend set-up (a getter with side effects)
  const name = state.activeScope != null ? state.activeScope.name : '';
  let saved: Tensor[] = [];
  const save = (tensors: Tensor[]): void => {
    // as tfjs: nothing saved without a tape (nothing would ever free it)
    if (isTapeOn) saved = tensors.map((t) => e.keep(e.clone(t)));
  };
  let res: CustomOpResult | undefined;
  let value: Tensor;
  state.kernelDepth++;
  try {
    value = e.tidy(() => {
      res = f(...inputs, save);
      tf.util.assert(res.value instanceof tf.Tensor, () => BAD_RESULT + '`obj.value` is a tensor');
      tf.util.assert(typeof res.gradFunc === 'function', () => BAD_RESULT + '`obj.gradFunc` is a function.');
      return res.value;
    });
  } finally {
    state.kernelDepth--;
  }
  if (isTapeOn) {
    const gradFunc = (res as CustomOpResult).gradFunc;
    const inputMap: tf.NamedTensorMap = {};
    for (let i = 0; i < inputs.length; i++) inputMap[i] = inputs[i];
    e.addTapeNode(name, inputMap, [value], (dy, kept) => gradMap(gradFunc(dy, kept), inputs.length), saved, undefined);
  }
  return value;
}

/** customGrad's backward wrapper: the gradients checked and keyed by input index. */
function gradMap(gradRes: Tensor | Tensor[], n: number): GradMap {
  const grads = Array.isArray(gradRes) ? gradRes : [gradRes];
  tf.util.assert(
    grads.length === n,
    () =>
      BAD_RESULT + '`obj.gradFunc` is a function that returns the same number of tensors as inputs passed to f(...).',
  );
  tf.util.assert(
    grads.every((t) => t instanceof tf.Tensor),
    () => BAD_RESULT + '`obj.gradFunc` is a function that returns a list of only tensors.',
  );
  const map: GradMap = {};
  for (let i = 0; i < grads.length; i++) {
    const grad = grads[i];
    map[i] = () => grad;
  }
  return map;
}
