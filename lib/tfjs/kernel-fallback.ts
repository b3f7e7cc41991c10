// Kernels the cpu backend has and the wasm backend lacks, registered for wasm as "copy the inputs off
// the wasm heap, run the cpu kernel on a private cpu backend, copy the outputs back". Valid student
// tfjs must not crash on the default backend: tf.gather's gradient needs UnsortedSegmentSum, which
// @tensorflow/tfjs-backend-wasm 4.22 does not register. A fallback call costs two copies of its
// tensors plus the cpu kernel; gather's gradient has its own loop on the wasm heap instead (ON_HEAP),
// because a student's trainDisc calls it every step (measured: lib/bench/fallback-cost.ts).
//
// Which gaps the generic fallback is right for (reviewed for tfjs 4.22; test/tfjs/kernel-fallback
// .test.ts fails on any gap in neither list below, so a tfjs upgrade's new gaps get reviewed too):
// - a cpu kernel qualifies when it is a pure function of its inputs' values and its attrs: it reads
//   data through its backend argument, and its outputs are new tensors or its inputs. That holds
//   for every FALLBACK_KERNELS entry (gradients of conv2d / depthwiseConv2d, einsum, segment sums,
//   ragged ops, string regex replace, and Draw — its canvas attr is a DOM object, not a backend's).
// - it does not serve complex numbers (UNSUPPORTED_KERNELS): wasm could hold a complex64 tensor
//   (8 bytes an element), but its own kernels reject that dtype ("Add … failed. Unknown dtype
//   complex64", likewise Multiply, Cast, Concat), so a tf.complex result could reach only the
//   fallbacks, and wasm's copy kernels (Slice, Transpose, …) were never reviewed for it. Supporting
//   it would mean wrapping wasm's own kernels, i.e. the hot path. Those six kernels get one that
//   fails at once, saying to use the cpu backend.
// - it would not qualify for stateful or random kernels (an RNG state lives in one backend) or for
//   kernels whose attrs hold a backend's resources (textures, buffers): none is a gap today; a
//   future one shows up in the test, unhandled, until someone decides.
//
// Besides the gaps, a few kernels wasm HAS give wrong numbers, silently, for some inputs (found by
// comparing ~160 ops with cpu; WRONG_ON_WASM): those inputs — and only those — go to cpu's kernel.
// The check is a comparison of attrs or dtypes; the reference loop never meets a true one (its
// Casts are float32 → float32, which the small-kernel Cast answers before this check). Left alone:
// wasm's ClipByValue turns NaN into the lower bound (cpu keeps NaN) — telling would take a pass over
// the data on every call; a max-pool gradient may pick another of tied maxima (both are right).
import * as tf from '@tensorflow/tfjs';
import { setSmallKernels, smallKernelsInstalled } from './small-kernels';

type Info = tf.TensorInfo;
type DataId = Info['dataId'];

/** Gaps handled by running the cpu kernel (see the review above). */
export const FALLBACK_KERNELS: readonly string[] = [
  'UnsortedSegmentSum', // tf.gather's gradient; tf.unsortedSegmentSum
  'Conv2DBackpropFilter', // conv1d / conv2d gradient w.r.t. the filter
  'DepthwiseConv2dNativeBackpropFilter', // depthwiseConv2d / separableConv2d gradients
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
  'RaggedGather',
  'RaggedRange',
  'RaggedTensorToTensor',
  'StaticRegexReplace', // string tensors: wasm keeps their bytes in JS, as cpu does
  'Draw', // tf.browser.draw: writes the image's values to a canvas (browsers only)
];

/** Gaps that cannot run this way, each with the reason the student is told. */
export const UNSUPPORTED_KERNELS: Readonly<Record<string, string>> = Object.fromEntries(
  ['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT'].map((name) => [
    name,
    "complex numbers (tf.complex, tf.spectral.fft/rfft, tf.real/imag) are not supported on the wasm backend — its kernels do not read complex64 tensors. Use tf.setBackend('cpu') (or GAN_BACKEND=cpu) for code that needs them",
  ]),
);

type Args = Parameters<tf.KernelFunc>[0];
const attr = (args: Args, name: string): unknown => (args.attrs as Record<string, unknown> | undefined)?.[name];
const dtypeOf = (args: Args, name: string): tf.DataType | undefined =>
  (args.inputs as Record<string, Info | undefined>)[name]?.dtype;

/** wasm kernels that are wrong for some inputs: when `wrong` holds, cpu's kernel runs instead. */
export const WRONG_ON_WASM: Readonly<Record<string, { wrong: (args: Args) => boolean; what: string }>> = {
  GatherV2: {
    // tf.gather(x, indices, axis, batchDims > 0): wasm reads outside the tensor (garbage values)
    wrong: (args) => ((attr(args, 'batchDims') as number | undefined) ?? 0) !== 0,
    what: 'tf.gather with batchDims > 0',
  },
  OneHot: {
    // wasm writes int32 bit patterns whatever the dtype: a float32 oneHot of 1s reads 1.4e-45
    wrong: (args) => attr(args, 'dtype') !== 'int32',
    what: "tf.oneHot(…, dtype 'float32')",
  },
  ClipByValue: {
    // wasm clips as float32 whatever the dtype: int32 values come back as garbage
    wrong: (args) => dtypeOf(args, 'x') !== 'float32',
    what: 'tf.clipByValue on int32',
  },
  Cast: {
    // wasm copies the values into bytes: 0.5 → false, 256 → false, 2 stays 2
    wrong: (args) => attr(args, 'dtype') === 'bool' && dtypeOf(args, 'x') !== 'bool',
    what: "tf.cast(x, 'bool') from numbers",
  },
  BatchMatMul: {
    // wasm throws "BatchMatMul for non non-float32 tensors not yet supported"; cpu computes it
    wrong: (args) => dtypeOf(args, 'a') !== 'float32' || dtypeOf(args, 'b') !== 'float32',
    what: 'tf.matMul on int32',
  },
};

/** What the fallback uses of tfjs-backend-wasm's BackendWasm (the class is not exported as a type). */
interface WasmBackend {
  readSync(dataId: DataId): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues | null, shape: number[], dtype: tf.DataType): DataId;
  incRef(dataId: DataId): void;
  disposeData(dataId: DataId, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

/** What it uses of tfjs-backend-cpu's MathBackendCPU; `data` is public there (its kernels read it). */
interface CpuBackend extends tf.KernelBackend {
  data: { get(dataId: DataId): { values: tf.backend_util.BackendValues } };
  firstUse?: boolean;
}

let privateCpu: CpuBackend | undefined;

/**
 * A cpu backend of our own, not the engine's: nothing else writes to it, so after each call it must
 * hold no data (tests check this) and after a failed call it can be thrown away whole.
 */
function cpuBackend(): CpuBackend {
  if (privateCpu) return privateCpu;
  const factory = tf.findBackendFactory('cpu');
  if (!factory)
    throw new Error(
      'the wasm kernel fallback needs the cpu backend (part of @tensorflow/tfjs), and it is not registered',
    );
  const backend = factory() as CpuBackend;
  // it would greet its first write with "install tfjs-node" on stderr; we use it on purpose
  backend.firstUse = false;
  privateCpu = backend;
  return backend;
}

/** Data the private cpu backend still holds (0 between calls; for tests). */
export function fallbackCpuDataIds(): number {
  return privateCpu ? privateCpu.numDataIds() : 0;
}

const ARRAY_OF: Partial<Record<tf.DataType, Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor>> =
  {
    float32: Float32Array,
    int32: Int32Array,
    bool: Uint8Array,
  };

/** The values as the typed array wasm copies byte-wise for `dtype` (cpu kernels may return others). */
function forWasm(values: tf.backend_util.BackendValues, dtype: tf.DataType): tf.backend_util.BackendValues {
  const ctor = ARRAY_OF[dtype];
  if (!ctor || values instanceof ctor) return values;
  return ctor.from(values as ArrayLike<number>);
}

type Inputs = tf.NamedTensorInfoMap | Info[];

/** Calls that ran this module's code instead of wasm's own, by kernel; and those that ran cpu's kernel. */
const runs = new Map<string, number>();
const cpuRuns = new Map<string, number>();
const count = (map: Map<string, number>, name: string) => map.set(name, (map.get(name) ?? 0) + 1);

/** For tests: the reference loop must never get here. */
export function fallbackRuns(name: string): number {
  return runs.get(name) ?? 0;
}

export function fallbackCpuRuns(name: string): number {
  return cpuRuns.get(name) ?? 0;
}

/** Runs the cpu kernel `cpuKernel` on wasm tensors; returns wasm tensors. */
function runOnCpu(name: string, cpuKernel: tf.KernelFunc, args: Args): Info | Info[] {
  count(cpuRuns, name);
  const wasm = args.backend as unknown as WasmBackend;
  const cpu = cpuBackend();
  const written: DataId[] = [];
  const made: DataId[] = []; // wasm outputs, freed if a later one fails
  const wasmInputOf = new Map<DataId, Info>();
  const toCpu = (t: Info): Info => {
    const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
    written.push(dataId);
    wasmInputOf.set(dataId, t);
    return { dataId, shape: t.shape, dtype: t.dtype };
  };
  // kernels such as Einsum take an array of tensors, RaggedGather an array under one name
  const mapInputs = (inputs: Inputs): Inputs => {
    if (Array.isArray(inputs)) return inputs.map(toCpu);
    const out: Record<string, Info | Info[]> = {};
    for (const [name, t] of Object.entries(inputs as Record<string, Info | Info[] | undefined>)) {
      if (t) out[name] = Array.isArray(t) ? t.map(toCpu) : toCpu(t);
    }
    return out as tf.NamedTensorInfoMap;
  };
  try {
    const cpuInputs = mapInputs(args.inputs as Inputs);
    const result = cpuKernel({ inputs: cpuInputs as tf.NamedTensorInfoMap, attrs: args.attrs, backend: cpu });
    const outputs = (Array.isArray(result) ? result : [result]).map((o): Info => {
      written.push(o.dataId);
      const input = wasmInputOf.get(o.dataId);
      if (input) {
        // the kernel returned an input (Draw does): share its wasm data as wasm's Identity does
        wasm.incRef(input.dataId);
        return { dataId: input.dataId, shape: o.shape, dtype: o.dtype };
      }
      // strings: the stored bytes (readSync would decode them); complex never gets here
      const values = o.dtype === 'string' ? cpu.data.get(o.dataId).values : cpu.readSync(o.dataId);
      const dataId = wasm.write(forWasm(values, o.dtype), o.shape, o.dtype);
      made.push(dataId);
      return { dataId, shape: o.shape, dtype: o.dtype };
    });
    return Array.isArray(result) ? outputs : outputs[0];
  } catch (err) {
    for (const id of made) wasm.disposeData(id, true);
    // a kernel that threw may have left intermediates we cannot name: drop the whole backend
    privateCpu = undefined;
    throw err;
  } finally {
    for (const id of new Set(written)) cpu.disposeData(id, true);
  }
}

/**
 * UnsortedSegmentSum on the wasm heap, for the case tf.gather's gradient makes (float32 values, 1-d
 * ids): in the seminar's loop the generic path (copies, and cpu's kernel: a mask, a product and a sum
 * per segment) made a gather-based trainDisc ~1.7× the reference's. The same sums in the same order
 * (in a double, rounded once to float32, as cpu's Sum does), so bit-identical to cpu for finite
 * values; ids outside [0, numSegments) are dropped, as cpu drops them. Non-finite values stay in
 * their own segment (as in TensorFlow), where cpu's mask × value turns them into NaN in every segment.
 * Anything else: null, and the generic path runs.
 */
function unsortedSegmentSumOnHeap(args: Args, wasm: WasmBackend): Info | null {
  const x = (args.inputs as Record<string, Info | undefined>).x;
  const ids = (args.inputs as Record<string, Info | undefined>).segmentIds;
  const numSegments = attr(args, 'numSegments');
  if (!x || !ids || x.dtype !== 'float32' || ids.dtype !== 'int32' || ids.shape.length !== 1) return null;
  if (typeof numSegments !== 'number' || x.shape.length < 1 || x.shape[0] !== ids.shape[0]) return null;
  const rows = ids.shape[0];
  const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(1)], 'float32');
  // views after makeOutput: it may grow the heap and detach older ones
  const o = wasm.typedArrayFromHeap(out) as Float32Array;
  const v = wasm.typedArrayFromHeap(x) as Float32Array;
  const seg = wasm.typedArrayFromHeap(ids) as Int32Array;
  const acc = new Float64Array(numSegments * inner);
  for (let i = 0; i < rows; i++) {
    const s = seg[i];
    if (s < 0 || s >= numSegments) continue;
    const to = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) acc[to + j] += v[from + j];
  }
  o.set(acc);
  return out;
}

/** Kernels with a faster path than the generic copy-and-run-cpu one for their common case. */
const ON_HEAP: Readonly<Record<string, (args: Args, wasm: WasmBackend) => Info | null>> = {
  UnsortedSegmentSum: unsortedSegmentSumOnHeap,
};

export type FallbackKind = 'cpu' | 'unsupported' | 'patched';

/** What registerWasmFallbacks registered, by kernel name (for tests and the bench). */
const registered = new Map<string, FallbackKind>();

export function registeredFallbacks(): ReadonlyMap<string, FallbackKind> {
  return registered;
}

/** wasm's own configs of the WRONG_ON_WASM kernels, while they are patched. */
const patchedOriginals = new Map<string, tf.KernelConfig>();

/**
 * Registers, for the wasm backend: each FALLBACK_KERNELS entry wasm lacks (running cpu's kernel),
 * each UNSUPPORTED_KERNELS entry it lacks (failing with its reason), and the WRONG_ON_WASM patches.
 * Idempotent. Call it before setSmallKernels(true) (lib/kernels-small.ts), so that a small kernel's
 * "wasm's own" is the patched one; with small kernels already in place it takes them out and back.
 * Returns the names registered by this call.
 */
export function registerWasmFallbacks(): string[] {
  const added: string[] = [];
  cpuBackend(); // made now, before any student code runs, not on the first fallback call
  const cpuFunc = (name: string): tf.KernelFunc | undefined => tf.getKernel(name, 'cpu')?.kernelFunc;
  for (const name of FALLBACK_KERNELS) {
    const cpu = cpuFunc(name);
    // cpu lacks it too, or wasm has it: no gap (the coverage test reports stale entries)
    if (registered.has(name) || tf.getKernel(name, 'wasm') || !cpu) continue;
    const onHeap = ON_HEAP[name];
    const kernelFunc: tf.KernelFunc = (args) => {
      count(runs, name);
      return (onHeap && onHeap(args, args.backend as unknown as WasmBackend)) || runOnCpu(name, cpu, args);
    };
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    registered.set(name, 'cpu');
    added.push(name);
  }
  for (const [name, reason] of Object.entries(UNSUPPORTED_KERNELS)) {
    if (registered.has(name) || tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: () => {
        throw new Error(`${name}: ${reason}`);
      },
    });
    registered.set(name, 'unsupported');
    added.push(name);
  }
  const toPatch = Object.keys(WRONG_ON_WASM).filter(
    (name) => !registered.has(name) && tf.getKernel(name, 'wasm') && cpuFunc(name),
  );
  if (toPatch.length === 0) return added;
  const small = smallKernelsInstalled();
  if (small) setSmallKernels(false);
  for (const name of toPatch) {
    const own = tf.getKernel(name, 'wasm')!;
    const cpu = cpuFunc(name)!;
    const { wrong } = WRONG_ON_WASM[name];
    const ownFunc = own.kernelFunc;
    patchedOriginals.set(name, own);
    tf.unregisterKernel(name, 'wasm');
    const kernelFunc: tf.KernelFunc = (args) => {
      if (!wrong(args)) return ownFunc(args);
      count(runs, name);
      return runOnCpu(name, cpu, args);
    };
    tf.registerKernel({ ...own, kernelFunc });
    registered.set(name, 'patched');
    added.push(name);
  }
  if (small) setSmallKernels(true);
  return added;
}

/** Undoes registerWasmFallbacks: wasm's own kernels only (for the bench's before/after rounds). */
export function unregisterWasmFallbacks(): void {
  const small = smallKernelsInstalled();
  if (small) setSmallKernels(false);
  for (const [name, kind] of registered) {
    tf.unregisterKernel(name, 'wasm');
    if (kind === 'patched') tf.registerKernel(patchedOriginals.get(name)!);
  }
  registered.clear();
  patchedOriginals.clear();
  if (small) setSmallKernels(true);
}

/** wasm's own kernel for a patched `name` (for tests: it shows the wrong numbers the patch avoids). */
export function wasmOwnKernel(name: string): tf.KernelConfig | undefined {
  return patchedOriginals.get(name);
}

/**
 * Kernels the cpu backend registers that wasm does not register itself (ours excluded): the gaps
 * the lists above must cover.
 */
export function wasmGaps(): string[] {
  const ours = (name: string) => registered.has(name) && registered.get(name) !== 'patched';
  const wasm = new Set(
    tf
      .getKernelsForBackend('wasm')
      .map((k) => k.kernelName)
      .filter((name) => !ours(name)),
  );
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((name) => !wasm.has(name))
    .sort();
}
