// The grader end to end: `gan-seminar grade` on the folder of fixture submissions (correct, every known
// mistake, valid variants, hostile cases; generated from the reference by test/support/fixtures.ts) —
// the gradebook, feedback and results.json for every file, and byte-identical grades.csv when the same
// folder is graded twice. Also: every diagnosis a submission can cause has a fixture.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIAGNOSES, DiagnosisId } from '../../lib/grader/diagnoses';
import { CHECKS } from '../../lib/grader/checks/checks';
import { sourceText } from '../../lib/release/student-notebook';
import {
  FIXTURES,
  Mutation,
  MutationError,
  NOTEBOOK,
  SOLUTIONS,
  buildFixture,
  fixturesDir,
  referenceCell,
  replace,
  set,
} from '../support/fixtures';
import { tempDir } from '../support/tmp';
import { CLI, ROOT } from '../support/paths';

interface Row {
  student: string;
  score: number;
  max_score: number;
  status: string;
  diagnoses: string[];
}

function grade(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    // a fixed course secret: the grader's private states, the same on every machine
    const child = spawn(process.execPath, [CLI, 'grade', ...args], {
      cwd: ROOT,
      env: { ...process.env, GAN_GRADING_SECRET: 'fixture-course' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

function parseCsv(text: string): Row[] {
  expect(text.startsWith('\uFEFF'), 'UTF-8 byte-order mark (spreadsheets read Unicode names right)').to.equal(true);
  const [header, ...lines] = text.slice(1).trimEnd().split(/\r?\n/);
  expect(header.split('\r').join('').split(',').slice(0, 5).join(',')).to.equal(
    'student,score,max_score,status,diagnoses',
  );
  return lines.map((line) => {
    const [student, score, max, status, diagnoses] = line.split(',');
    return {
      student,
      score: Number(score),
      max_score: Number(max),
      status,
      diagnoses: diagnoses ? diagnoses.split(';') : [],
    };
  });
}

/** Short limits keep the suite fast; the memory bomb must hit the memory cap well before the clock. */
const LIMITS = ['--timeout', '30', '--memory', '512'];

/** What each fixture must get: its diagnosis, and full marks or not (the table in test/support/fixtures.ts). */
const EXPECTED = Object.fromEntries(FIXTURES.map((f) => [f.name, f.expect]));

/** Diagnoses no fixture submission can get from the instructor's grader, and why. */
const NO_FIXTURE: Partial<Record<DiagnosisId, string>> = {
  'grader-error': "the grader's own failure, not the submission's",
  'variant-not-accepted': 'only under a course whose variant policy is "refuse" (test/course/course.test.ts)',
  'unconfirmed-variant':
    "only the student bundle's self-check, which lacks the reference generator (release.test.ts: variant-half-loss)",
  'incomplete-observation':
    'only a result with fewer observed states than the checks need, which no submission can hand the parent (the channel is authenticated); grader.test.ts feeds one to the checks directly',
};

/** Line:column (1-based) of the first `piece` in `text`. */
function positionOf(text: string, piece: string): string {
  const before = text.slice(0, text.indexOf(piece)).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

describe('fixture submissions (generated from the reference)', () => {
  it("every diagnosis a submission can cause is some fixture's expected diagnosis; the exempt ones are not", () => {
    const expected = new Set(FIXTURES.map((f) => f.expect.diagnosis).filter(Boolean));
    const uncovered = (Object.keys(DIAGNOSES) as DiagnosisId[]).filter(
      (id) => !expected.has(id) && !(id in NO_FIXTURE),
    );
    expect(uncovered, 'add a fixture to FIXTURES in test/support/fixtures.ts').to.deep.equal([]);
    for (const id of Object.keys(NO_FIXTURE))
      expect(expected.has(id as DiagnosisId), `${id} is exempt but has a fixture`).to.equal(false);
  });

  it('names are unique; each fixture expects either full marks or a diagnosis', () => {
    expect(new Set(FIXTURES.map((f) => f.name)).size).to.equal(FIXTURES.length);
    for (const f of FIXTURES) expect(Boolean(f.expect.full) !== Boolean(f.expect.diagnosis), f.name).to.equal(true);
  });

  it("the reference fixture holds the reference's statements, taken from lib/solutions.ts", () => {
    const nb = JSON.parse(buildFixture(FIXTURES.find((f) => f.name === 'reference')!));
    const cells = nb.cells.filter((c: { metadata: { seminar?: { cell?: string } } }) =>
      ['train_disc', 'train_gen'].includes(c.metadata.seminar?.cell ?? ''),
    );
    const text = cells.map(sourceText).join('\n');
    const squash = (t: string) => t.replace(/\s+/g, '');
    for (const piece of [
      'tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)))',
      'tf.mean(tf.neg(logpGenIsReal))',
      'tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1])',
    ]) {
      expect(fs.readFileSync(SOLUTIONS, 'utf8'), 'the reference still has it').to.contain(piece);
      expect(squash(text)).to.contain(squash(piece));
    }
    expect(text).to.not.match(/TODO\(|BEGIN SOLUTION/);
  });

  it('every fixture with mutations differs from the reference in those cells', () => {
    const reference = JSON.parse(buildFixture(FIXTURES.find((f) => f.name === 'reference')!));
    const cellOf = (nb: { cells: { metadata: { seminar?: { cell?: string } }; source: string[] }[] }, ex: string) =>
      sourceText(nb.cells.find((c) => c.metadata.seminar?.cell === ex) as never);
    for (const f of FIXTURES.filter((x) => x.disc || x.gen)) {
      const nb = JSON.parse(buildFixture(f));
      if (f.disc)
        expect(cellOf(nb, 'train_disc'), `${f.name}: trainDisc`).to.not.equal(cellOf(reference, 'train_disc'));
      if (f.gen) expect(cellOf(nb, 'train_gen'), `${f.name}: trainGen`).to.not.equal(cellOf(reference, 'train_gen'));
    }
  });

  it('a mutation that does not apply fails loudly, naming the fixture', () => {
    const base = JSON.parse(fs.readFileSync(NOTEBOOK, 'utf8'));
    const broken = (m: Mutation) => () => buildFixture({ name: 'broken', expect: { full: true }, disc: [m] }, base);
    expect(broken(replace('loss', 'tf.median(', 'tf.sum('))).to.throw(
      /fixture broken, trainDisc: .*"tf\.median\(" occurs 0 times in loss/,
    );
    expect(broken(replace('closure', 'tf.logSoftmax(', 'tf.softmax('))).to.throw(/occurs 2 times in closure/);
    expect(broken(set('varList', ', disc.parameters()'))).to.throw(/left varList of trainDisc unchanged/);
    const cell = sourceText(
      base.cells.find((c: { metadata: { seminar?: { cell?: string } } }) => c.metadata.seminar?.cell === 'train_gen'),
    );
    expect(() => set('varList', '').apply('const trainGen = 1;', 'trainGen')).to.throw(
      MutationError,
      /varList of trainGen: no function trainGen in the cell/,
    );
    expect(referenceCell(cell, fs.readFileSync(SOLUTIONS, 'utf8'), 'trainGen')).to.contain('gen.parameters()');
  });
});

describe('grader: gan-seminar grade on the fixture submissions', function () {
  // the variants among the fixtures are judged by their end-state runs (16000 iterations from 2 starts each)
  this.timeout(2_400_000);
  const out = tempDir('gan-grades-');
  let first: Awaited<ReturnType<typeof grade>>;
  let rows: Row[];

  before(async function () {
    first = await grade([fixturesDir(), '--out', out, ...LIMITS, '--json']);
    if (first.code !== 0) throw new Error(`grade exited ${first.code}:\n${first.stderr.slice(-3000)}`);
    rows = parseCsv(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8'));
    const files = fs.readdirSync(fixturesDir()).filter((f) => f.endsWith('.ipynb')).length;
    console.log(
      `      graded ${files} fixture submissions in ${first.seconds.toFixed(1)} s (${((files / first.seconds) * 60).toFixed(1)}/min)`,
    );
  });

  it('writes a row for every submission, sorted by student, plus the --json summary', () => {
    const students = fs
      .readdirSync(fixturesDir())
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => f.replace(/\.ipynb$/, ''))
      .sort();
    expect(rows.map((r) => r.student)).to.deep.equal(students);
    expect(Object.keys(EXPECTED).sort()).to.deep.equal(students);
    const summary = JSON.parse(first.stdout) as { submissions: Row[] };
    expect(summary.submissions.map((s) => s.student).sort()).to.deep.equal(students);
    expect(first.stderr).to.match(/\[\d+\/\d+\] reference: 20\/20 complete/);
  });

  for (const [student, want] of Object.entries(EXPECTED)) {
    it(`${student}: ${want.full ? 'full marks' : want.diagnosis}`, () => {
      const row = rows.find((r) => r.student === student)!;
      expect(row, student).to.exist;
      expect(row.max_score).to.equal(20);
      if (want.full) {
        expect(row.score, row.diagnoses.join(';')).to.equal(20);
        expect(row.diagnoses).to.deep.equal([]);
      } else {
        expect(row.diagnoses).to.include(want.diagnosis);
        expect(row.score).to.be.lessThan(20);
      }
      if (want.score !== undefined) expect(row.score).to.equal(want.score);
      expect(row.status).to.equal(want.status ?? 'complete');
    });
  }

  it('names valid variants in a note, and says how it judged them', () => {
    for (const student of ['variant-half-loss', 'variant-bce-one-head']) {
      const feedback = fs.readFileSync(path.join(out, student, 'feedback.md'), 'utf8');
      expect(feedback)
        .to.match(/valid variant/)
        .and.match(/ends where the reference ends/);
      // both end states side by side, per start (the self-check's and the course's)
      expect(feedback).to.match(
        /\| start 1: yours \| [\d.]+ \| [\d.]+ \| [\d.]+ \| -?[\d.]+ \|\n\s*\| start 1: reference \|/,
      );
    }
    for (const student of ['uncoupled-sigmoid-heads', 'gen-pulled-to-real']) {
      const feedback = fs.readFileSync(path.join(out, student, 'feedback.md'), 'utf8');
      expect(feedback)
        .to.match(/does not end where the reference ends \(on average over each set of starts\): /)
        .and.match(/start 4: reference/);
    }
  });

  it("feedback.md says what failed, why (the seminar's advice) and what to try", () => {
    const feedback = fs.readFileSync(path.join(out, 'sum-instead-of-mean', 'feedback.md'), 'utf8');
    expect(feedback).to.contain('**Score: 13 / 20**'); // a sum stops trainDisc learning: most of the exercise lost
    expect(feedback).to.contain('`sum-instead-of-mean`');
    expect(feedback).to.contain('Summing instead of averaging');
    expect(feedback).to.contain('Try: Use tf.mean');
    const compile = fs.readFileSync(path.join(out, 'compile-error', 'feedback.md'), 'utf8');
    // line:column within the cell, where the fixture put the string
    const nb = JSON.parse(fs.readFileSync(path.join(fixturesDir(), 'compile-error.ipynb'), 'utf8'));
    const cell = sourceText(
      nb.cells.find((c: { metadata: { seminar?: { cell?: string } } }) => c.metadata.seminar?.cell === 'train_disc'),
    );
    expect(compile).to.contain(
      `${positionOf(cell, '"128"')} - Argument of type 'string' is not assignable to parameter of type 'number'.`,
    );
  });

  it("results.json follows Gradescope's schema", () => {
    for (const student of rows.map((r) => r.student)) {
      const r = JSON.parse(fs.readFileSync(path.join(out, student, 'results.json'), 'utf8'));
      expect(r.score).to.be.a('number');
      expect(r.tests).to.be.an('array').with.length(CHECKS.length);
      let sum = 0;
      for (const t of r.tests) {
        expect(t).to.include.all.keys('name', 'score', 'max_score', 'status', 'output', 'visibility');
        expect(t.status).to.be.oneOf(['passed', 'failed']);
        expect(t.visibility).to.be.oneOf(['visible', 'hidden', 'after_due_date', 'after_published']);
        sum += t.score;
      }
      expect(sum).to.be.closeTo(r.score, 1e-9);
      expect(r.score).to.equal(rows.find((x) => x.student === student)!.score);
    }
  });

  it('keeps the reference out of reach: no require/import in the cell, no file reads through an escape', () => {
    const feedback = fs.readFileSync(path.join(out, 'imports-solutions', 'feedback.md'), 'utf8');
    expect(feedback).to.contain("graded cells can import only @tensorflow/tfjs and the seminar's lib");
    expect(feedback).to.contain('tf.env is not available to graded code');
  });

  it('runs a notebook the way tslab does: helper cells, top-level await, the last definition, a scratch cell that throws', () => {
    const scratch = fs.readFileSync(path.join(out, 'scratch-cell-throws', 'feedback.md'), 'utf8');
    expect(scratch)
      .to.match(/## Your other cells/)
      .and.match(/threw when it ran: Error: just looking/);
    const redefined = fs.readFileSync(path.join(out, 'redefined-later', 'feedback.md'), 'utf8');
    expect(redefined).to.contain('`wrong-sign`');
  });

  it('notes a step far slower than the reference without taking points', () => {
    expect(fs.readFileSync(path.join(out, 'slow-step', 'feedback.md'), 'utf8')).to.match(/as long as the reference's/);
  });

  it('caps captured output (10 MB printed → a few KB kept)', () => {
    const feedback = fs.readFileSync(path.join(out, 'console-flood', 'feedback.md'), 'utf8');
    expect(feedback.length).to.be.lessThan(30_000);
    expect(feedback).to.contain('xxxxxxxx');
  });

  it('grading the same folder again gives a byte-identical grades.csv', async () => {
    const again = tempDir('gan-grades-');
    const second = await grade([fixturesDir(), '--out', again, ...LIMITS]);
    expect(second.code).to.equal(0);
    const [first, next] = [out, again].map((dir) => fs.readFileSync(path.join(dir, 'grades.csv')));
    expect(
      next.equals(first),
      `grades.csv differs:\n${next.toString('utf8')}\nvs the first run's\n${first.toString('utf8')}`,
    ).to.equal(true);
  });

  it('exits 2 on misuse, with the usage', async () => {
    const noOut = await grade([fixturesDir()]);
    expect(noOut.code).to.equal(2);
    expect(noOut.stderr).to.contain('--out <dir> is required').and.contain('Usage: gan-seminar grade');
    const missing = await grade(['/nonexistent/folder', '--out', out]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('no such file or folder');
  });
});

describe('grader: whose grade is whose (subfolders, Unicode names, odd files)', function () {
  it('one row per file, keyed by its path in the folder graded, feedback in a folder of the same name', async () => {
    const dir = tempDir('gan-class-');
    const put = (rel: string, fixture: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.copyFileSync(path.join(fixturesDir(), `${fixture}.ipynb`), path.join(dir, rel));
    };
    put('sec1/anna.ipynb', 'reference');
    put('sec2/anna.ipynb', 'wrong-sign');
    put('Иванов Пётр.ipynb', 'reference');
    put('sec1/bom.ipynb', 'byte-order-mark');
    put('empty.ipynb', 'empty-file');
    put('broken.ipynb', 'malformed');
    const out = tempDir('gan-class-grades-');
    const r = await grade([dir, '--out', out, ...LIMITS]);
    expect(r.code, r.stderr).to.equal(0);
    const rows = parseCsv(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8'));
    expect(rows.map((x) => [x.student, x.score, x.status, x.diagnoses.join(';')])).to.deep.equal([
      ['broken', 0, 'unreadable', 'malformed-notebook'],
      ['empty', 0, 'unreadable', 'malformed-notebook'],
      ['sec1/anna', 20, 'complete', ''],
      ['sec1/bom', 20, 'complete', ''],
      ['sec2/anna', 13, 'complete', 'wrong-sign'],
      ['Иванов Пётр', 20, 'complete', ''],
    ]);
    for (const student of ['sec1/anna', 'sec2/anna', 'Иванов Пётр']) {
      expect(fs.readFileSync(path.join(out, student, 'feedback.md'), 'utf8'), student).to.contain(
        `# Feedback for ${student}`,
      );
    }
  });
});
