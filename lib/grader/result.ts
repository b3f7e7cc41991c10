// What grading one submission produces: the row of the gradebook and everything its feedback needs.
import type { CompileError } from '../jupyter/compile';
import type { DiagnosisId } from './diagnoses';
import type { ExerciseId } from './sandbox/observe';
import type { CheckResult } from './checks/run-checks';

/**
 * Whether every exercise could be judged (README "Grading a class"): complete — each exercise's step ran
 * and its checks judged what it did (its score may still be low); incomplete — some exercise could not be
 * judged at all (not implemented, missing, does not compile, failed on every call: its checks score 0);
 * unreadable — the file is not a notebook; too-large — past a size limit (lib/grader/pipeline/limits.ts), not graded.
 */
export type GradeStatus = 'complete' | 'incomplete' | 'unreadable' | 'too-large';

export interface GradeResult {
  /** The file's base name without .ipynb. */
  student: string;
  file: string;
  score: number;
  maxScore: number;
  status: GradeStatus;
  /** Distinct diagnosis ids of failed checks, in check order. */
  diagnoses: DiagnosisId[];
  checks: CheckResult[];
  /** Per exercise: how the cell was found, and compile errors as tslab shows them. */
  cells: Partial<Record<ExerciseId, { via: string; cellIndex: number; compileErrors: CompileError[] }>>;
  /** About the notebook's other cells (helpers, scratch): compile errors, cells that threw. */
  otherCells?: string[];
  /** The submission's console output (capped). */
  output: string;
  message?: string;
  isolation: string[];
}
