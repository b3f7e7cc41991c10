// Steps "read" and "extract": parse a submitted .ipynb (nbformat 4) and find each exercise's cell —
// by nbgrader grade_id first, then by tag, then by the function the cell defines.
import * as fs from 'node:fs';
import { EXERCISES } from '../exercises';
import { Cell, Notebook, ParseResult, gradeIdOf, namespace, parseNotebook, seminarCellOf, sourceText, tagsOf } from '../jupyter/notebook';
import { NOTEBOOK_GLOBALS } from '../seminar/models';
import { ProgramCell, topLevelNames } from './compile';
import type { ExerciseId } from './observe';

export type { Notebook } from '../jupyter/notebook';
export type ReadResult = ParseResult;

export function readSubmission(file: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  return parseNotebook(text);
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
    const fn = new RegExp(`\\bfunction\\s+${ex.functionName}\\s*\\(|\\b(const|let|var)\\s+${ex.functionName}\\s*=`);
    const byName = code.find(({ cell }) => fn.test(sourceText(cell)));
    const found = byId ? { ...byId, via: 'nbgrader' as const } : byTag ? { ...byTag, via: 'tag' as const } : byName ? { ...byName, via: 'function name' as const } : undefined;
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
  return tagsOf(cell).includes('self-check') || (nbgrader.grade === true && nbgrader.solution !== true) || EXERCISES.some((ex) => gradeIdOf(cell) === ex.checkCellId);
}

function isTrainingLoop(cell: Cell): boolean {
  if (seminarCellOf(cell) === 'training_loop') return true;
  // a notebook without the seminar's metadata: the first cell that loops over both steps
  const text = sourceText(cell);
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
    if (exercise === undefined && (GIVEN_CELLS.has(seminarCellOf(cell) ?? '') || isCheckCell(cell) || definesNotebookGlobals(cell))) continue;
    out.push({ index, source: sourceText(cell), exercise });
  }
  return out;
}
