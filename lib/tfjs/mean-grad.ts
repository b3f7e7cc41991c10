// The gradient of tf.mean over every axis — the student's loss, `tf.mean(tf.neg(…))`, once a step — as ONE
// kernel. tfjs's Mean gradient runs reshape(dy), ones(x.shape), mul, and div by a scalar it makes from the
// reduced size: four engine ops and five tensors, each with its op wrapper's scope (≈6 % of the loop at the
// seminar's sizes, measured in one process). When the mean is over everything, dy is one number and every
// element of the gradient is dy · 1 / n; a kernel registered through tfjs's public registry writes that
// number into a tensor of x's shape. dy · 1 is dy exactly, and dividing two float32 values in double and
// rounding once to float32 is the float32 quotient (53 ≥ 2·24 + 2 bits), which is what the Multiply and
// RealDiv kernels give (small-kernels.ts, wasm's and cpu's): bit-identical gradients
// (test/tfjs/mean-grad.test.ts compares whole training runs).
// A mean over some axes only, another dtype, a backend without the kernel (tfjs-node), or a gradient being
// recorded for a higher-order gradient (the kernel has no gradient of its own) take tfjs's gradient.
// GAN_MEAN_GRAD_KERNEL=0 keeps tfjs's (for comparison: npm run bench).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { CpuBackend, WasmBackend, registeredKernel } from './call-kernel';

export const MEAN_GRAD_KERNEL = 'GanMeanGrad';

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];

interface Attrs {
  /** x's shape, which the gradient has. */
  shape: number[];
  /** The number of elements averaged. */
  n: number;
}

function parts(args: Args): { dy: Info; shape: number[]; n: number } {
  const { dy } = args.inputs;
  if (!dy) throw new Error(`${MEAN_GRAD_KERNEL}: input dy is required`);
  const { shape, n } = args.attrs as unknown as Attrs;
  return { dy, shape: shape.slice(), n };
}

// dy · 1 / n as tfjs's mul then div: n as the float32 scalar tfjs makes of it; the typed array rounds once
const value = (dy: number, n: number) => dy / Math.fround(n);

const wasmKernel: tf.KernelFunc = (args) => {
  const { dy, shape, n } = parts(args);
  const b = args.backend as unknown as WasmBackend;
  const out = b.makeOutput(shape, 'float32');
  // views after makeOutput: it may grow the heap
  b.typedArrayFromHeap(out).fill(value(b.typedArrayFromHeap(dy)[0], n));
  return out;
};

const cpuKernel: tf.KernelFunc = (args) => {
  const { dy, shape, n } = parts(args);
  const b = args.backend as unknown as CpuBackend;
  const o = new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(value(b.data.get(dy.dataId).values[0], n));
  return b.makeTensorInfo(shape, 'float32', o);
};

const KERNELS: Readonly<Record<string, tf.KernelFunc>> = { wasm: wasmKernel, cpu: cpuKernel };

interface TapeEngine {
  isTapeOn(): boolean;
  backendName: string;
}

/** tfjs's Mean gradient with the one-kernel path in front of it. */
function fastGradient(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.Mean,
    inputsToSave: original.inputsToSave, // ['x'], as tfjs's: the fallback reads it
    gradFunc: (dy, saved, attrs) => {
      const d = dy as tf.Tensor;
      const [x] = saved;
      const engine = tf.engine() as unknown as TapeEngine;
      // dy of one element: the mean was over every axis, so n is x's size
      if (
        d.size === 1 &&
        d.dtype === 'float32' &&
        x.dtype === 'float32' &&
        !engine.isTapeOn() &&
        registeredKernel(MEAN_GRAD_KERNEL, engine.backendName)?.kernelFunc === KERNELS[engine.backendName]
      ) {
        const kernelAttrs: Attrs = { shape: x.shape, n: x.size };
        return {
          x: () =>
            tf.engine().runKernel(MEAN_GRAD_KERNEL, { dy: d }, kernelAttrs as unknown as tf.NamedAttrMap) as tf.Tensor,
        };
      }
      return original.gradFunc(dy, saved, attrs);
    },
  };
}

/** tfjs's own Mean gradient while the one-kernel one is in place. */
let original: tf.GradConfig | null = null;

/** Whether tf.mean's gradient takes the one-kernel path. */
export function meanGradKernelInstalled(): boolean {
  return original !== null;
}

/** Puts the one-kernel Mean gradient in place (on) or tfjs's own back; returns whether it is in place. */
export function setMeanGradKernel(on: boolean): boolean {
  if (!on) {
    if (original) tf.registerGradient(original);
    original = null;
    return false;
  }
  if (original) return true;
  const current = tf.getGradient(tf.Mean);
  if (!current) return false;
  for (const [backendName, kernelFunc] of Object.entries(KERNELS)) {
    if (!tf.getKernel(MEAN_GRAD_KERNEL, backendName))
      tf.registerKernel({ kernelName: MEAN_GRAD_KERNEL, backendName, kernelFunc });
  }
  original = current;
  tf.registerGradient(fastGradient(current));
  return true;
}
