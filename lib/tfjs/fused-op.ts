// Hand-written forward and backward passes of a small dense network (Linear / ELU chains) over
// Float32Arrays. For the seminar's shapes (batch 128, width ≤ 64) tfjs spends its time on per-op
// bookkeeping, not arithmetic: one forward is 5 kernels and its gradient ~15 more. lib/tfjs/fused-chain.ts wraps
// these loops in a single tf.customGrad op per model call. Same formulas as tfjs's cpu kernels
// (ELU: x ≥ 0 ? x : eˣ − 1; its gradient from the output y: y ≥ 0 ? dy : dy·(y + 1)); sums run in
// float64, so results agree with tfjs's float32 ops to rounding (≈1e-7 relative).

/** One step of the chain: y = x·W + b (W is [inF, outF], row-major like tfjs), or elementwise ELU. */
export type KernelStep = { kind: 'linear'; inF: number; outF: number } | { kind: 'elu' };

/** Width of the activations after each step, starting from the input width. */
export function widths(steps: readonly KernelStep[], inWidth: number): number[] {
  const out = [inWidth];
  for (const s of steps) {
    const w = out[out.length - 1];
    if (s.kind === 'linear') {
      if (s.inF !== w) throw new Error(`Linear(${s.inF}, ${s.outF}) got ${w} input features`);
      out.push(s.outF);
    } else out.push(w);
  }
  return out;
}

/**
 * Forward pass. `params` holds W, b of each linear step in order. Returns every activation:
 * acts[0] = x, acts[k + 1] = output of step k (the backward pass needs them). A Linear followed by
 * an ELU is computed in one sweep; its pre-activation is never needed, so acts[k + 1] is acts[k + 2] then.
 */
export function forward(
  steps: readonly KernelStep[],
  x: Float32Array,
  batch: number,
  params: readonly Float32Array[],
): Float32Array[] {
  const ws = widths(steps, x.length / batch);
  const acts = [x];
  let p = 0;
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k];
    const a = acts[k];
    if (s.kind === 'linear') {
      const elu = steps[k + 1]?.kind === 'elu';
      const y = linearForward(a, batch, s.inF, s.outF, params[p], params[p + 1], elu);
      p += 2;
      acts.push(y);
      if (elu) {
        acts.push(y);
        k++;
      }
    } else {
      const y = Float32Array.from(a);
      for (let i = 0; i < y.length; i++) y[i] = eluOf(y[i]);
      acts.push(y);
    }
  }
  if (ws[ws.length - 1] * batch !== acts[acts.length - 1].length) throw new Error('internal: output size');
  return acts;
}

// The loops below keep the longest dimension innermost (contiguous, no short inner loops): for the
// seminar that is 64 for Linear(64, 2) and Linear(1, 64) alike. `wT` is W transposed, [outF, inF].
function transpose(w: Float32Array, inF: number, outF: number): Float32Array {
  const wT = new Float32Array(inF * outF);
  for (let i = 0; i < inF; i++) for (let j = 0; j < outF; j++) wT[j * inF + i] = w[i * outF + j];
  return wT;
}

/** y = a·W + b, then ELU on y when `elu` (one pass, so the pre-activation is never stored). */
function linearForward(
  a: Float32Array,
  batch: number,
  inF: number,
  outF: number,
  w: Float32Array,
  b: Float32Array,
  elu: boolean,
): Float32Array {
  const y = new Float32Array(batch * outF);
  if (inF === 1) {
    // Linear(1, n): an outer product, the first layer of both seminar models
    for (let n = 0; n < batch; n++) {
      const an = a[n];
      const yOff = n * outF;
      for (let j = 0; j < outF; j++) {
        const v = Math.fround(an * w[j]) + b[j];
        y[yOff + j] = elu && v < 0 ? exp(v) - 1 : v;
      }
    }
  } else if (inF >= outF) {
    const wT = transpose(w, inF, outF);
    for (let n = 0; n < batch; n++) {
      const aOff = n * inF;
      for (let j = 0; j < outF; j++) {
        const wOff = j * inF;
        let sum = 0;
        for (let i = 0; i < inF; i++) sum += a[aOff + i] * wT[wOff + i];
        const v = Math.fround(sum) + b[j];
        y[n * outF + j] = elu && v < 0 ? exp(v) - 1 : v;
      }
    }
  } else {
    const row = new Float64Array(outF);
    for (let n = 0; n < batch; n++) {
      row.fill(0);
      for (let i = 0; i < inF; i++) {
        const ai = a[n * inF + i];
        const wOff = i * outF;
        for (let j = 0; j < outF; j++) row[j] += ai * w[wOff + j];
      }
      const yOff = n * outF;
      for (let j = 0; j < outF; j++) {
        const v = Math.fround(row[j]) + b[j];
        y[yOff + j] = elu && v < 0 ? exp(v) - 1 : v;
      }
    }
  }
  return y;
}

/** ELU as tfjs computes it: x ≥ 0 ? x : eˣ − 1. */
function eluOf(v: number): number {
  return v >= 0 ? v : exp(v) - 1;
}

// eˣ for x < 0 without Math.exp (which costs ~20 ns here and dominated the ELU): x = k·ln2 + r with
// |r| ≤ ln2/2, eʳ by its degree-7 Taylor polynomial, 2ᵏ from a table. Relative error < 1e-8, far
// below float32 rounding (6e-8); below −87 the float32 result is 0 anyway.
const INV_LN2 = 1.4426950408889634;
const LN2 = 0.6931471805599453;
const POW2_NEG = Float64Array.from({ length: 130 }, (_, k) => Math.pow(2, -k));
function exp(v: number): number {
  if (v < -87) return 0;
  const m = (0.5 - v * INV_LN2) | 0; // −k = −round(x / ln2), an int32 (a table index V8 keeps fast)
  const r = v + m * LN2;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2_NEG[m];
}

/**
 * Backward pass from dy (gradient of the loss w.r.t. the last activation). Returns the gradient
 * w.r.t. the input and one per parameter, in the order of `params`. An ELU before a Linear is folded
 * into that Linear's input gradient.
 */
export function backward(
  steps: readonly KernelStep[],
  acts: readonly Float32Array[],
  batch: number,
  params: readonly Float32Array[],
  dy: Float32Array,
): { dx: Float32Array; dParams: Float32Array[] } {
  const dParams: Float32Array[] = new Array(params.length);
  let p = params.length;
  let g = dy;
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k];
    if (s.kind === 'linear') {
      p -= 2;
      const eluBefore = k > 0 && steps[k - 1].kind === 'elu';
      const { da, dw, db } = linearBackward(acts[k], batch, s.inF, s.outF, params[p], g, eluBefore);
      dParams[p] = dw;
      dParams[p + 1] = db;
      g = da;
      if (eluBefore) k--;
    } else {
      const y = acts[k + 1];
      const da = new Float32Array(g.length);
      for (let i = 0; i < da.length; i++) {
        const v = y[i];
        da[i] = v >= 0 ? g[i] : g[i] * (v + 1);
      }
      g = da;
    }
  }
  return { dx: g, dParams };
}

/** Gradients of y = a·W + b; with `eluInput`, `a` is an ELU's output y and da is taken through it. */
function linearBackward(
  a: Float32Array,
  batch: number,
  inF: number,
  outF: number,
  w: Float32Array,
  g: Float32Array,
  eluInput: boolean,
) {
  const dw64 = new Float64Array(inF * outF); // [inF, outF] like W
  const db64 = new Float64Array(outF);
  const da64 = new Float64Array(batch * inF);
  for (let n = 0; n < batch; n++) {
    const gOff = n * outF;
    for (let j = 0; j < outF; j++) db64[j] += g[gOff + j];
  }
  if (inF >= outF) {
    const wT = transpose(w, inF, outF);
    const dwT = new Float64Array(outF * inF);
    for (let n = 0; n < batch; n++) {
      const aOff = n * inF;
      for (let j = 0; j < outF; j++) {
        const gj = g[n * outF + j];
        const off = j * inF;
        for (let i = 0; i < inF; i++) {
          dwT[off + i] += gj * a[aOff + i];
          da64[aOff + i] += gj * wT[off + i];
        }
      }
    }
    for (let i = 0; i < inF; i++) for (let j = 0; j < outF; j++) dw64[i * outF + j] = dwT[j * inF + i];
  } else {
    for (let n = 0; n < batch; n++) {
      const aOff = n * inF;
      const gOff = n * outF;
      for (let i = 0; i < inF; i++) {
        const ai = a[aOff + i];
        const wOff = i * outF;
        let sum = 0;
        for (let j = 0; j < outF; j++) {
          const gj = g[gOff + j];
          dw64[wOff + j] += ai * gj;
          sum += gj * w[wOff + j];
        }
        da64[aOff + i] = sum;
      }
    }
  }
  const da = new Float32Array(batch * inF);
  for (let k = 0; k < da.length; k++) {
    // ELU'(x) from its output: 1 where y ≥ 0, y + 1 below (as tfjs's EluGrad)
    const ak = a[k];
    da[k] = eluInput && ak < 0 ? Math.fround(da64[k]) * (ak + 1) : da64[k];
  }
  return { da, dw: Float32Array.from(dw64), db: Float32Array.from(db64) };
}
