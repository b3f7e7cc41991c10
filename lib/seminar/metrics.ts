// How close the generator is to N(5, 1.5²): sample mean/std and the exact 1-Wasserstein distance
// between the empirical sample and the normal distribution.

export interface Summary {
  mean: number;
  std: number;
}

export function summarize(xs: ArrayLike<number>): Summary {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (xs[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

/** Standard normal density. */
function phi(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF via erfc (W. J. Cody's rational approximation, |error| < 1.2e-7 absolute). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Standard normal quantile (Acklam's algorithm, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < lo ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * W1(sample, N(mean, std²)) = ∫ |F_n(x) − Φ((x − mean)/std)| dx, integrated exactly piece by piece
 * (F_n is a step function; ∫Φ has the closed form z·Φ(z) + φ(z)).
 */
export function wasserstein1ToNormal(xs: ArrayLike<number>, mean: number, std: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[n - 1])) return Infinity;
  const z = (x: number) => (x - mean) / std;
  // G(x) = ∫_{-∞}^{x} Φ(z(t)) dt
  const G = (x: number) => std * (z(x) * normalCdf(z(x)) + phi(z(x)));
  // ∫_a^b |level − Φ(z(t))| dt, split where Φ crosses the level
  const piece = (a: number, b: number, level: number): number => {
    if (b <= a) return 0;
    const cross = mean + std * normalQuantile(level);
    const below = (lo: number, hi: number) => level * (hi - lo) - (G(hi) - G(lo)); // Φ ≤ level here
    const above = (lo: number, hi: number) => G(hi) - G(lo) - level * (hi - lo);
    if (cross <= a) return above(a, b);
    if (cross >= b) return below(a, b);
    return below(a, cross) + above(cross, b);
  };
  let total = G(sorted[0]); // left tail: F_n = 0
  for (let i = 0; i < n - 1; i++) total += piece(sorted[i], sorted[i + 1], (i + 1) / n);
  const zn = z(sorted[n - 1]);
  total += std * (phi(zn) - zn * (1 - normalCdf(zn))); // right tail: ∫ (1 − Φ)
  return total;
}
