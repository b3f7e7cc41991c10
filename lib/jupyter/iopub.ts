// A listener on a Jupyter kernel's iopub channel: a ZeroMQ SUB socket speaking ZMTP 3.0 (NULL security)
// over node:net, enough to read what the kernel broadcasts. Used from inside Deno's kernel to see its
// own output leave (lib/jupyter/deno.ts). Not the zeromq package: its addon crashes under Deno 2.9.
import * as net from 'node:net';

export interface IopubMessage {
  msgType: string;
  parentId: string;
  content: Record<string, unknown>;
}

export const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;

/** The 64-byte ZMTP 3.0 greeting: signature, version 3.0, mechanism NULL, as-server 0, filler. */
export function greeting(): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 0;
  g.write('NULL', 12, 'ascii');
  return g;
}

export function frame(flags: number, body: Buffer): Buffer {
  if (body.length > 255) {
    const head = Buffer.alloc(9);
    head[0] = flags | FLAG_LONG;
    head.writeBigUInt64BE(BigInt(body.length), 1);
    return Buffer.concat([head, body]);
  }
  return Buffer.concat([Buffer.from([flags, body.length]), body]);
}

/** READY with Socket-Type `socketType` (SUB here, DEALER for lib/jupyter/deno-worker.ts's control requests). */
export function ready(socketType = 'SUB'): Buffer {
  const name = Buffer.from('Socket-Type', 'ascii');
  const value = Buffer.from(socketType, 'ascii');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  return frame(
    FLAG_COMMAND,
    Buffer.concat([Buffer.from([5]), Buffer.from('READY', 'ascii'), Buffer.from([name.length]), name, len, value]),
  );
}

/** Jupyter's wire format: identities, <IDS|MSG>, signature, header, parent header, metadata, content. */
export function parseJupyterFrames(frames: Buffer[]): IopubMessage | null {
  const i = frames.findIndex((f) => f.toString('latin1') === '<IDS|MSG>');
  if (i < 0 || frames.length < i + 6) return null;
  try {
    const header = JSON.parse(frames[i + 2].toString('utf8')) as { msg_type?: string };
    const parent = JSON.parse(frames[i + 3].toString('utf8')) as { msg_id?: string };
    const content = JSON.parse(frames[i + 5].toString('utf8')) as Record<string, unknown>;
    return { msgType: header.msg_type ?? '', parentId: parent.msg_id ?? '', content };
  } catch {
    return null;
  }
}

export class IopubListener {
  private buffer = Buffer.alloc(0);
  private greeted = false;
  private parts: Buffer[] = [];
  private readonly listeners = new Set<(m: IopubMessage) => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // the kernel going away ends the listening, nothing more
    socket.unref(); // never what keeps a process alive
  }

  /** Connects and subscribes to every message; resolves once the TCP connection is up. */
  static connect(host: string, port: number, timeoutMs = 3000): Promise<IopubListener> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no iopub connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.write(greeting());
        socket.write(ready());
        socket.write(frame(0, Buffer.from([1]))); // ZMTP 3.0 subscription: 0x01 + topic (empty: all)
        resolve(new IopubListener(socket));
      });
    });
  }

  onMessage(fn: (m: IopubMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first message matching `test`, or null after `timeoutMs`. */
  next(test: (m: IopubMessage) => boolean, timeoutMs: number): Promise<IopubMessage | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, timeoutMs);
      const off = this.onMessage((m) => {
        if (!test(m)) return;
        clearTimeout(timer);
        off();
        resolve(m);
      });
    });
  }

  close(): void {
    this.listeners.clear();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.greeted) {
      if (this.buffer.length < 64) return;
      this.buffer = this.buffer.subarray(64);
      this.greeted = true;
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const flags = this.buffer[0];
      const long = (flags & FLAG_LONG) !== 0;
      const headLen = long ? 9 : 2;
      if (this.buffer.length < headLen) return;
      const size = long ? Number(this.buffer.readBigUInt64BE(1)) : this.buffer[1];
      if (this.buffer.length < headLen + size) return;
      const body = this.buffer.subarray(headLen, headLen + size);
      this.buffer = this.buffer.subarray(headLen + size);
      if (flags & FLAG_COMMAND) continue; // READY, PING, ...
      this.parts.push(Buffer.from(body));
      if (flags & FLAG_MORE) continue;
      const message = parseJupyterFrames(this.parts);
      this.parts = [];
      if (message) for (const fn of [...this.listeners]) fn(message);
    }
  }
}
