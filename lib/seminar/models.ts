// The seminar's models and optimizers, and the globals a notebook (or a graded submission) sees.
import * as tf from '@tensorflow/tfjs';
import { IS_FAKE, IS_REAL, sampleNoise, sampleRealData } from './data';
import { Module, elu, linear, sequential } from './nn';
import { seed as reseed } from './random';

export const GEN_LR = 1e-3;
export const DISC_LR = 1e-2;

/** Generator: 1-d noise → 1-d data. */
export function makeGenerator(): Module {
  return sequential(linear(1, 16), elu(), linear(16, 1));
}

/**
 * Discriminator: 1-d data → two logits ([IS_FAKE, IS_REAL]). Deliberately stronger than the generator
 * so it stays slightly ahead. No final sigmoid: the loss takes log-softmax of these logits (with the
 * seed's sigmoid the GAN saturates and never learns).
 */
export function makeDiscriminator(): Module {
  return sequential(linear(1, 64), elu(), linear(64, 2));
}

/** Everything the exercise cells use, under the names the notebook gives them. */
export interface Seminar {
  tf: typeof tf;
  gen: Module;
  disc: Module;
  genOpt: tf.SGDOptimizer;
  discOpt: tf.SGDOptimizer;
  sampleNoise: (batchSize: number) => tf.Tensor2D;
  sampleRealData: (batchSize: number) => tf.Tensor2D;
  IS_FAKE: number;
  IS_REAL: number;
}

/** The globals the notebook's cells define (samplers and models cells) and the exercise cells use: the
 * grader declares them for the type-check (lib/jupyter/compile.ts) and defines them in its sandbox. */
export const NOTEBOOK_GLOBALS = [
  'gen',
  'disc',
  'genOpt',
  'discOpt',
  'sampleNoise',
  'sampleRealData',
  'IS_FAKE',
  'IS_REAL',
] as const satisfies readonly (keyof Seminar)[];

/** Fresh models and optimizers; `seed` makes weights and all later samples reproducible. */
export function createSeminar(options: { seed?: number } = {}): Seminar {
  if (options.seed !== undefined) reseed(options.seed);
  const gen = makeGenerator();
  const disc = makeDiscriminator();
  return {
    tf,
    gen,
    disc,
    genOpt: tf.train.sgd(GEN_LR),
    discOpt: tf.train.sgd(DISC_LR),
    sampleNoise,
    sampleRealData,
    IS_FAKE,
    IS_REAL,
  };
}

/** A seminar around models and optimizers built elsewhere (the notebook's), with the lib's tf and samplers. */
export function seminarOf(models: Pick<Seminar, 'gen' | 'disc' | 'genOpt' | 'discOpt'>): Seminar {
  return { tf, sampleNoise, sampleRealData, IS_FAKE, IS_REAL, ...models };
}

/** Frees a seminar's variables. */
export function disposeSeminar(s: Seminar): void {
  s.gen.dispose();
  s.disc.dispose();
  s.genOpt.dispose();
  s.discOpt.dispose();
}
