// Steps "read" and "extract": parse a submitted .ipynb (nbformat 4) and find each exercise's cell —
// by nbgrader grade_id first, then by tag, then by the function the cell defines.
import * as fs from 'node:fs';
import { EXERCISES } from '../exercises';
import { Notebook, ParseResult, gradeIdOf, parseNotebook, sourceText, tagsOf } from '../jupyter/notebook';
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
