// Small helpers shared by the lib tests.
import * as tf from '@tensorflow/tfjs';
import { Module, Weights, getWeights } from '../lib';

/** Largest absolute difference between two weight snapshots (same names and shapes). */
export function maxWeightDiff(a: Weights, b: Weights): number {
  let worst = 0;
  for (const name of Object.keys(a)) {
    const x = a[name].values;
    const y = b[name].values;
    if (x.length !== y.length) throw new Error(`${name}: ${x.length} vs ${y.length} values`);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}

export function snapshot(m: Module): Weights {
  return getWeights(m);
}

/** Runs `body` and returns how many tensors it left behind. */
export function tensorsLeft(body: () => void): number {
  const before = tf.memory().numTensors;
  body();
  return tf.memory().numTensors - before;
}
