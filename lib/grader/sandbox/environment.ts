// The graded cells' global object, made to look like a kernel's: what tslab (Node) and Deno both offer a
// cell is there — timers, console, structuredClone, TextEncoder, URL, ... — and every other global name
// of the kernel exists too, as a stand-in that throws when used. A step cannot be right only in the
// grader by testing which names exist (`typeof setTimeout`), and one that uses what the grader cannot
// offer (the host's process, the network, storage) fails with a message instead of passing.
// Loaded by the sandbox child (lib/grader/sandbox/sandbox-child.ts) only.
import * as vm from 'node:vm';
import { NOTEBOOK_GLOBALS } from '../../seminar/models';

/** Offered as they are (the host's own, hardened by SES's lockdown or frozen here). */
const SHARED = [
  'queueMicrotask',
  'structuredClone',
  'atob',
  'btoa',
  'TextEncoder',
  'TextDecoder',
  'URL',
  'URLSearchParams',
  'AbortController',
  'AbortSignal',
  'Event',
  'EventTarget',
  'CustomEvent',
  'DOMException',
] as const;

/**
 * Names a kernel's cells see that the child leaves out or stands in for, with the reason (the
 * environment test, test/grader/environment.test.ts, holds the kernels' lists against this one).
 */
export const STAND_INS: Readonly<Record<string, string>> = {
  process: "the host's process (exit, env, bindings): the way out of the sandbox; a step has no use for it",
  Buffer: 'Buffer.allocUnsafe hands out pooled host memory',
  global: "the host's global object",
  fetch: 'no network in the child',
  WebSocket: 'no network in the child',
  Request: 'no network in the child',
  Response: 'no network in the child',
  Headers: 'no network in the child',
  FormData: 'no network in the child',
  localStorage: 'storage outlives the run: a step could remember earlier runs',
  sessionStorage: 'storage outlives the run',
  Storage: 'storage outlives the run',
  BroadcastChannel: 'a channel between realms (the end-state runs are separate realms)',
  MessageChannel: 'a channel between realms',
  MessagePort: 'a channel between realms',
  MessageEvent: 'a channel between realms',
  crypto: "a random source besides the seminar's samplers",
  Crypto: 'a random source',
  CryptoKey: 'a random source',
  SubtleCrypto: 'a random source',
  performance: "timings of the host's event loop",
  Performance: 'timings',
  PerformanceEntry: 'timings',
  PerformanceMark: 'timings',
  PerformanceMeasure: 'timings',
  PerformanceObserver: 'timings',
  PerformanceObserverEntryList: 'timings',
  PerformanceResourceTiming: 'timings',
  navigator: "the host's hardware and platform",
  Navigator: "the host's platform",
  setImmediate: "Node's event-loop phase API (setTimeout is there)",
  clearImmediate: "Node's event-loop phase API",
  _tfengine: "TF.js's engine: the way into the child's engine (tf.engine() is left out for the same reason)",
  _tfGlobals: "TF.js's registry of its globals (the engine's way in)",
  __tslab__: "tslab's own bookkeeping",
};

/** What SES's lockdown (lib/grader/sandbox/harden.ts) adds to the host's global object: the child's, no kernel's. */
const SES_GLOBALS = new Set(['Compartment', 'assert', 'getStackString', 'harden', 'lockdown', 'repairIntrinsics']);

const throwing = (name: string) => () => {
  throw new Error(
    `${name} is not available to graded cells (${STAND_INS[name] ?? 'not offered by the grader'}); a training step does not need it`,
  );
};

/** A stand-in: a function (class) that throws when called or constructed, or an object that throws when touched. */
function standIn(name: string, like: unknown): unknown {
  const fail = throwing(name);
  if (typeof like === 'function') {
    const fn = function () {
      fail();
    };
    Object.defineProperty(fn, 'name', { value: name });
    return Object.freeze(fn);
  }
  return new Proxy(Object.freeze({}), {
    get: fail,
    has: fail,
    set: fail,
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    defineProperty: fail,
    deleteProperty: fail,
    getPrototypeOf: fail,
  });
}

/** Timers as a kernel has them; the handles are plain objects (a step gets no host Timeout to call into). */
function timers(): Record<string, unknown> {
  const live = new WeakMap<object, ReturnType<typeof setTimeout>>();
  const handle = (t: ReturnType<typeof setTimeout>) => {
    const h = Object.freeze({});
    live.set(h, t);
    return h;
  };
  const clear = (h: unknown) => {
    const t = h && typeof h === 'object' ? live.get(h) : undefined;
    if (t) clearTimeout(t);
  };
  return {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      handle(setTimeout(() => fn(...args), Number(ms) || 0)),
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      handle(setInterval(() => fn(...args), Math.max(1, Number(ms) || 0))),
    clearTimeout: clear,
    clearInterval: clear,
  };
}

/**
 * The globals to add to a fresh vm context beside the notebook's: the shared ones, timers, and a
 * stand-in for every other name the host's global object has (Node's: tslab's cells run on it) that
 * the context lacks.
 */
export function kernelGlobals(): Record<string, unknown> {
  const host = globalThis as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...timers() };
  // SES's harden (there after lockdown: lib/grader/sandbox/harden.ts) freezes prototypes too, so no step reaches host code through them
  const harden = (typeof host.harden === 'function' ? host.harden : Object.freeze) as (x: unknown) => unknown;
  for (const name of SHARED) if (name in host) out[name] = harden(host[name]);
  const own = new Set(vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]);
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (own.has(name) || name in out || name === 'console' || SES_GLOBALS.has(name)) continue;
    let value: unknown;
    try {
      value = host[name];
    } catch {
      value = undefined;
    }
    out[name] = standIn(name, value);
  }
  for (const name of Object.keys(STAND_INS)) if (!(name in out)) out[name] = standIn(name, undefined);
  return out;
}

/**
 * Names the child's cells see that a kernel's do not, and why (test/grader/environment.test.ts):
 * the notebook's own globals are properties of the child's global object because its cells run as
 * scripts in one realm (tslab keeps a cell's declarations in module scope, Deno too).
 */
export const CHILD_ONLY: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [...NOTEBOOK_GLOBALS, 'tf', 'gan', 'TODO', 'SOLUTIONS'].map((n) => [
      n,
      "the notebook's globals, declared by its cells: global properties in the child's one realm, module-scoped in the kernels",
    ]),
  ),
  exports: 'the CommonJS `exports` a transpiled cell writes to (tslab gives its cells one too, in module scope)',
};

/** Why names only Deno's cells see are not in the child: it follows tslab, the notebook's kernel (a step that needs them fails in tslab too). */
export const DENO_ONLY_REASON =
  "Deno's own namespace and browser APIs (WebGPU, DOM geometry, window, location, …): the child offers tslab's (Node's) globals, the notebook's default kernel";
