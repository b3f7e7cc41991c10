// The notebook under Deno's kernel (`deno jupyter`): what Deno does differently from tslab, made up for.
// The first cell (gan.initBackend) starts a helper thread (lib/jupyter/deno-worker.ts, which says why
// each part is needed) and from then on:
// - Kernel > Interrupt reaches the lib as a flag (the kernelspec sends SIGINT, lib/jupyter/kernels.ts):
//   the training steps, the self-check and the lib's own awaits stop with a one-line "Interrupted"
//   (throwIfInterrupted, interruptible) instead of Deno's terminate, which hangs an awaiting cell.
// - Every cell that ends without an error ends here first (Deno calls its
//   `Deno[Deno.internal].jupyter.broadcastResult` before the cell's reply; the lib wraps it): it waits
//   until the cell's output has left on iopub (else a cell's last lines can follow its idle status and
//   front ends drop them), and type-checks an exercise cell the way the grader does (jupyter/compile.ts)
//   and prints tslab's errors there: Deno runs cells without type-checking them.
// - The self-check reads the code of the exercise cells from here (typeErrorsOfLatest).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DenoJupyter, denoJupyter } from '../dashboard/live-output';
import { EXERCISES, ExerciseId, exercise as exerciseById } from '../exercises';
import { stepGuard } from './cell-helpers';
import type { CompileError } from './compile';
import { StudentError } from '../seminar/todo';
import {
  CODE_BYTES,
  CheckAnswer,
  HEARTBEAT_MS,
  HelperData,
  KernelConnection,
  MARKER_KEY,
  RESULT_BYTES,
  SLOT,
  STATE_SLOTS,
  clock31,
  exerciseDefinedIn,
  newestDefinition,
  typeCheckExercise,
} from './deno-worker';
import { INTERRUPT_NOTE } from './kernel-hooks';
import { DEFINING_CELLS, missingCellHint } from './prerequisites';
import { explainDiagnostic } from './type-hints';

/**
 * The kernel's connection file, from its command line (`deno jupyter --kernel --conn FILE`): /proc on
 * Linux, else `ps` (macOS); null where neither answers (Windows).
 */
export function connectionFile(cmdline = '/proc/self/cmdline'): string | null {
  try {
    const args = fs.readFileSync(cmdline, 'utf8').split('\0');
    const i = args.indexOf('--conn');
    return i >= 0 && args[i + 1] ? args[i + 1] : null;
  } catch {
    try {
      const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
      const line = execFileSync('ps', ['-o', 'args=', '-p', String(process.pid)], {
        encoding: 'utf8',
        timeout: 2000,
      }).trim();
      const m = / --conn (.+)$/.exec(line); // the kernelspec puts the file last
      return m ? m[1] : null;
    } catch {
      return null;
    }
  }
}

function readConnection(): KernelConnection | null {
  const file = connectionFile();
  if (!file) return null;
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KernelConnection> & { transport?: string };
    const ok =
      c.transport === 'tcp' &&
      typeof c.ip === 'string' &&
      typeof c.iopub_port === 'number' &&
      typeof c.control_port === 'number';
    return ok
      ? {
          ip: c.ip!,
          iopub_port: c.iopub_port!,
          control_port: c.control_port!,
          key: c.key ?? '',
          signature_scheme: c.signature_scheme ?? '',
        }
      : null;
  } catch {
    return null;
  }
}

/** What the first cell measured: how long until the helper heard the kernel's iopub, and the first flush. */
export interface OutputCheck {
  measured: boolean;
  joinMs?: number;
  deliveryMs?: number;
  note?: string;
}

/** An interrupted cell's one line (Kernel > Interrupt). */
export class InterruptedError extends StudentError {
  constructor() {
    super(INTERRUPT_NOTE);
    this.name = 'KeyboardInterrupt'; // what ipykernel shows
  }
}

interface Helper {
  jupyter: DenoJupyter;
  state: Int32Array;
  code: Uint8Array;
  result: Uint8Array;
  /** Each exercise's type errors, from its newest cell that ended without an error. */
  typeErrors: Map<ExerciseId, CompileError[]>;
  markers: number;
  /** Awaits of the lib's to reject on an interrupt (interruptible). */
  waiters: Set<(err: Error) => void>;
  /** The code of the cells that ended without an error since the helper started, newest last. */
  executed: string[];
  /** Interrupts forced through the control channel that a cell has mentioned. */
  forcedSaid: number;
}

let helper: Helper | null = null;
let firstCheck: OutputCheck | null = null;

/** Whether the lib is running inside Deno's kernel with its helper thread. */
export function denoHelperRunning(): boolean {
  return helper !== null;
}

/** Sends a marker and waits (synchronously) until the helper saw it on iopub: what was printed before has left. */
function flush(h: Helper, timeoutMs: number): boolean {
  const n = ++h.markers;
  h.jupyter.broadcast('status', { execution_state: 'busy', [MARKER_KEY]: n });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(h.state, SLOT.marker);
    if (seen >= n) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(h.state, SLOT.marker, seen, Math.min(left, 50));
  }
}

/** Inside Deno's kernel: waits until everything printed so far has left the kernel (else a no-op). */
export function flushDenoOutput(timeoutMs = 2000): void {
  if (helper) flush(helper, timeoutMs);
}

/** Takes a pending Kernel > Interrupt: true once per interrupt (Deno's kernel with the helper only). */
function takeInterrupt(h: Helper): boolean {
  return Atomics.compareExchange(h.state, SLOT.interrupt, 1, 0) === 1;
}

/** Throws the one-line InterruptedError when Kernel > Interrupt was pressed during this cell (Deno's kernel). */
export function throwIfInterrupted(): void {
  if (helper && takeInterrupt(helper)) {
    flush(helper, 1000); // the cell's output so far goes out before its error
    throw new InterruptedError();
  }
}

/** `promise`, rejected with InterruptedError when Kernel > Interrupt is pressed meanwhile (Deno's kernel). */
export function interruptible<T>(promise: Promise<T>): Promise<T> {
  const h = helper;
  if (!h) return promise;
  return new Promise<T>((resolve, reject) => {
    const stop = (err: Error) => reject(err);
    h.waiters.add(stop);
    promise.then(
      (v) => (h.waiters.delete(stop), resolve(v)),
      (e) => (h.waiters.delete(stop), reject(e)),
    );
  });
}

function heartbeat(h: Helper): void {
  Atomics.store(h.state, SLOT.heartbeat, clock31());
  if (h.waiters.size > 0 && takeInterrupt(h)) {
    const waiters = [...h.waiters];
    h.waiters.clear();
    for (const stop of waiters) stop(new InterruptedError());
  }
}

function cellCode(h: Helper): string {
  return Buffer.from(h.code.subarray(0, Atomics.load(h.state, SLOT.codeLength))).toString('utf8');
}

/**
 * The type errors of the running cell (`code`, an exercise cell) from the type checker, which checks it
 * while the cell runs; null when it could not (then the kernel's thread checks it).
 */
function checkerTypeErrors(h: Helper, code: string, timeoutMs = 60_000): CompileError[] | null {
  if (Atomics.load(h.state, SLOT.checkerListens) !== 1) return null; // it may have missed this cell's start
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const version = Atomics.load(h.state, SLOT.checked);
    if (version > 0) {
      const answer = JSON.parse(
        Buffer.from(h.result.subarray(0, Atomics.load(h.state, SLOT.resultLength))).toString('utf8'),
      ) as CheckAnswer;
      if (answer.code === code) return answer.errors ?? null;
    }
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.load(h.state, SLOT.interrupt) === 1) return null;
    Atomics.wait(h.state, SLOT.checked, version, Math.min(left, 100));
  }
}

/** The end of a cell that ran without an error: an exercise cell is type-checked; its output leaves before the reply. */
function endOfCell(h: Helper): void {
  if (takeInterrupt(h))
    console.log(
      '(Kernel > Interrupt came as this cell was ending, where nothing checks for it: the cell ran to its end.)',
    );
  const forced = Atomics.load(h.state, SLOT.forced);
  if (forced > h.forcedSaid) {
    // Deno's own stop shows nothing in the cell it stopped
    h.forcedSaid = forced;
    console.log(
      "(The cell before this one was stopped by Kernel > Interrupt, Deno's way: it was running code that does not check for it.)",
    );
  }
  flush(h, 5000); // also: the helper has seen this cell's execute_input, so cellCode() is this cell's
  const code = cellCode(h);
  h.executed.push(code);
  if (h.executed.length > 200) h.executed.shift();
  try {
    const id = exerciseDefinedIn(code);
    if (!id) return;
    const checked = checkerTypeErrors(h, code);
    if (!checked && takeInterrupt(h)) {
      h.typeErrors.delete(id);
      console.log(`(Kernel > Interrupt: this cell ran, but was not type-checked; its self-check will check it.)`);
      return;
    }
    const errors = checked ?? typeCheckExercise(id, code, h.executed);
    h.typeErrors.set(id, errors);
    if (errors.length > 0) console.error(typeErrorReport(id, errors, code));
  } catch (err) {
    console.error(
      `(gan-seminar: the type check of this cell failed: ${err instanceof Error ? err.message : String(err)})`,
    );
  } finally {
    flush(h, 2000);
  }
}

/**
 * What an exercise cell that tslab would refuse prints under Deno: tslab's diagnostics, and — as the tslab
 * kernel's hooks add them — the cell's line each names and the plain hint for the usual mistakes (each
 * line of an error's chain is looked at: the hint is often about its last line).
 */
export function typeErrorReport(id: ExerciseId, errors: CompileError[], code = ''): string {
  const { formatCompileError } = require('./compile') as typeof import('./compile');
  const shown = errors.slice(0, 5);
  const lines = shown.map(formatCompileError);
  const hint = missingCellHint(lines.join('\n'));
  const explained = new Set<string>();
  const explanation = hint
    ? ''
    : shown
        .flatMap((e) => e.message.split('\n').map((m) => `${e.line}:${e.column} - ${m.trim()}`))
        .map((d) => explainDiagnostic(d, code, explained))
        .join('');
  const fn = exerciseById(id).functionName;
  return [
    `${fn}: this cell does not type-check (Deno ran it anyway; tslab would refuse it, and the self-check and the grader give it 0 points):`,
    ...lines.map((l) => `  ${l}`),
    ...explanation.split('\n').filter(Boolean),
    ...(hint ? [hint] : []),
  ].join('\n');
}

const WRAPPED = Symbol.for('gan-seminar.endOfCell');

/** Wraps Deno's end-of-cell call (broadcastResult, awaited by the kernel before the reply) once per kernel. */
function hookEndOfCell(h: Helper): boolean {
  const deno = (globalThis as { Deno?: Record<PropertyKey, unknown> & { internal?: symbol } }).Deno;
  const internal = deno?.internal
    ? (deno[deno.internal] as { jupyter?: Record<string, unknown> } | undefined)
    : undefined;
  const jupyter = internal?.jupyter;
  const original = jupyter?.broadcastResult as
    (((count: number, result: unknown) => unknown) & { [WRAPPED]?: boolean }) | undefined;
  if (!jupyter || typeof original !== 'function') return false;
  if (original[WRAPPED]) return true;
  const wrapped = function (this: unknown, count: number, result: unknown): unknown {
    endOfCell(h);
    const done = original.call(this, count, result);
    return result === undefined ? done : Promise.resolve(done).then(() => void flush(h, 2000));
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  jupyter.broadcastResult = wrapped;
  return true;
}

/** A Deno Web Worker running `entry` of lib/jupyter/deno-worker.js (a CommonJS file, loaded through createRequire). */
function startWorker(entry: 'runHelper' | 'runChecker', data: HelperData): { terminate(): void } {
  const WebWorker = (
    globalThis as unknown as {
      Worker: new (url: string, options: { type: 'module' }) => { postMessage(m: unknown): void; terminate(): void };
    }
  ).Worker;
  const boot =
    "import { createRequire } from 'node:module'; self.onmessage = (e) => { self.onmessage = null; createRequire(e.data.file)(e.data.file)[e.data.entry](e.data.data); };";
  const worker = new WebWorker(`data:text/javascript,${encodeURIComponent(boot)}`, { type: 'module' });
  worker.postMessage({ file: path.join(__dirname, 'deno-worker.js'), entry, data });
  return worker;
}

/**
 * Once per kernel, inside Deno's kernel only (a no-op elsewhere): starts the helper thread, waits until it
 * hears the kernel's iopub (so the kernel's output path is up), prints `banner` and hooks the end of
 * every cell. Synchronous, so Kernel > Interrupt can stop it anywhere.
 */
export function startDenoHelper(banner = denoBanner(), timeoutMs = 5000): OutputCheck | null {
  const jupyter = denoJupyter();
  if (!jupyter) return null;
  if (firstCheck) return firstCheck;
  const conn = readConnection();
  if (!conn) {
    console.log(banner);
    return (firstCheck = { measured: false, note: "no connection file on the kernel's command line" });
  }
  const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * 4));
  const code = new Uint8Array(new SharedArrayBuffer(CODE_BYTES));
  const result = new Uint8Array(new SharedArrayBuffer(RESULT_BYTES));
  Atomics.store(state, SLOT.busy, 1); // this cell is running
  Atomics.store(state, SLOT.heartbeat, clock31());
  const worker = startWorker('runHelper', { state, code, result, conn });
  const h: Helper = {
    jupyter,
    state,
    code,
    result,
    typeErrors: new Map(),
    markers: 0,
    waiters: new Set(),
    executed: [],
    forcedSaid: 0,
  };
  // the helper's SUB subscription reaches the kernel some time after it connects: until then it misses
  // what is sent, so markers are sent until one comes back
  const start = performance.now();
  let joined = false;
  while (!joined && performance.now() - start < timeoutMs) joined = flush(h, 50);
  if (!joined) {
    worker.terminate();
    console.log(banner);
    return (firstCheck = {
      measured: false,
      note: `the helper did not hear the kernel's iopub within ${timeoutMs} ms`,
    });
  }
  const joinMs = performance.now() - start;
  helper = h;
  stepGuard.before = throwIfInterrupted;
  stepGuard.onError = flushDenoOutput;
  startWorker('runChecker', { state, code, result, conn }); // after: loading TypeScript takes a core for seconds
  const beat = setInterval(() => heartbeat(h), HEARTBEAT_MS);
  (beat as { unref?: () => void }).unref?.();
  const hooked = hookEndOfCell(h);
  const t = performance.now();
  console.log(banner);
  for (const line of ranBefore()) console.log(line);
  const delivered = flush(h, timeoutMs);
  return (firstCheck = {
    measured: true,
    joinMs,
    ...(delivered ? { deliveryMs: performance.now() - t } : { note: 'the banner was not seen on iopub' }),
    ...(hooked ? {} : { note: "Deno's end-of-cell call was not found: output may still follow a cell's idle status" }),
  });
}

/**
 * An exercise's function defined before the lib was loaded: its cell ran before this one and failed
 * (`gan is not defined`), which Deno's kernel, without a preload, shows without a hint.
 */
function ranBefore(): string[] {
  // the own property's value: before its cell runs, the name is a throwing getter (./deno-guard.ts)
  const defined = (name: string) => typeof Object.getOwnPropertyDescriptor(globalThis, name)?.value === 'function';
  return EXERCISES.filter((ex) => defined(ex.functionName)).map((ex) => {
    const cell = DEFINING_CELLS.find((c) => c.names.includes(ex.functionName));
    return `→ ${cell?.title ?? `the ${ex.functionName} cell`} ran before this cell and failed: run it again once the cells above it have run.`;
  });
}

/** Deno's kernel's one-line introduction, printed by the first cell. */
export function denoBanner(): string {
  const version = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno ?? '?';
  return `Deno ${version} kernel: cells run without type-checking; an exercise cell is type-checked as tslab would when it runs.`;
}

/** Kept for notebooks that await it: startDenoHelper(). */
export async function announceDenoKernel(): Promise<OutputCheck | null> {
  return startDenoHelper();
}

/**
 * The newest code that ran to its end in this kernel and defines `function name(`: null when not known
 * (not Deno's kernel with the helper), undefined when no such cell ended since the helper started.
 */
export function latestDefinition(name: string): string | null | undefined {
  return helper ? newestDefinition(helper.executed, name) : null;
}

/**
 * Type errors of the exercise's newest cell, as tslab reported them when it ran (the train_gen cell sees
 * the train_disc cell's declarations). `note` says why there is no answer: not Deno's kernel with the
 * helper, or no cell defining the function ran to its end since the first cell (it failed, or ran before
 * the cells above it).
 */
export function typeErrorsOfLatest(exercise: ExerciseId): { errors: CompileError[] } | { note: string; notRun?: true } {
  if (!helper) return { note: "the kernel's helper thread is not running (its connection file was not found)" };
  const ex = exerciseById(exercise);
  const source = latestDefinition(ex.functionName);
  if (!source) {
    return {
      notRun: true,
      note:
        `the ${ex.functionName} cell has not run to its end since the first cell (it failed, or ran before the cells above it): ` +
        `run the ${ex.functionName} cell again, then this one`,
    };
  }
  return { errors: helper.typeErrors.get(exercise) ?? typeCheckExercise(exercise, source, helper.executed) };
}

/** Interrupts forced through the kernel's control channel so far (tests). */
export function forcedInterrupts(): number {
  return helper ? Atomics.load(helper.state, SLOT.forced) : 0;
}
