// The helper thread of the notebook's lib inside Deno's kernel (lib/jupyter/deno.ts starts it): it runs
// while the kernel's own thread is busy with a cell, and shares a few counters with it (SharedArrayBuffer).
//
// - Kernel > Interrupt: Deno's kernel stops a cell with V8's terminate_execution. Landing while a cell
//   awaits (an import, a backend's start), that kills the continuation, the cell's promise never settles
//   and the kernel hangs until a restart (measured with Deno 2.9.6; cli/js/jupyter_kernel.js awaits the
//   evaluation before it reads the next request). So the project's kernelspec asks for SIGINT instead
//   (interrupt_mode "signal", SIGINT ignored until this thread listens): this thread turns it into a flag
//   the lib checks at safe points (every training step, between self-checks, its own awaits) and throws a
//   one-line "Interrupted" from. Code that never checks (a student's own endless loop) is stopped the
//   kernel's way after GRACE_MS, by an interrupt_request on the control channel — but only while the
//   kernel's thread is inside synchronous code (its heartbeat is stale); stopping an await would hang.
// - Output: the kernel sends a cell's idle status without waiting for the output queued before it, so a
//   cell's last lines can arrive after it and front ends drop them. This thread listens on iopub and
//   counts the lib's markers; the lib ends each cell by sending one and waiting until it is seen.
// - Code and types: the code of the cell running (execute_input); an exercise cell is type-checked here
//   (jupyter/compile.ts, TypeScript loaded and warmed once in the background) while it runs, so its end
//   waits ~1 s at most instead of loading TypeScript on the kernel's thread (measured: 14 s the first time).
import { createHmac, randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { EXERCISES, ExerciseId } from '../exercises';
import type { CompileError } from './compile';
import { FLAG_MORE, IopubListener, IopubMessage, frame, greeting, ready } from './iopub';

/** Int32 slots of the shared state. */
export const SLOT = {
  /** 1 after a SIGINT during a cell, until the lib takes it (or the cell ends). */
  interrupt: 0,
  /** The kernel thread's clock (ms, 31 bits), written every HEARTBEAT_MS while its event loop turns. */
  heartbeat: 1,
  /** The newest marker seen on iopub. */
  marker: 2,
  /** 1 while a cell runs (execute_input … its idle status). */
  busy: 3,
  /** Cells seen starting (execute_input). */
  cells: 4,
  /** Bytes of the running cell's code in the code buffer. */
  codeLength: 5,
  /** Interrupts forced through the control channel. */
  forced: 6,
  /** Answers the type checker wrote to the result buffer so far. */
  checked: 7,
  /** Bytes of JSON (a CheckAnswer) in the result buffer. */
  resultLength: 8,
  /** 1 once the type checker hears iopub (it answers for the exercise cells that start after). */
  checkerListens: 9,
} as const;
export const STATE_SLOTS = 10;
export const CODE_BYTES = 1 << 20;
export const RESULT_BYTES = 1 << 18;

/** The exercise whose function `code` defines, if any. */
export function exerciseDefinedIn(code: string): ExerciseId | undefined {
  return EXERCISES.find((ex) => new RegExp(`\\bfunction\\s+${ex.functionName}\\s*\\(`).test(code))?.id;
}

/** The newest of `codes` that defines `function name(`. */
export function newestDefinition(codes: readonly string[], name: string): string | undefined {
  const re = new RegExp(`\\bfunction\\s+${name}\\s*\\(`);
  for (let i = codes.length - 1; i >= 0; i--) if (re.test(codes[i])) return codes[i];
  return undefined;
}

/**
 * The exercise `id`'s type errors as tslab would report them, its own cell being `source`: the cells of
 * the exercises before it (their newest code in `codes`) declare what it may use.
 */
export function typeCheckExercise(id: ExerciseId, source: string, codes: readonly string[]): CompileError[] {
  const { compileCells } = require('./compile') as typeof import('./compile');
  const upTo = EXERCISES.slice(0, EXERCISES.findIndex((ex) => ex.id === id) + 1);
  const cells = upTo.flatMap((ex, index) => {
    const code = ex.id === id ? source : newestDefinition(codes, ex.functionName);
    return code ? [{ index, exercise: ex.id, source: code }] : [];
  });
  return compileCells(cells).find((c) => c.exercise === id)!.errors;
}
/** The content key of the lib's marker (a repeated "busy" status, which front ends ignore). */
export const MARKER_KEY = 'gan-seminar-marker';
export const HEARTBEAT_MS = 100;
/** How long a SIGINT waits for the lib to take it before the kernel is asked to stop the cell. */
export const GRACE_MS = 2000;
const STALE_MS = 1000;

export interface KernelConnection {
  ip: string;
  iopub_port: number;
  control_port: number;
  key: string;
  signature_scheme: string;
}

/** The type checker's answer for the exercise cell with this code. */
export interface CheckAnswer {
  code: string;
  errors?: CompileError[];
  failed?: string;
}

export interface HelperData {
  state: Int32Array;
  code: Uint8Array;
  result: Uint8Array;
  conn: KernelConnection;
}

/** The kernel thread's clock as stored in SLOT.heartbeat. */
export const clock31 = (): number => Date.now() % 0x7fffffff;

/** A Jupyter request signed with the connection's key (hmac-sha256 over header, parent, metadata, content). */
export function signedFrames(
  conn: Pick<KernelConnection, 'key'>,
  msgType: string,
  session: string,
  content: object = {},
): Buffer[] {
  const header = JSON.stringify({
    msg_id: randomUUID(),
    session,
    username: 'gan-seminar',
    date: new Date().toISOString(),
    msg_type: msgType,
    version: '5.3',
  });
  const parts = [header, '{}', '{}', JSON.stringify(content)];
  const signature = conn.key ? createHmac('sha256', conn.key).update(parts.join('')).digest('hex') : '';
  return ['<IDS|MSG>', signature, ...parts].map((p) => Buffer.from(p, 'utf8'));
}

/** Sends interrupt_request on the kernel's control channel (a DEALER: greeting, READY, one message). */
function requestInterrupt(conn: KernelConnection, session: string): void {
  const socket = net.connect({ host: conn.ip, port: conn.control_port });
  socket.on('error', () => undefined);
  socket.on('data', () => socket.destroy()); // the kernel's greeting and reply: the request went through
  socket.once('connect', () => {
    const frames = signedFrames(conn, 'interrupt_request', session);
    socket.write(
      Buffer.concat([
        greeting(),
        ready('DEALER'),
        ...frames.map((f, i) => frame(i < frames.length - 1 ? FLAG_MORE : 0, f)),
      ]),
    );
  });
  setTimeout(() => socket.destroy(), 3000).unref();
}

/** The helper's body, in a Deno Web Worker (SIGINT listeners in node:worker_threads' workers kill Deno). */
export function runHelper({ state, code, conn }: HelperData): void {
  const session = randomUUID();
  let running = '?'; // the lib starts this thread from inside a running cell, whose execute_input went by

  const onIopub = (m: IopubMessage): void => {
    if (m.msgType === 'status' && typeof m.content[MARKER_KEY] === 'number') {
      Atomics.store(state, SLOT.marker, m.content[MARKER_KEY] as number);
      Atomics.notify(state, SLOT.marker);
    } else if (m.msgType === 'execute_input') {
      running = m.parentId;
      const bytes = Buffer.from(String(m.content.code ?? ''), 'utf8').subarray(0, CODE_BYTES);
      code.set(bytes);
      Atomics.store(state, SLOT.codeLength, bytes.length);
      Atomics.store(state, SLOT.interrupt, 0);
      Atomics.store(state, SLOT.busy, 1);
      Atomics.add(state, SLOT.cells, 1);
    } else if (
      m.msgType === 'status' &&
      m.content.execution_state === 'idle' &&
      (m.parentId === running || running === '?')
    ) {
      running = '';
      Atomics.store(state, SLOT.busy, 0);
      Atomics.store(state, SLOT.interrupt, 0);
    }
  };
  IopubListener.connect(conn.ip, conn.iopub_port, 5000).then(
    (l) => l.onMessage(onIopub),
    () => undefined,
  );
  onSigint(state, conn, session);
}

/**
 * The type checker's body, in a second Deno Web Worker (loading TypeScript blocks a thread for seconds):
 * it follows the cells on iopub too, keeps the code of those that ended without an error, and checks an
 * exercise cell as it starts; the answer goes to the result buffer for the cell's number.
 */
export function runChecker({ state, result, conn }: HelperData): void {
  let running = '';
  let runningCode = '';
  let failed = false;
  const succeeded: string[] = []; // the code of the cells that ended without an error, newest last
  const answer = (json: CheckAnswer): void => {
    const bytes = Buffer.from(JSON.stringify(json), 'utf8');
    const fits =
      bytes.length <= result.length
        ? bytes
        : Buffer.from(JSON.stringify({ code: '', failed: 'the answer does not fit the buffer' }));
    result.set(fits);
    Atomics.store(state, SLOT.resultLength, fits.length);
    Atomics.add(state, SLOT.checked, 1);
    Atomics.notify(state, SLOT.checked);
  };
  const typeCheck = (source: string): void => {
    const id = exerciseDefinedIn(source);
    if (!id) return;
    try {
      answer({ code: source, errors: typeCheckExercise(id, source, succeeded) });
    } catch (err) {
      answer({ code: source, failed: err instanceof Error ? err.message : String(err) });
    }
  };
  // TypeScript and the notebook's types, loaded while the student reads (the first check is then ~1 s)
  setTimeout(() => {
    try {
      typeCheckExercise(
        EXERCISES[0].id,
        `function ${EXERCISES[0].functionName}(batchSize: number): number { return batchSize; }`,
        [],
      );
    } catch {
      // the check of a real cell reports it
    }
  }, 50);
  const onIopub = (m: IopubMessage): void => {
    Atomics.store(state, SLOT.checkerListens, 1);
    if (m.msgType === 'execute_input') {
      running = m.parentId;
      runningCode = String(m.content.code ?? '');
      failed = false;
      typeCheck(runningCode);
    } else if (m.msgType === 'error' && m.parentId === running) {
      failed = true;
    } else if (m.msgType === 'status' && m.content.execution_state === 'idle' && m.parentId === running) {
      if (!failed) succeeded.push(runningCode);
      if (succeeded.length > 200) succeeded.shift();
      running = '';
    }
  };
  IopubListener.connect(conn.ip, conn.iopub_port, 5000).then(
    (l) => l.onMessage(onIopub),
    () => undefined,
  );
}

/** Kernel > Interrupt: SIGINT sets the flag; unheard for GRACE_MS in synchronous code, the kernel stops the cell. */
function onSigint(state: Int32Array, conn: KernelConnection, session: string): void {
  let watching: ReturnType<typeof setInterval> | null = null;
  const deno = (globalThis as unknown as { Deno: { addSignalListener(signal: string, fn: () => void): void } }).Deno;
  deno.addSignalListener('SIGINT', () => {
    if (Atomics.load(state, SLOT.busy) !== 1) return; // no cell is running: nothing to stop
    Atomics.store(state, SLOT.interrupt, 1);
    Atomics.notify(state, SLOT.interrupt);
    if (watching) return;
    const cell = Atomics.load(state, SLOT.cells);
    const since = Date.now();
    watching = setInterval(() => {
      const pending =
        Atomics.load(state, SLOT.interrupt) === 1 &&
        Atomics.load(state, SLOT.cells) === cell &&
        Atomics.load(state, SLOT.busy) === 1;
      if (!pending) {
        clearInterval(watching!);
        watching = null;
      } else if (
        Date.now() - since >= GRACE_MS &&
        (clock31() - Atomics.load(state, SLOT.heartbeat) + 0x7fffffff) % 0x7fffffff > STALE_MS
      ) {
        clearInterval(watching!);
        watching = null;
        Atomics.add(state, SLOT.forced, 1);
        requestInterrupt(conn, session);
      }
    }, 100);
  });
}
