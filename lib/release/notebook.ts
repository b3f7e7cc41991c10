// The student's notebook: the instructor's notebook with outputs cleared, hidden cells dropped and the
// exercise cells checked to hold placeholders (the reference lives in lib/solutions.ts, never here).
import * as fs from 'node:fs';

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, any>;
  outputs?: unknown[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export function readNotebook(file: string): Notebook {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${file}: not an nbformat 4 notebook`);
  return nb;
}

/** Written the way the team writes notebooks: indent 1, keys as they are, trailing newline. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

export function sourceText(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

function name(cell: Cell, index: number): string {
  return cell.metadata?.seminar?.cell ?? cell.metadata?.nbgrader?.grade_id ?? cell.id ?? `#${index}`;
}

/** Cells the instructor keeps for themselves: `metadata.seminar.hidden` or the tag "hidden". */
export function isHiddenCell(cell: Cell): boolean {
  return cell.metadata?.seminar?.hidden === true || (Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes('hidden'));
}

/** Cells the student fills in: nbgrader `solution: true`. */
export function isExerciseCell(cell: Cell): boolean {
  return cell.metadata?.nbgrader?.solution === true;
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
    const copy: Cell = JSON.parse(JSON.stringify(cell));
    if (copy.cell_type === 'code') {
      copy.outputs = [];
      copy.execution_count = null;
    }
    delete copy.metadata.execution; // run timestamps
    delete copy.metadata.collapsed;
    if (isExerciseCell(copy)) {
      if (!/\bTODO\(/.test(sourceText(copy))) {
        throw new Error(
          `release: exercise cell "${name(cell, i)}" has no TODO(...) placeholder — the notebook must hold the ` +
            "student's placeholders (the reference lives only in lib/solutions.ts). Restore the TODO lines.",
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
