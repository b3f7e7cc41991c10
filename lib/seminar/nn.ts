// A PyTorch-flavoured nn in a few lines: layers, `sequential`, and modules you call like functions
// (`gen(noise)`), so the notebook reads like the seminar. tf.LayersModel.apply would need casts.
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { FusedMode, config } from '../config';
import { KernelStep, backward, forward as fusedForward } from '../tfjs/fused-op';
import { backwardInfos, forwardInfos, release } from '../tfjs/fused-backend';
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

/**
 * How models run (see fusedChain): 'auto' picks per backend (FUSED_BY_BACKEND), 'off' runs the plain
 * tfjs ops layer by layer, 'js' / 'backend-kernels' force one fused implementation (for tests and
 * npm run bench). GAN_FUSED sets it for a process (lib/config.ts); setFused() at run time.
 */
let fusedMode: FusedMode | undefined;

export type { FusedMode } from '../config';

/** Sets how models run; returns the previous mode. `true` / `false` mean 'auto' / 'off'. */
export function setFused(mode: FusedMode | boolean): FusedMode {
  const was = fusedMode ?? config.fused();
  fusedMode = mode === true ? 'auto' : mode === false ? 'off' : mode;
  return was;
}

/**
 * How each backend runs the fused op by default (measured with npm run bench): see lib/tfjs/fused-op.ts and
 * lib/tfjs/fused-backend.ts. Other backends (native TensorFlow) keep the plain ops.
 */
const FUSED_BY_BACKEND: Readonly<Record<string, 'backend-kernels' | 'js'>> = { wasm: 'backend-kernels', cpu: 'js' };

function fusedImpl(): 'backend-kernels' | 'js' | undefined {
  // read once: GAN_FUSED is an environment variable, and process.env costs ≈1 µs a read on every model call
  const mode = (fusedMode ??= config.fused());
  if (mode === 'off') return undefined;
  if (mode === 'auto') return FUSED_BY_BACKEND[tf.getBackend()];
  return mode;
}

/**
 * A whole Linear/ELU chain as ONE tfjs op, joined to tfjs autodiff by tf.customGrad. For batch 128 ×
 * width 64 the plain layers cost ≈20 engine ops per model call forward + backward (each with a scope,
 * a tape entry, cloned saved tensors), and tfjs's matMul gradient takes the wasm kernel's slow
 * transposed loop; the fused op is one engine op whose inside picks the fast kernel form per shape.
 * Inputs are x and every layer's weight and bias, so optimizer.minimize(…, varList) sees their gradients.
 * The math is the layers' own (matMul + bias, ELU); test/tfjs/fused-op.test.ts holds it to the plain ops.
 */
function fusedChain(steps: readonly KernelStep[]): (x: tf.Tensor2D, params: tf.Variable[]) => tf.Tensor2D {
  const jsOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const [x, ...params] = inputs;
    const batch = x.shape[0];
    const pv = params.map((p) => p.dataSync() as Float32Array);
    // The activations stay in this closure for the gradient: nothing is cloned or kept on the tape.
    const acts = fusedForward(steps, x.dataSync() as Float32Array, batch, pv);
    const y = acts[acts.length - 1];
    const value = tf.tensor2d(y, [batch, y.length / batch]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const { dx, dParams } = backward(steps, acts, batch, pv, dy.dataSync() as Float32Array);
      return [tf.tensor(dx, x.shape), ...dParams.map((d, i) => tf.tensor(d, params[i].shape))];
    };
    return { value, gradFunc };
  });
  // The activations the gradient reads (lib/tfjs/fused-backend.ts backwardInfos): a Linear's input and an
  // ELU's output. The others (pre-activations, the output) are freed at once.
  const kept = steps.map((_, k) => k > 0 && (steps[k].kind === 'linear' || steps[k - 1].kind === 'elu'));
  // an ELU last: its gradient reads the op's output, which is saved too
  const eluLast = steps[steps.length - 1]?.kind === 'elu';
  const backendOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [x, ...params] = args.slice(0, -1) as tf.Tensor[];
    const engine = tf.engine();
    const acts = forwardInfos(steps, x, params);
    const out = acts.pop()!;
    const hidden = acts.map((a, k) => (kept[k] ? engine.makeTensorFromTensorInfo(a) : null));
    // (a Linear + ELU in one kernel gives its pre-activation and output as one buffer: kept as the output)
    const keptIds = new Set(acts.filter((_, k) => kept[k]).map((a) => a.dataId));
    release(acts.filter((a, k) => !kept[k] && a.dataId !== out.dataId && !keptIds.has(a.dataId)));
    const value = engine.makeTensorFromTensorInfo(out);
    // save() keeps x and the kept activations while a gradient is being recorded (minimize tidies its
    // loss function, which would free them). Saving is a shared reference, not a copy (Identity in
    // lib/tfjs/small-kernels.ts); without a tape it does nothing and this op's tidy frees them.
    save([x, ...hidden.filter((h): h is tf.Tensor => h !== null), ...(eluLast ? [value] : [])]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      let next = 1;
      const again = kept.map((keep, k) => (k === 0 ? saved[0] : keep ? saved[next++] : undefined));
      if (eluLast) again.push(saved[next]);
      const { dx, dParams } = backwardInfos(steps, again, params, dy);
      return [dx, ...dParams].map((info) => engine.makeTensorFromTensorInfo(info));
    };
    return { value, gradFunc };
  });
  return (x, params) => {
    const op = fusedImpl() === 'backend-kernels' ? backendOp : jsOp;
    return op(x, ...params) as tf.Tensor2D;
  };
}

export function sequential(...layers: Layer[]): Module {
  const steps: KernelStep[] | null = layers.every((l) => l instanceof Linear || l instanceof ELU)
    ? layers.map((l): KernelStep =>
        l instanceof Linear ? { kind: 'linear', inF: l.inFeatures, outF: l.outFeatures } : { kind: 'elu' },
      )
    : null;
  const chain = steps && steps.length > 0 ? fusedChain(steps) : null;
  const firstIn = layers.find((l): l is Linear => l instanceof Linear)?.inFeatures;
  // the variables never change (an update assigns new data to the same Variable): listed once, not per call
  const params = layers.flatMap((l) => l.parameters());
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    if (x.rank !== 2) {
      throw new Error(`expected a [batch, features] tensor, got shape [${x.shape.join(', ')}]`);
    }
    // Anything unusual (other dtype, wrong width: tfjs's own error message) takes the plain ops.
    if (chain && x.dtype === 'float32' && x.shape[1] === firstIn && fusedImpl() !== undefined) {
      return chain(x, params);
    }
    return tf.tidy(() => layers.reduce((h, layer) => layer.forward(h), x));
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
    parameters: () => namedParameters().map(([, v]) => v),
    namedParameters,
    dispose: () => layers.forEach((layer) => layer.parameters().forEach((v) => v.dispose())),
  });
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
