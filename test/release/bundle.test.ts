// `gan-seminar release`: the student bundle is complete, works on its own, and holds nothing of the
// reference — the leak guard is tested by planting leaks, compiled and source.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LeakError,
  PUBLIC_FRAGMENTS,
  assertNoLeaks,
  referenceFingerprints,
  squash,
  stripTypes,
} from '../../lib/release/leak-guard';
import { initBackend, initGraderBackend } from '../../lib/tfjs/backend';
import { buildRelease, ReleaseReport } from '../../lib/release/bundle';
import { selectLib, studentCli } from '../../lib/release/files';
import {
  Cell,
  ROOT,
  cellText,
  executeNotebook,
  readNotebook,
  requireJupyter,
  seminarCell,
  sourceOf,
} from '../support/jupyter';
import { fixtureFile } from '../support/fixtures';
import { tempDir } from '../support/tmp';
import { CLI, NOTEBOOK_PATH, SOLUTIONS_PATH } from '../support/paths';

const SOLUTIONS = fs.readFileSync(path.join(ROOT, SOLUTIONS_PATH), 'utf8');
/** Checks the instructor keeps hidden in this test's release. */
const HIDDEN = ['train_gen.loss'];
const tmp = (prefix: string) => tempDir(prefix);

/** A throwaway copy of the instructor repository (sources only; node_modules linked) to break on purpose. */
function repoCopy(): string {
  const dir = tmp('gan-repo-');
  for (const f of ['lib', 'notebooks', 'test', 'package.json', 'package-lock.json', 'tsconfig.json', '.mocharc.json']) {
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function errorOutputs(cells: Cell[]): { cell: string; text: string }[] {
  return cells.flatMap((c) =>
    (c.outputs ?? [])
      .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
      .map(() => ({ cell: c.metadata?.seminar?.cell ?? c.id ?? '?', text: cellText(c) })),
  );
}

describe('release: student bundle', function () {
  let out: string;
  let report: ReleaseReport;

  before(async function () {
    await initGraderBackend(); // as `gan-seminar release` does: expected values on the grader's backend
    out = path.join(tmp('gan-release-'), 'student');
    report = buildRelease({ out, hidden: HIDDEN });
  });
  after(async () => {
    await initBackend();
  });

  describe('contents', () => {
    it('has the notebook, the lib without solutions, expected values, its own package.json and README', () => {
      for (const f of [
        'notebooks/gan_1d.ipynb',
        'lib/index.ts',
        'lib/reference/index.ts',
        'lib/grader/expected-values.json',
        'package.json',
        'package-lock.json',
        'README.md',
        'tsconfig.json',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
      ]) {
        expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
      }
      expect(
        report.files.filter((f) => /solutions|lib\/release\/|cli\/(release|autograder|grade|train)\./.test(f)),
      ).to.deep.equal([]);
      expect(report.files.filter((f) => f.startsWith('test/')).length, 'student tests').to.be.greaterThan(0);
      expect(
        report.files.some((f) => /^test\/(fixtures|support)\//.test(f)),
        'fixture submissions and their generator (made from the reference)',
      ).to.equal(false);
      expect(report.files, 'the public grading checks').to.include.members([
        'lib/grader/checks/check-definitions.ts',
        'lib/grader/checks/checks.spec.ts',
      ]);
      expect(report.exercises).to.deep.equal(['train_disc', 'train_gen']);
    });

    it("package.json: student name, the project's dependencies and no dev tools (npm install --omit=dev builds), test and check scripts, no instructor commands", () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8'));
      const project = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      expect(pkg.name).to.equal(`${project.name}-student`);
      expect(pkg.dependencies).to.include(project.dependencies);
      // what its own tsc build needs (tsconfig "types": node, mocha; its tests import chai) is a dependency
      for (const t of ['@types/node', '@types/mocha', '@types/chai'])
        expect(pkg.dependencies[t], t).to.equal(project.devDependencies[t]);
      expect(pkg.devDependencies, 'no Deno, playwright, esbuild…').to.equal(undefined);
      expect(pkg.optionalDependencies, 'no tfjs-node binary: the bundle computes on wasm').to.equal(undefined);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'lib', 'course', 'course.json'), 'utf8')).hidden).to.deep.equal(
        HIDDEN,
      );
      expect(pkg.scripts.test).to.equal(project.scripts.test);
      expect(pkg.scripts.check).to.contain('notebooks/gan_1d.ipynb');
      const cli = fs.readFileSync(path.join(out, 'lib', 'cli.ts'), 'utf8');
      expect(cli).not.to.match(/cli\/(release|autograder|train|grade)'/);
      const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
      expect(readme)
        .to.match(/npm install/)
        .and.match(/jupyter lab notebooks\/gan_1d\.ipynb/)
        .and.match(/Submit/)
        .and.match(/not part of this folder/);
    });

    it('notebook: outputs cleared, exercise cells hold the placeholders, nbgrader metadata kept', () => {
      const nb = readNotebook(path.join(out, NOTEBOOK_PATH));
      for (const c of nb.cells.filter((x) => x.cell_type === 'code')) {
        expect(c.outputs).to.deep.equal([]);
        expect(c.execution_count).to.equal(null);
      }
      for (const name of ['train_disc', 'train_gen']) {
        const cell = seminarCell(nb, name);
        expect(sourceOf(cell)).to.contain("TODO('");
        expect(cell.metadata.nbgrader).to.include({ grade_id: name, solution: true, schema_version: 3 });
      }
    });

    it("expected values are numbers for fixed states, for both exercises, and where the reference's loop ends from fixed starts; they list the hidden checks", () => {
      const ex = JSON.parse(fs.readFileSync(path.join(out, 'lib', 'grader', 'expected-values.json'), 'utf8'));
      expect(ex.hiddenChecks).to.deep.equal(HIDDEN);
      expect(ex.plans.train_disc.endStates).to.have.length(2);
      expect(ex.plans.train_disc.endStateIterations).to.equal(16000);
      expect(ex.referenceEndStates).to.have.length(2);
      for (const end of ex.referenceEndStates) expect(end.genMean).to.be.closeTo(5, 0.3);
      expect(report.hiddenChecks).to.deep.equal(HIDDEN);
      for (const e of ['train_disc', 'train_gen']) {
        expect(ex.plans[e].states.length).to.be.greaterThan(1);
        for (const st of ex.reference[e].steps) {
          expect(st.failure).to.equal(undefined);
          expect(st.returned).to.be.a('number').and.satisfy(Number.isFinite);
          expect(
            Object.values(st.disc)
              .flatMap((w: any) => w.values)
              .every(Number.isFinite),
          ).to.equal(true);
        }
      }
    });
  });

  describe('works on its own', function () {
    let copy: string;
    before(() => {
      // a fresh copy, installed offline by linking the instructor's node_modules (same lockfile)
      copy = path.join(tmp('gan-student-'), 'bundle');
      fs.cpSync(out, copy, { recursive: true });
      fs.rmSync(path.join(copy, 'dist'), { recursive: true, force: true });
      // hard links, not a symlink: the grader's sandbox may read node_modules only under the bundle's own path
      execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules')]);
    });

    it('`npm test` passes (builds, then the public checks against the reference-free lib)', () => {
      const r = spawnSync('npm', ['test'], { cwd: copy, encoding: 'utf8', env: { ...process.env, CI: '' } });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout)
        .to.match(/passing/)
        .and.not.match(/failing/);
      // the public grading specs ran on the reference's shipped numbers; the hidden check did not
      expect(r.stdout)
        .to.match(/train_gen\.update:/)
        .and.match(/train_disc\.loss:/);
      expect(r.stdout).to.not.match(/train_gen\.loss:/);
    });

    it('solution mode says the solutions are not part of the student release', () => {
      const r = spawnSync(
        process.execPath,
        ['-e', "const g=require('./dist/lib');g.chooseSteps(true,g.createSeminar({seed:1}),{})"],
        { cwd: copy, encoding: 'utf8' },
      );
      expect(r.status).to.not.equal(0);
      expect(r.stderr).to.contain('reference solutions are not part of the student release');
    });

    it('the student CLI: bare `gan-seminar` shows the help with the check command only', () => {
      const r = spawnSync(process.execPath, ['dist/lib/cli.js'], { cwd: copy, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout)
        .to.match(/^\s+check\s/m)
        .and.not.match(/release|autograder|grade\s|train\s/);
    });

    it("`gan-seminar check` of valid variants of both steps: judged by the notebook's loop from fixed starts against the reference's shipped ends, credited", () => {
      const fixture = fixtureFile('variant-half-loss');
      const r = spawnSync(process.execPath, ['dist/lib/cli.js', 'check', fixture], { cwd: copy, encoding: 'utf8' });
      expect(r.stdout, r.stderr).to.not.match(/grader-error|decided at grading/);
      expect(r.stdout).to.match(/trainDisc self-check: ([\d.]+)\/\1 points/); // full marks on the public checks
      expect(r.stdout).to.match(/trainGen self-check: ([\d.]+)\/\1 points/);
      expect(r.stdout).to.contain('ends where the reference ends').and.contain('from 2 fixed starts');
    });

    it("the notebook's self-check of a trainDisc variant before trainGen is written: undecided, saying plainly what it waits for", () => {
      const script = `
        const g = require('./dist/lib');
        const tf = require('@tensorflow/tfjs');
        const s = g.createSeminar({ seed: 1 });
        // the seminar's discriminator loss, halved: a valid variant no formulation matches
        const trainDisc = (batchSize) => tf.tidy(() => s.discOpt.minimize(() => {
          const real = tf.logSoftmax(s.disc(g.sampleRealData(batchSize))).slice([0, s.IS_REAL], [-1, 1]);
          const fake = tf.logSoftmax(s.disc(s.gen(g.sampleNoise(batchSize)))).slice([0, s.IS_FAKE], [-1, 1]);
          return tf.mul(0.5, tf.mean(tf.neg(tf.add(real, fake))));
        }, true, s.disc.parameters()).dataSync()[0]);
        g.selfCheck({ gen: s.gen, disc: s.disc, genOpt: s.genOpt, discOpt: s.discOpt }).trainDisc(trainDisc);`;
      const r = spawnSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout)
        .to.match(/\?\/[\d.]+ {2}decided at grading/)
        .and.match(/cannot be decided here/)
        .and.contain('run the self-check of your trainGen');
      expect(r.stdout).to.not.match(/grader-error|Running it now/);
    });

    it('the notebook runs headless in student mode up to the first exercise call', function () {
      requireJupyter(this);
      const nb = executeNotebook(path.join(copy, NOTEBOOK_PATH), {
        allowErrors: true,
        env: { GAN_ITERATIONS: '2' },
      });
      const errors = errorOutputs(nb.cells);
      expect(
        errors.map((e) => e.cell),
        JSON.stringify(errors, null, 1).slice(0, 3000),
      ).to.deep.equal(['training_loop']);
      expect(errors[0].text).to.match(/not implemented: sample noise/);
      expect(cellText(seminarCell(nb, 'samplers'))).to.match(/TensorFlow\.js/);
    });
  });

  describe('leak guard', () => {
    it('fingerprints the reference: both loss formulas and both bodies; the public fragments are real', () => {
      const fps = referenceFingerprints(SOLUTIONS).map((f) => f.text);
      expect(fps).to.include(squash('tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)))'));
      expect(fps).to.include(squash('tf.mean(tf.neg(logpGenIsReal))'));
      expect(fps).to.include(squash('tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1])'));
      expect(
        referenceFingerprints(SOLUTIONS).filter((f) => /^body of train(Disc|Gen)$/.test(f.what)).length,
      ).to.be.at.least(2);
      // a public fragment that no longer appears in the reference would silently widen what may ship
      const ref = squash(stripTypes(SOLUTIONS));
      for (const f of PUBLIC_FRAGMENTS) expect(ref, f).to.contain(squash(stripTypes(f)).replace(/;$/, ''));
    });

    const plant = (name: string, files: Record<string, string>, expectFile: RegExp) =>
      it(`stops the release: ${name}`, () => {
        const dest = path.join(tmp('gan-leak-'), 'student');
        let err: unknown;
        try {
          buildRelease({
            out: dest,
            build: false,
            beforeGuard: (staging) => {
              for (const [f, text] of Object.entries(files)) {
                fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
                fs.writeFileSync(path.join(staging, f), text);
              }
            },
          });
        } catch (e) {
          err = e;
        }
        expect(err, 'release should fail').to.be.instanceOf(LeakError);
        expect((err as LeakError).leaks.map((l) => l.file).join()).to.match(expectFile);
        expect((err as Error).message).to.match(/release blocked/);
        expect(fs.existsSync(dest), 'nothing written').to.equal(false);
        expect(fs.readdirSync(path.dirname(dest)), 'no staging left').to.deep.equal([]);
      });

    const trainGenLoss = 'const genLoss: tf.Scalar =\n   tf.mean( tf.neg(logpGenIsReal) );  // tidy';
    plant(
      'the generator loss typed into a notebook cell',
      {
        'notebooks/extra.ipynb': JSON.stringify({
          nbformat: 4,
          nbformat_minor: 5,
          metadata: {},
          cells: [
            { cell_type: 'code', metadata: {}, source: ['// hint\n', ...trainGenLoss.split(/(?<=\n)/)], outputs: [] },
          ],
        }),
      },
      /notebooks\/extra\.ipynb/,
    );
    plant(
      'the reference file compiled under another name',
      { 'dist/lib/helpers.js': stripTypes(SOLUTIONS) },
      /dist\/lib\/helpers\.js/,
    );
    plant(
      'a source map embedding the reference',
      {
        'dist/lib/x.js.map': JSON.stringify({
          version: 3,
          file: 'x.js',
          sources: ['../../lib/x.ts'],
          sourcesContent: [SOLUTIONS],
          mappings: '',
        }),
      },
      /x\.js\.map/,
    );
    plant(
      'a declaration file named after the reference',
      { 'dist/lib/solutions.d.ts': 'export declare function referenceSteps(): void;\n' },
      /solutions\.d\.ts/,
    );

    it('stops the release end to end: a lib module and a notebook cell copying the reference (source, JS, .d.ts-free)', function () {
      const repo = repoCopy();
      // a "helper" that copies the discriminator's loss into a shipped module, and the same in the notebook
      fs.appendFileSync(
        path.join(repo, 'lib', 'jupyter', 'cell-helpers.ts'),
        '\nexport function hint(tf: any, logpRealIsReal: any, logpGenIsFake: any) {\n  return tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)));\n}\n',
      );
      const dest = path.join(tmp('gan-leak-'), 'student');
      expect(() => buildRelease({ root: repo, out: dest })).to.throw(
        LeakError,
        /lib\/jupyter\/cell-helpers\.ts[\s\S]*dist\/lib\/jupyter\/cell-helpers\.js|dist\/lib\/jupyter\/cell-helpers\.js[\s\S]*lib\/jupyter\/cell-helpers\.ts/,
      );
      expect(fs.existsSync(dest)).to.equal(false);
    });

    it('stops the release when a shipped module imports lib/reference/solutions.ts', () => {
      const repo = repoCopy();
      const train = path.join(repo, 'lib', 'seminar', 'loop.ts');
      fs.writeFileSync(
        train,
        `import { referenceSteps as direct } from '../reference/solutions';\nexport const _direct = direct;\n${fs.readFileSync(train, 'utf8')}`,
      );
      expect(() => selectLib(repo)).to.throw(
        /lib\/seminar\/loop\.ts imports lib\/reference\/solutions\.ts[\s\S]*lib\/reference\/index\.ts/,
      );
    });

    it('refuses an exercise cell without placeholders (a pasted solution)', () => {
      const repo = repoCopy();
      const file = path.join(repo, NOTEBOOK_PATH);
      const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
      const cell = nb.cells.find((c: Cell) => c.metadata?.seminar?.cell === 'train_gen');
      cell.source = sourceOf(cell)
        .replace(/TODO\('[^']*'\)/g, '0 as any')
        .split(/(?<=\n)/);
      fs.writeFileSync(file, JSON.stringify(nb));
      expect(() => buildRelease({ root: repo, out: path.join(tmp('gan-leak-'), 'student'), build: false })).to.throw(
        /exercise cell "train_gen" has no TODO/,
      );
    });

    it('the instructor repository itself is caught (the guard is not blind)', () => {
      expect(() => assertNoLeaks(path.join(ROOT, 'lib'), SOLUTIONS)).to.throw(LeakError, /solutions\.ts/);
    });
  });

  it('refuses unknown hidden check ids', () => {
    expect(() =>
      buildRelease({ out: path.join(tmp('gan-hidden-'), 'x'), build: false, hidden: ['train_gen.nope'] }),
    ).to.throw(/unknown check id\(s\) train_gen\.nope/);
  });

  it('the student CLI table keeps only student commands', () => {
    const cli = studentCli(fs.readFileSync(path.join(ROOT, 'lib', 'cli.ts'), 'utf8'));
    expect(cli)
      .to.match(/COMMANDS/)
      .and.not.match(/cli\/(release|train)'/);
  });

  it('`gan-seminar release` refuses to write inside the repository and needs --out', () => {
    const noOut = spawnSync(process.execPath, [CLI, 'release'], { encoding: 'utf8' });
    expect(noOut.status).to.equal(2);
    expect(noOut.stderr).to.match(/--out <dir> is required/);
    const inside = spawnSync(process.execPath, [CLI, 'release', '--out', path.join(ROOT, 'lib', 'x'), '--no-build'], {
      encoding: 'utf8',
    });
    expect(inside.status).to.equal(1);
    expect(inside.stderr).to.match(/inside the repository's lib\//);
  });
});
