// The grading checks (lib/grader/checks/check-definitions.ts) run by `npm test` against the reference: with no
// submission set, the subject of lib/grader/checks/checks.spec.ts is the reference itself, so every check
// must pass here — and the same checks run by the grader's runner give full points.
import { expect } from 'chai';
import { EXERCISES } from '../../lib/exercises';
import { CHECK_DEFINITIONS, checkId } from '../../lib/grader/checks/check-definitions';
import { currentSession } from '../../lib/grader/checks/basis';
import { CHECKS, configureChecks } from '../../lib/grader/checks/checks';
import { DIAGNOSES } from '../../lib/grader/diagnoses';
import { runChecks } from '../../lib/grader/checks/run-checks';
import { initGraderBackend } from '../../lib/tfjs/backend';

describe('grading checks', function () {
  before(async () => {
    await initGraderBackend();
  });

  describe('each check against the reference (the specs themselves)', function () {
    // the spec file defines one `it` per check and exercise, under this describe
    require('../../lib/grader/checks/checks.spec');
  });

  it('the runner gives the reference every point, one result per check, in catalogue order', async () => {
    const results = await runChecks(currentSession(), configureChecks());
    expect(results.map((r) => r.id)).to.deep.equal(CHECKS.map((c) => c.id));
    for (const r of results) expect(r.passed, `${r.id}: ${r.diagnosis} ${r.message}`).to.equal(true);
    expect(results.reduce((a, r) => a + r.points, 0)).to.equal(10 * EXERCISES.length);
  });

  it('the catalogue is the registry times the definitions; ids are unique and points add up to 10 per exercise', () => {
    expect(CHECKS).to.have.length(EXERCISES.length * CHECK_DEFINITIONS.length);
    expect(new Set(CHECKS.map((c) => c.id)).size).to.equal(CHECKS.length);
    expect(CHECK_DEFINITIONS.reduce((a, d) => a + d.points, 0)).to.equal(10);
    for (const ex of EXERCISES)
      for (const def of CHECK_DEFINITIONS) expect(CHECKS.map((c) => c.id)).to.include(checkId(ex, def));
  });

  it('every diagnosis an exercise names is registered with a title, advice and hint', () => {
    for (const ex of EXERCISES) {
      for (const id of [ex.frozenDiagnosis, ...ex.lossMistakes.map((m) => m.diagnosis)]) {
        expect(DIAGNOSES[id], `${ex.id} names "${id}"`).to.include.all.keys('title', 'advice', 'hint');
      }
    }
  });
});
