// Steps "read" and "extract": parse a submitted .ipynb (nbformat 4) and find the two exercise cells —
// by nbgrader grade_id first, then by tag, then by the function the cell defines.
import * as fs from 'node:fs';
import { EXERCISES, Exercise, FUNCTION_NAMES } from './probe';

export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { nbgrader?: { grade_id?: unknown }; tags?: unknown; seminar?: { cell?: unknown } };
}

export interface Notebook {
  nbformat: number;
  cells: NotebookCell[];
}

export type ReadResult = { ok: true; notebook: Notebook } | { ok: false; message: string };

export function readSubmission(file: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot read ${file}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not a notebook: the file is not valid JSON (${(err as Error).message}). Re-download it from Jupyter (File → Download).` };
  }
  const nb = json as Partial<Notebook>;
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) {
    return { ok: false, message: 'not a notebook: no "cells" list. Submit the .ipynb file saved by Jupyter.' };
  }
  if (nb.nbformat !== 4) return { ok: false, message: `unsupported notebook format ${String(nb.nbformat)} (need nbformat 4)` };
  return { ok: true, notebook: nb as Notebook };
}

export function sourceText(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

export interface ExtractedCell {
  exercise: Exercise;
  source: string;
  cellIndex: number;
  /** How it was found. */
  via: 'nbgrader' | 'tag' | 'function name';
}

export type Extraction = Partial<Record<Exercise, ExtractedCell>>;

function tagsOf(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** The exercise cells; an exercise missing from the result has no cell. Returned in notebook order by the caller. */
export function extractExercises(nb: Notebook): Extraction {
  const code = nb.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === 'code');
  const out: Extraction = {};
  for (const exercise of EXERCISES) {
    const byId = code.find(({ cell }) => cell.metadata?.nbgrader?.grade_id === exercise);
    const byTag = code.find(({ cell }) => tagsOf(cell).includes(exercise));
    const fn = new RegExp(`\\bfunction\\s+${FUNCTION_NAMES[exercise]}\\s*\\(|\\b(const|let|var)\\s+${FUNCTION_NAMES[exercise]}\\s*=`);
    const byName = code.find(({ cell }) => fn.test(sourceText(cell)));
    const found = byId ? { ...byId, via: 'nbgrader' as const } : byTag ? { ...byTag, via: 'tag' as const } : byName ? { ...byName, via: 'function name' as const } : undefined;
    if (found) out[exercise] = { exercise, source: sourceText(found.cell), cellIndex: found.index, via: found.via };
  }
  return out;
}
