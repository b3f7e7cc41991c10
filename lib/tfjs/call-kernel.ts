// A backend's own kernel, called directly (looked up in tfjs's public kernel registry with tf.getKernel):
// the same numbers as the op that would run it, without the engine's per-op bookkeeping (a scope, a
// tape entry, a tracked tensor). The results are backend TensorInfos: whoever makes them frees them
// (backend.disposeData) or hands them to the engine (engine.makeTensorFromTensorInfo, a kernel's output).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path

type Info = tf.TensorInfo;

export type CallKernel = (inputs: Record<string, Info>, attrs?: Record<string, unknown>) => Info;

/** The active backend's kernel `name`, as a function of its inputs and attributes. */
export function callKernel(name: string): CallKernel {
  const config = tf.getKernel(name, tf.getBackend());
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
