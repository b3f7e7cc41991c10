// Makes tslab run cells the way ipykernel does, for Run All and Kernel > Interrupt.
//
// tslab (1.0.22, dist/jupyter.js) publishes "busy" when a request ARRIVES and chains the requests on a
// promise queue, so (1) during Run All the kernel's last status message is the "idle" of an earlier
// cell while a later one trains, and (2) a cell that follows an awaited cell starts in the very microtask
// its predecessor ends in — before that predecessor's execute_reply goes out, so the awaited self-check
// shows `In [*]` for the whole training run. These hooks wrap the two methods involved (on the prototypes
// of the tslab instance the kernel loaded): each request first lets the event loop turn (the earlier
// reply and status are sent), then publishes "busy" for itself, then runs the before-cell hooks (TF.js
// recovery after an interrupt, registered by the lib), then the cell; a cell that fails to compile
// because it uses a name an earlier cell defines gets one line saying which cell to run first, and a
// type error shows the cell's line it names, with a plain hint for the usual mistakes (type-hints.ts).
// test/notebooks/kernel.test.ts drives a live kernel through all of this, so a tslab upgrade that
// changes these methods fails there.
import { isMissingNotebookName, missingCellHint } from './prerequisites';
import * as host from '../host';
import { explainDiagnostic } from './type-hints';

const START = Symbol.for('gan-seminar.requestStarted');

type Write = (name: string, text: string) => void;

interface HandlerProto {
  handleExecuteImpl(
    this: unknown,
    req: Record<PropertyKey, unknown>,
    writeStream: Write,
    writeDisplayData: unknown,
  ): Promise<unknown>;
}

/** The zeromq 6 sockets of tslab's server (only what the hooks touch). */
interface ServerSockets {
  iopub?: { sendTimeout?: number; sendHighWaterMark?: number };
  shell?: { sendTimeout?: number };
  control?: { sendTimeout?: number };
  stdin?: { sendTimeout?: number };
}

interface ServerProto {
  handleExecute(
    this: { publishStatus(status: string, parent: unknown): void },
    sock: unknown,
    msg: { content?: unknown },
  ): Promise<void>;
  publishStatus(this: ServerSockets, status: string, parent: unknown): void;
}

export interface TslabJupyterModule {
  JupyterHandlerImpl?: { prototype: HandlerProto };
  ZmqServer?: { prototype: ServerProto };
}

/** A before-cell hook: gets a writer to the starting cell's stdout. */
export type BeforeCell = (print: (line: string) => void) => void;

/** How the last run of the cell that declares a function went. */
export interface LastRun {
  ok: boolean;
  /** The first line the failed run wrote to stderr (a type error, the exception). */
  error?: string;
}

interface Registry {
  patched: WeakSet<object>;
  before: Map<string, BeforeCell>;
  /** By function name: the last run of a cell declaring it at top level (a failed run keeps the old one). */
  lastRuns?: Map<string, LastRun>;
}

const KEY = Symbol.for('gan-seminar.kernelHooks');

/** Set by the kernel preload (kernel-preload.ts): the hooks were in place before the first cell. */
export const PRELOADED = Symbol.for('gan-seminar.kernelPreloaded');

/** Said once, in the first cell, by a kernel registered without the preload (e.g. by `npx tslab install`). */
export const NOT_PRELOADED_NOTE =
  "(This TypeScript kernel was registered without the project's hooks — by `npx tslab install`? From here on cells " +
  "say which cell to run first, but a cell run before this one could not. Register it the project's way once: " +
  '`npm run kernel:install -- --user`, then restart the kernel.)';

/** Whether the kernel preload ran in this process. */
export function preloaded(): boolean {
  return (globalThis as Record<symbol, unknown>)[PRELOADED] === true;
}

/** Shared by every copy of this module in the process (the kernel preload and the notebook's lib). */
function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= { patched: new WeakSet(), before: new Map() });
}

/** Runs `hook` before every cell from now on (one hook per name; re-registering replaces it). */
export function beforeEachCell(name: string, hook: BeforeCell): void {
  registry().before.set(name, hook);
}

/**
 * How the last run of the cell declaring function `name` (at top level) went; undefined when no such cell
 * ran under the hooks. A failed run (type error, exception) leaves the previous definition in place.
 */
export function lastRunOf(name: string): LastRun | undefined {
  return registry().lastRuns?.get(name);
}

/** The functions a cell declares at top level: `function f(`, `const f = (…) =>`, `const f = function`. */
export function declaredFunctions(code: string): string[] {
  const names = [...code.matchAll(/^(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/gm)].map(
    (m) => m[1],
  );
  for (const m of code.matchAll(
    /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[A-Za-z_$][\w$]*\s*=>)/gm,
  ))
    names.push(m[1]);
  return [...new Set(names)];
}

function recordRun(code: string, run: LastRun): void {
  const reg = registry();
  const runs = (reg.lastRuns ??= new Map());
  for (const name of declaredFunctions(code)) runs.set(name, run);
}

/** tslab's jupyter module as loaded in this process (the kernel's), if any. */
export function loadedTslabJupyter(): TslabJupyterModule | null {
  return host.loadedTslabJupyter() as TslabJupyterModule | null;
}

/** What tslab prints (console.error of the error) when Kernel > Interrupt stops a cell's synchronous code. */
const INTERRUPTED = /Script execution was interrupted by `SIGINT`|ERR_SCRIPT_EXECUTION_INTERRUPTED/;

export const INTERRUPT_NOTE =
  'Interrupted (Kernel > Interrupt). Everything computed so far is kept — the models keep their weights: run a cell ' +
  'again to carry on (TF.js is reset first if the interrupt stopped it mid-step).';

/**
 * zeromq 6 sends at most 512 messages on a socket synchronously in a row; it defers the 513th to the next
 * event-loop turn (so as not to starve the loop) and marks the socket busy until then, and any other
 * send in the same turn throws EBUSY "Socket is busy writing". tslab fires `sock.send` without waiting:
 * so every 513th iopub message of a kernel, the outputs after it in the same turn are lost — a training
 * loop's dashboard updates and prints, or the "idle" of handleShellMessage right after a cell's last output
 * (the front end then shows the kernel busy for good; `Error: Socket is busy writing … at
 * ZmqMessage.signAndSend ← ZmqServer.publishStatus ← handleShellMessage`). A send timeout of 0 makes
 * zeromq send every message at once, never deferred; tslab's sockets cannot block (PUB drops at its
 * high-water mark, ROUTER drops unroutable replies), so nothing else changes. And iopub's high-water
 * mark goes from 1000 queued messages to none: a cell printing a thousand lines
 * faster than the front end reads them lost all but the first ones.
 */
function sendWithoutDeferral(server: ServerSockets): void {
  if (DEFERRAL_OFF.has(server) || !server.iopub) return;
  DEFERRAL_OFF.add(server);
  for (const sock of [server.iopub, server.shell, server.control, server.stdin]) {
    if (sock && typeof sock === 'object' && 'sendTimeout' in sock) sock.sendTimeout = 0;
  }
  if ('sendHighWaterMark' in server.iopub) server.iopub.sendHighWaterMark = 0;
}

const DEFERRAL_OFF = new WeakSet<object>();

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Wraps tslab's request handling (once per tslab instance). Returns false when the module does not have
 * the expected shape (another tslab version): then nothing is changed.
 */
export function patchTslab(mod: TslabJupyterModule | null = loadedTslabJupyter()): boolean {
  const handler = mod?.JupyterHandlerImpl?.prototype;
  const server = mod?.ZmqServer?.prototype;
  if (
    !handler ||
    !server ||
    typeof handler.handleExecuteImpl !== 'function' ||
    typeof server.handleExecute !== 'function' ||
    typeof server.publishStatus !== 'function'
  )
    return false;
  const reg = registry();
  if (reg.patched.has(handler)) return true;
  reg.patched.add(handler);

  const publishStatus = server.publishStatus;
  server.publishStatus = function (status, parent) {
    sendWithoutDeferral(this);
    return publishStatus.call(this, status, parent);
  };

  const serverExecute = server.handleExecute;
  server.handleExecute = function (sock, msg) {
    if (msg?.content && typeof msg.content === 'object') {
      Object.defineProperty(msg.content, START, {
        value: () => this.publishStatus('busy', msg),
        enumerable: false,
        configurable: true,
      });
    }
    return serverExecute.call(this, sock, msg);
  };

  const execute = handler.handleExecuteImpl;
  handler.handleExecuteImpl = async function (req, writeStream, writeDisplayData) {
    await nextTurn(); // the previous request's execute_reply and "idle" go out before this cell starts
    const started = req[START];
    if (typeof started === 'function') started();
    let stderr = '';
    const held: string[] = [];
    const code = typeof req.code === 'string' ? req.code : '';
    const explained = new Set<string>();
    const write: Write = (name, text) => {
      if (name === 'stderr') {
        stderr += text;
        // tslab prints the interrupt as a stack through vm and its own internals: one line says it all
        if (INTERRUPTED.test(text)) text = `${INTERRUPT_NOTE}\n`;
        // "Cannot find name 'gan'" and the like: the one-line hint below replaces them
        if (isMissingNotebookName(text)) {
          held.push(text);
          return;
        }
        // "17:13 - Type 'number' is not assignable…": the cell's line 17 under it, and a hint if it is a usual mistake
        text += explainDiagnostic(text, code, explained);
      }
      writeStream(name, text);
    };
    for (const hook of reg.before.values()) {
      try {
        hook((line) => writeStream('stdout', `${line}\n`));
      } catch (err) {
        writeStream(
          'stderr',
          `(gan-seminar: a before-cell hook failed: ${err instanceof Error ? err.message : String(err)})\n`,
        );
      }
    }
    try {
      const done = await execute.call(this, req, write, writeDisplayData);
      for (const line of held) writeStream('stderr', line);
      recordRun(code, { ok: true });
      return done;
    } catch (failed) {
      recordRun(code, {
        ok: false,
        error:
          stderr
            .split('\n')
            .find((l) => l.trim())
            ?.trim() ?? 'the cell failed',
      });
      const hint = missingCellHint(stderr, lastRunOf);
      if (hint) writeStream('stderr', `${hint}\n`);
      else for (const line of held) writeStream('stderr', line);
      throw failed;
    }
  };
  return true;
}

/** Whether patchTslab has wrapped the tslab instance this process loaded. */
export function hooksInstalled(mod: TslabJupyterModule | null = loadedTslabJupyter()): boolean {
  const handler = mod?.JupyterHandlerImpl?.prototype;
  return handler !== undefined && registry().patched.has(handler);
}

/** The TypeScript module tslab's type checker uses (tslab's own build of it), as a kernel loads it. */
function tslabTypeScript(): { sys?: Record<string, unknown> } | null {
  const cached = Object.keys(require.cache).find((f) =>
    /[\\/]@tslab[\\/]typescript-for-tslab[\\/]lib[\\/]typescript\.js$/.test(f),
  );
  if (cached) return require.cache[cached]?.exports ?? null;
  // not loaded yet (the preload runs first): resolved from tslab's own folder, as tslab will resolve it
  const tslab = process.argv[1] ?? '';
  if (!/tslab/.test(tslab)) return null;
  try {
    const { realpathSync } = require('node:fs') as typeof import('node:fs');
    const { dirname } = require('node:path') as typeof import('node:path');
    return require(require.resolve('@tslab/typescript-for-tslab', { paths: [dirname(realpathSync(tslab))] }));
  } catch {
    return null;
  }
}

/** A file or directory watcher that never fires. */
const QUIET_WATCHER = () => ({ close: () => undefined });

/**
 * tslab type-checks cells with a TypeScript watch program that watches every file a cell imports (the
 * lib's .d.ts files, node_modules' typings) and rebuilds through a single-slot timer of tslab's
 * (tslab/dist/converter.js `sys.setTimeout`), which throws "Unexpected pending rebuildTimer" when a watcher
 * asks for a rebuild while one is pending: a file under dist/ or node_modules/ changing on disk while a
 * kernel runs (a rebuild, hard-linked node_modules) then failed a training loop with an UncaughtException
 * (seen in the JupyterLab test) or killed the kernel. The kernel needs none of it (a module is loaded once
 * per kernel anyway): its TypeScript's watchers never fire. Called by the preload before tslab creates its
 * type checker, and by the first cell for kernels without the preload (later watchers only).
 */
export function quietTslabWatchers(ts = tslabTypeScript()): boolean {
  const sys = ts?.sys;
  if (!sys || typeof sys.watchFile !== 'function') return false;
  sys.watchFile = QUIET_WATCHER;
  sys.watchDirectory = QUIET_WATCHER;
  return true;
}

/**
 * For the kernel's preload (NODE_OPTIONS=--require …/kernel-preload.js, written by `npm run
 * kernel:install`): tslab's module is loaded after the preload, so look for it on the next turns.
 */
export function patchTslabWhenLoaded(tries = 200): void {
  if (patchTslab()) return;
  if (tries > 0) setTimeout(() => patchTslabWhenLoaded(tries - 1), 10).unref();
}
