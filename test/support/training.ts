// A short reference training run and float32 bit patterns: what the kernel tests compare with a
// speed-up switched on and off.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { createSeminar, disposeSeminar, getWeights, initBackend, referenceSteps } from '../../lib';
import { SWITCHES, read } from '../../lib/config';
import type { SpeedUpSwitch } from '../../lib/tfjs/speed-ups';

/** float32 bit patterns; every NaN counts as one pattern (wasm and JS may pick different NaN payloads). */
export function bits(a: ArrayLike<number>): number[] {
  const f = Float32Array.from(a as ArrayLike<number>);
  const u = new Uint32Array(f.buffer);
  return Array.from(u, (x, i) => (Number.isNaN(f[i]) ? 0x7fc00000 : x));
}

/** `iterations` seminar iterations (5 × trainDisc + 1 × trainGen, batch 128) from `seed`: every loss and the final weights. */
export function trainingRun(seed: number, iterations: number): { losses: number[]; weights: number[] } {
  const s = createSeminar({ seed });
  const steps = referenceSteps(s);
  const losses: number[] = [];
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < 5; k++) losses.push(steps.trainDisc(128));
    losses.push(steps.trainGen(128));
  }
  const weights = [...Object.values(getWeights(s.gen)), ...Object.values(getWeights(s.disc))].flatMap((w) => w.values);
  disposeSeminar(s);
  return { losses, weights };
}

/**
 * The same run with a speed-up off (`setOn(false)`), then on: the same losses and weights bit for bit, and
 * no tensor or backend buffer more after the second run than after the first.
 */
export function expectSameTraining(setOn: (on: boolean) => void, seed: number, iterations: number): void {
  setOn(false);
  const plain = trainingRun(seed, iterations);
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  setOn(true);
  const fast = trainingRun(seed, iterations);
  expect(tf.memory().numTensors, 'tensors').to.equal(tensors);
  expect(tf.engine().backend.numDataIds(), 'backend buffers').to.equal(buffers);
  expect(fast.losses.every(Number.isFinite), 'the run trained').to.equal(true);
  expect(bits(fast.losses), 'losses').to.deep.equal(bits(plain.losses));
  expect(bits(fast.weights), 'weights').to.deep.equal(bits(plain.weights));
}

/** A speed-up's GAN_* switch: 0 turns it off, unset leaves it on, anything else fails naming the variable. */
export function expectOnOffSwitch(key: Exclude<SpeedUpSwitch, 'fused'>): void {
  const name = SWITCHES[key].name;
  expect(read(key, { [name]: '0' }), `${name}=0`).to.equal(false);
  expect(read(key, {}), `${name} unset`).to.equal(true);
  expect(() => read(key, { [name]: 'maybe' })).to.throw(new RegExp(`${name}="maybe" is not valid: use 1 or 0`));
}

/**
 * The tests every speed-up switch gets: on wasm and on cpu, initBackend puts it in place (and `check`
 * holds) and a training run is bit-identical with it off and on; after them it is on again, on wasm.
 */
export function itTrainsTheSameOnBothBackends(speedUp: {
  set: (on: boolean) => boolean;
  installed: () => boolean;
  seed: number;
  check?: (backend: string) => void;
}): void {
  after(async () => {
    await initBackend('wasm');
    speedUp.set(true);
  });
  for (const backend of ['wasm', 'cpu']) {
    it(`${backend}: a training run gives the same losses and weights, bit for bit; no tensor or buffer growth`, async () => {
      await initBackend(backend);
      expect(speedUp.installed(), 'initBackend puts it in place').to.equal(true);
      speedUp.check?.(backend);
      expectSameTraining((on) => speedUp.set(on), speedUp.seed, 20);
    });
  }
}

interface EngineState {
  kernelDepth: number;
  gradientDepth: number;
  scopeStack: unknown[];
}

/** What `f` gives: its numbers (or error), the tensors it leaves, the engine's depths and scopes after. */
export function engineEffects(f: () => tf.Tensor | tf.Tensor[]): Record<string, unknown> {
  const before = tf.memory().numTensors;
  let values: unknown;
  let error: string | undefined;
  try {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    values = list.map((t) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.dataSync()) }));
    tf.dispose(list);
  } catch (err) {
    error = (err as Error).message;
  }
  const s = (tf.engine() as unknown as { state: EngineState }).state;
  return {
    values,
    error,
    left: tf.memory().numTensors - before,
    kernelDepth: s.kernelDepth,
    gradientDepth: s.gradientDepth,
    scopes: s.scopeStack.length,
  };
}

/** `f` has the same effects with a speed-up off as on (`installed`: the speed-up is in place once on). */
export function sameEffects(
  name: string,
  setOn: (on: boolean) => void,
  f: () => tf.Tensor | tf.Tensor[],
  installed?: () => boolean,
): void {
  setOn(false);
  const plain = engineEffects(f);
  setOn(true);
  if (installed) expect(installed(), `${name}: installed`).to.equal(true);
  expect(engineEffects(f), name).to.deep.equal(plain);
}
