// `check(id, judge)`: one mocha `it` per grading check, titled "<id>: <name>". The verdict goes to the
// session (for points, diagnosis and notes); a failed verdict fails the test with its diagnosis.
import { checkInfo } from '../../lib/grader/checks';
import type { Session, Verdict } from '../../lib/grader/judge';
import type { Exercise } from '../../lib/grader/probe';
import { currentSession } from '../../lib/grader/session';
import { hiddenInRelease } from '../../lib/release-expected';

export function check(id: string, judge: (s: Session, ex: Exercise) => Verdict): void {
  const info = checkInfo(id);
  if (hiddenInRelease(id)) return; // student release: the instructor keeps this check hidden
  it(`${id}: ${info.name}`, function () {
    const s = currentSession();
    const v = judge(s, info.exercise);
    s.verdicts.set(id, v);
    if (!v.pass) throw new Error(`${v.diagnosis ?? 'failed'}: ${v.message}`);
  });
}
