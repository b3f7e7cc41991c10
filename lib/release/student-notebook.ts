// The student's notebook: the instructor's notebook with outputs cleared, hidden cells dropped and the
// exercise cells checked to hold placeholders (the reference lives in lib/reference/solutions.ts, never here).
import { Cell, Notebook, gradeIdOf, namespace, seminarCellOf, sourceText, tagsOf } from '../jupyter/notebook';

export { readNotebook, sourceText, writeNotebook } from '../jupyter/notebook';
export type { Cell, Notebook } from '../jupyter/notebook';

function name(cell: Cell, index: number): string {
  return seminarCellOf(cell) ?? gradeIdOf(cell) ?? (typeof cell.id === 'string' ? cell.id : undefined) ?? `#${index}`;
}

/** Cells the instructor keeps for themselves: `metadata.seminar.hidden` or the tag "hidden". */
export function isHiddenCell(cell: Cell): boolean {
  return namespace(cell, 'seminar').hidden === true || tagsOf(cell).includes('hidden');
}

/** Cells the student fills in: nbgrader `solution: true`. */
export function isExerciseCell(cell: Cell): boolean {
  return namespace(cell, 'nbgrader').solution === true;
}

export interface StudentNotebook {
  notebook: Notebook;
  exercises: string[];
  dropped: string[];
}

export function studentNotebook(nb: Notebook): StudentNotebook {
  const exercises: string[] = [];
  const dropped: string[] = [];
  const cells: Cell[] = [];
  nb.cells.forEach((cell, i) => {
    if (isHiddenCell(cell)) {
      dropped.push(name(cell, i));
      return;
    }
    const copy = JSON.parse(JSON.stringify(cell)) as Cell;
    if (copy.cell_type === 'code') {
      copy.outputs = [];
      copy.execution_count = null;
    }
    const metadata = copy.metadata as Record<string, unknown>;
    delete metadata.execution; // run timestamps
    delete metadata.collapsed;
    if (isExerciseCell(copy)) {
      if (!/\bTODO\(/.test(sourceText(copy))) {
        throw new Error(
          `release: exercise cell "${name(cell, i)}" has no TODO(...) placeholder — the notebook must hold the ` +
            "student's placeholders (the reference lives only in lib/reference/solutions.ts). Restore the TODO lines.",
        );
      }
      exercises.push(name(cell, i));
    }
    cells.push(copy);
  });
  if (exercises.length === 0) throw new Error('release: the notebook has no exercise cells (nbgrader solution: true)');
  const metadata = { ...nb.metadata };
  delete metadata.widgets;
  return { notebook: { ...nb, metadata, cells }, exercises, dropped };
}
