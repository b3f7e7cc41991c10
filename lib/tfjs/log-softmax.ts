// tf.logSoftmax as ONE engine op, and its gradient as one more. tfjs 4.22's op is a tf.customGrad of
// seven ops (max, sub, cast, exp, sum, log, sub) whose gradient is four more (exp, sum, mul, sub): with
// the op wrapper's scopes, the customGrad's own tidy and its saved clones, ≈16 engine ops per call, and
// the seminar calls it 11 times an iteration (≈45 % of the loop's engine ops, counted by
// lib/bench/ops.ts). Here the same steps run in the same order inside one registered kernel — tfjs-core's
// own kernel name LogSoftmax, which its op never runs: on cpu the backend's own kernels called directly
// (lib/tfjs/call-kernel.ts), on wasm JS loops for the max, sums and subtractions (the float32 arithmetic
// of wasm's kernels) around wasm's own Exp and Log. So the numbers are bit-identical to tfjs's op
// (test/tfjs/log-softmax.test.ts) and only the engine's bookkeeping goes.
//
// The op students call is tfjs-core's export (the @tensorflow/tfjs namespace reads it through a getter,
// so `tf.logSoftmax` in a notebook is this one) and the tensor method `x.logSoftmax()`; both are put
// back by setLogSoftmaxKernel(false). Anything else — another axis, another dtype, an array, an empty
// tensor, a backend without the kernel (tfjs-node) — goes to tfjs's own op, as does a gradient taken
// while a tape is recording (a second-order gradient needs the differentiable ops).
// GAN_LOG_SOFTMAX_KERNEL=0 keeps tfjs's own (for comparison: npm run bench).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { config } from '../config';
import { callKernel, disposeInfos, registeredKernel } from './call-kernel';
import { SMALL_KERNEL_MAX, WasmBackend, f32 } from './small-kernels';
// the module's own exports object (`import * as` would give a copy with read-only getters)
import coreModule = require('@tensorflow/tfjs-core');

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];

/** tfjs-core's kernel name (tf.LogSoftmax); its gradient is registered below. */
export const LOG_SOFTMAX_KERNEL = tf.LogSoftmax;
export const LOG_SOFTMAX_GRAD_KERNEL = 'GanLogSoftmaxGrad';

function axisOf(args: Args): number {
  return (args.attrs as unknown as tf.LogSoftmaxAttrs).axis;
}

function input(args: Args, name: string): Info {
  const t = args.inputs[name];
  if (!t) throw new Error(`${LOG_SOFTMAX_KERNEL}: kernel input "${name}" missing`);
  return t;
}

// value = shifted − log(Σ exp(shifted)), shifted = logits − max: tfjs's op, kernel for kernel
// (its cast of `shifted` to float32 is a no-op: only float32 comes here).
const forward: tf.KernelFunc = (args) => {
  const logits = input(args, 'logits');
  const axis = axisOf(args);
  const xMax = callKernel('Max')({ x: logits }, { reductionIndices: axis, keepDims: true });
  const shifted = callKernel('Sub')({ a: logits, b: xMax });
  const e = callKernel('Exp')({ x: shifted });
  const s = callKernel('Sum')({ x: e }, { axis, keepDims: true });
  const l = callKernel('Log')({ x: s });
  const value = callKernel('Sub')({ a: shifted, b: l });
  disposeInfos([xMax, shifted, e, s, l]);
  return value;
};

// dlogits = dy − Σ dy · exp(value): the gradient tfjs's op registers, kernel for kernel.
const backward: tf.KernelFunc = (args) => {
  const dy = input(args, 'dy');
  const value = input(args, 'value');
  const axis = axisOf(args);
  const softmax = callKernel('Exp')({ x: value });
  const s = callKernel('Sum')({ x: dy }, { axis, keepDims: true });
  const m = callKernel('Multiply')({ a: s, b: softmax });
  const dx = callKernel('Sub')({ a: dy, b: m });
  disposeInfos([softmax, s, m]);
  return dx;
};

// ---- wasm: the same, with the row max, the sums and the subtractions as JS loops on the wasm heap and
// only Exp and Log as wasm's kernels. At [128, 2] each of wasm's kernels costs ≈3 µs of glue and a
// heap buffer for ≈256 numbers; these loops are the float32 arithmetic of lib/tfjs/small-kernels.ts's
// Max, Sub, Sum and Multiply (each result rounded once, sums left to right), which match wasm's own
// bit for bit, so the numbers are still tfjs's op's. Exp and Log stay wasm's: its expf / logf are not
// what a JS Math.exp / Math.log rounds to.

/** [rows, cols] of a tensor seen as rows of its last axis, or null when the loops should not take it. */
function rowsOf(x: Info): [number, number] | null {
  const cols = x.shape[x.shape.length - 1];
  const n = x.shape.reduce((a, b) => a * b, 1);
  return n > 0 && n <= SMALL_KERNEL_MAX ? [n / cols, cols] : null;
}

/** What the scratch below needs of wasm's BackendWasm (tfjs-backend-wasm 4.22). */
interface WasmModule {
  dataIdMap: { get(dataId: object): { id: number } };
  dataIdNextNumber: number;
  wasm: {
    HEAPU8: Uint8Array;
    _malloc(bytes: number): number;
    cwrap(name: string, out: null, args: string[]): (xId: number, dtype: number, outId: number) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void };
  };
}

/** A float32 buffer of the module's own, registered under an id of its own, for wasm's Exp and Log to write. */
interface Scratch {
  id: number;
  offset: number;
  size: number;
}

interface Unary {
  exp: (xId: number, dtype: number, outId: number) => void;
  log: (xId: number, dtype: number, outId: number) => void;
  /** by use and size: the exponentials, the row sums, their logs */
  scratch: Map<string, Scratch>;
}

const unaries = new WeakMap<object, Unary>();
const F32 = 0; // tfjs-backend-wasm's CppDType.float32

/**
 * wasm's own Exp and Log kernels (the same C++ functions its kernels call), writing into buffers kept for
 * the next call instead of a new tensor each: the softmax's three temporaries (exponentials, row sums,
 * their logs) and the gradient's exponentials, 44 heap allocations and frees an iteration fewer (#25).
 * The numbers are the kernels' own.
 */
function unary(backend: WasmModule): Unary {
  let u = unaries.get(backend);
  if (!u) {
    const args = ['number', 'number', 'number'];
    u = { exp: backend.wasm.cwrap('Exp', null, args), log: backend.wasm.cwrap('Log', null, args), scratch: new Map() };
    unaries.set(backend, u);
  }
  return u;
}

function scratchOf(backend: WasmModule, u: Unary, use: string, size: number): Scratch {
  const key = `${use}:${size}`;
  let s = u.scratch.get(key);
  if (!s) {
    s = { id: backend.dataIdNextNumber++, offset: backend.wasm._malloc(4 * size), size };
    backend.wasm.tfjs.registerTensor(s.id, size, s.offset);
    u.scratch.set(key, s);
  }
  return s;
}

function view(backend: WasmModule, s: Scratch): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, s.offset, s.size);
}

const wasmForward: tf.KernelFunc = (args) => {
  const logits = input(args, 'logits');
  const shape = rowsOf(logits);
  if (!shape) return forward(args);
  const [rows, cols] = shape;
  const wasm = args.backend as unknown as WasmBackend;
  const mod = args.backend as unknown as WasmModule;
  const u = unary(mod);
  const out = wasm.makeOutput(logits.shape.slice(), 'float32');
  const e = scratchOf(mod, u, 'exp', rows * cols);
  const sums = scratchOf(mod, u, 'sums', rows);
  const l = scratchOf(mod, u, 'log', rows);
  // views after makeOutput (it may grow the heap)
  const x = f32(wasm, logits);
  let o = f32(wasm, out);
  for (let i = 0, k = 0; i < rows; i++, k += cols) {
    let m = x[k];
    for (let j = 1; j < cols; j++) {
      const v = x[k + j];
      if (v > m || Number.isNaN(v)) m = v; // Max propagates NaN
    }
    for (let j = 0; j < cols; j++) o[k + j] = x[k + j] - m; // shifted (rounded to float32 by the store)
  }
  u.exp(mod.dataIdMap.get(out.dataId).id, F32, e.id);
  const ev = view(mod, e);
  const sv = view(mod, sums);
  for (let i = 0, k = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++, k++) sum = Math.fround(sum + ev[k]);
    sv[i] = sum;
  }
  u.log(sums.id, F32, l.id);
  // wasm's kernels allocate nothing, but fresh views all the same
  o = f32(wasm, out);
  const lv = view(mod, l);
  for (let i = 0, k = 0; i < rows; i++) {
    const li = lv[i];
    for (let j = 0; j < cols; j++, k++) o[k] = o[k] - li; // shifted − log Σ exp
  }
  return out;
};

const wasmBackward: tf.KernelFunc = (args) => {
  const dy = input(args, 'dy');
  const value = input(args, 'value');
  const shape = rowsOf(dy);
  if (!shape || dy.dtype !== 'float32') return backward(args);
  const [rows, cols] = shape;
  const wasm = args.backend as unknown as WasmBackend;
  const mod = args.backend as unknown as WasmModule;
  const u = unary(mod);
  const softmax = scratchOf(mod, u, 'exp', rows * cols);
  const out = wasm.makeOutput(dy.shape.slice(), 'float32');
  u.exp(mod.dataIdMap.get(value.dataId).id, F32, softmax.id);
  const d = f32(wasm, dy);
  const p = view(mod, softmax);
  const o = f32(wasm, out);
  for (let i = 0, k = 0; i < rows; i++, k += cols) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum = Math.fround(sum + d[k + j]);
    for (let j = 0; j < cols; j++) o[k + j] = d[k + j] - Math.fround(sum * p[k + j]); // dy − Σdy · softmax
  }
  return out;
};

/** The kernels per backend: wasm's loops, and the composition of the backend's own kernels on cpu. */
const KERNELS: Readonly<Record<string, { forward: tf.KernelFunc; backward: tf.KernelFunc }>> = {
  wasm: { forward: wasmForward, backward: wasmBackward },
  cpu: { forward, backward },
};

interface TapeEngine {
  isTapeOn(): boolean;
  backendName: string;
}

/** Whether the active backend's kernel `name` is ours (not tfjs-node's, or someone else's). */
function ours(name: string, which: 'forward' | 'backward'): boolean {
  const backendName = tf.engine().backendName;
  const mine = KERNELS[backendName]?.[which];
  return mine !== undefined && registeredKernel(name, backendName)?.kernelFunc === mine;
}

const gradConfig: tf.GradConfig = {
  kernelName: LOG_SOFTMAX_KERNEL,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [value] = saved;
    const { axis } = attrs as unknown as tf.LogSoftmaxAttrs;
    const d = dy as tf.Tensor;
    return {
      logits: () =>
        ours(LOG_SOFTMAX_GRAD_KERNEL, 'backward') && !(tf.engine() as unknown as TapeEngine).isTapeOn()
          ? (tf.engine().runKernel(LOG_SOFTMAX_GRAD_KERNEL, { dy: d, value }, { axis }) as tf.Tensor)
          : tf.sub(d, tf.mul(tf.sum(d, axis, true), tf.exp(value))),
    };
  },
};

type LogSoftmax = typeof tf.logSoftmax;
interface Installed {
  op: LogSoftmax;
  method: (this: tf.Tensor, axis?: number) => tf.Tensor;
}
let installed: Installed | null = null;

function fastLogSoftmax(original: LogSoftmax): LogSoftmax {
  const logSoftmax = <T extends tf.Tensor>(logits: T | tf.TensorLike, axis = -1): T => {
    if (
      logits instanceof tf.Tensor &&
      logits.dtype === 'float32' &&
      logits.rank > 0 &&
      logits.size > 0 &&
      !logits.isDisposed
    ) {
      const last = logits.rank - 1;
      if ((axis === -1 || axis === last) && ours(LOG_SOFTMAX_KERNEL, 'forward')) {
        return tf.engine().runKernel(LOG_SOFTMAX_KERNEL, { logits }, { axis: last }) as T;
      }
    }
    return original(logits, axis);
  };
  return logSoftmax;
}

/** The tfjs-core export the @tensorflow/tfjs namespace reads, as a writable record. */
const coreExports = coreModule as unknown as Record<'logSoftmax', LogSoftmax>;
/** The Tensor class's prototype, which holds the chained `x.logSoftmax()` (shared by every tfjs copy). */
const tensorProto = tf.Tensor.prototype as unknown as Record<'logSoftmax', Installed['method']>;

/** Whether tf.logSoftmax runs as one kernel. */
export function logSoftmaxKernelInstalled(): boolean {
  return installed !== null;
}

/** Puts the one-kernel tf.logSoftmax in place (on) or tfjs's own back; returns whether it is in place. */
export function setLogSoftmaxKernel(on: boolean): boolean {
  if (!on) {
    if (installed) {
      coreExports.logSoftmax = installed.op;
      tensorProto.logSoftmax = installed.method;
      installed = null;
    }
    return false;
  }
  if (installed) return true;
  // a hardened realm (the grader's child) keeps what is there
  if (Object.isFrozen(tensorProto) || !Object.getOwnPropertyDescriptor(coreModule, 'logSoftmax')?.writable)
    return false;
  for (const [backendName, k] of Object.entries(KERNELS)) {
    if (!tf.getKernel(LOG_SOFTMAX_KERNEL, backendName))
      tf.registerKernel({ kernelName: LOG_SOFTMAX_KERNEL, backendName, kernelFunc: k.forward });
    if (!tf.getKernel(LOG_SOFTMAX_GRAD_KERNEL, backendName))
      tf.registerKernel({ kernelName: LOG_SOFTMAX_GRAD_KERNEL, backendName, kernelFunc: k.backward });
  }
  tf.registerGradient(gradConfig);
  installed = { op: coreExports.logSoftmax, method: tensorProto.logSoftmax };
  const op = fastLogSoftmax(installed.op);
  coreExports.logSoftmax = op;
  tensorProto.logSoftmax = function (this: tf.Tensor, axis?: number) {
    this.throwIfDisposed();
    return op(this, axis);
  };
  return true;
}

/** GAN_LOG_SOFTMAX_KERNEL=0 keeps tfjs's own tf.logSoftmax (for comparison: npm run bench). */
export function logSoftmaxKernelWanted(): boolean {
  return config.logSoftmaxKernel();
}
