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

/** What writing over a tensor's buffer in place needs of wasm's BackendWasm (tfjs-backend-wasm 4.22). */
interface WasmInPlace extends WasmBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  refCount(dataId: object): number;
  wasm: { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void } };
}

interface EngineInternals {
  backendName: string;
  backend: unknown;
  state: { profiling: boolean; tensorInfo: WeakMap<object, { backend: unknown }> };
  ENV: { getBool(flag: string): boolean };
}

/**
 * The float32 heap view of `target` if its buffer may be written over in place (sgd-kernel.ts, tape.ts):
 * on wasm only (cpu's dataSync hands out the buffer itself, which an earlier reader would see change);
 * while nothing watches kernels (tf.profile, DEBUG, tfjs's IS_TEST leak check: they would miss the kernel
 * this replaces); every tensor's data on the wasm heap; and no other tensor sharing target's buffer
 * (the backend's reference count is 1). Else null. After writing, call `rewritten`.
 */
export function writableInPlace(target: tf.Tensor, reads: readonly tf.Tensor[]): Float32Array | null {
  const e = tf.engine() as unknown as EngineInternals;
  if (e.backendName !== 'wasm' || e.state.profiling || e.ENV.getBool('DEBUG') || e.ENV.getBool('IS_TEST')) return null;
  const backend = e.backend as WasmInPlace;
  if (target.dtype !== 'float32' || e.state.tensorInfo.get(target.dataId)?.backend !== backend) return null;
  if (reads.some((t) => e.state.tensorInfo.get(t.dataId)?.backend !== backend)) return null;
  if (backend.refCount(target.dataId) !== 1) return null;
  return backend.typedArrayFromHeap(target);
}

/**
 * After a buffer was written over in place: the wasm module forgets what it cached for it (XNNPACK keeps
 * the packed right-hand side of a matMul by tensor id), as when a buffer is freed and a new one made.
 */
export function rewritten(target: tf.Tensor): void {
  const backend = tf.backend() as unknown as WasmInPlace;
  const data = backend.dataIdMap.get(target.dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.wasm.tfjs.registerTensor(data.id, target.size, data.memoryOffset);
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
