// The checks as the gradebook sees them: id, exercise, name, points, visibility — the exercise registry
// times the check definitions (lib/exercises/checks.ts, where each check is written), with a course's
// configuration applied (points per check, hidden checks).
import { EXERCISES } from '../exercises';
import { CHECK_DEFINITIONS, checkId } from '../exercises/checks';
import type { ExerciseId } from './observe';

export interface CheckInfo {
  id: string;
  exercise: ExerciseId;
  name: string;
  points: number;
  /** Hidden from students until grades are published (Gradescope visibility "after_published"). */
  hidden: boolean;
}

/** The default checks: 10 points per exercise. */
export const CHECKS: readonly CheckInfo[] = EXERCISES.flatMap((ex) =>
  CHECK_DEFINITIONS.map((def) => ({ id: checkId(ex, def), exercise: ex.id, name: def.name(ex), points: def.points, hidden: def.hidden ?? false })),
);

export interface CheckConfig {
  /** Points per exercise (default 10); each check's points scale with it. */
  pointsPerExercise?: number;
  /** Overrides by check id. */
  points?: Record<string, number>;
  hidden?: string[];
}

/** The checks with a course's configuration applied. */
export function configureChecks(config: CheckConfig = {}): CheckInfo[] {
  const scale = (config.pointsPerExercise ?? 10) / 10;
  return CHECKS.map((c) => ({
    ...c,
    points: config.points?.[c.id] ?? Math.round(c.points * scale * 100) / 100,
    hidden: config.hidden ? config.hidden.includes(c.id) : c.hidden,
  }));
}

export function checkInfo(id: string): CheckInfo {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown check id "${id}"`);
  return c;
}

/** "a,b" (a --hidden option) → check ids; an unknown id fails with the list of known ones. */
export function parseCheckIds(list: string, option = '--hidden'): string[] {
  const ids = list.split(',').map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !CHECKS.some((c) => c.id === id));
  if (unknown.length > 0) throw new Error(`${option}: unknown check id(s) ${unknown.join(', ')}; known: ${CHECKS.map((c) => c.id).join(', ')}`);
  return ids;
}
