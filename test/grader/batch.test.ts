// No submission costs the batch (#21): pathological notebooks — many cells, a huge cell, huge outputs,
// bytes that are not UTF-8 — become their own row before anything heavy runs, the type-check's
// preludes grow with the cells' own size, and one such notebook in a folder of fifty leaves fifty rows,
// grades.csv and everyone else's feedback.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileCells } from '../../lib/jupyter/compile';
import { gradeFiles } from '../../lib/grader';
import { writeGradebook } from '../../lib/gradebook/write';
import { Notebook, extractExercises, programCells, readSubmission } from '../../lib/grader/pipeline/extract';
import { DEFAULT_LIMITS } from '../../lib/grader/pipeline/limits';
import { fixtureFile } from '../support/fixtures';
import { tempDir } from '../support/tmp';

const codeCell = (source: string, outputs: object[] = []) => ({
  cell_type: 'code',
  source,
  metadata: {},
  outputs,
  execution_count: null,
});
const notebookOf = (cells: object[]) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

/** 5000 one-line cells (915 KB): the notebook that once ran the grading process out of memory. */
function manyCells(): string {
  return notebookOf(
    Array.from({ length: 5000 }, (_, i) =>
      codeCell(`const v${i} = ${i > 0 ? `v${i - 1} + 1` : 1}; // a line of scratch work, long enough to be realistic`),
    ),
  );
}

describe('pathological notebooks (one file never costs the batch)', function () {
  this.timeout(120_000);
  const dir = tempDir('gan-pathological-');
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it('many cells: too-large, naming the limit, before parsing more than the JSON', () => {
    const r = readSubmission(write('many.ipynb', manyCells()));
    expect(r.ok).to.equal(false);
    expect(!r.ok && 'tooLarge' in r && r.tooLarge.limit).to.equal('maxCodeCells');
    expect(!r.ok && r.message).to.contain(`5000 code cells; the grader takes at most ${DEFAULT_LIMITS.maxCodeCells}`);
  });

  it('one huge cell: too-large by characters of code', () => {
    const r = readSubmission(
      write('huge-cell.ipynb', notebookOf([codeCell(`const table = [${'1.5, '.repeat(200_000)}];`)])),
    );
    expect(!r.ok && 'tooLarge' in r && r.tooLarge.limit).to.equal('maxCodeChars');
  });

  it('huge outputs: too-large by file size, told from the size alone (the file is never read)', () => {
    const image = 'A'.repeat(DEFAULT_LIMITS.maxFileBytes + 1024); // a saved plot's base64, far past the limit
    const file = write(
      'huge-outputs.ipynb',
      notebookOf([codeCell('1 + 1', [{ output_type: 'display_data', data: { 'image/png': image }, metadata: {} }])]),
    );
    const r = readSubmission(file);
    expect(!r.ok && 'tooLarge' in r && r.tooLarge.limit).to.equal('maxFileBytes');
    expect(!r.ok && r.message).to.match(/Clear All Outputs/);
  });

  it('bytes that are not UTF-8, and UTF-16: unreadable, saying so (never a silent U+FFFD in the code)', () => {
    const good = Buffer.from(notebookOf([codeCell('const name = "Пётр";')]));
    const broken = Buffer.from(good);
    const at = broken.indexOf(Buffer.from('Пётр'));
    broken[at + 1] = 0xff; // inside a two-byte sequence
    const r = readSubmission(write('latin.ipynb', broken));
    expect(!r.ok && r.message).to.match(/not UTF-8 \(invalid bytes at offset \d+\)/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good.toString('utf8'), 'utf16le')]);
    expect(((r2) => !r2.ok && r2.message)(readSubmission(write('utf16.ipynb', utf16)))).to.match(/it is UTF-16/);
    expect(readSubmission(write('good.ipynb', good)).ok).to.equal(true);
  });

  it('a cell imports only the names it uses from the cells above it: 120 chained cells type-check clean', () => {
    // (every earlier name in every prelude made the check quadratic: 1000 cells 12.7 s / 1.65 GB)
    const nb = JSON.parse(
      notebookOf(
        Array.from({ length: 120 }, (_, i) =>
          codeCell(i === 0 ? 'const v0: number = 1;' : `const v${i}: number = v${i - 1} + 1;`),
        ),
      ),
    ) as Notebook;
    const compiled = compileCells(programCells(nb, extractExercises(nb)));
    expect(compiled.filter((c) => c.errors.length > 0).map((c) => c.errors)).to.deep.equal([]);
    // and a name used before any cell declares it is still tslab's error
    const late = JSON.parse(notebookOf([codeCell('const a: number = b;'), codeCell('const b = 1;')])) as Notebook;
    expect(
      compileCells(programCells(late, extractExercises(late)))[0]
        .errors.map((e) => e.message)
        .join(),
    ).to.match(/Cannot find name 'b'/);
  });

  it('one pathological notebook in a folder of fifty: fifty rows, its own saying why; grades.csv and every feedback written', async function () {
    this.timeout(1_500_000);
    const folder = tempDir('gan-fifty-');
    const exact = fs.readFileSync(fixtureFile('reference'));
    const files = Array.from({ length: 49 }, (_, i) => {
      const file = path.join(folder, `student-${String(i + 1).padStart(2, '0')}.ipynb`);
      fs.writeFileSync(file, exact);
      return file;
    });
    const bad = path.join(folder, 'student-00-pathological.ipynb');
    fs.writeFileSync(bad, manyCells());
    files.splice(17, 0, bad);
    const results = await gradeFiles(files, { parallel: 2, secret: 'fifty-course' });
    const out = tempDir('gan-fifty-out-');
    expect(writeGradebook(results, out).unwritten).to.deep.equal([]);
    // grades.csv's first five columns: student, score, max_score, status, diagnoses (per-exercise columns follow)
    const rows = fs
      .readFileSync(path.join(out, 'grades.csv'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((r) => r.split(',').slice(0, 5).join(','));
    expect(rows).to.have.length(50);
    const badRow = rows.find((r) => r.startsWith('student-00-pathological,'));
    expect(badRow).to.equal('student-00-pathological,0,20,too-large,too-large');
    expect(rows.filter((r) => /,20,20,complete,$/.test(r))).to.have.length(49);
    expect(fs.readFileSync(path.join(out, 'student-00-pathological', 'feedback.md'), 'utf8')).to.contain(
      '5000 code cells',
    );
    for (const f of files)
      expect(fs.existsSync(path.join(out, path.basename(f, '.ipynb'), 'feedback.md')), f).to.equal(true);
  });

  it("a student's feedback that cannot be written costs that student's files only", () => {
    const out = tempDir('gan-unwritable-');
    const row = (student: string) => ({
      student,
      file: `${student}.ipynb`,
      score: 0,
      maxScore: 20,
      status: 'complete' as const,
      diagnoses: [],
      checks: [],
      cells: {},
      output: '',
      isolation: [],
    });
    fs.writeFileSync(path.join(out, 'blocked'), 'a file where the folder would go');
    const failures = writeGradebook([row('anna'), row('blocked'), row('boris')], out).unwritten;
    expect(failures).to.have.length(1);
    expect(failures[0]).to.match(/^blocked: feedback not written/);
    expect(fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n')).to.have.length(4);
    expect(fs.existsSync(path.join(out, 'boris', 'feedback.md'))).to.equal(true);
  });
});
