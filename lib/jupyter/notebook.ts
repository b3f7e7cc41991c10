// Notebook files (.ipynb, nbformat 4) as the grader and the release read and write them: JupyterLab's
// own types (@jupyterlab/nbformat), a schema check on read (ajv), and the few metadata fields the
// project uses (nbgrader ids, tags, the seminar's own cell names).
import type { ICell, INotebookContent, MultilineString } from '@jupyterlab/nbformat';
import type { PartialJSONObject, PartialJSONValue } from '@lumino/coreutils';
import Ajv from 'ajv';
import * as fs from 'node:fs';

export type Notebook = INotebookContent;
export type Cell = ICell;

/** The part of nbformat 4's schema the project relies on; the rest of a notebook passes through untouched. */
const SCHEMA = {
  type: 'object',
  required: ['nbformat', 'cells'],
  properties: {
    nbformat: { const: 4 },
    metadata: { type: 'object' },
    cells: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cell_type', 'source'],
        properties: {
          cell_type: { type: 'string' },
          source: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          metadata: { type: 'object' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false }).compile(SCHEMA);

export type ParseResult = { ok: true; notebook: Notebook } | { ok: false; message: string };

/** Parses notebook text (a UTF-8 byte-order mark is ignored); never throws. */
export function parseNotebook(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return {
      ok: false,
      message: `not a notebook: the file is not valid JSON (${(err as Error).message}). Re-download it from Jupyter (File → Download).`,
    };
  }
  if (!json || typeof json !== 'object' || !Array.isArray((json as { cells?: unknown }).cells)) {
    return { ok: false, message: 'not a notebook: no "cells" list. Submit the .ipynb file saved by Jupyter.' };
  }
  const format = (json as { nbformat?: unknown }).nbformat;
  if (format !== 4) return { ok: false, message: `unsupported notebook format ${String(format)} (need nbformat 4)` };
  if (!validate(json)) {
    const e = validate.errors?.[0];
    return {
      ok: false,
      message: `not a valid nbformat 4 notebook: ${e?.instancePath || '/'} ${e?.message ?? ''}`.trim(),
    };
  }
  return { ok: true, notebook: json as Notebook };
}

/** Reads a notebook; throws with the file's name when it is not one. */
export function readNotebook(file: string): Notebook {
  const r = parseNotebook(fs.readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.message}`);
  return r.notebook;
}

/** Written the way the team writes notebooks: indent 1, keys as they are, trailing newline. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

export function sourceText(cell: { source: MultilineString }): string {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

const objectOf = (v: PartialJSONValue | undefined): PartialJSONObject | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

/** metadata.<namespace> of a cell, as an object ({} when absent). */
export function namespace(cell: Cell, name: 'nbgrader' | 'seminar'): PartialJSONObject {
  return objectOf(objectOf(cell.metadata as PartialJSONValue)?.[name]) ?? {};
}

export function tagsOf(cell: Cell): string[] {
  const tags = objectOf(cell.metadata as PartialJSONValue)?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** nbgrader's grade_id of a cell, if it has one. */
export function gradeIdOf(cell: Cell): string | undefined {
  const id = namespace(cell, 'nbgrader').grade_id;
  return typeof id === 'string' ? id : undefined;
}

/** The seminar's own name of a cell (metadata.seminar.cell: "samplers", "models", "train_disc", …). */
export function seminarCellOf(cell: Cell): string | undefined {
  const name = namespace(cell, 'seminar').cell;
  return typeof name === 'string' ? name : undefined;
}
