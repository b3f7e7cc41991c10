// The grader end to end: `gan-seminar grade` on the folder of fixture submissions (correct, every known
// mistake, valid variants, hostile cases) — the gradebook, feedback and results.json for every file,
// and byte-identical grades.csv when the same folder is graded twice.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/tmp';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'submissions');

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
    const child = spawn(process.execPath, [CLI, 'grade', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).to.equal('student,score,max_score,status,diagnoses');
  return lines.map((line) => {
    const [student, score, max, status, diagnoses] = line.split(',');
    return { student, score: Number(score), max_score: Number(max), status, diagnoses: diagnoses ? diagnoses.split(';') : [] };
  });
}

/** Short limits keep the suite fast; the memory bomb must hit the memory cap well before the clock. */
const LIMITS = ['--timeout', '20', '--memory', '512'];

/** What each fixture must get: its diagnosis, and full marks or not. */
const EXPECTED: Record<string, { diagnosis?: string; full?: boolean; score?: number; status?: string }> = {
  reference: { full: true },
  'by-function-name': { full: true },
  'by-tag': { full: true },
  'variant-half-loss': { full: true },
  'variant-bce-one-head': { full: true },
  'console-flood': { full: true },
  'sum-instead-of-mean': { diagnosis: 'sum-instead-of-mean' },
  'wrong-sign': { diagnosis: 'wrong-sign' },
  'disc-step-updates-generator': { diagnosis: 'disc-step-updates-generator' },
  'gen-step-updates-discriminator': { diagnosis: 'gen-step-updates-discriminator' },
  'swapped-heads': { diagnosis: 'swapped-heads' },
  'saturating-generator-loss': { diagnosis: 'saturating-generator-loss' },
  'probabilities-not-log': { diagnosis: 'probabilities-not-log' },
  'tensor-leak': { diagnosis: 'tensor-leak' },
  'private-randomness': { diagnosis: 'private-randomness' },
  'returns-non-number': { diagnosis: 'returns-non-number' },
  'ignores-batch-size': { diagnosis: 'ignores-batch-size' },
  'fake-term-missing': { diagnosis: 'wrong-update', score: 15 },
  unfilled: { diagnosis: 'not-implemented', score: 0 },
  'compile-error': { diagnosis: 'compile-error', score: 10, status: 'incomplete' },
  'syntax-error': { diagnosis: 'compile-error', score: 10, status: 'incomplete' },
  'missing-cells': { diagnosis: 'missing-cell', score: 0, status: 'incomplete' },
  malformed: { diagnosis: 'malformed-notebook', score: 0, status: 'unreadable' },
  'infinite-loop': { diagnosis: 'timeout', score: 10 },
  'process-exit': { diagnosis: 'runtime-error', score: 10 },
  'escape-exit': { diagnosis: 'runtime-error', score: 10, status: 'incomplete' },
  'memory-bomb': { diagnosis: 'memory-limit', score: 10, status: 'incomplete' },
  'imports-solutions': { diagnosis: 'runtime-error', score: 0 },
  'overwrites-globals': { diagnosis: 'private-randomness' },
};

describe('grader: gan-seminar grade on the fixture submissions', function () {
  const out = tempDir('gan-grades-');
  let first: Awaited<ReturnType<typeof grade>>;
  let rows: Row[];

  before(async function () {
    first = await grade([FIXTURES, '--out', out, ...LIMITS, '--json']);
    if (first.code !== 0) throw new Error(`grade exited ${first.code}:\n${first.stderr.slice(-3000)}`);
    rows = parseCsv(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8'));
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.ipynb')).length;
    console.log(`      graded ${files} fixture submissions in ${first.seconds.toFixed(1)} s (${((files / first.seconds) * 60).toFixed(1)}/min)`);
  });

  it('writes a row for every submission, sorted by student, plus the --json summary', () => {
    const students = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort();
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
      expect(feedback).to.match(/valid variant/).and.match(/W1 to N\(5, 1\.5²\)/);
    }
  });

  it('feedback.md says what failed, why (the seminar\'s advice) and what to try', () => {
    const feedback = fs.readFileSync(path.join(out, 'sum-instead-of-mean', 'feedback.md'), 'utf8');
    expect(feedback).to.contain('**Score: 15 / 20**');
    expect(feedback).to.contain('`sum-instead-of-mean`');
    expect(feedback).to.contain('Summing instead of averaging');
    expect(feedback).to.contain('Try: Use tf.mean');
    const compile = fs.readFileSync(path.join(out, 'compile-error', 'feedback.md'), 'utf8');
    expect(compile).to.match(/14:46 - Argument of type 'string' is not assignable to parameter of type 'number'\./);
  });

  it('results.json follows Gradescope\'s schema', () => {
    for (const student of rows.map((r) => r.student)) {
      const r = JSON.parse(fs.readFileSync(path.join(out, student, 'results.json'), 'utf8'));
      expect(r.score).to.be.a('number');
      expect(r.tests).to.be.an('array').with.length(12);
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
    expect(feedback).to.contain('require is not defined');
    expect(feedback).to.contain('Access to this API has been restricted');
  });

  it('caps captured output (10 MB printed → a few KB kept)', () => {
    const feedback = fs.readFileSync(path.join(out, 'console-flood', 'feedback.md'), 'utf8');
    expect(feedback.length).to.be.lessThan(30_000);
    expect(feedback).to.contain('xxxxxxxx');
  });

  it('grading the same folder again gives a byte-identical grades.csv', async () => {
    const again = tempDir('gan-grades-');
    const second = await grade([FIXTURES, '--out', again, ...LIMITS]);
    expect(second.code).to.equal(0);
    expect(fs.readFileSync(path.join(again, 'grades.csv'))).to.deep.equal(fs.readFileSync(path.join(out, 'grades.csv')));
  });

  it('exits 2 on misuse, with the usage', async () => {
    const noOut = await grade([FIXTURES]);
    expect(noOut.code).to.equal(2);
    expect(noOut.stderr).to.contain('--out <dir> is required').and.contain('Usage: gan-seminar grade');
    const missing = await grade(['/nonexistent/folder', '--out', out]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('no such file or folder');
  });
});
