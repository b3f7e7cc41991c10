// The convergence metric itself: W1 to a normal, against values known in closed form.
import { expect } from 'chai';
import { Rng, normalCdf, normalQuantile, summarize, wasserstein1ToNormal } from '../../lib';

/** n evenly spaced quantiles of N(mean, std²): a "perfect" sample. */
function quantiles(n: number, mean: number, std: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => mean + std * normalQuantile((i + 0.5) / n));
}

describe('metrics', () => {
  it('normal CDF and quantile invert each other', () => {
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.8, 0.999]) expect(normalCdf(normalQuantile(p))).to.be.closeTo(p, 2e-7);
    expect(normalCdf(0)).to.be.closeTo(0.5, 1e-7);
    expect(normalCdf(1.959964)).to.be.closeTo(0.975, 1e-6);
  });

  it('W1 is ~0 for the normal itself and equals a pure shift', () => {
    const xs = quantiles(20000, 5, 1.5);
    expect(wasserstein1ToNormal(xs, 5, 1.5)).to.be.below(2e-3);
    expect(
      wasserstein1ToNormal(
        xs.map((x) => x + 0.3),
        5,
        1.5,
      ),
    ).to.be.closeTo(0.3, 2e-3);
  });

  it('W1 of a scaled normal is |Δσ|·√(2/π)', () => {
    const xs = quantiles(20000, 5, 1.0);
    expect(wasserstein1ToNormal(xs, 5, 1.5)).to.be.closeTo(0.5 * Math.sqrt(2 / Math.PI), 3e-3);
  });

  it('W1 of random normal samples shrinks like 1/√n', () => {
    const r = new Rng(5);
    const w = (n: number) =>
      wasserstein1ToNormal(
        r.fill(n, () => 5 + 1.5 * r.normal()),
        5,
        1.5,
      );
    expect(w(1000)).to.be.within(0.01, 0.12);
    expect(w(100000)).to.be.below(0.015);
  });

  it('a non-finite sample is infinitely far, an empty one undefined', () => {
    expect(wasserstein1ToNormal([1, NaN], 5, 1.5)).to.satisfy((v: number) => !Number.isFinite(v));
    expect(wasserstein1ToNormal([], 5, 1.5)).to.be.NaN;
    expect(summarize([]).mean).to.be.NaN;
  });
});
