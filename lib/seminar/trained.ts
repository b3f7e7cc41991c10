// How many loop iterations a notebook's models have really been trained, across runs of the training
// cell: after Kernel > Interrupt the weights carry on, so the dashboard of the next run continues from
// here instead of restarting at 1. Counted per generator (a re-run models cell starts again at 0) by the
// steps chooseSteps hands the loop — the self-checks' steps from fixed states do not count.
import * as tf from '@tensorflow/tfjs';
import type { Module } from './nn';
import type { Signs } from './verdict';

/** One read-out of the training loop, as the dashboard plots it. */
export interface HistoryPoint {
  /** Iterations done. */
  iteration: number;
  discLoss: number;
  genLoss: number;
  genMean: number;
  genStd: number;
}

export interface TrainedRecord {
  /** Generator steps taken by the training loop (= loop iterations). */
  iterations: number;
  /** The dashboard's history so far, continued by the next run's dashboard. */
  history: HistoryPoint[];
  /** The verdict's read-outs so far (lib/seminar/verdict.ts), continued like the history. */
  signs?: Signs[];
}

const records = new WeakMap<Module, TrainedRecord>();

export function trainedRecord(gen: Module): TrainedRecord {
  let r = records.get(gen);
  if (!r) records.set(gen, (r = { iterations: 0, history: [], signs: [] }));
  return r;
}

/** Beyond this, generated samples (the data: 5 ± 1.5) have blown up: no step recovers from there. */
export const BLOWN_UP = 1e3;

/**
 * Why the models' weights cannot train any more — a NaN or ±Infinity in a weight, or a generator whose
 * samples lie beyond ±BLOWN_UP — as a phrase; null when they are usable. The generator is read on a fixed
 * grid of noise, so the check draws nothing from the seminar's random stream.
 */
export function brokenWeights(gen: Module, disc: Module): string | null {
  const nonFinite = [...gen.parameters(), ...disc.parameters()].find((p) =>
    p.dataSync().some((v) => !Number.isFinite(v)),
  );
  if (nonFinite) return `a weight is ${nonFinite.dataSync().find((v) => !Number.isFinite(v))}`;
  const samples = [...tf.tidy(() => gen(tf.linspace(0, 1, 33).reshape([33, 1]) as tf.Tensor2D).dataSync())];
  const worst = samples.reduce((a, v) => (Math.abs(v) > Math.abs(a) || Number.isNaN(v) ? v : a), 0);
  if (!Number.isFinite(worst) || Math.abs(worst) > BLOWN_UP)
    return `the generator's samples reach ${worst.toPrecision(3)} (the data: 5 ± 1.5)`;
  return null;
}
