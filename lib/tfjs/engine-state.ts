// Recovering TF.js after Kernel > Interrupt. tslab runs a cell with vm's breakOnSigint, which stops the
// script with an uncatchable termination: none of TF.js's try/finally blocks run, so an interrupt in the
// middle of a step leaves its engine mid-step — scopes of tf.tidy still open, the gradient tape on
// (gradientDepth > 0), a kernel "running" (kernelDepth > 0). The next minimize() then records nothing
// ("Cannot find a connection between any variable and the result of the loss function"). A clean engine,
// as tfjs-core's Engine starts and ends every step, has no open scope, no tape and no kernel running;
// recoverEngine() brings it back to that, freeing what the open scopes had made, as their tidy would have.
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-core's EngineState a step opens and closes (tfjs-core/dist/engine.js). */
interface EngineStateLike {
  registeredVariables: Record<string, tf.Variable>;
  tensorInfo: WeakMap<object, { backend: { refCount(dataId: object): number } }>;
  scopeStack: { track: tf.Tensor[]; name: string; id: number }[];
  activeScope: unknown;
  gradientDepth: number;
  kernelDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
  numDataMovesStack: number[];
}

interface EngineLike {
  state: EngineStateLike;
  startScope(name?: string): void;
  endScope(result?: unknown): void;
  incRef(t: tf.Tensor, backend: null): void;
}

export interface EngineLeftovers {
  openScopes: number;
  gradientDepth: number;
  kernelDepth: number;
}

const engine = () => tf.engine() as unknown as EngineLike;

/** What a stopped step left open (all zero on a clean engine). */
export function engineLeftovers(): EngineLeftovers {
  const s = engine().state;
  return { openScopes: s.scopeStack.length, gradientDepth: s.gradientDepth, kernelDepth: s.kernelDepth };
}

export function engineIsClean(): boolean {
  const l = engineLeftovers();
  return l.openScopes === 0 && l.gradientDepth === 0 && l.kernelDepth === 0;
}

export interface Recovery extends EngineLeftovers {
  /** Tensors freed: those the open scopes had made and the tape had saved. */
  freed: number;
  /** Variables whose update (Variable.assign) the interrupt had cut short, completed. */
  completedAssigns: number;
  /** Variables whose value was lost (the interrupt fell inside assign, after the old value was freed). */
  lost: string[];
}

/**
 * Closes what an interrupted step left open; returns what it found, or null when the engine was clean.
 * Only call it between steps (no tf.tidy of the caller's is running): it closes every open scope.
 */
export function recoverEngine(): Recovery | null {
  if (engineIsClean()) return null;
  const e = engine();
  const found = engineLeftovers();
  const before = tf.memory().numTensors;
  // Variable.assign(v) frees the old value, points the variable at v's data, then takes a reference on
  // it. Cut short before that last step, the variable shares data with a tensor of an open scope and
  // holds no reference of its own: closing the scope would free its value. Complete the assign first.
  const doomed = new Map<object, number>();
  for (const scope of e.state.scopeStack)
    for (const t of scope.track) if (!t.kept && !t.isDisposed) doomed.set(t.dataId, (doomed.get(t.dataId) ?? 0) + 1);
  let completedAssigns = 0;
  for (const v of Object.values(e.state.registeredVariables)) {
    const n = doomed.get(v.dataId);
    const info = e.state.tensorInfo.get(v.dataId);
    if (n !== undefined && info && info.backend.refCount(v.dataId) <= n) {
      e.incRef(v, null);
      completedAssigns++;
    }
  }
  // innermost scope first, each disposing what it tracked (kept tensors — variables — survive)
  while (e.state.scopeStack.length > 0) e.endScope(null);
  e.state.activeScope = null;
  for (const node of e.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
  e.state.activeTape = null;
  e.state.gradientDepth = 0;
  e.state.kernelDepth = 0;
  e.state.numDataMovesStack = [];
  // cut short one step earlier (old value freed, new one not yet pointed at): the value is gone
  const lost = Object.values(e.state.registeredVariables)
    .filter((v) => !e.state.tensorInfo.has(v.dataId))
    .map((v) => v.name);
  return { ...found, freed: before - tf.memory().numTensors, completedAssigns, lost };
}

/** The one line a cell prints after recovering. */
export function recoveryNote(r: Recovery): string {
  if (r.lost.length > 0) {
    return (
      `TF.js was stopped by the interrupt in the middle of updating a weight, and ${r.lost.length} weight tensor(s) lost their values: ` +
      're-run the «Models» cell (fresh weights) and the cells after it.'
    );
  }
  return (
    `TF.js was stopped in the middle of a step by the interrupt; its state is reset (${r.openScopes} open scope(s) closed, ` +
    `${r.freed} tensor(s) freed). Your models keep their weights — carry on.`
  );
}

/** Recovers if needed and prints the note; true when something was recovered. */
export function recoverEngineAndSay(log: (line: string) => void = console.log): boolean {
  const r = recoverEngine();
  if (r) log(recoveryNote(r));
  return r !== null;
}

/**
 * Runs `stretch` and frees what it made and left behind — tensors no scope disposed, variables registered
 * meanwhile — once it is over. For work whose results are read out as numbers and whose own objects are
 * thrown away after (the grader child's end-state runs: each start runs the notebook's cells afresh), so
 * a step that leaks on every call (a new tf.train.adam per call keeps its slot variables) leaks within one
 * stretch, not over all of them. Never in a student's kernel: a global made lazily inside a step must live on.
 */
export async function freeingLeftovers<T>(stretch: () => Promise<T>): Promise<T> {
  const e = engine();
  const known = new Set(Object.keys(e.state.registeredVariables));
  e.startScope('freeing leftovers');
  const scope = e.state.activeScope;
  try {
    return await stretch();
  } finally {
    // a stretch cut short may have had recoverEngine() close every scope, this one too
    if (e.state.activeScope === scope) e.endScope(null);
    for (const [name, v] of Object.entries(e.state.registeredVariables)) if (!known.has(name)) v.dispose();
  }
}
