// Which notebook kernel this process runs in, asked in one place: tslab (its jupyter module in require's
// cache, the instance the kernel loaded) or Deno's (`Deno.jupyter`). Outside both (the CLI, the tests,
// the grader's sandbox) every answer is "no".

/** tslab's internal jupyter module as the running kernel loaded it (found in require's cache), if any. */
export function loadedTslabJupyter(): unknown {
  const file = Object.keys(require.cache).find((f) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(f));
  return file ? (require.cache[file]?.exports ?? null) : null;
}

/** True inside a running tslab cell (tslab sets its display writer while a cell runs). */
export function inTslabCell(): boolean {
  const mod = loadedTslabJupyter() as { lastWriteDisplayData?: unknown } | null;
  return typeof mod?.lastWriteDisplayData === 'function';
}

/** The part of Deno's kernel API (`Deno.jupyter`, see `deno types`) used here. */
export interface DenoJupyter {
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void> | void;
}

/** `Deno.jupyter` inside `deno jupyter`; null elsewhere (Node, plain `deno run`, where reading it throws). */
export function denoJupyter(): DenoJupyter | null {
  const deno = (globalThis as { Deno?: { jupyter?: unknown } }).Deno;
  if (!deno) return null;
  try {
    const j = deno.jupyter as Partial<DenoJupyter> | undefined;
    return typeof j?.broadcast === 'function' ? (j as DenoJupyter) : null;
  } catch {
    return null;
  }
}
