// A PyTorch-flavoured nn in a few lines: layers, `sequential`, and modules you call like functions
// (`gen(noise)`), so the notebook reads like the seminar. tf.LayersModel.apply would need casts.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { fusedChain } from '../tfjs/fused-chain';
import type { KernelStep } from '../tfjs/fused-op';
import { Rng, rng } from './random';

export interface Layer {
  readonly name: string;
  forward(x: tf.Tensor2D): tf.Tensor2D;
  parameters(): tf.Variable[];
}

/** A model: call it on a [batch, features] tensor; its variables go to `optimizer.minimize(..., varList)`. */
export interface Module {
  (x: tf.Tensor2D): tf.Tensor2D;
  readonly layers: readonly Layer[];
  /** Trainable variables, in PyTorch's state_dict order (weight, bias per layer). */
  parameters(): tf.Variable[];
  /** [name, variable] pairs named like PyTorch: "0.weight", "0.bias", "2.weight", … */
  namedParameters(): [string, tf.Variable][];
  dispose(): void;
}

/** Fully connected layer y = x·W + b, initialised like torch.nn.Linear: U(±1/√in). */
export class Linear implements Layer {
  readonly name = 'Linear';
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    random: Rng = rng(),
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    const init = (n: number) => random.fill(n, () => (2 * random.uniform() - 1) * bound);
    // tidy frees the initial tensors; the variables (which tidy leaves alone) hold their own reference
    this.weight = tf.tidy(() => tf.variable(tf.tensor2d(init(inFeatures * outFeatures), [inFeatures, outFeatures])));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(init(outFeatures))));
  }

  // No tidy here: `sequential` tidies the whole forward pass once.
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight), this.bias);
  }

  parameters(): tf.Variable[] {
    return [this.weight, this.bias];
  }
}

export class ELU implements Layer {
  readonly name = 'ELU';
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.elu(x);
  }
  parameters(): tf.Variable[] {
    return [];
  }
}

export function linear(inFeatures: number, outFeatures: number, random?: Rng): Linear {
  return new Linear(inFeatures, outFeatures, random);
}

export function elu(): ELU {
  return new ELU();
}

export function sequential(...layers: Layer[]): Module {
  // the variables never change (an update assigns new data to the same Variable): listed once, not per call
  const params = layers.flatMap((l) => l.parameters());
  // the same math as one tfjs op with its own gradient, far fewer engine ops (lib/tfjs/fused-chain.ts)
  const fused = fusedChain(layers.map(kernelStep));
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    if (x.rank !== 2) {
      throw new Error(`expected a [batch, features] tensor, got shape [${x.shape.join(', ')}]`);
    }
    return fused?.(x, params) ?? tf.tidy(() => layers.reduce((h, layer) => layer.forward(h), x));
  };
  const namedParameters = (): [string, tf.Variable][] =>
    layers.flatMap((layer, i) => {
      if (layer instanceof Linear)
        return [
          [`${i}.weight`, layer.weight],
          [`${i}.bias`, layer.bias],
        ] as [string, tf.Variable][];
      return layer.parameters().map((v, j): [string, tf.Variable] => [`${i}.${j}`, v]);
    });
  return Object.assign(forward, {
    layers,
    parameters: () => params.slice(), // namedParameters' order, without building its names at every step
    namedParameters,
    dispose: () => layers.forEach((layer) => layer.parameters().forEach((v) => v.dispose())),
  });
}

/** What the fused op runs for a layer; undefined for a layer it does not know (then the plain ops run). */
function kernelStep(layer: Layer): KernelStep | undefined {
  if (layer instanceof Linear) return { kind: 'linear', inF: layer.inFeatures, outF: layer.outFeatures };
  if (layer instanceof ELU) return { kind: 'elu' };
  return undefined;
}

/** A plain-number copy of a module's weights, for tests, checks and saving. */
export type Weights = Record<string, { shape: number[]; values: number[] }>;

export function getWeights(module: Module): Weights {
  const out: Weights = {};
  for (const [name, v] of module.namedParameters())
    out[name] = { shape: v.shape.slice(), values: Array.from(v.dataSync()) };
  return out;
}

export function setWeights(module: Module, weights: Weights): void {
  for (const [name, v] of module.namedParameters()) {
    const w = weights[name];
    if (!w) throw new Error(`setWeights: no values for "${name}"`);
    if (w.shape.join() !== v.shape.join()) {
      throw new Error(`setWeights: "${name}" has shape [${v.shape}], got [${w.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(w.values, v.shape)));
  }
}

/** Runs `run` with each module set to the given weights, then puts every module's own weights back. */
export function withWeights<T>(pairs: readonly (readonly [Module, Weights])[], run: () => T): T {
  const saved = pairs.map(([m]) => getWeights(m));
  try {
    pairs.forEach(([m, w]) => setWeights(m, w));
    return run();
  } finally {
    pairs.forEach(([m], i) => setWeights(m, saved[i]));
  }
}
