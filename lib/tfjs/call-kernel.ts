// A backend's own kernel, called directly (looked up in tfjs's public kernel registry with tf.getKernel):
// the same numbers as the op that would run it, without the engine's per-op bookkeeping (a scope, a
// tape entry, a tracked tensor). The results are backend TensorInfos: whoever makes them frees them
// (backend.disposeData) or hands them to the engine (engine.makeTensorFromTensorInfo, a kernel's output).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path

type Info = tf.TensorInfo;

/**
 * The backend parts the lib's own float32 kernels use (sgd-kernel.ts, mean-grad.ts): wasm's BackendWasm and
 * cpu's MathBackendCPU. Neither class is exported as a type.
 */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}
export interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
}

export type CallKernel = (inputs: Record<string, Info>, attrs?: Record<string, unknown>) => Info;

/**
 * tfjs's kernel registry (tfjs-core's getGlobal('kernelRegistry'): a Map keyed `${backend}_${kernel}`),
 * or undefined where it cannot be reached (then tf.getKernel looks each kernel up).
 */
function registry(): Map<string, tf.KernelConfig> | undefined {
  const globals = (globalThis as { _tfGlobals?: Map<string, unknown> })._tfGlobals;
  const r = globals?.get('kernelRegistry');
  return r instanceof Map ? (r as Map<string, tf.KernelConfig>) : undefined;
}

/** The registry keys, built once per kernel name (tf.getKernel builds a new string at every lookup). */
let keysFor = '';
let keys = new Map<string, string>();

/** tf.getKernel(kernelName, backendName): the registry's entry now (kernels may be registered at any time). */
export function registeredKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const r = registry();
  if (!r) return tf.getKernel(kernelName, backendName);
  if (backendName !== keysFor) {
    keysFor = backendName;
    keys = new Map();
  }
  let key = keys.get(kernelName);
  if (key === undefined) keys.set(kernelName, (key = `${backendName}_${kernelName}`));
  return r.get(key);
}

/** The active backend's kernel `name`, as a function of its inputs and attributes. */
export function callKernel(name: string): CallKernel {
  const config = registeredKernel(name, tf.getBackend());
  if (!config) throw new Error(`backend "${tf.getBackend()}" has no ${name} kernel`);
  const backend = tf.backend();
  return (inputs, attrs = {}) =>
    config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Frees TensorInfos made by callKernel (each once, however often it is listed). */
export function disposeInfos(infos: readonly Info[]): void {
  const backend = tf.backend();
  for (const id of new Set(infos.map((i) => i.dataId))) backend.disposeData(id);
}
