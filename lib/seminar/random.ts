// One seeded stream of random numbers for everything the seminar samples: tfjs has no global seed
// (its unseeded ops fall back to Math.random), so reproducible runs need their own generator.

/** mulberry32: a tiny, fast 32-bit PRNG, good enough for noise and weight initialisation. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller, the second value of each pair kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills a new Float32Array with `n` values from `draw`. */
  fill(n: number, draw: () => number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = draw();
    return out;
  }
}

let shared = new Rng(Date.now());

/** Reseeds the stream used by the samplers and by new models. */
export function seed(value: number): void {
  shared = new Rng(value);
}

/** The current shared stream. */
export function rng(): Rng {
  return shared;
}
