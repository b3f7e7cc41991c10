// One notebook output holding a MIME bundle (Vega-Lite + PNG + text), replaced in place.
//
// tslab's public API (tslab.newDisplay()) sends ONE MIME type per output, but JupyterLab wants the
// Vega-Lite and classic Notebook / nbconvert / GitHub want a PNG in the same output. tslab's public
// display is a thin wrapper over an internal writer, `require('tslab/dist/jupyter').lastWriteDisplayData
// (message, update)`, which takes a whole bundle; we call that writer the same way public.js does.
// test/dashboard/live-output.test.ts pins this, so a tslab upgrade that changes it fails loudly. Without the
// internals we fall back to the official API with the PNG alone.
//
// Under Deno's kernel (`deno jupyter`) the same bundle goes out through Deno.jupyter.broadcast, which
// sends any iopub message with the running cell as parent.
import { randomBytes } from 'node:crypto';
import { denoJupyter, inTslabCell, loadedTslabJupyter } from '../host';

export type MimeBundle = Record<string, unknown> & { 'text/plain': string };

export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id: string };
}

/** tslab/dist/jupyter's process-wide writer: set while a cell runs, null outside a kernel. */
export type WriteDisplayData = (message: DisplayMessage, update: boolean) => void;

export interface TslabJupyter {
  lastWriteDisplayData: WriteDisplayData | null;
}

export interface TslabPublic {
  newDisplay(): { png(b: Uint8Array): void; text(s: string): void };
}

/** How a LiveOutput reaches the front end. */
export type DisplayMode = 'bundle' | 'official' | 'none';

/**
 * tslab's internal jupyter module: preferably the instance the running kernel loaded (found in
 * require's cache, so a kernel started from another tslab install still works), else ours.
 */
export function tslabJupyter(): TslabJupyter | null {
  try {
    const mod = (loadedTslabJupyter() ?? require('tslab/dist/jupyter')) as Partial<TslabJupyter> | undefined;
    return mod && 'lastWriteDisplayData' in mod ? (mod as TslabJupyter) : null;
  } catch {
    return null;
  }
}

function tslabPublic(): TslabPublic | null {
  try {
    return require('tslab') as TslabPublic;
  } catch {
    return null;
  }
}

export { DenoJupyter, denoJupyter } from '../host';

/**
 * A bundle writer over Deno.jupyter.broadcast. Not awaited: the training loop is synchronous, and
 * broadcasts queue in order and leave while it runs (measured: updates arrive live, as with tslab).
 */
export function denoWriter(jupyter = denoJupyter()): WriteDisplayData | null {
  if (!jupyter) return null;
  const failed = (err: unknown) =>
    console.error(`dashboard output not sent: ${err instanceof Error ? err.message : String(err)}`);
  return (message, update) => {
    // Typed as a Promise, but Deno 2.9 returns undefined (sent synchronously): handle both.
    const sent: unknown = jupyter.broadcast(update ? 'update_display_data' : 'display_data', { ...message });
    if (sent instanceof Promise) sent.catch(failed);
  };
}

/** True inside a running tslab cell. */
export const inTslabKernel = inTslabCell;

export interface LiveOutputSources {
  /** The bundle writer (tslab's internal one, else Deno's, by default); null outside a running cell. */
  writer?: () => WriteDisplayData | null;
  /** tslab's public module, for the fallback. */
  official?: () => TslabPublic | null;
}

/**
 * One output area entry that each show() replaces. The first show() creates it (display_data), later
 * ones update it (update_display_data with the same display_id).
 */
export class LiveOutput {
  readonly id = randomBytes(8).toString('hex');
  private shown = false;
  private fallback: ReturnType<TslabPublic['newDisplay']> | null = null;
  private readonly writer: () => WriteDisplayData | null;
  private readonly official: () => TslabPublic | null;

  constructor(sources: LiveOutputSources = {}) {
    this.writer = sources.writer ?? (() => tslabJupyter()?.lastWriteDisplayData ?? denoWriter());
    this.official = sources.official ?? (() => (tslabJupyter() || denoJupyter() ? null : tslabPublic()));
  }

  /** Whether show() reaches a front end now: in a running tslab cell (by either route) or in Deno's kernel. */
  available(): boolean {
    if (this.writer()) return true;
    // Fallback route: public.js cannot be asked, so look for tslab's kernel process (`tslab kernel ...`).
    return this.official() !== null && process.argv.some((a) => /[\\/]tslab([\\/]|$)/.test(a));
  }

  /**
   * Shows `bundle`, replacing what this output showed before. Returns how: 'bundle' (all MIME types),
   * 'official' (tslab's public API, the PNG alone) or 'none' (not in a running tslab cell or Deno kernel).
   */
  show(bundle: MimeBundle): DisplayMode {
    const write = this.writer();
    if (write) {
      write({ data: bundle, metadata: {}, transient: { display_id: this.id } }, this.shown);
      this.shown = true;
      return 'bundle';
    }
    const pub = this.official();
    if (!pub) return 'none';
    try {
      this.fallback ??= pub.newDisplay();
      const png = bundle['image/png'];
      if (typeof png === 'string') this.fallback.png(Buffer.from(png, 'base64'));
      else this.fallback.text(bundle['text/plain']);
      return 'official';
    } catch {
      return 'none'; // public.js throws "Not ready" outside a running cell
    }
  }
}
