// The notebook as committed: tslab's kernelspec and language_info, no outputs, no execution counts, in
// nbformat's own layout. Saving from Deno's kernel (or VS Code) rewrites kernelspec/language_info;
// this puts them back so commits only show real changes.
//
//   npm run notebook:normalize [-- FILE.ipynb ...]      (default: notebooks/gan_1d.ipynb)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOTEBOOK_FILE } from '../paths';
import { svgToPng } from '../dashboard/render';

/** The metadata tslab writes (what notebooks/gan_1d.ipynb carries). */
export const TSLAB_METADATA = {
  kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
  language_info: {
    codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
    file_extension: '.ts',
    mimetype: 'text/typescript',
    name: 'typescript',
    version: '3.7.2',
  },
};

interface Notebook {
  metadata?: Record<string, unknown>;
  cells?: Cell[];
  [key: string]: unknown;
}

interface Cell {
  cell_type: string;
  source?: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
  attachments?: Record<string, Record<string, unknown>>;
}

/** Python's str.splitlines(True) for "\n" line ends: "a\nb" → ["a\n", "b"], "" → []. */
function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l !== '');
}

const joined = (v: unknown) => (Array.isArray(v) ? v.join('') : v);
const isJsonMime = (mime: string) => mime === 'application/json' || mime.endsWith('+json');

/** Objects with their keys sorted, all the way down (Python's json sort_keys). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  );
}

/**
 * The normalised text of a notebook's JSON text: tslab's metadata, outputs cleared, in the layout
 * nbformat.write gives (keys sorted, one-space indent, multi-line strings as lists of lines, a final
 * newline) — what Jupyter itself saves, so a save from any front end differs only where cells changed.
 */
export function normalizeNotebookText(text: string): string {
  const nb = JSON.parse(text) as Notebook;
  if (!Array.isArray(nb.cells)) throw new Error('not a Jupyter notebook (no "cells" list)');
  nb.metadata = { ...(nb.metadata ?? {}), ...TSLAB_METADATA };
  for (const cell of nb.cells) {
    if (cell.source !== undefined) cell.source = splitLines(String(joined(cell.source)));
    for (const bundle of Object.values(cell.attachments ?? {})) {
      for (const [mime, data] of Object.entries(bundle)) {
        if (!isJsonMime(mime) && (typeof data === 'string' || Array.isArray(data)))
          bundle[mime] = splitLines(String(joined(data)));
      }
    }
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
    if (cell.metadata) delete cell.metadata.execution; // nbclient's / JupyterLab's timing record
  }
  return `${JSON.stringify(sortKeys(nb), null, 1)}\n`;
}

/**
 * Each PNG attachment `x.png` of a markdown cell drawn again from `x.svg` next to the notebook (the
 * source of truth): JupyterLab 4 shows png/jpeg/gif/webp/bmp attachments only, not SVG ones, so the
 * notebook carries the diagram as a PNG every front end shows, at twice its size for sharp screens.
 */
export function renderSvgAttachments(text: string, dir: string): string {
  const nb = JSON.parse(text) as Notebook;
  let changed = false;
  for (const cell of nb.cells ?? []) {
    for (const name of Object.keys(cell.attachments ?? {})) {
      const svg = path.join(dir, name.replace(/\.png$/i, '.svg'));
      if (!/\.png$/i.test(name) || !fs.existsSync(svg)) continue;
      const png = svgToPng(fs.readFileSync(svg, 'utf8'), { scale: 2 }).toString('base64');
      if (joined(cell.attachments![name]['image/png']) === png) continue;
      cell.attachments![name] = { 'image/png': png };
      changed = true;
    }
  }
  return changed ? JSON.stringify(nb) : text;
}

/** Rewrites `file` in place when it differs; returns whether it changed. */
export function normalizeNotebook(file: string): boolean {
  const text = fs.readFileSync(file, 'utf8');
  const normal = normalizeNotebookText(renderSvgAttachments(text, path.dirname(file)));
  if (normal === text) return false;
  fs.writeFileSync(file, normal);
  return true;
}

if (require.main === module) {
  const files = process.argv.slice(2);
  for (const f of files.length ? files : [NOTEBOOK_FILE]) {
    try {
      console.log(`${normalizeNotebook(f) ? 'normalised' : 'already normal'}: ${f}`);
    } catch (err) {
      console.error(`${f}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}
