// The seminar's two samplers and the meaning of the discriminator's two outputs.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { rng } from './random';

/** Index of the discriminator's "is fake" logit. */
export const IS_FAKE = 0;
/** Index of the discriminator's "is real" logit. */
export const IS_REAL = 1;

/** The distribution the generator must learn: N(REAL_MEAN, REAL_STD²). */
export const REAL_MEAN = 5;
export const REAL_STD = 1.5;

/** Fixed batches in place of fresh draws: the grader and the self-check inject them (lib/grader/sandbox/observe.ts). */
export interface SamplerOverride {
  noise(batchSize: number): tf.Tensor2D;
  real(batchSize: number): tf.Tensor2D;
}
let override: SamplerOverride | null = null;

/** Makes the samplers return `o`'s batches until called with null. */
export function overrideSamplers(o: SamplerOverride | null): void {
  override = o;
}

/** Runs `run` with the samplers returning `o`'s batches, then restores the samplers as they were. */
export function withSamplers<T>(o: SamplerOverride, run: () => T): T {
  const was = override;
  override = o;
  try {
    return run();
  } finally {
    override = was;
  }
}

function checkBatchSize(batchSize: number, sampler: string): void {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`${sampler}(batchSize): batchSize must be a positive integer, got ${String(batchSize)}`);
  }
}

/** Uniform noise of shape [batchSize, 1] in range [0, 1]. */
export function sampleNoise(batchSize: number): tf.Tensor2D {
  checkBatchSize(batchSize, 'sampleNoise');
  if (override) return override.noise(batchSize);
  const r = rng();
  return tf.tensor2d(
    r.fill(batchSize, () => r.uniform()),
    [batchSize, 1],
  );
}

/** Normal "real data" of shape [batchSize, 1], mu=5, std=1.5. */
export function sampleRealData(batchSize: number): tf.Tensor2D {
  checkBatchSize(batchSize, 'sampleRealData');
  if (override) return override.real(batchSize);
  const r = rng();
  return tf.tensor2d(
    r.fill(batchSize, () => r.normal() * REAL_STD + REAL_MEAN),
    [batchSize, 1],
  );
}
