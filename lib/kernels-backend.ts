// The same Linear/ELU chain as lib/kernels.ts, but computed by the active backend's OWN kernels
// (looked up in tfjs's public kernel registry with tf.getKernel and called directly). On wasm these are
// SIMD (XNNPACK) kernels, far faster than scalar JS for [128, 64] matrices; calling them directly skips
// the engine's per-op bookkeeping (scopes, tape, saved clones), which is what costs at these shapes.
// Intermediate results are backend TensorInfos, freed here with backend.disposeData.
import * as tf from '@tensorflow/tfjs';
import type { KernelStep } from './kernels';

type Info = tf.TensorInfo;

function kernel(name: string): (inputs: Record<string, Info>, attrs?: Record<string, unknown>) => Info {
  const config = tf.getKernel(name, tf.getBackend());
  if (!config) throw new Error(`backend "${tf.getBackend()}" has no ${name} kernel`);
  return (inputs, attrs = {}) =>
    config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }) as Info;
}


function rank3(i: Info): Info {
  return { dataId: i.dataId, dtype: i.dtype, shape: [1, ...i.shape] };
}

/**
 * Forward pass; returns every activation as in lib/kernels.ts (acts[0] = x; a Linear followed by an ELU
 * is one fused matMul + bias + ELU kernel, so acts[k + 1] is acts[k + 2] there). The caller owns
 * acts[1..] and frees them with release().
 */
export function forwardInfos(steps: readonly KernelStep[], x: Info, params: readonly Info[]): Info[] {
  const fusedMatMul = kernel('_FusedMatMul');
  const elu = kernel('Elu');
  const acts: Info[] = [x];
  let p = 0;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    if (s.kind === 'linear') {
      const withElu = steps[k + 1]?.kind === 'elu';
      // the kernel wants rank-3 [batch, rows, cols] views; a TensorInfo is only {dataId, shape, dtype}
      const y3 = fusedMatMul(
        { a: rank3(acts[k]), b: rank3(params[p]), bias: params[p + 1] },
        { transposeA: false, transposeB: false, activation: withElu ? 'elu' : 'linear' },
      );
      const y = { ...y3, shape: y3.shape.slice(1) };
      p += 2;
      acts.push(y);
      if (withElu) {
        acts.push(y);
        k++;
      }
    } else {
      acts.push(elu({ x: acts[k] }));
    }
  }
  return acts;
}

/** The same data seen with another shape (a TensorInfo is only {dataId, shape, dtype}). */
function view(i: Info, shape: number[]): Info {
  return { dataId: i.dataId, dtype: i.dtype, shape };
}

/** Ones [n, 1] per backend, written once and never engine-tracked: gᵀ · ones sums g's rows. */
const onesCache = new WeakMap<object, Map<number, Info>>();
function ones(n: number): Info {
  const backend = tf.backend();
  let byN = onesCache.get(backend);
  if (!byN) onesCache.set(backend, (byN = new Map()));
  let o = byN.get(n);
  if (!o) {
    const shape = [n, 1];
    byN.set(n, (o = { dataId: backend.write(new Float32Array(n).fill(1), shape, 'float32'), shape, dtype: 'float32' }));
  }
  return o;
}

/**
 * Gradients w.r.t. x and each parameter (TensorInfos the caller turns into tensors). Every matMul runs
 * without transpose flags: with a flag the wasm kernel takes a naive loop, 3–10× slower at these shapes
 * (measured: g·Wᵀ 108 µs with transposeB, 9 µs on a transposed copy of W). Transposes are explicit.
 *
 * Careful: the wasm kernel caches an XNNPACK operator per right-hand operand `b` keyed by its tensor id
 * alone (tfjs-backend-wasm batch_mat_mul_impl.cc), so a tensor must never be `b` under two shapes. Here
 * `b` is only ever a fresh activation, a fresh transposed copy, or the fixed ones[n, 1] — never a view.
 */
export function backwardInfos(steps: readonly KernelStep[], acts: readonly Info[], params: readonly Info[], dy: Info): { dx: Info; dParams: Info[] } {
  const matMul = kernel('BatchMatMul');
  const transposeKernel = kernel('Transpose');
  const eluGrad = kernel('EluGrad');
  const dispose = (i: Info) => tf.backend().disposeData(i.dataId);
  const mm = (a: Info, b: Info) => matMul({ a, b }, { transposeA: false, transposeB: false });
  const transpose = (m: Info) => transposeKernel({ x: m }, { perm: [1, 0] });
  const dParams: Info[] = new Array(params.length);
  let p = params.length;
  let g = dy;
  const own = (next: Info) => {
    if (g !== dy) dispose(g);
    g = next;
  };
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k];
    if (s.kind === 'linear') {
      p -= 2;
      const a = acts[k];
      const gT = transpose(g); // [out, batch]
      const dWT = mm(gT, a); // (aᵀ·g)ᵀ = gᵀ·a, [out, in]
      if (s.inF === 1 || s.outF === 1) dParams[p] = view(dWT, [s.inF, s.outF]); // same memory order
      else {
        dParams[p] = transpose(dWT);
        dispose(dWT);
      }
      dParams[p + 1] = view(mm(gT, ones(a.shape[0])), [s.outF]);
      dispose(gT);
      const wT = transpose(params[p]);
      own(mm(g, wT));
      dispose(wT);
    } else {
      own(eluGrad({ dy: g, y: acts[k + 1] }));
    }
  }
  return { dx: g === dy ? kernel('Identity')({ x: dy }) : g, dParams };
}

/** Frees the activations forwardInfos made (not x, which the caller passed in). */
export function release(acts: readonly Info[]): void {
  const seen = new Set<object>([acts[0].dataId]);
  for (const a of acts.slice(1)) {
    if (seen.has(a.dataId)) continue;
    seen.add(a.dataId);
    tf.backend().disposeData(a.dataId);
  }
}
