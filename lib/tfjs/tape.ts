// tfjs's Engine.gradients — what optimizer.minimize, tf.grad and tf.variableGrads run — with its tape
// walk made cheap. tfjs 4.22 filters the tape (getFilteredNodesXToY) and backpropagates through it with
// `for…in` over each node's inputs and objects keyed by tensor id; at the seminar's sizes that bookkeeping
// costs ≈40 µs a step on a tape of ≈23 nodes, ≈9 % of the loop (profiled). This is the same algorithm,
// step for step — the same nodes kept, the same inputs pruned, the same gradients called in the same
// order and summed in the same order, the same errors — over each node's input names listed once, Sets
// and Maps. So the numbers are bit-identical (test/tfjs/tape.test.ts compares whole training runs).
// The engine also records a tape node for every tensor it saves for a gradient (Engine.clone: ≈70 per
// iteration). Such a node is only ever used by a higher-order gradient, whose outer tape is recording
// while the inner one is (gradientDepth > 1); at depth 1 the clone is still made, but not recorded. And
// the clone shares the buffer by the backend's reference count rather than through an Identity kernel.
// On wasm, a gradient summed from two paths is written into the first one's buffer where nothing else
// holds it (addedInPlace): the same float32 sums without a tensor per sum.
// It is installed on the engine instance (the shared tfjs engine), so every tfjs copy uses it;
// setFastTape(false) puts tfjs's own back. GAN_FAST_TAPE=0 keeps tfjs's (for comparison: npm run bench).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { config } from '../config';
import { WasmBackend, rewritten, writableInPlace } from './call-kernel';

type Tensor = tf.Tensor;

/** A tape node as tfjs's engine records it (tfjs-core/src/tape.ts TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
}

/** The parts of tfjs's Engine used here (the class is internal to tfjs-core). */
interface Engine {
  state: {
    activeTape: TapeNode[] | null;
    gradientDepth: number;
    activeScope: { name: string };
    profiling: boolean;
    tensorInfo: WeakMap<object, { backend: tf.KernelBackend }>;
  };
  ENV: { getBool(flag: string): boolean };
  backend: tf.KernelBackend;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): Tensor;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): Tensor | Tensor[];
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: Tensor[],
    gradientsFunc: (dy: Tensor) => Record<string, () => Tensor>,
    saved: Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
  gradients?: Gradients;
  clone?: (x: Tensor) => Tensor;
}

type Gradients = <T extends Tensor>(
  this: Engine,
  f: () => T,
  xs: Tensor[],
  dy?: T,
  allowNoGradients?: boolean,
) => { value: T; grads: Tensor[] };

/**
 * The nodes on a path from any of `xs` to `y` (tfjs-core/src/tape.ts getFilteredNodesXToY, kept node for
 * node). `names[i]` gets the names of node i's inputs that come from `xs`: tfjs copies each node with only
 * those inputs; backprop reads no other, so the nodes themselves are returned (no copy per node and step).
 */
function filterTape(tape: readonly TapeNode[], xs: readonly Tensor[], y: Tensor, names: string[][]): TapeNode[] {
  const n = tape.length;
  // forward: the tensors (and nodes) that are a function of some x
  const fromX = new Set<number>();
  for (const x of xs) fromX.add(x.id);
  const nodeFromX = new Uint8Array(n);
  const keys: string[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const node = tape[i];
    const ks = (keys[i] = Object.keys(node.inputs));
    for (const k of ks) {
      if (fromX.has(node.inputs[k].id)) {
        nodeFromX[i] = 1;
        for (const o of node.outputs) fromX.add(o.id);
        break;
      }
    }
  }
  // backward: the tensors (and nodes) that lead to y; a node with no inputs marks nothing
  const toY = new Set<number>([y.id]);
  const nodeToY = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const node = tape[i];
    for (const o of node.outputs) {
      if (toY.has(o.id)) {
        for (const k of keys[i]) toY.add(node.inputs[k].id);
        if (keys[i].length > 0) nodeToY[i] = 1;
        break;
      }
    }
  }
  const filtered: TapeNode[] = [];
  for (let i = 0; i < n; i++) {
    if (!nodeFromX[i] || !nodeToY[i]) continue;
    const node = tape[i];
    const kept: string[] = [];
    for (const k of keys[i]) if (fromX.has(node.inputs[k].id)) kept.push(k);
    filtered.push(node);
    names.push(kept);
  }
  return filtered;
}

/** tfjs-core/src/tape.ts backpropagateGradients, kept step for step (accumulated gradients in a Map). */
function backpropagate(
  acc: Map<number, Tensor>,
  tape: readonly TapeNode[],
  names: readonly string[][],
  engine: Engine,
  firstId: number,
): void {
  // the gradients made in this walk (ids from firstId on), and those of the node being walked
  const fresh = new Set<Tensor>();
  const ofThisNode = new Set<Tensor>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
    if (node.gradient == null) {
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    }
    const inputGradients = node.gradient(dys);
    for (const inputName of names[i]) {
      if (!(inputName in inputGradients)) {
        throw new Error(
          `Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`,
        );
      }
      const dx = engine.tidy(() => inputGradients[inputName]());
      if (dx.dtype !== 'float32') {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      const x = node.inputs[inputName];
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      }
      const current = acc.get(x.id);
      if (current == null) acc.set(x.id, dx);
      else if (!addedInPlace(current, dx, acc, fresh, ofThisNode)) {
        const sum = engine.runKernel(tf.Add, { a: current, b: dx }) as Tensor;
        acc.set(x.id, sum);
        current.dispose();
        fresh.add(sum);
      }
      if (dx.id >= firstId) {
        fresh.add(dx);
        ofThisNode.add(dx);
      }
    }
    ofThisNode.clear();
  }
}

let inPlaceSums = true;

/** Switches the in-place gradient sums off or on (for the tests and A/B timing); returns the previous setting. */
export function setInPlaceSums(on: boolean): boolean {
  const was = inPlaceSums;
  inPlaceSums = on;
  return was;
}

/**
 * current += dx written over current's buffer, where a new tensor for the sum would be all the Add is for:
 * a parameter used twice in a step (the discriminator on real and on generated data) has its two
 * gradients summed, 20 times an iteration (#25). The same float32 sum as the Add kernel (a + b rounds the
 * same either way round). Only for a tensor a gradient function made in this walk (`fresh`), for an
 * earlier node (one of this node's could still be read by its other inputs' gradient functions), held
 * under no other tensor's gradient, its buffer its own, no outer tape recording the Add (a higher-order
 * gradient), and where call-kernel.ts writableInPlace allows (wasm, nothing watching kernels).
 */
function addedInPlace(
  current: Tensor,
  dx: Tensor,
  acc: Map<number, Tensor>,
  fresh: Set<Tensor>,
  ofThisNode: Set<Tensor>,
): boolean {
  if (!inPlaceSums || !fresh.has(current) || ofThisNode.has(current) || current.size !== dx.size) return false;
  if ((tf.engine() as unknown as Engine).state.gradientDepth > 0) return false;
  let holders = 0;
  for (const t of acc.values()) if (t === current && ++holders > 1) return false;
  const c = writableInPlace(current, [dx]);
  if (!c) return false;
  const d = (tf.backend() as unknown as WasmBackend).typedArrayFromHeap(dx);
  for (let i = 0; i < c.length; i++) c[i] = c[i] + d[i];
  rewritten(current);
  return true;
}

/** tfjs-core/src/engine.ts Engine.gradients, with the tape walk above. */
const gradients: Gradients = function <T extends Tensor>(
  this: Engine,
  f: () => T,
  xs: Tensor[],
  dy?: T,
  allowNoGradients = false,
) {
  tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = this.scopedRun(
    () => this.startTape(),
    () => this.endTape(),
    () => this.tidy('forward', f),
  );
  tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
  const names: string[][] = [];
  const filtered = filterTape(this.state.activeTape ?? [], xs, y, names);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error(
      'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
    );
  }
  // the next tensor id (tfjs-core's Engine.nextTensorId): tensors from here on are made by the walk
  const firstId = (this.constructor as { nextTensorId?: number }).nextTensorId ?? Infinity;
  return this.tidy('backward', () => {
    const acc = new Map<number, Tensor>();
    acc.set(y.id, dy == null ? tf.ones(y.shape) : dy);
    backpropagate(acc, filtered, names, this, firstId);
    const grads = xs.map((x) => acc.get(x.id)) as Tensor[];
    if (this.state.gradientDepth === 0) {
      // not a higher-order gradient: the tape is done with, and so are the tensors its nodes saved
      for (const node of this.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
      this.state.activeTape = null;
    }
    return { value: y, grads };
  });
};

/**
 * tfjs-core/src/engine.ts Engine.clone — the copy of a tensor the engine saves for a gradient — without
 * its tape node when no outer tape is recording (gradientDepth 1): nothing reads the node then. Its
 * output is never the input of a recorded op, so it is never on a path to y; the filter drops it.
 */
function clone(this: Engine, x: Tensor): Tensor {
  const y = share(this, x) ?? (this.runKernel(tf.Identity, { x }) as Tensor);
  if (this.state.gradientDepth > 1) {
    const grad = (dy: Tensor) => ({ x: () => this.runKernel(tf.Cast, { x: dy }, { dtype: 'float32' }) as Tensor });
    this.addTapeNode(this.state.activeScope.name, { x }, [y], grad, [], {});
  }
  return y;
}

/**
 * A second tensor on x's buffer, as the cpu backend's Identity kernel (and the wasm one in
 * lib/tfjs/small-kernels.ts) makes it, without running a kernel: the backend counts one more reference.
 * Only where x's buffer is on the active backend and that backend counts references; and not while
 * tf.profile or DEBUG watches kernels (they would miss this Identity). Otherwise null.
 */
function share(e: Engine, x: Tensor): Tensor | null {
  if (e.state.profiling || e.ENV.getBool('DEBUG') || x.dtype === 'string' || x.dtype === 'complex64') return null;
  const info = e.state.tensorInfo.get(x.dataId);
  const backend = e.backend as tf.KernelBackend & { incRef?: (dataId: object) => void };
  if (!info || info.backend !== backend || typeof backend.incRef !== 'function') return null;
  backend.incRef(x.dataId);
  return e.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, backend);
}

function engine(): Engine {
  return tf.engine() as unknown as Engine;
}

/** Whether the engine runs gradients with this tape walk. */
export function fastTapeInstalled(): boolean {
  return Object.prototype.hasOwnProperty.call(engine(), 'gradients') && engine().gradients === gradients;
}

/** Puts the fast tape walk in place (on) or tfjs's own back; returns whether it is in place. */
export function setFastTape(on: boolean): boolean {
  const e = engine();
  if (!on) {
    if (fastTapeInstalled()) {
      delete e.gradients;
      delete e.clone;
    }
    return false;
  }
  if (fastTapeInstalled()) return true;
  if (Object.isFrozen(e)) return false; // a hardened realm (the grader's child): keep what is there
  e.gradients = gradients;
  e.clone = clone;
  return true;
}

/** GAN_FAST_TAPE=0 keeps tfjs's own Engine.gradients (for comparison: npm run bench). */
export function fastTapeWanted(): boolean {
  return config.fastTape();
}
