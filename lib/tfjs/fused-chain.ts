// The fused model op under `nn.sequential` (lib/seminar/nn.ts): a whole Linear/ELU chain as one tfjs op
// with its own gradient, and the switch that picks how it runs. The math is the layers' own; the tests in
// test/tfjs/fused-op.test.ts hold it to the plain ops.
import * as tf from '@tensorflow/tfjs-core';
import { FusedMode, config } from '../config';
import { KernelStep, backward, forward as fusedForward } from './fused-op';
import { backwardInfos, forwardInfos, release } from './fused-backend';
import { customOp } from './custom-op';

/**
 * How models run (see fusedOp): 'auto' picks per backend (FUSED_BY_BACKEND), 'off' runs the plain
 * tfjs ops layer by layer, 'js' / 'backend-kernels' force one fused implementation (for tests and
 * npm run bench). GAN_FUSED sets it for a process (lib/config.ts); setFused() at run time.
 */
let fusedMode: FusedMode | undefined;

export type { FusedMode };

/** Sets how models run; returns the previous mode. `true` / `false` mean 'auto' / 'off'. */
export function setFused(mode: FusedMode | boolean): FusedMode {
  const was = fusedMode ?? config.fused();
  fusedMode = mode === true ? 'auto' : mode === false ? 'off' : mode;
  return was;
}

/**
 * How each backend runs the fused op by default (measured with npm run bench): see lib/tfjs/fused-op.ts and
 * lib/tfjs/fused-backend.ts. Other backends (native TensorFlow) keep the plain ops.
 */
const FUSED_BY_BACKEND: Readonly<Record<string, 'backend-kernels' | 'js'>> = { wasm: 'backend-kernels', cpu: 'js' };

function fusedImpl(): 'backend-kernels' | 'js' | undefined {
  // read once: GAN_FUSED is an environment variable, and process.env costs ≈1 µs a read on every model call
  const mode = (fusedMode ??= config.fused());
  if (mode === 'off') return undefined;
  if (mode === 'auto') return FUSED_BY_BACKEND[tf.getBackend()];
  return mode;
}

/**
 * A whole Linear/ELU chain as ONE tfjs op, joined to tfjs autodiff by tf.customGrad. For batch 128 ×
 * width 64 the plain layers cost ≈20 engine ops per model call forward + backward (each with a scope,
 * a tape entry, cloned saved tensors), and tfjs's matMul gradient takes the wasm kernel's slow
 * transposed loop; the fused op is one engine op whose inside picks the fast kernel form per shape.
 * Inputs are x and every layer's weight and bias, so optimizer.minimize(…, varList) sees their gradients.
 * The math is the layers' own (matMul + bias, ELU); test/tfjs/fused-op.test.ts holds it to the plain ops.
 */
function fusedOp(steps: readonly KernelStep[]): (x: tf.Tensor2D, params: tf.Variable[]) => tf.Tensor2D {
  const jsOp = customOp((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const [x, ...params] = inputs;
    const batch = x.shape[0];
    const pv = params.map((p) => p.dataSync() as Float32Array);
    // The activations stay in this closure for the gradient: nothing is cloned or kept on the tape.
    const acts = fusedForward(steps, x.dataSync() as Float32Array, batch, pv);
    const y = acts[acts.length - 1];
    const value = tf.tensor2d(y, [batch, y.length / batch]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const { dx, dParams } = backward(steps, acts, batch, pv, dy.dataSync() as Float32Array);
      return [tf.tensor(dx, x.shape), ...dParams.map((d, i) => tf.tensor(d, params[i].shape))];
    };
    return { value, gradFunc };
  });
  // The activations the gradient reads (lib/tfjs/fused-backend.ts backwardInfos): a Linear's input and an
  // ELU's output. The others (pre-activations, the output) are freed at once.
  const kept = steps.map((_, k) => k > 0 && (steps[k].kind === 'linear' || steps[k - 1].kind === 'elu'));
  // an ELU last: its gradient reads the op's output, which is saved too
  const eluLast = steps[steps.length - 1]?.kind === 'elu';
  const backendOp = customOp((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, ...params] = args.slice(0, -1) as tf.Tensor[];
    const engine = tf.engine();
    const acts = forwardInfos(steps, x, params);
    const out = acts.pop()!;
    const hidden = acts.map((a, k) => (kept[k] ? engine.makeTensorFromTensorInfo(a) : null));
    // (a Linear + ELU in one kernel gives its pre-activation and output as one buffer: kept as the output)
    const keptIds = new Set(acts.filter((_, k) => kept[k]).map((a) => a.dataId));
    release(acts.filter((a, k) => !kept[k] && a.dataId !== out.dataId && !keptIds.has(a.dataId)));
    const value = engine.makeTensorFromTensorInfo(out);
    // save() keeps x and the kept activations while a gradient is being recorded (minimize tidies its
    // loss function, which would free them). Saving is a shared reference, not a copy (Identity in
    // lib/tfjs/small-kernels.ts); without a tape it does nothing and this op's tidy frees them.
    save([x, ...hidden.filter((h): h is tf.Tensor => h !== null), ...(eluLast ? [value] : [])]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      let next = 1;
      const again = kept.map((keep, k) => (k === 0 ? saved[0] : keep ? saved[next++] : undefined));
      if (eluLast) again.push(saved[next]);
      const { dx, dParams } = backwardInfos(steps, again, params, dy);
      return [dx, ...dParams].map((info) => engine.makeTensorFromTensorInfo(info));
    };
    return { value, gradFunc };
  });
  return (x, params) => {
    const op = fusedImpl() === 'backend-kernels' ? backendOp : jsOp;
    return op(x, ...params) as tf.Tensor2D;
  };
}

/**
 * The model call as one op, for a chain of layers described by their kernel steps (undefined: a layer the
 * fused op does not know, then there is none). It returns undefined when the call is to take the plain
 * ops: fused models switched off (or not on this backend), another dtype, or a width the first layer does
 * not take (tfjs's own error message then).
 */
export function fusedChain(
  steps: readonly (KernelStep | undefined)[],
): ((x: tf.Tensor2D, params: tf.Variable[]) => tf.Tensor2D | undefined) | undefined {
  if (steps.length === 0 || steps.some((s) => s === undefined)) return undefined;
  const known = steps as readonly KernelStep[];
  const op = fusedOp(known);
  const firstIn = known.find((s): s is Extract<KernelStep, { kind: 'linear' }> => s.kind === 'linear')?.inF;
  return (x, params) =>
    x.dtype === 'float32' && x.shape[1] === firstIn && fusedImpl() !== undefined ? op(x, params) : undefined;
}
