// The course configuration (lib/course/config.ts): validated with the key named, points shared by
// weights, one file for every command, the variant policy, hidden checks announced by the self-check.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COURSE_FILE, courseWith, parseCourse, readCourse, useCourse } from '../../lib/course/config';
import { configureChecks } from '../../lib/grader/checks/checks';
import { gradeNotebook } from '../../lib/grader';
import { formatSelfCheck } from '../../lib/grader/self-check/self-check';
import { buildFixture } from '../support/fixtures';
import { CLASS } from '../support/class';
import { tempDir } from '../support/tmp';
import { CLI } from '../support/paths';

describe('course configuration', function () {
  this.timeout(300_000);
  afterEach(() => useCourse(undefined));

  it('the shipped file is valid; a bad key, value or check id is refused with the key named', () => {
    const c = readCourse(COURSE_FILE);
    expect(c.variants).to.equal('accept-and-flag');
    expect(() => parseCourse({ ...c, variant: 'accept' })).to.throw(/additional properties "variant"/);
    expect(() => parseCourse({ ...c, variants: 'maybe' })).to.throw(
      /variants must be equal to one of the allowed values \["accept","accept-and-flag","refuse"\]/,
    );
    expect(() => parseCourse({ ...c, late: { ...c.late, perDay: 2 } })).to.throw(/late\.perDay must be <= 1/);
    expect(() => parseCourse({ ...c, late: { ...c.late, deadline: 'Friday' } })).to.throw(
      /late\.deadline must match format "date-time"/,
    );
    expect(() => configureChecks(courseWith({ hidden: ['train_disc.nope'] }))).to.throw(
      /unknown check id\(s\) train_disc\.nope/,
    );
  });

  it('points: severity-weighted defaults (the GAN-stopping check carries most), points per exercise and weights per check', () => {
    const checks = configureChecks(courseWith({}));
    const disc = checks.filter((k) => k.exercise === 'train_disc');
    expect(disc.reduce((a, k) => a + k.points, 0)).to.equal(10);
    expect(disc.find((k) => k.id === 'train_disc.trains')!.points).to.equal(Math.max(...disc.map((k) => k.points)));
    const scaled = configureChecks(
      courseWith({
        exercises: { train_disc: { points: 30 }, train_gen: { points: 5 } },
        weights: { 'no-leak': 0, 'train_gen.update': 5.5 },
      }),
    );
    expect(scaled.filter((k) => k.exercise === 'train_disc').reduce((a, k) => a + k.points, 0)).to.be.closeTo(30, 0.02);
    expect(scaled.find((k) => k.id === 'train_disc.no-leak')!.points).to.equal(0);
    expect(scaled.find((k) => k.id === 'train_gen.update')!.points).to.equal(2.2); // 5 × 5.5 / (0.5 + 5.5 + 4 + 1.5 + 0.5 + 0 + 0.5)
  });

  it('`gan-seminar course` prints each key with its description; grade/release/autograder/check all take --course', () => {
    const r = spawnSync(process.execPath, [CLI, 'course'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout)
      .to.match(/variants: "accept-and-flag"\n {4}A step that matches no known formulation/)
      .and.match(/train_disc\.trains\s+4/);
    for (const cmd of ['grade', 'release', 'autograder', 'check']) {
      const help = spawnSync(process.execPath, [CLI, cmd, '--help'], { encoding: 'utf8' }).stdout;
      expect(help, cmd)
        .to.contain('--course FILE')
        .and.not.match(/--hidden|--points/);
    }
  });

  it('variants: "refuse" fails a valid variant as variant-not-accepted; "accept-and-flag" credits and flags it', async function () {
    this.timeout(1_800_000); // three gradings of a variant, each judged by its end-state runs (16000 iterations from 2 starts)
    const file = path.join(tempDir('gan-variant-'), 'pavel.ipynb');
    fs.writeFileSync(file, buildFixture(CLASS.find((c) => c.name === 'pavel-half-loss')!));
    const options = { secret: 'fixture-course', timeoutMs: 30_000 };
    useCourse(courseWith({ variants: 'refuse' }));
    const refused = await gradeNotebook(file, options);
    expect(refused.diagnoses).to.deep.equal(['variant-not-accepted']);
    useCourse(courseWith({ variants: 'accept-and-flag' }));
    const flagged = await gradeNotebook(file, options);
    expect(flagged.score).to.equal(20);
    expect(flagged.checks.some((k) => k.variant)).to.equal(true);
    useCourse(courseWith({ variants: 'accept' }));
    expect((await gradeNotebook(file, options)).checks.some((k) => k.variant)).to.equal(false);
  });

  it('hidden checks: the self-check says more checks run at grading, never "all checks pass, the same checks"', () => {
    const shown = configureChecks(courseWith({})).filter(
      (k) => k.exercise === 'train_disc' && k.id !== 'train_disc.no-leak',
    );
    const passed = shown.map((k) => ({ ...k, maxPoints: k.points, passed: true, message: 'passed' }));
    const text = formatSelfCheck('train_disc', passed, 1);
    expect(text)
      .to.contain('All checks shown pass. The grader runs 1 more check you do not see here')
      .and.not.contain('these same checks');
    expect(formatSelfCheck('train_disc', passed, 0)).to.contain('The auto-grader runs these same checks.');
  });
});
