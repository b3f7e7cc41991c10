// Step "similarity": identical or near-identical exercise cells across the class, for the instructor to
// look at (never a grade). Cells are compared as TypeScript tokens (whitespace and comments dropped), by
// the share of shared token 4-grams. The notebook's own solution shape is common to every correct
// submission, so a cell counts only when few others share it; identical notebook files are listed first.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as ts from 'typescript';
import { EXERCISES } from '../exercises';
import type { GradeResult } from '../grader/result';
import { sourceText } from '../jupyter/notebook';

/** Cells at least this similar (token 4-gram overlap) count as near-identical. */
export const NEAR = 0.95;
/** A cell shared (near-identically) by more than this many students is the common shape, not evidence. */
export const COMMON = 3;

export interface SimilarPair {
  a: string;
  b: string;
  /** Identical files (byte for byte), or the exercises whose cells are near-identical, with their overlap. */
  identicalFiles: boolean;
  cells: { exercise: string; similarity: number }[];
}

export function tokens(source: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, source);
  const out: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) out.push(scanner.getTokenText());
  return out;
}

function grams(tok: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 4 <= tok.length; i++) out.add(tok.slice(i, i + 4).join('\u0001'));
  if (tok.length < 4) out.add(tok.join('\u0001'));
  return out;
}

export function similarity(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

/** The exercise cells of a graded submission, by exercise id (unreadable or missing cells: absent). */
function cellsOf(r: GradeResult): Record<string, string> {
  try {
    const nb = JSON.parse(fs.readFileSync(r.file, 'utf8').replace(/^\uFEFF/, '')) as {
      cells: { source: string | string[] }[];
    };
    return Object.fromEntries(
      EXERCISES.flatMap((ex) => {
        const at = r.cells[ex.id]?.cellIndex;
        return at === undefined || !nb.cells[at] ? [] : [[ex.id, sourceText(nb.cells[at] as never)]];
      }),
    );
  } catch {
    return {};
  }
}

export function similarPairs(results: GradeResult[]): SimilarPair[] {
  const present = results.filter((r) => fs.existsSync(r.file));
  const hashes = present.map((r) => createHash('sha256').update(fs.readFileSync(r.file)).digest('hex'));
  const cells = present.map((r) =>
    Object.fromEntries(Object.entries(cellsOf(r)).map(([ex, src]) => [ex, grams(tokens(src))])),
  );
  const pairs: SimilarPair[] = [];
  const near = (i: number, j: number, ex: string) =>
    cells[i][ex] && cells[j][ex] ? similarity(cells[i][ex], cells[j][ex]) : 0;
  // how many students share each one's cell, near-identically
  const sharers = EXERCISES.map((ex) =>
    present.map((_, i) => present.filter((__, j) => near(i, j, ex.id) >= NEAR).length),
  );
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      const identicalFiles = hashes[i] === hashes[j];
      const similar = EXERCISES.map((ex, k) => ({
        exercise: ex.id,
        similarity: near(i, j, ex.id),
        common: sharers[k][i] > COMMON,
      }))
        .filter((c) => c.similarity >= NEAR && !c.common)
        .map(({ exercise, similarity: s }) => ({ exercise, similarity: Math.round(s * 1000) / 1000 }));
      if (identicalFiles || similar.length > 0)
        pairs.push({ a: present[i].student, b: present[j].student, identicalFiles, cells: similar });
    }
  }
  return pairs.sort((x, y) => Number(y.identicalFiles) - Number(x.identicalFiles) || y.cells.length - x.cells.length);
}

export function similarityMarkdown(pairs: SimilarPair[], students: number): string {
  const out = [
    '# Similar submissions',
    '',
    `${students} submissions compared: exercise cells as TypeScript tokens (whitespace and comments dropped), near-identical at ≥ ${NEAR * 100} % shared 4-grams; a cell shared by more than ${COMMON} students is the common shape and is not listed. A lead to look at, not a verdict.`,
    '',
  ];
  if (pairs.length === 0) return [...out, 'No identical or near-identical submissions.', ''].join('\n');
  out.push('| students | identical files | near-identical cells |', '|---|---|---|');
  for (const p of pairs)
    out.push(
      `| ${p.a} · ${p.b} | ${p.identicalFiles ? 'yes' : ''} | ${p.cells.map((c) => `${c.exercise} (${Math.round(c.similarity * 100)} %)`).join(', ')} |`,
    );
  return [...out, ''].join('\n');
}
