// The list of checks: ids, points and visibility. The checks themselves are mocha specs in
// test/grading/ (one `it` per id, titled "<id>: <name>"); this table is what the gradebook and the
// Gradescope results use, and what a course can reconfigure (points per check, hidden checks).
import type { Exercise } from './probe';

export interface CheckInfo {
  id: string;
  exercise: Exercise;
  name: string;
  points: number;
  /** Hidden from students until grades are published (Gradescope visibility "after_published"). */
  hidden: boolean;
}

const exercise = (ex: Exercise, fn: string, frozen: string): CheckInfo[] => [
  { id: `${ex}.runs`, exercise: ex, name: `${fn} runs and returns the loss as a number`, points: 1, hidden: false },
  { id: `${ex}.update`, exercise: ex, name: `one step updates the ${ex === 'train_disc' ? 'discriminator' : 'generator'} like the reference (3 fixed states)`, points: 4, hidden: false },
  { id: `${ex}.${frozen}-untouched`, exercise: ex, name: `the ${frozen} is left untouched`, points: 2, hidden: false },
  { id: `${ex}.loss`, exercise: ex, name: 'the returned loss equals the reference loss', points: 1, hidden: false },
  { id: `${ex}.no-leak`, exercise: ex, name: 'no tensors leak over 20 steps', points: 1, hidden: false },
  { id: `${ex}.samplers`, exercise: ex, name: 'data comes from sampleRealData / sampleNoise with batchSize', points: 1, hidden: false },
];

/** The default checks: 10 points per exercise. */
export const CHECKS: readonly CheckInfo[] = [...exercise('train_disc', 'trainDisc', 'generator'), ...exercise('train_gen', 'trainGen', 'discriminator')];

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
