// The notebook under Deno's kernel (`deno jupyter`): what Deno does differently from tslab, made up for.
//
// - Early output: Deno forwards console output through a pipe, and while the kernel is young (its first
//   tens of milliseconds to ~1 s) a cell's last lines can leave after the cell's idle status, so nbconvert
//   and nbclient drop them (measured: 3 of 5 runs of a 4-cell toy notebook lost cell 1's line, some cell
//   2's too; 3 of 6 runs of a 6-cell one; 0 of 6 with the wait below, which took 40-50 ms to see the line
//   leave, after 50-60 ms to subscribe). The notebook's first cell awaits
//   gan.initBackend(), which here prints one line and waits until it is seen on the kernel's own iopub
//   channel, so the kernel's output path is up before any cell's output matters.
// - Type errors: Deno runs cells without type-checking them (tslab refuses a cell that does not
//   type-check). The same iopub listener keeps the code of every cell the student ran (execute_input),
//   and the self-check type-checks the latest exercise cells the way the grader does (grader/compile.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DenoJupyter, denoJupyter } from '../dashboard/live-output';
import { EXERCISES, ExerciseId, exercise as exerciseById } from '../exercises';
import type { CompileError } from '../grader/compile';
import { IopubListener, IopubMessage } from './iopub';

interface Connection {
  ip: string;
  iopub_port: number;
  transport: string;
}

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
      const line = execFileSync('ps', ['-o', 'args=', '-p', String(process.pid)], { encoding: 'utf8', timeout: 2000 }).trim();
      const m = / --conn (.+)$/.exec(line); // the kernelspec puts the file last
      return m ? m[1] : null;
    } catch {
      return null;
    }
  }
}

function readConnection(): Connection | null {
  const file = connectionFile();
  if (!file) return null;
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Connection>;
    return c.transport === 'tcp' && typeof c.ip === 'string' && typeof c.iopub_port === 'number' ? (c as Connection) : null;
  } catch {
    return null;
  }
}

/** What the first cell measured: how long until our listener was subscribed, and until its line left. */
export interface OutputCheck {
  measured: boolean;
  joinMs?: number;
  deliveryMs?: number;
  note?: string;
}

let listener: IopubListener | null = null;
/** The code of the cells run in this kernel, newest last (execute_input), while the listener lives. */
const executed: string[] = [];

async function connect(jupyter: DenoJupyter, timeoutMs: number): Promise<{ listener: IopubListener; joinMs: number } | string> {
  const conn = readConnection();
  if (!conn) return 'no connection file on the kernel\'s command line';
  let l: IopubListener;
  try {
    l = await IopubListener.connect(conn.ip, conn.iopub_port, timeoutMs);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  // A SUB socket's subscription reaches the publisher some time after connecting; until then it misses
  // messages. Re-send a "busy" status (the kernel is busy: front ends ignore the repeat) until one arrives.
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    const seen = l.next((m) => m.msgType === 'status' && m.content.execution_state === 'busy', 50);
    jupyter.broadcast('status', { execution_state: 'busy' });
    if (await seen) {
      l.onMessage((m: IopubMessage) => {
        if (m.msgType === 'execute_input' && typeof m.content.code === 'string') {
          executed.push(m.content.code);
          if (executed.length > 200) executed.shift();
        }
      });
      return { listener: l, joinMs: performance.now() - start };
    }
  }
  l.close();
  return `not subscribed to iopub within ${timeoutMs} ms`;
}

/**
 * Prints `line` and, inside Deno's kernel, returns once it was seen leaving on iopub (so the kernel's
 * output path is up). Elsewhere, or where it cannot listen (no connection file found), it only prints.
 */
export async function printDelivered(line: string, timeoutMs = 5000): Promise<OutputCheck> {
  const jupyter = denoJupyter();
  if (!jupyter) {
    console.log(line);
    return { measured: false, note: 'not in Deno\'s kernel' };
  }
  if (!listener) {
    const c = await connect(jupyter, timeoutMs);
    if (typeof c === 'string') {
      console.log(line);
      return { measured: false, note: c };
    }
    listener = c.listener;
    const delivered = await deliver(listener, line, timeoutMs);
    return { measured: true, joinMs: c.joinMs, ...delivered };
  }
  return { measured: true, ...(await deliver(listener, line, timeoutMs)) };
}

async function deliver(l: IopubListener, line: string, timeoutMs: number): Promise<Pick<OutputCheck, 'deliveryMs' | 'note'>> {
  const start = performance.now();
  const seen = l.next((m) => m.msgType === 'stream' && typeof m.content.text === 'string' && m.content.text.includes(line), timeoutMs);
  console.log(line);
  if (await seen) return { deliveryMs: performance.now() - start };
  return { note: `the line was not seen on iopub within ${timeoutMs} ms` };
}

/** Deno's kernel's one-line introduction, printed (and waited for) by the first cell. */
export function denoBanner(): string {
  const version = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno ?? '?';
  return `Deno ${version} kernel: cells run without type-checking; each self-check type-checks your exercise cell as tslab would.`;
}

let announced: Promise<OutputCheck> | null = null;

/**
 * Once per kernel, inside Deno's kernel only (a no-op elsewhere): prints the banner and waits until it
 * left on iopub. Later calls return the first call's measurement.
 */
export async function announceDenoKernel(): Promise<OutputCheck | null> {
  if (!denoJupyter()) return null;
  announced ??= printDelivered(denoBanner());
  return announced;
}

/**
 * The newest code run in this kernel that defines `function name(`, or null when it is not known
 * (no listener: not Deno, or no connection file). Waits (≤ timeoutMs) until the code of the cell now running, which
 * contains `marker`, has arrived, so every earlier cell has too (iopub keeps order).
 */
export async function latestDefinition(name: string, marker: string, timeoutMs = 2000): Promise<string | null | undefined> {
  if (!listener) return null;
  const mine = () => executed.length > 0 && executed[executed.length - 1].includes(marker);
  if (!mine()) await listener.next((m) => m.msgType === 'execute_input' && String(m.content.code).includes(marker), timeoutMs);
  const re = new RegExp(`\\bfunction\\s+${name}\\s*\\(`);
  for (let i = executed.length - 1; i >= 0; i--) if (re.test(executed[i])) return executed[i];
  return undefined;
}

/**
 * Type errors of the exercise cell as tslab would report them, from the newest code the student ran
 * (the train_gen cell is checked after the train_disc cell, as it sees its declarations). `note` says
 * why there is no answer (outside Deno's kernel, no listener, the cell not seen).
 */
export async function typeErrorsOfLatest(exercise: ExerciseId): Promise<{ errors: CompileError[] } | { note: string }> {
  if (!listener) return { note: 'the kernel\'s iopub listener is not running (its connection file was not found)' };
  const upTo = EXERCISES.slice(0, EXERCISES.findIndex((ex) => ex.id === exercise) + 1);
  const cells: { index: number; exercise: ExerciseId; source: string }[] = [];
  for (const [index, ex] of upTo.entries()) {
    const source = await latestDefinition(ex.functionName, 'selfCheck(');
    if (source) cells.push({ index, exercise: ex.id, source });
  }
  if (!cells.some((c) => c.exercise === exercise)) return { note: `no cell defining ${exerciseById(exercise).functionName} was run in this kernel` };
  // Loaded here, not at the top: lib/tfjs/backend.ts imports this module, and TypeScript is large.
  const { compileCells } = require('../grader/compile') as typeof import('../grader/compile');
  const compiled = compileCells(cells).find((c) => c.exercise === exercise)!;
  return { errors: compiled.errors };
}

/** Ends the listening (tests). */
export function stopListening(): void {
  listener?.close();
  listener = null;
  executed.length = 0;
}
