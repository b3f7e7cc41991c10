// Steps "read" and "extract": parse a submitted .ipynb (nbformat 4) and find each exercise's cell —
// by nbgrader grade_id first, then by tag, then by the function the cell defines.
import * as fs from 'node:fs';
import { EXERCISES } from '../../exercises';
import {
  Cell,
  Notebook,
  ParseResult,
  gradeIdOf,
  namespace,
  parseNotebook,
  seminarCellOf,
  sourceText,
  tagsOf,
} from '../../jupyter/notebook';
import { NOTEBOOK_GLOBALS } from '../../seminar/models';
import { ProgramCell, topLevelNames } from '../../jupyter/compile';
import { codeOnly } from './code-text';
import { DEFAULT_LIMITS, Limits, TooLarge, codeTooLarge, fileTooLarge } from './limits';
import type { ExerciseId } from '../sandbox/observe';

export type { Notebook } from '../../jupyter/notebook';
export type ReadResult = ParseResult | { ok: false; message: string; tooLarge: TooLarge };

/** The file as a notebook, or why not: too large (checked before reading, then its code), not UTF-8, not nbformat 4. */
export function readSubmission(file: string, limits: Limits = DEFAULT_LIMITS): ReadResult {
  const big = fileTooLarge(file, limits);
  if (big) return { ok: false, message: big.message, tooLarge: big };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    return {
      ok: false,
      message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  let text: string;
  try {
    // fatal: a byte that is not UTF-8 is an error, not a silent U+FFFD in the student's code
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const utf16 =
      bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    return {
      ok: false,
      message: `the file is not UTF-8${utf16 ? ' (it is UTF-16)' : ` (invalid bytes at offset ${firstInvalidUtf8(bytes)})`}: Jupyter saves notebooks as UTF-8. Re-download it from Jupyter (File → Download) and submit that file.`,
    };
  }
  const parsed = parseNotebook(text);
  if (!parsed.ok) return parsed;
  const code = parsed.notebook.cells.filter((c) => c.cell_type === 'code').map(sourceText);
  const tooLarge = codeTooLarge(code, limits);
  return tooLarge ? { ok: false, message: tooLarge.message, tooLarge } : parsed;
}

/** The offset of the first byte that breaks UTF-8 (for the message). */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  const valid = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ExtractedCell {
  exercise: ExerciseId;
  source: string;
  cellIndex: number;
  /** How it was found. */
  via: 'nbgrader' | 'tag' | 'function name';
}

export type Extraction = Partial<Record<ExerciseId, ExtractedCell>>;

/** The exercise cells; an exercise missing from the result has no cell. */
export function extractExercises(nb: Notebook): Extraction {
  const code = nb.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === 'code');
  const out: Extraction = {};
  for (const ex of EXERCISES) {
    const byId = code.find(({ cell }) => gradeIdOf(cell) === ex.id);
    const byTag = code.find(({ cell }) => tagsOf(cell).includes(ex.id));
    // by the function it defines at top level (a parse: a name in a comment or string defines nothing)
    const byName = code.find(({ cell }) => topLevelNames(sourceText(cell)).includes(ex.functionName));
    const found = byId
      ? { ...byId, via: 'nbgrader' as const }
      : byTag
        ? { ...byTag, via: 'tag' as const }
        : byName
          ? { ...byName, via: 'function name' as const }
          : undefined;
    if (found) out[ex.id] = { exercise: ex.id, source: sourceText(found.cell), cellIndex: found.index, via: found.via };
  }
  return out;
}

/** Cells of the seminar's own that the grader replaces (it provides their globals: fresh models, samplers). */
const GIVEN_CELLS = new Set(['samplers', 'models']);

/** A given cell by its content, for a notebook whose metadata was lost: it defines one of the notebook's globals. */
function definesNotebookGlobals(cell: Cell): boolean {
  return topLevelNames(sourceText(cell)).some((n) => (NOTEBOOK_GLOBALS as readonly string[]).includes(n));
}

function isCheckCell(cell: Cell): boolean {
  const nbgrader = namespace(cell, 'nbgrader');
  return (
    tagsOf(cell).includes('self-check') ||
    (nbgrader.grade === true && nbgrader.solution !== true) ||
    EXERCISES.some((ex) => gradeIdOf(cell) === ex.checkCellId)
  );
}

function isTrainingLoop(cell: Cell): boolean {
  if (seminarCellOf(cell) === 'training_loop') return true;
  // a notebook without the seminar's metadata: the first cell that loops over both steps
  const text = codeOnly(sourceText(cell));
  return /\bfor\s*\(/.test(text) && EXERCISES.every((ex) => new RegExp(`\\b${ex.functionName}\\s*\\(`).test(text));
}

/**
 * The code the grader runs, as tslab would up to the training loop: every code cell above it, in order,
 * but the seminar's given cells (the grader provides their globals) and the self-check cells. The
 * exercises' cells carry their id; the others are the student's own (helpers, scratch).
 */
export function programCells(nb: Notebook, extraction: Extraction): ProgramCell[] {
  const exerciseAt = new Map(Object.values(extraction).map((c) => [c!.cellIndex, c!.exercise]));
  const out: ProgramCell[] = [];
  for (const [index, cell] of nb.cells.entries()) {
    if (cell.cell_type !== 'code') continue;
    const exercise = exerciseAt.get(index);
    if (exercise === undefined && isTrainingLoop(cell)) break;
    if (
      exercise === undefined &&
      (GIVEN_CELLS.has(seminarCellOf(cell) ?? '') || isCheckCell(cell) || definesNotebookGlobals(cell))
    )
      continue;
    out.push({ index, source: sourceText(cell), exercise });
  }
  return out;
}
