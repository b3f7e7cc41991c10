// Small-tensor kernels for the wasm backend, put in place of wasm's own through tfjs's public kernel
// registry. At the seminar's shapes ([128, 2] logits, [128, 1] columns, [64, 2] weights) a wasm
// kernel spends 5–30 µs in JS glue — shape buffers, a ccall, an XNNPACK setup; Slice even makes a
// subarray per row — around < 1 µs of arithmetic, and the student's loss (log-softmax, slice, mean,
// their gradients, the SGD update) is ~200 such calls per iteration. These do the same float32
// operations in a JS loop on the wasm heap: results are bit-identical (+ − × ÷ of two float32 values,
// rounded once, and copies; test/tfjs/small-kernels.test.ts compares them). wasm's Sum and Max were left
// alone at first (their glue ≈2 µs); with the engine's overhead cut elsewhere, the loss's unary ops and
// reductions pay too (GAN_LOSS_KERNELS, below).
// Anything else (other dtypes, larger tensors, other broadcasts or axes) goes to wasm's kernel.
// Identity and same-dtype Cast share the input's buffer, as the cpu backend's do.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { config } from '../config';

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];

/** The parts of tfjs-backend-wasm's BackendWasm the lib's JS kernels use (the class is not exported as a type). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
}

/** Above this many output elements, leave it to wasm: its SIMD loop (plus 5–30 µs of glue) beats a JS loop (≈1–3 ns per element). */
export const SMALL_KERNEL_MAX = 4096;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A float32 view of a tensor on the wasm heap; take views after makeOutput (it may grow the heap). */
export function f32(backend: WasmBackend, info: Info): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

type Small = (args: Args, backend: WasmBackend) => Info | null;

function input(args: Args, name: string): Info {
  const t = args.inputs[name];
  if (!t) throw new Error(`kernel input "${name}" missing`);
  return t;
}

// ---- elementwise a ∘ b with broadcasting (rank ≤ 2 after removing leading 1s)

type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/** [rows, cols] of a shape as seen against a rank-≤2 output, or null for anything higher. */
function asMatrix(shape: readonly number[]): [number, number] | null {
  const s = shape.slice();
  while (s.length > 2 && s[0] === 1) s.shift();
  if (s.length > 2) return null;
  return s.length === 2 ? [s[0], s[1]] : s.length === 1 ? [1, s[0]] : [1, 1];
}

// Each Float32Array store rounds the double result once: exactly float32 arithmetic. One loop per
// operation (not a callback per element), so V8 compiles each to tight code.
function elementwise(op: BinaryOp, x: Float32Array, y: Float32Array, o: Float32Array): void {
  const n = o.length;
  if (op === 'add') for (let i = 0; i < n; i++) o[i] = x[i] + y[i];
  else if (op === 'sub') for (let i = 0; i < n; i++) o[i] = x[i] - y[i];
  else if (op === 'mul') for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
  else for (let i = 0; i < n; i++) o[i] = x[i] / y[i];
}

/** o = x ∘ s, or s ∘ x when `scalarFirst` (the order matters for − and ÷). */
function withScalar(op: BinaryOp, x: Float32Array, s: number, o: Float32Array, scalarFirst: boolean): void {
  const n = o.length;
  if (op === 'add') for (let i = 0; i < n; i++) o[i] = x[i] + s;
  else if (op === 'mul') for (let i = 0; i < n; i++) o[i] = x[i] * s;
  else if (op === 'sub') {
    if (scalarFirst) for (let i = 0; i < n; i++) o[i] = s - x[i];
    else for (let i = 0; i < n; i++) o[i] = x[i] - s;
  } else if (scalarFirst) for (let i = 0; i < n; i++) o[i] = s / x[i];
  else for (let i = 0; i < n; i++) o[i] = x[i] / s;
}

function broadcast(
  op: BinaryOp,
  x: Float32Array,
  xr: number,
  xc: number,
  y: Float32Array,
  yr: number,
  yc: number,
  o: Float32Array,
  rows: number,
  cols: number,
): void {
  if (xc === 1 && yc === 0 && yr === 1 && xr === cols) {
    // [rows, cols] ∘ [rows, 1] (log-softmax's logits − row max, its gradient's sum · softmax): one
    // number per row, hoisted out of the inner loop
    for (let i = 0, k = 0; i < rows; i++) {
      const s = y[i];
      if (op === 'add') for (let j = 0; j < cols; j++, k++) o[k] = x[k] + s;
      else if (op === 'sub') for (let j = 0; j < cols; j++, k++) o[k] = x[k] - s;
      else if (op === 'mul') for (let j = 0; j < cols; j++, k++) o[k] = x[k] * s;
      else for (let j = 0; j < cols; j++, k++) o[k] = x[k] / s;
    }
    return;
  }
  if (xc === 0 && xr === 1 && yc === 1 && yr === cols) {
    // [rows, 1] ∘ [rows, cols]: the same with the operands the other way round
    for (let i = 0, k = 0; i < rows; i++) {
      const s = x[i];
      if (op === 'add') for (let j = 0; j < cols; j++, k++) o[k] = s + y[k];
      else if (op === 'sub') for (let j = 0; j < cols; j++, k++) o[k] = s - y[k];
      else if (op === 'mul') for (let j = 0; j < cols; j++, k++) o[k] = s * y[k];
      else for (let j = 0; j < cols; j++, k++) o[k] = s / y[k];
    }
    return;
  }
  let k = 0;
  for (let i = 0; i < rows; i++) {
    let p = i * xr;
    let q = i * yr;
    if (op === 'add') for (let j = 0; j < cols; j++, p += xc, q += yc) o[k++] = x[p] + y[q];
    else if (op === 'sub') for (let j = 0; j < cols; j++, p += xc, q += yc) o[k++] = x[p] - y[q];
    else if (op === 'mul') for (let j = 0; j < cols; j++, p += xc, q += yc) o[k++] = x[p] * y[q];
    else for (let j = 0; j < cols; j++, p += xc, q += yc) o[k++] = x[p] / y[q];
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function binary(op: BinaryOp): Small {
  return (args, wasm) => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    // the common cases first, without the broadcast bookkeeping (shape arrays, slices: ≈1 µs a call)
    const n0 = size(a.shape);
    if (n0 > 0 && n0 <= SMALL_KERNEL_MAX && sameShape(a.shape, b.shape)) {
      const out = wasm.makeOutput(a.shape.slice(), 'float32');
      elementwise(op, f32(wasm, a), f32(wasm, b), f32(wasm, out));
      return out;
    }
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = size(outShape);
    const om = asMatrix(outShape);
    const am = asMatrix(a.shape);
    const bm = asMatrix(b.shape);
    if (n === 0 || n > SMALL_KERNEL_MAX || !om || !am || !bm) return null;
    const out = wasm.makeOutput(outShape, 'float32');
    const o = f32(wasm, out);
    const x = f32(wasm, a);
    const y = f32(wasm, b);
    // one operand a single number (the optimizer's learning rate, a loss's 1/n): no strides to follow
    if (y.length === 1 && x.length === n) {
      withScalar(op, x, y[0], o, false);
      return out;
    }
    if (x.length === 1 && y.length === n) {
      withScalar(op, y, x[0], o, true);
      return out;
    }
    const [rows, cols] = om;
    // strides of a and b in the [rows, cols] output: 0 along a broadcast dimension
    broadcast(
      op,
      x,
      am[0] === 1 ? 0 : am[1],
      am[1] === 1 ? 0 : 1,
      y,
      bm[0] === 1 ? 0 : bm[1],
      bm[1] === 1 ? 0 : 1,
      o,
      rows,
      cols,
    );
    return out;
  };
}

// ---- copies

const slice: Small = (args, wasm) => {
  const x = input(args, 'x');
  const attrs = args.attrs;
  if (x.dtype !== 'float32' || x.shape.length < 1 || x.shape.length > 2) return null;
  const { begin, size: sz } = attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, sz);
  const n = size(s);
  if (n === 0 || n > SMALL_KERNEL_MAX) return null;
  const out = wasm.makeOutput(s, 'float32');
  const o = f32(wasm, out);
  const v = f32(wasm, x);
  if (s.length === 1) {
    o.set(v.subarray(b[0], b[0] + s[0]));
    return out;
  }
  const cols = x.shape[1];
  let k = 0;
  for (let i = 0; i < s[0]; i++) {
    const off = (b[0] + i) * cols + b[1];
    for (let j = 0; j < s[1]; j++) o[k++] = v[off + j];
  }
  return out;
};

const padV2: Small = (args, wasm) => {
  const x = input(args, 'x');
  const attrs = args.attrs;
  const { paddings, constantValue } = attrs as unknown as tf.PadV2Attrs;
  if (x.dtype !== 'float32' || x.shape.length < 1 || x.shape.length > 2 || size(x.shape) === 0) return null;
  const outShape = paddings.map(([before, after], i) => before + x.shape[i] + after);
  if (size(outShape) > SMALL_KERNEL_MAX) return null;
  const out = wasm.makeOutput(outShape, 'float32');
  const o = f32(wasm, out);
  const v = f32(wasm, x);
  o.fill(constantValue);
  if (x.shape.length === 1) {
    o.set(v, paddings[0][0]);
    return out;
  }
  const [rows, cols] = x.shape;
  const outCols = outShape[1];
  for (let i = 0; i < rows; i++) {
    const off = (i + paddings[0][0]) * outCols + paddings[1][0];
    for (let j = 0; j < cols; j++) o[off + j] = v[i * cols + j];
  }
  return out;
};

function share(x: Info, wasm: WasmBackend): Info {
  wasm.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const identity: Small = (args, wasm) => {
  const x = input(args, 'x');
  return x.dtype === 'string' ? null : share(x, wasm);
};

const cast: Small = (args, wasm) => {
  const x = input(args, 'x');
  const attrs = args.attrs;
  const { dtype } = attrs as unknown as tf.CastAttrs;
  return dtype === x.dtype && dtype !== 'string' && dtype !== 'complex64' ? share(x, wasm) : null;
};

// ---- the loss's unary ops and reductions (GAN_LOSS_KERNELS). log-softmax alone is Max, Exp, Sum, Log
// forward and Exp, Sum backward on [128, 2] / [128, 1]; the loss's mean and neg and their gradients add
// Mean, Neg. wasm's glue for each (shape arrays, a ccall, for the reductions a transpose check and an axis
// permutation) costs 3–8 µs; these loops touch ≤ 256 numbers.

// Exp and Log stay wasm's: its expf / logf are not the correctly rounded results a JS Math.exp gives
// (≈6 in 10⁴ values differ in the last bit), and these kernels are bit-identical or not used.
function negLoop(x: Float32Array, o: Float32Array): void {
  for (let i = 0; i < o.length; i++) o[i] = -x[i];
}

const neg: Small = (args, wasm) => {
  const x = input(args, 'x');
  const n = size(x.shape);
  if (x.dtype !== 'float32' || n === 0 || n > SMALL_KERNEL_MAX) return null;
  const out = wasm.makeOutput(x.shape.slice(), 'float32');
  negLoop(f32(wasm, x), f32(wasm, out));
  return out;
};

type Reduce = 'max' | 'sum' | 'mean';

/**
 * Max, Sum and Mean over the last axis of a rank-1 or rank-2 tensor, or over all of it: `groups` runs of
 * `len` contiguous numbers. Sums add left to right in float32 (each partial sum rounded), as wasm's
 * loops do; Mean divides that sum by the count; Max propagates NaN as wasm's does.
 */
function reduceLoop(op: Reduce, x: Float32Array, groups: number, len: number, o: Float32Array): void {
  for (let g = 0, k = 0; g < groups; g++) {
    if (op === 'max') {
      let m = x[k++];
      for (let j = 1; j < len; j++, k++) {
        const v = x[k];
        if (v > m || Number.isNaN(v)) m = v;
      }
      o[g] = m;
    } else {
      let sum = 0;
      for (let j = 0; j < len; j++, k++) sum = Math.fround(sum + x[k]);
      o[g] = op === 'sum' ? sum : sum / len;
    }
  }
}

function reduce(op: Reduce): Small {
  return (args, wasm) => {
    const x = input(args, 'x');
    const attrs = args.attrs as unknown as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims?: boolean;
    };
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank < 1 || rank > 2) return null;
    const n = size(x.shape);
    if (n === 0 || n > SMALL_KERNEL_MAX) return null;
    const axis = op === 'max' ? attrs.reductionIndices : attrs.axis;
    let all: boolean;
    if (axis === null || axis === undefined) all = true;
    else {
      const axes = tf.util.parseAxisParam(axis, x.shape);
      all = axes.length === rank;
      // over everything, or over the last axis of a matrix; other axes (columns) go to wasm
      if (!all && !(rank === 2 && axes.length === 1 && axes[0] === 1)) return null;
    }
    const len = all ? n : x.shape[1];
    const kept = x.shape.map((d, i) => (all || i === 1 ? 1 : d));
    const outShape = attrs.keepDims ? kept : all ? [] : [x.shape[0]];
    const out = wasm.makeOutput(outShape, 'float32');
    reduceLoop(op, f32(wasm, x), n / len, len, f32(wasm, out));
    return out;
  };
}

/** Replace wasm's own only when GAN_LOSS_KERNELS is on (see setSmallKernels). */
const LOSS_KERNELS: Readonly<Record<string, Small>> = {
  Neg: neg,
  Max: reduce('max'),
  Sum: reduce('sum'),
  Mean: reduce('mean'),
};

const SMALL_KERNELS: Readonly<Record<string, Small>> = {
  Add: binary('add'),
  Sub: binary('sub'),
  Multiply: binary('mul'),
  RealDiv: binary('div'),
  Slice: slice,
  PadV2: padV2,
  Identity: identity,
  Cast: cast,
};

/** wasm's own configs of the kernels replaced, while they are. */
const originals = new Map<string, tf.KernelConfig>();

/** Whether the small kernels are in place. */
export function smallKernelsInstalled(): boolean {
  return originals.size > 0;
}

/** wasm's own kernel for `name` while a small kernel replaces it (for tests and the bench). */
export function originalKernel(name: string): tf.KernelConfig | undefined {
  return originals.get(name);
}

/**
 * Puts the small kernels in place of wasm's (on = true) or puts wasm's back. Needs the wasm backend
 * registered; a no-op for other backends. Returns whether they are in place afterwards.
 */
export function setSmallKernels(on: boolean, loss: boolean = lossKernelsWanted()): boolean {
  if (!on) {
    for (const [name, config] of originals) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(config);
    }
    originals.clear();
    return false;
  }
  if (originals.size > 0) return true;
  for (const [name, small] of Object.entries({ ...SMALL_KERNELS, ...(loss ? LOSS_KERNELS : {}) })) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) continue;
    const fallback = config.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) => small(args, args.backend as unknown as WasmBackend) ?? fallback(args);
    originals.set(name, config);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
  return originals.size > 0;
}

/** GAN_LOSS_KERNELS=0 keeps wasm's own Neg, Max, Sum and Mean (for comparison: npm run bench). */
export function lossKernelsWanted(): boolean {
  return config.lossKernels();
}

/** GAN_SMALL_KERNELS=0 keeps wasm's own kernels (for comparison: npm run bench). */
export function smallKernelsWanted(): boolean {
  return config.smallKernels();
}
