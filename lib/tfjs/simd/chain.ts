// The fused model op's forward and gradient on the wasm backend through the SIMD kernels of
// kernels.wat: one wasm call per layer and direction, reading and writing tensors in place on the
// backend's own heap (its WebAssembly.Memory is imported by our module: no copies). Returns the same
// TensorInfos as lib/kernels-backend.ts's forwardInfos / backwardInfos, which call these first and
// keep their own path for everything not covered here (null): other backends, no wasm SIMD, a chain
// whose layers have neither width a multiple of 4, an ELU not right after a Linear or at the end.
// GAN_SIMD=0 (or setSimdKernels(false)) switches them off, for the bench's baseline and the tests.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { config } from '../../config';
import type { KernelStep } from '../fused-op';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

type Info = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's BackendWasm used here (the class is not exported as a type). */
interface WasmBackend {
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(ptr: number): void };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  getMemoryOffset(dataId: object): number;
  disposeData(dataId: object): boolean;
}

interface Exports {
  transpose(src: number, dst: number, rows: number, cols: number): void;
  lin_fwd_out(a: number, w: number, b: number, y: number, batch: number, inF: number, outF: number, elu: number): void;
  lin_fwd_in(a: number, wT: number, b: number, y: number, batch: number, inF: number, outF: number, elu: number): void;
  lin_bwd_out(
    a: number,
    w: number,
    g: number,
    dw: number,
    db: number,
    da: number,
    batch: number,
    inF: number,
    outF: number,
    eluIn: number,
  ): void;
  lin_bwd_in(
    a: number,
    wT: number,
    g: number,
    dwT: number,
    db: number,
    da: number,
    batch: number,
    inF: number,
    outF: number,
    eluIn: number,
  ): void;
}

/** Our module bound to one backend's memory, with a scratch area on that heap for Wᵀ and dWᵀ. */
interface Bound {
  fn: Exports;
  backend: WasmBackend;
  scratch: number;
  scratchBytes: number;
}

let wanted: boolean | undefined; // GAN_SIMD (lib/config.ts), read at first use
/** Per backend instance: our module bound to its memory, or null where that is impossible. */
const bound = new WeakMap<object, Bound | null>();
let compiled: WebAssembly.Module | null | undefined;

/** Switches the SIMD kernels on or off (GAN_SIMD=0 starts with them off); returns the previous setting. */
export function setSimdKernels(on: boolean): boolean {
  const was = wanted ?? config.simd();
  wanted = on;
  return was;
}

function compile(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    // validate() is false where the engine lacks 128-bit SIMD: then the old path stays
    compiled = bytes.length > 0 && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/** Our module on the active backend, or null if it is not wasm (or its memory is not reachable). */
function current(): Bound | null {
  wanted ??= config.simd();
  if (!wanted || tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  let b = bound.get(backend);
  if (b === undefined) {
    b = null;
    const memory = backend.wasm?.asm?.memory;
    const mod = compile();
    // the threaded build's memory is shared (and imported, not exported): not handled, old path
    if (mod && memory instanceof WebAssembly.Memory) {
      const instance = new WebAssembly.Instance(mod, { env: { memory } });
      b = { fn: instance.exports as unknown as Exports, backend, scratch: 0, scratchBytes: 0 };
    }
    bound.set(backend, b);
  }
  return b;
}

/** Whether the SIMD kernels would run on the active backend (for tests and the bench). */
export function simdKernelsActive(): boolean {
  return current() !== null;
}

/** Scratch of at least `bytes` on the heap, kept for the next call (so the heap does not churn). */
function scratch(b: Bound, bytes: number): number {
  if (bytes > b.scratchBytes) {
    if (b.scratch) b.backend.wasm._free(b.scratch);
    b.scratchBytes = Math.max(bytes, 2 * b.scratchBytes);
    b.scratch = b.backend.wasm._malloc(b.scratchBytes);
  }
  return b.scratch;
}

/** Per Linear: which width the kernels vectorise ('out' if outF % 4 == 0, else 'in' if inF % 4 == 0). */
type Plan = {
  layers: { step: number; inF: number; outF: number; along: 'out' | 'in'; elu: boolean }[];
  scratchBytes: number;
};
const plans = new WeakMap<readonly KernelStep[], Plan | null>();

function plan(steps: readonly KernelStep[]): Plan | null {
  let p = plans.get(steps);
  if (p !== undefined) return p;
  p = { layers: [], scratchBytes: 0 };
  for (let k = 0; k < steps.length && p; k++) {
    const s = steps[k];
    if (s.kind !== 'linear') {
      p = null; // an ELU that does not follow a Linear (the Linear + ELU case is taken below)
      break;
    }
    const elu = steps[k + 1]?.kind === 'elu';
    const along = s.outF % 4 === 0 ? 'out' : s.inF % 4 === 0 ? 'in' : null;
    if (!along || s.inF < 1 || s.outF < 1 || (elu && k + 1 === steps.length - 1)) {
      // no width a multiple of 4; or an ELU last, whose output the old path's gradient needs
      p = null;
      break;
    }
    p.layers.push({ step: k, inF: s.inF, outF: s.outF, along, elu });
    if (along === 'in') p.scratchBytes = Math.max(p.scratchBytes, 2 * 4 * s.inF * s.outF);
    if (elu) k++;
  }
  plans.set(steps, p);
  return p;
}

function supported(steps: readonly KernelStep[], infos: readonly Info[]): { b: Bound; p: Plan } | null {
  const b = current();
  const p = b && plan(steps);
  if (!b || !p || infos.some((i) => i.dtype !== 'float32')) return null;
  return { b, p };
}

/**
 * Forward pass as forwardInfos: acts[0] = x, acts[k + 1] = output of step k. A Linear + ELU is one
 * kernel call, so its pre-activation is never made: acts[k + 1] is the same TensorInfo as acts[k + 2].
 * Null when not covered (the caller takes its own path).
 */
export function simdForward(steps: readonly KernelStep[], x: Info, params: readonly Info[]): Info[] | null {
  const ok = supported(steps, [x, ...params]);
  if (!ok) return null;
  const { b, p } = ok;
  const { fn, backend } = b;
  const off = (i: Info) => backend.getMemoryOffset(i.dataId);
  const batch = x.shape[0];
  const acts: Info[] = [x];
  const wT = p.scratchBytes ? scratch(b, p.scratchBytes) : 0;
  p.layers.forEach((l, n) => {
    const w = params[2 * n];
    const bias = params[2 * n + 1];
    const a = acts[acts.length - 1];
    const y = backend.makeOutput([batch, l.outF], 'float32');
    if (l.along === 'out') fn.lin_fwd_out(off(a), off(w), off(bias), off(y), batch, l.inF, l.outF, l.elu ? 1 : 0);
    else {
      fn.transpose(off(w), wT, l.inF, l.outF);
      fn.lin_fwd_in(off(a), wT, off(bias), off(y), batch, l.inF, l.outF, l.elu ? 1 : 0);
    }
    acts.push(y);
    if (l.elu) acts.push(y);
  });
  return acts;
}

/**
 * Gradients as backwardInfos, from the activations forwardInfos kept (each Linear's input). dx is
 * always computed (its cost is one dot product per input feature and row). Null when not covered.
 */
export function simdBackward(
  steps: readonly KernelStep[],
  acts: readonly (Info | undefined)[],
  params: readonly Info[],
  dy: Info,
): { dx: Info; dParams: Info[] } | null {
  const ok = supported(steps, [dy, ...params]);
  if (!ok) return null;
  const { b, p } = ok;
  const { fn, backend } = b;
  const off = (i: Info) => backend.getMemoryOffset(i.dataId);
  const batch = dy.shape[0];
  // scratch: Wᵀ and dWᵀ for the layers along 'in', then two buffers taking turns for the gradients between
  // layers (each read once, by the layer below): no tensor, heap allocation or free for them (#25)
  let inner = 0;
  for (let n = 1; n < p.layers.length; n++) inner = Math.max(inner, 4 * batch * p.layers[n].inF);
  const scr = p.scratchBytes || inner ? scratch(b, p.scratchBytes + 2 * inner) : 0;
  const turns = [scr + p.scratchBytes, scr + p.scratchBytes + inner];
  const dParams: Info[] = new Array(params.length);
  let g = off(dy);
  let dx: Info | null = null;
  for (let n = p.layers.length - 1; n >= 0; n--) {
    const l = p.layers[n];
    const a = acts[l.step];
    if (!a) throw new Error(`internal: activation ${l.step} was not kept for the gradient`);
    const w = params[2 * n];
    // an ELU right before this Linear: its gradient is folded into da (a is that ELU's output)
    const eluIn = n > 0 && p.layers[n - 1].elu ? 1 : 0;
    const dw = backend.makeOutput([l.inF, l.outF], 'float32');
    const db = backend.makeOutput([l.outF], 'float32');
    if (n === 0) dx = backend.makeOutput([batch, l.inF], 'float32');
    const da = dx ? off(dx) : turns[n % 2];
    if (l.along === 'out') fn.lin_bwd_out(off(a), off(w), g, off(dw), off(db), da, batch, l.inF, l.outF, eluIn);
    else {
      const half = scr + 4 * l.inF * l.outF; // scratch: Wᵀ, then dWᵀ
      fn.transpose(off(w), scr, l.inF, l.outF);
      fn.lin_bwd_in(off(a), scr, g, half, off(db), da, batch, l.inF, l.outF, eluIn);
      fn.transpose(half, off(dw), l.outF, l.inF);
    }
    dParams[2 * n] = dw;
    dParams[2 * n + 1] = db;
    g = da;
  }
  return { dx: dx!, dParams };
}
