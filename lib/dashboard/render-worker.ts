// PNG rendering off the training thread. The notebook's loop is synchronous and Vega's renderer is
// async (and takes ~0.5 s a dashboard), so a worker thread renders while training goes on; the loop
// polls for finished images without waiting (receiveMessageOnPort) and blocks only when it must.
import * as path from 'node:path';
import {
  MessageChannel,
  MessagePort,
  Worker,
  isMainThread,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { PngOptions } from './render';

interface Request {
  id: number;
  spec: TopLevelSpec;
  options: PngOptions;
}

interface Reply {
  id: number;
  png?: Uint8Array;
  error?: string;
  ms: number;
}

export interface RenderedPng {
  /** The request's id, as returned by request(). */
  id: number;
  png: Buffer;
  /** Time the worker took to render it. */
  ms: number;
}

/** Renders Vega-Lite specs to PNG in a worker thread; at most one request in flight. */
export class BackgroundRenderer {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Counts replies posted by the worker, so the main thread can sleep until the next one. */
  private readonly replies = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;
  private nextId = 1;
  private inFlight = 0;
  private failure: Error | null = null;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(path.join(__dirname, 'render-worker.js'), {
      workerData: { port: port2, replies: this.replies },
      transferList: [port2],
    });
    this.worker.on('error', (err) => {
      this.failure = err;
    });
    this.worker.unref(); // never keeps a CLI or a kernel alive
  }

  /** True while a render is running. */
  get busy(): boolean {
    return this.inFlight !== 0;
  }

  /** Starts rendering `spec` unless busy; returns its id, or 0 when busy. */
  request(spec: TopLevelSpec, options: PngOptions = {}): number {
    this.check();
    if (this.busy) return 0;
    this.inFlight = this.nextId++;
    this.port.postMessage({ id: this.inFlight, spec, options } satisfies Request);
    return this.inFlight;
  }

  /** The finished PNG if the worker has replied, without waiting. */
  take(): RenderedPng | undefined {
    this.check();
    const received = receiveMessageOnPort(this.port);
    if (!received) return undefined;
    this.seen++;
    const reply = received.message as Reply;
    if (reply.id === this.inFlight) this.inFlight = 0;
    if (reply.error !== undefined) throw new Error(`rendering the dashboard failed: ${reply.error}`);
    return { id: reply.id, png: Buffer.from(reply.png!), ms: reply.ms };
  }

  /** Blocks until the request in flight is done (or `timeoutMs` passes) and returns it. */
  wait(timeoutMs = 60000): RenderedPng | undefined {
    const deadline = Date.now() + timeoutMs;
    while (this.busy) {
      const done = this.take();
      if (done) return done;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`rendering the dashboard took over ${timeoutMs} ms`);
      Atomics.wait(this.replies, 0, this.seen, Math.min(left, 250));
      this.check();
    }
    return undefined;
  }

  close(): Promise<number> {
    this.port.close();
    return this.worker.terminate();
  }

  private check(): void {
    if (this.failure) throw new Error(`the dashboard's render worker died: ${this.failure.message}`);
  }
}

let shared: BackgroundRenderer | null = null;

/**
 * The process's one render worker, started on first use. Shared so that re-running a notebook's loop
 * cell (say after an interrupt) does not pile up workers; whatever an earlier user left in flight is
 * drained and dropped.
 */
export function sharedRenderer(): BackgroundRenderer {
  shared ??= new BackgroundRenderer();
  shared.wait();
  return shared;
}

/** Stops the shared worker (tests, and a CLI that wants to exit at once). */
export async function stopSharedRenderer(): Promise<void> {
  const r = shared;
  shared = null;
  await r?.close();
}

async function serve(port: MessagePort, replies: Int32Array): Promise<void> {
  const { renderPng } = require('./render') as typeof import('./render');
  port.on('message', async ({ id, spec, options }: Request) => {
    const start = performance.now();
    let reply: Reply;
    try {
      const png = await renderPng(spec, options);
      reply = { id, png, ms: performance.now() - start };
    } catch (err) {
      reply = { id, error: err instanceof Error ? err.message : String(err), ms: performance.now() - start };
    }
    port.postMessage(reply);
    Atomics.add(replies, 0, 1);
    Atomics.notify(replies, 0);
  });
}

if (!isMainThread && workerData?.port) {
  void serve(workerData.port as MessagePort, workerData.replies as Int32Array);
}
