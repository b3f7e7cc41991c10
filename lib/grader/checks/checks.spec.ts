// The grading checks as mocha specs: one `it` per check of lib/grader/checks/check-definitions.ts and exercise of the
// registry, titled "<id>: <name>". The grader's runner (lib/grader/checks/run-checks.ts) loads this file
// through mocha's programmatic API against a submission's observations; without a submission (plain
// `npm test`: test/exercises/checks.test.ts) the subject is the reference itself.
import { EXERCISES } from '../../exercises';
import { checkVerdict } from './check-context';
import { currentSession } from './basis';
import { hiddenInRelease } from '../self-check/expected';
import { CHECK_DEFINITIONS, checkId } from './check-definitions';

for (const ex of EXERCISES) {
  describe(`grading: ${ex.functionName} (${ex.id})`, function () {
    for (const def of CHECK_DEFINITIONS) {
      const id = checkId(ex, def);
      if (hiddenInRelease(id)) continue; // student release: the instructor keeps this check hidden
      it(`${id}: ${def.name(ex)}`, function () {
        const verdict = checkVerdict(currentSession(), ex, id, def.run);
        if (!verdict.pass) throw new Error(`${verdict.diagnosis ?? 'failed'}: ${verdict.message}`);
      });
    }
  });
}
