// Deno's kernel runs nothing of the project's before its first cell (`deno jupyter` takes no --preload or
// --require, and ignores NODE_OPTIONS), so a cell run before the cells it needs ended in a bare
// `ReferenceError: gan is not defined`. The project's kernelspec starts this file beside the kernel
// (lib/jupyter/kernels.ts): it sends the new kernel one silent execute_request that makes each name a
// notebook cell defines, until that cell runs, a global throwing the same ReferenceError with tslab's hint
// (which cell defines it; run the cells above first). The cell's own `const gan`, `var`, `function
// trainDisc` replace it: a configurable property of the global object blocks none of them. (Until then
// `typeof gan` throws the hint too: a getter cannot tell typeof from a read.)
//
//   node dist/lib/jupyter/deno-guard.js <connection file>
import * as fs from 'node:fs';
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { FLAG_MORE, frame, greeting, ready } from './iopub';
import { signedFrames } from './deno-worker';
import { DEFINING_CELLS, missingCellHint } from './prerequisites';

/** Names left alone: libraries may read them too (`tf`), where a throwing global would break them. */
const UNGUARDED = new Set(['tf']);

/** Each guarded name's error message: "gan is not defined" and the line saying which cell defines it. */
export function guardMessages(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of DEFINING_CELLS.flatMap((c) => c.names)) {
    if (UNGUARDED.has(name)) continue;
    const hint = missingCellHint(`Cannot find name '${name}'`);
    out[name] = `${name} is not defined${hint ? `\n${hint}` : ''}`;
  }
  return out;
}

/** The code the kernel runs (plain JavaScript: Deno's kernel takes it as a cell). */
export function guardCode(messages = guardMessages()): string {
  return `(() => {
  const messages = ${JSON.stringify(messages)};
  for (const [name, message] of Object.entries(messages)) {
    if (name in globalThis) continue;
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get() {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0; // one message, as tslab's: no frames
        const error = new ReferenceError(message);
        Error.stackTraceLimit = limit;
        throw error;
      },
      set(value) {
        Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
})();`;
}

/** Sends the guard to the kernel's shell port, retrying until it listens (the kernel starts meanwhile). */
export function sendGuard(connectionFile: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const session = randomUUID();
  return new Promise((resolve) => {
    const attempt = (): void => {
      let conn: { ip: string; shell_port: number; key: string };
      try {
        conn = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
      } catch {
        return retry();
      }
      const socket = net.connect({ host: conn.ip, port: conn.shell_port });
      socket.once('error', () => retry());
      socket.once('connect', () => {
        const content = { code: guardCode(), silent: true, store_history: false, allow_stdin: false };
        const frames = signedFrames(conn, 'execute_request', session, content);
        socket.write(
          Buffer.concat([
            greeting(),
            ready('DEALER'),
            ...frames.map((f, i) => frame(i < frames.length - 1 ? FLAG_MORE : 0, f)),
          ]),
        );
        // the reply (or the kernel's exit) ends it; the message is queued by then
        socket.once('data', () => setTimeout(() => (socket.destroy(), resolve(true)), 2000));
        setTimeout(() => (socket.destroy(), resolve(true)), 10_000).unref();
      });
    };
    // the kernel starts right after the ready file appears: poll often, the first request must be this one
    const retry = (): void => void (Date.now() < deadline ? setTimeout(attempt, 10) : resolve(false));
    attempt();
  });
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/lib/jupyter/deno-guard.js <connection file>');
    process.exit(2);
  }
  // up and polling: the kernelspec's shell waits for this file before it starts Deno (lib/jupyter/kernels.ts DENO_LAUNCH)
  try {
    fs.writeFileSync(`${file}.guard`, '');
  } catch {
    // a read-only runtime folder: the shell starts Deno after its wait anyway
  }
  void sendGuard(file).then((sent) => process.exit(sent ? 0 : 1));
}
