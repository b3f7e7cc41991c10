// A class graded as a careful instructor would (test/support/class.ts: Adam, another optimizer,
// probabilities in one term, no varList, a flipped sign, literal batch sizes, sums, a leak, unfilled,
// crashing, a valid variant, an identical copy), the self-check agreeing with the grader on each, and the
// gradebook: regrade merges, overrides, late penalty, LMS exports, similarity report, class summary.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../lib/gradebook/csv';
import type { GradeResult } from '../../lib/grader/result';
import { CLASS, writeClass } from '../support/class';
import type { CaseCheck } from '../support/self-check-case';
import { tempDir } from '../support/tmp';
import { CLI, ROOT } from '../support/paths';

const SELF_CHECK_CASE = path.join(__dirname, '..', 'support', 'self-check-case.js');

/** A child process's exit status and output, without blocking the event loop (several run at once). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function grade(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'grade', '--timeout', '30', '--memory', '512', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, GAN_GRADING_SECRET: 'fixture-course' },
  });
  return { status: r.status, stderr: r.stderr };
}

type Table = Record<string, string>[];
function table(file: string): Table {
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

describe('a class graded as a careful instructor would (test/support/class.ts)', function () {
  this.timeout(2_400_000); // the variants in the class are judged by their end-state runs (16000 iterations from 2 starts each)
  let dir: string;
  let out: string;
  let rows: Table;
  let book: GradeResult[];

  before(() => {
    dir = tempDir('gan-class-');
    writeClass(dir);
    out = tempDir('gan-class-out-');
    const r = grade([dir, '--out', out]);
    expect(r.status, r.stderr).to.equal(0);
    rows = table(path.join(out, 'grades.csv'));
    book = (JSON.parse(fs.readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as { results: GradeResult[] })
      .results;
  });

  for (const c of CLASS) {
    it(`${c.name}: ${c.why}`, () => {
      const row = rows.find((r) => r.student === c.name)!;
      expect(row, c.name).to.not.equal(undefined);
      expect(row.status, 'status').to.equal(c.status ?? 'complete');
      for (const [ex, want] of Object.entries(c.grade)) {
        const got = Number(row[ex]);
        expect(got, `${ex} points`).to.be.within(want.points[0], want.points[1]);
        const result = book.find((r) => r.student === c.name)!;
        const diagnoses = result.checks.filter((k) => k.id.startsWith(`${ex}.`) && !k.passed).map((k) => k.diagnosis);
        if (want.diagnosis) expect(diagnoses, `${ex} diagnoses`).to.include(want.diagnosis);
        else expect(diagnoses, `${ex} diagnoses`).to.deep.equal([]);
      }
      expect(row.variant === 'yes', 'variant flag').to.equal(Object.values(c.grade).some((g) => g.variant));
    });
  }

  it("the self-check gives each exercise of each submission the grader's points and mistakes", async () => {
    // one process per case, as many at once as there are cores: a few cases pay the end-state runs (minutes)
    const cases = CLASS.filter((x) => !x.unfilled);
    const checked = new Map<string, CaseCheck[]>();
    const next = cases.slice();
    const worker = async () => {
      for (let c = next.shift(); c; c = next.shift()) {
        const file = path.join(dir, `${c.name}.ipynb`);
        const r = await run(process.execPath, [SELF_CHECK_CASE, file]);
        expect(r.status, `${c.name}: ${r.stderr}`).to.equal(0);
        checked.set(c.name, JSON.parse(r.stdout) as CaseCheck[]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, os.availableParallelism()) }, worker));
    const disagreements: string[] = [];
    for (const c of cases) {
      const result = book.find((r) => r.student === c.name)!;
      for (const { exercise: ex, results: mine, said } of checked.get(c.name)!) {
        const graded = result.checks.filter((k) => k.id.startsWith(`${ex}.`));
        const points = (xs: { points: number }[]) => Math.round(xs.reduce((a, k) => a + k.points, 0) * 100) / 100;
        const mistakes = (xs: { passed: boolean; diagnosis?: string }[]) =>
          [...new Set(xs.filter((k) => !k.passed).map((k) => k.diagnosis))].sort().join(',');
        if (points(mine) !== points(graded) || mistakes(mine) !== mistakes(graded)) {
          disagreements.push(
            `${c.name} ${ex}: self-check ${points(mine)} (${mistakes(mine)}), grader ${points(graded)} (${mistakes(graded)})`,
          );
        }
        // where the end-state runs judged it, the self-check said so (why, how long) before they started
        const byRuns = (k: readonly { id: string; message?: string }[]) =>
          k.find((x) => x.id === `${ex}.trains`)?.message?.includes("The notebook's loop") ?? false;
        const judgedByRuns = byRuns(mine);
        if (judgedByRuns && !said.some((l) => l.includes("where the notebook's loop ends")))
          disagreements.push(`${c.name} ${ex}: end-state runs not announced`);
        // and both judged it by where the runs ended (not one by a run cut short: a leaking step's memory)
        if (judgedByRuns !== byRuns(graded))
          disagreements.push(
            `${c.name} ${ex}: judged by end-state runs in the self-check ${judgedByRuns}, by the grader ${byRuns(graded)}`,
          );
      }
    }
    expect(disagreements).to.deep.equal([]);
  });

  it('regrading one student merges into the class: every other row kept, that row replaced', () => {
    const before = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8');
    const again = grade([path.join(dir, 'anna.ipynb'), '--out', out]);
    expect(again.status, again.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8')).to.equal(before);
    expect(table(path.join(out, 'grades.csv')).length).to.equal(CLASS.length + 2);
  });

  it('overrides (score and comment) and late penalties show in grades.csv, feedback.md and the LMS exports', () => {
    const course = path.join(out, 'late-course.json');
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'course', 'course.json'), 'utf8'));
    fs.writeFileSync(
      course,
      JSON.stringify({
        ...base,
        late: { deadline: '2026-12-01T23:59:00+03:00', graceMinutes: 10, perDay: 0.1, max: 0.3 },
      }),
    );
    fs.writeFileSync(
      path.join(out, 'times.csv'),
      'student,submitted_at\nanna,2026-12-01T23:59:00+03:00\nkira-sum-gen,2026-12-03T10:00:00+03:00\nlev-sum-disc,2026-12-20T10:00:00+03:00\nmila-leak,2026-12-02T00:05:00+03:00\n',
    );
    fs.writeFileSync(
      path.join(out, 'overrides.csv'),
      '\uFEFFstudent,score,comment\nzoya-literal-batch-disc,16,"Right at the notebook\'s batch of 128, checked by hand"\n',
    );
    const r = grade([
      path.join(dir, 'anna.ipynb'),
      '--out',
      out,
      '--course',
      course,
      '--times',
      path.join(out, 'times.csv'),
    ]);
    expect(r.status, r.stderr).to.equal(0);
    const byName = Object.fromEntries(table(path.join(out, 'grades.csv')).map((x) => [x.student, x]));
    expect([byName.anna.score, byName.anna.late_days]).to.deep.equal(['20', '0']); // on time
    expect([byName['mila-leak'].score, byName['mila-leak'].late_days]).to.deep.equal(['19.5', '0']); // within the grace
    expect([
      byName['kira-sum-gen'].late_days,
      byName['kira-sum-gen'].late_penalty,
      byName['kira-sum-gen'].score,
    ]).to.deep.equal(['2', '4', String(Number(byName['kira-sum-gen'].raw_score) - 4)]);
    expect([byName['lev-sum-disc'].late_penalty]).to.deep.equal(['6']); // capped at 30 %
    expect([byName['zoya-literal-batch-disc'].score, byName['zoya-literal-batch-disc'].raw_score]).to.deep.equal([
      '16',
      '10',
    ]);
    expect(byName['zoya-literal-batch-disc'].comment).to.contain('checked by hand');
    const feedback = fs.readFileSync(path.join(out, 'zoya-literal-batch-disc', 'feedback.md'), 'utf8');
    expect(feedback).to.contain('Your instructor set the score to **16 / 20**').and.contain('checked by hand');
    expect(fs.readFileSync(path.join(out, 'kira-sum-gen', 'feedback.md'), 'utf8')).to.contain(
      '2 day(s) late: −4 points',
    );
    const canvas = parseCsv(fs.readFileSync(path.join(out, 'canvas.csv'), 'utf8'));
    expect(canvas[0]).to.deep.equal(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'GAN seminar']);
    expect(canvas[1]).to.deep.equal(['Points Possible', '', '', '', '', '20']);
    expect(canvas.find((x) => x[0] === 'zoya-literal-batch-disc')).to.deep.equal([
      'zoya-literal-batch-disc',
      '',
      '',
      'zoya-literal-batch-disc',
      '',
      '16',
    ]);
    const moodle = parseCsv(fs.readFileSync(path.join(out, 'moodle.csv'), 'utf8'));
    expect(moodle[0]).to.deep.equal(['username', 'GAN seminar', 'GAN seminar feedback']);
    expect(moodle.find((x) => x[0] === 'kira-sum-gen')![1]).to.equal(byName['kira-sum-gen'].score);
    expect(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').startsWith('\uFEFF'), 'BOM for spreadsheets').to.equal(
      true,
    );
    const unknown = grade([path.join(dir, 'anna.ipynb'), '--out', out, '--overrides', path.join(out, 'bad.csv')]);
    expect(unknown.status).to.equal(2);
    fs.writeFileSync(path.join(out, 'bad.csv'), 'student,score\nnobody,3\n');
    const bad = grade([path.join(dir, 'anna.ipynb'), '--out', out, '--overrides', path.join(out, 'bad.csv')]);
    expect(bad.stderr).to.contain('no graded submission for nobody');
  });

  it('the similarity report names the identical copy and the disguised one, and no pair of merely correct submissions', () => {
    const text = fs.readFileSync(path.join(out, 'similarity.md'), 'utf8');
    const listed = text.split('\n').filter((l) => l.startsWith('| ') && l.includes(' · '));
    expect(listed).to.have.length(3);
    expect(listed[0])
      .to.contain('lev-sum-disc · rita-copy-of-lev')
      .and.contain('| yes |')
      .and.contain('train_disc (100 %)');
    // comments and spacing changed: not the same file, the same cell once normalised
    expect(listed.slice(1).sort()).to.deep.equal([
      '| lev-sum-disc · sasha-disguised-copy |  | train_disc (100 %) |',
      '| rita-copy-of-lev · sasha-disguised-copy |  | train_disc (100 %) |',
    ]);
  });

  it('the class summary: markdown with the distribution and mistakes per exercise, its Vega-Lite chart and PNG', () => {
    const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).to.contain(`${CLASS.length + 2} submissions`);
    expect(md).to.match(/\| trainDisc \| `sum-instead-of-mean` [^|]*\| 3 \|/); // lev, rita, sasha
    expect(md).to.match(/\| trainGen \| `changes-optimizer` [^|]*\| 2 \|/); // vera and gleb
    const spec = JSON.parse(fs.readFileSync(path.join(out, 'summary.vl.json'), 'utf8'));
    expect(spec.hconcat[0].data.values).to.have.length(CLASS.length + 2);
    const png = fs.readFileSync(path.join(out, 'summary.png'));
    expect(png.subarray(1, 4).toString()).to.equal('PNG');
    expect(png.length).to.be.above(10_000);
  });
});
