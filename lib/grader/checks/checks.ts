// The checks as the gradebook sees them: id, exercise, name, points, visibility — the exercise registry
// times the check definitions (lib/grader/checks/check-definitions.ts, where each check is written), with the course's
// configuration applied (lib/course/config.ts: points per exercise, weights per check, hidden checks).
import { EXERCISES } from '../../exercises';
import { CHECK_DEFINITIONS, checkId } from './check-definitions';
import { Course, course } from '../../course/config';
import type { ExerciseId } from '../sandbox/observe';
import { checkName } from '../strings';

export interface CheckInfo {
  id: string;
  exercise: ExerciseId;
  name: string;
  points: number;
  /** Hidden from students until grades are published (Gradescope visibility "after_published"). */
  hidden: boolean;
}

/** The checks with their default weights (of 10 per exercise) and own hidden flags. */
export const CHECKS: readonly CheckInfo[] = EXERCISES.flatMap((ex) =>
  CHECK_DEFINITIONS.map((def) => ({
    id: checkId(ex, def),
    exercise: ex.id,
    name: def.name(ex),
    points: def.points,
    hidden: def.hidden ?? false,
  })),
);

/** Every check id a course may name ("train_disc.update"), and the ids shared by every exercise's check ("update"). */
export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);
const SHORT_IDS = new Set(EXERCISES.flatMap((ex) => CHECK_DEFINITIONS.map((def) => def.id(ex))));

/** The course's check ids that name no check (a typo in hidden or weights). */
export function unknownCheckIds(c: Course): string[] {
  return [
    ...c.hidden.filter((id) => !CHECK_IDS.includes(id)),
    ...Object.keys(c.weights).filter((id) => !CHECK_IDS.includes(id) && !SHORT_IDS.has(id)),
  ];
}

/** The checks with a course applied (default: the course in use): each exercise's points shared by the checks' weights. */
export function configureChecks(c: Course = course()): CheckInfo[] {
  const unknown = unknownCheckIds(c);
  if (unknown.length > 0)
    throw new Error(`course configuration: unknown check id(s) ${unknown.join(', ')}; known: ${CHECK_IDS.join(', ')}`);
  return EXERCISES.flatMap((ex) => {
    const defs = CHECK_DEFINITIONS.map((def) => ({ def, id: checkId(ex, def) }));
    const weights = defs.map(({ def, id }) => c.weights[id] ?? c.weights[def.id(ex)] ?? def.points);
    const total = weights.reduce((a, w) => a + w, 0);
    const points = c.exercises[ex.id]?.points ?? 10;
    return defs.map(({ def, id }, i) => ({
      id,
      exercise: ex.id,
      name: checkName(def.id(ex), ex.functionName, def.name(ex), c.language),
      points: total > 0 ? Math.round(((points * weights[i]) / total) * 100) / 100 : 0,
      hidden: c.hidden.includes(id) || (def.hidden ?? false),
    }));
  });
}

export function checkInfo(id: string): CheckInfo {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown check id "${id}"`);
  return c;
}

/** "a,b" → check ids; an unknown id fails with the list of known ones. */
export function parseCheckIds(list: string, option = 'hidden'): string[] {
  const ids = list
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !CHECK_IDS.includes(id));
  if (unknown.length > 0)
    throw new Error(`${option}: unknown check id(s) ${unknown.join(', ')}; known: ${CHECK_IDS.join(', ')}`);
  return ids;
}
