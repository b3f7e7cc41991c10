// `gan-seminar autograder --out <zip>`: Gradescope's layout, run for real against a temp folder laid out
// like /autograder (AUTOGRADER_ROOT), with the zip's own run_autograder and compiled project.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buffer } from 'node:stream/consumers';
import * as yauzl from 'yauzl';
import { GRADESCOPE_NODE, findSubmission } from '../../lib/release/autograder';
import { fixtureFile } from '../support/fixtures';
import { tempDir } from '../support/tmp';
import { CLI, ROOT } from '../support/paths';

interface Results {
  score: number;
  output?: string;
  tests: { name: string; number: string; score: number; max_score: number; status: string; visibility: string }[];
}

interface ZipEntry {
  name: string;
  /** Unix mode bits as stored in the entry (what unzip restores). */
  mode: number;
  data: Buffer;
}

/** Every entry of a zip file, read back with yauzl. */
async function readZip(file: string): Promise<ZipEntry[]> {
  const archive = await yauzl.openPromise(file);
  const entries: ZipEntry[] = [];
  for await (const entry of archive.eachEntry()) {
    const data = await buffer(await archive.openReadStreamPromise(entry));
    entries.push({ name: entry.fileName, mode: entry.externalFileAttributes >>> 16, data });
  }
  return entries;
}

/** What Gradescope's unzip does: each file written under `dir`, with the entry's permission bits. */
function extract(entries: ZipEntry[], dir: string): void {
  for (const e of entries) {
    if (e.name.endsWith('/')) continue; // a directory entry
    const file = path.join(dir, e.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, e.data, { mode: e.mode & 0o777 });
  }
}

describe('release: Gradescope autograder', function () {
  let zip: string;
  let source: string;
  let entries: ZipEntry[];

  before(async function () {
    const dir = tempDir('gan-autograder-test-');
    zip = path.join(dir, 'autograder.zip');
    // one course file holds the hidden checks (and the points, the variant policy) for grade, release and the zip
    const course = path.join(dir, 'course.json');
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'course', 'course.json'), 'utf8'));
    fs.writeFileSync(course, JSON.stringify({ ...base, hidden: ['train_gen.loss', 'train_disc.no-leak'] }));
    const r = spawnSync(process.execPath, [CLI, 'autograder', '--out', zip, '--course', course], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    // Gradescope unzips into /autograder/source; setup.sh's `npm ci` is stood in for by hard links to
    // our node_modules (the grader's sandbox reads node_modules under the project's own path only)
    source = path.join(dir, 'autograder', 'source');
    fs.mkdirSync(source, { recursive: true });
    entries = await readZip(zip);
    extract(entries, source);
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(source, 'node_modules')]);
  });

  it('the zip has setup.sh and run_autograder at its root (executable), the project, its config', () => {
    const names = entries.map((e) => e.name);
    for (const f of [
      'setup.sh',
      'run_autograder',
      'autograder-config.json',
      'lib/course/course.json',
      'package.json',
      'package-lock.json',
      'lib/reference/solutions.ts',
      'dist/lib/cli.js',
    ]) {
      expect(names, f).to.include(f);
    }
    expect(names, 'compiled grading checks').to.include('dist/lib/grader/checks/checks.spec.js');
    expect(
      names.filter((n) => n.startsWith('test/') || n.startsWith('dist/test/')),
      'no tests in the zip: the grader needs none',
    ).to.deep.equal([]);
    expect(names.some((n) => n.startsWith('node_modules/'))).to.equal(false);
    for (const f of ['setup.sh', 'run_autograder']) {
      expect(entries.find((e) => e.name === f)!.mode & 0o111, `${f} in the zip`).to.not.equal(0);
      expect(fs.statSync(path.join(source, f)).mode & 0o111, f).to.not.equal(0);
    }
    const setup = fs.readFileSync(path.join(source, 'setup.sh'), 'utf8');
    // the current LTS whatever Node built the zip, its tarball checked against the release's SHA-256 list, production packages only
    expect(setup)
      .to.match(/nodejs\.org\/dist\/v\$\{NODE_VERSION\}/)
      .and.contain(`NODE_VERSION=${GRADESCOPE_NODE}`)
      .and.match(/sha256sum -c/);
    expect(setup).to.match(/npm ci --omit=dev --omit=optional --ignore-scripts/);
    expect(setup.indexOf('sha256sum -c'), 'checked before unpacking').to.be.below(setup.indexOf('tar -xJf'));
    for (const f of ['setup.sh', 'run_autograder']) {
      const syntax = spawnSync('bash', ['-n', path.join(source, f)], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).to.equal(0);
    }
    // setup.sh's `npm ci` runs the install scripts the project approves, no others (npm 12 blocks, npm 11 warns)
    const project = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')).allowScripts).to.deep.equal(
      project.allowScripts,
    );
    expect(JSON.parse(fs.readFileSync(path.join(source, 'lib', 'course', 'course.json'), 'utf8')).hidden).to.deep.equal(
      ['train_gen.loss', 'train_disc.no-leak'],
    );
  });

  const runAutograder = (submissionFiles: Record<string, string>): Results => {
    const root = path.dirname(source);
    fs.rmSync(path.join(root, 'submission'), { recursive: true, force: true });
    fs.rmSync(path.join(root, 'results'), { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'submission'), { recursive: true });
    for (const [name, from] of Object.entries(submissionFiles))
      fs.copyFileSync(from, path.join(root, 'submission', name));
    const r = spawnSync('bash', [path.join(source, 'run_autograder')], {
      encoding: 'utf8',
      env: { ...process.env, AUTOGRADER_ROOT: root },
    });
    expect(r.status, r.stderr).to.equal(0);
    return JSON.parse(fs.readFileSync(path.join(root, 'results', 'results.json'), 'utf8')) as Results;
  };

  it('run_autograder grades a correct submission: full marks, hidden checks "after_published"', () => {
    const results = runAutograder({ 'gan_1d.ipynb': fixtureFile('reference') });
    const max = results.tests.reduce((a, t) => a + t.max_score, 0);
    expect(results.score, JSON.stringify(results.tests.filter((t) => t.status !== 'passed'))).to.equal(max);
    expect(max).to.equal(20);
    const hidden = results.tests.filter((t) => t.visibility === 'after_published').map((t) => t.number);
    expect(hidden).to.have.members(['train_gen.loss', 'train_disc.no-leak']);
    expect(results.tests.filter((t) => t.visibility === 'visible')).to.have.length(results.tests.length - 2);
  });

  it("before publication the visible output names no hidden check's result", () => {
    // a leak is the hidden train_disc.no-leak's mistake: the top-level output must not give it away
    const results = runAutograder({ 'gan_1d.ipynb': fixtureFile('tensor-leak') });
    const leak = results.tests.find((t) => t.number === 'train_disc.no-leak')!;
    expect(leak.status).to.equal('failed');
    expect(leak.visibility).to.equal('after_published');
    expect(results.output).to.not.match(/leak/i);
    expect(results.output)
      .to.match(/on the visible checks/)
      .and.match(/2 more checks show once grades are published/);
  });

  it('run_autograder on an unfilled notebook: zero, every test failed as not-implemented', () => {
    const results = runAutograder({ 'my_work.ipynb': fixtureFile('unfilled') });
    expect(results.score).to.equal(0);
    expect(results.tests.length).to.be.greaterThan(0);
    for (const t of results.tests) expect(t.status).to.equal('failed');
    expect(results.output).to.match(/not-implemented/);
  });

  it('run_autograder with no notebook still writes results.json with a clear message', () => {
    const results = runAutograder({});
    expect(results.score).to.equal(0);
    expect(results.output).to.match(/no \.ipynb file in the submission/);
  });

  it('picks the course notebook among several; refuses to guess between others', () => {
    const dir = tempDir('gan-sub-');
    for (const f of ['gan_1d.ipynb', 'scratch.ipynb', '.ipynb_checkpoints/gan_1d-checkpoint.ipynb']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '{}');
    }
    expect(findSubmission(dir, 'gan_1d.ipynb').file).to.equal(path.join(dir, 'gan_1d.ipynb'));
    fs.rmSync(path.join(dir, 'gan_1d.ipynb'));
    fs.writeFileSync(path.join(dir, 'other.ipynb'), '{}');
    expect(findSubmission(dir, 'gan_1d.ipynb').problem).to.match(/2 notebooks.*upload only gan_1d\.ipynb/);
  });

  it('refuses a course with unknown hidden check ids, and a non-zip --out', () => {
    const course = path.join(tempDir('gan-course-'), 'course.json');
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'course', 'course.json'), 'utf8'));
    fs.writeFileSync(course, JSON.stringify({ ...base, hidden: ['nope'] }));
    const bad = spawnSync(process.execPath, [CLI, 'autograder', '--out', '/tmp/x.zip', '--course', course], {
      encoding: 'utf8',
    });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/unknown check id\(s\) nope/);
    const notZip = spawnSync(process.execPath, [CLI, 'autograder', '--out', '/tmp/x.tar'], { encoding: 'utf8' });
    expect(notZip.status).to.equal(2);
  });
});
