// The student bundle's own tests (copied there as test/student.test.ts by `gan-seminar release`; not
// run in the instructor's repository, where the reference exists). They check that the lib works
// without the reference, says so in solution mode, and that the expected values are usable.
import type { Scalar } from '@tensorflow/tfjs';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as gan from '../../lib';
import { EXPECTED_FILE, readExpected } from '../../lib/grader/self-check/expected';
import { NOTEBOOK_FILE, ROOT } from '../../lib/paths';

const NOTEBOOK = NOTEBOOK_FILE;

describe('student bundle', () => {
  before(async () => {
    await gan.initBackend();
  });

  it('has no reference solutions, and solution mode says so', () => {
    expect(gan.hasReference()).to.equal(false);
    const s = gan.createSeminar({ seed: 1 });
    try {
      const student = { trainDisc: () => 0, trainGen: () => 0 };
      expect(() => gan.chooseSteps(true, s, student)).to.throw(gan.NOT_IN_RELEASE);
      expect(gan.chooseSteps(false, s, student)).to.equal(student);
      expect(() => gan.train(s, { iterations: 1, steps: gan.referenceSteps(s) })).to.throw(
        /not part of the student release/,
      );
    } finally {
      gan.disposeSeminar(s);
    }
  });

  it('the lib works without the reference: samplers, models, a hand-written step, metrics', () => {
    const s = gan.createSeminar({ seed: 2 });
    try {
      const { tf, gen, disc, genOpt } = s;
      const before = gan.getWeights(gen);
      const step = () =>
        tf.tidy(() => {
          const loss = genOpt.minimize(
            () => tf.mean(tf.square(tf.sub(gen(s.sampleNoise(16)), 5))) as Scalar,
            true,
            gen.parameters(),
          );
          return loss!.dataSync()[0];
        });
      const tensors = tf.memory().numTensors;
      expect(step()).to.be.a('number').and.satisfy(Number.isFinite);
      expect(tf.memory().numTensors).to.equal(tensors);
      expect(gan.getWeights(gen)).to.not.deep.equal(before);
      expect(disc(s.sampleRealData(4)).shape).to.deep.equal([4, 2]);
      expect(gan.quality(s, 200).w1).to.be.a('number');
    } finally {
      gan.disposeSeminar(s);
    }
  });

  it('ships the expected values of the reference as numbers', () => {
    expect(fs.existsSync(EXPECTED_FILE), EXPECTED_FILE).to.equal(true);
    const expected = readExpected();
    for (const e of ['train_disc', 'train_gen'] as const) {
      expect(expected.plans[e].states.length).to.be.greaterThan(1);
      expect(expected.reference[e].steps.map((st) => typeof st.returned)).to.satisfy((t: string[]) =>
        t.every((x) => x === 'number'),
      );
    }
  });

  it('the self-check on the unfilled notebook reports not-implemented, not a crash', function () {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'cli.js'), 'check', NOTEBOOK], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(1); // ran, and not every check passes
    expect(r.stdout)
      .to.match(/trainDisc self-check: 0\/[\d.]+ points/)
      .and.match(/trainGen self-check: 0\/[\d.]+ points/);
    const failed = r.stdout.split('\n').filter((l) => l.trim().startsWith('✘'));
    expect(failed.length).to.be.greaterThan(3);
    for (const line of failed) expect(line).to.match(/not-implemented$/);
    expect(r.stdout).to.contain('not implemented: sample noise');
  });

  it('the notebook holds the exercises as placeholders', () => {
    const nb = JSON.parse(fs.readFileSync(NOTEBOOK, 'utf8'));
    const exercises = nb.cells.filter(
      (c: { metadata: { nbgrader?: { solution?: boolean } } }) => c.metadata.nbgrader?.solution,
    );
    expect(exercises.length).to.equal(2);
    for (const c of exercises) expect([].concat(c.source).join('')).to.contain("TODO('");
  });
});

describe("the grading checks on the shipped expected values (the self-check's own)", () => {
  // with no submission set, the subject is the reference's shipped observations: every public check passes
  require('../../lib/grader/checks/checks.spec');
});
