// Dependency install scripts: npm 12 runs one only when package.json's `allowScripts` approves it (npm 11 runs
// it and warns on every install). Each package with a script is decided on by name (the lockfile has no
// `resolved` fields, so `name@version` keys never match), and the student bundle carries the same decisions.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../lib/paths';
import { PackageJson, studentLockfile, studentPackageJson } from '../../lib/release/student-files';
import { tempDir } from '../support/tmp';

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const PROJECT = readJson(path.join(ROOT, 'package.json')) as PackageJson;
const LOCK = readJson(path.join(ROOT, 'package-lock.json'));

/** The names of the locked packages that have an install script (npm records `hasInstallScript`). */
function withInstallScripts(lock: {
  packages: Record<string, { hasInstallScript?: boolean; name?: string }>;
}): string[] {
  const names = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([key, p]) => p.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return [...new Set(names)].sort();
}

/** `npm install-scripts ls --json` in `dir`: what npm would block (12) or warn about (11); null if this npm lacks it. */
function undecided(dir: string): string[] | null {
  const r = spawnSync('npm', ['install-scripts', 'ls', '--json'], { cwd: dir, encoding: 'utf8' });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  if (r.status !== 0 || !json) return null;
  return (JSON.parse(json) as { allowScripts: { name: string }[] }).allowScripts.map((p) => p.name);
}

describe('toolchain: dependency install scripts (allowScripts)', function () {
  this.timeout(300_000); // the bundle's npm ci (offline, from the cache)
  it('every locked package with an install script is decided on by name; no entry is stale', () => {
    const allow = PROJECT.allowScripts ?? {};
    expect(
      Object.keys(allow).filter((k) => /.@/.test(k)),
      'versioned keys never match a lockfile without `resolved`',
    ).to.deep.equal([]);
    expect(Object.keys(allow).sort()).to.deep.equal(withInstallScripts(LOCK));
    // the kernel's transport and the native backend need theirs; the rest only cache, link or print
    expect(allow).to.include({
      zeromq: true,
      '@tensorflow/tfjs-node': true,
      deno: false,
      esbuild: false,
      'core-js': false,
    });
  });

  it('the student bundle decides the same for the same packages', () => {
    const pkg = studentPackageJson(PROJECT);
    const lock = studentLockfile(LOCK, pkg) as typeof LOCK;
    // the bundle's lockfile holds fewer packages (no dev tools, no tfjs-node): each it keeps is decided as in the project
    const scripted = withInstallScripts(lock);
    expect(scripted).to.include('zeromq').and.not.include('deno');
    for (const name of scripted)
      expect(pkg.allowScripts?.[name], name).to.equal(PROJECT.allowScripts?.[name]).and.be.a('boolean');
  });

  it('npm finds no install script left undecided, in the project and in the student bundle', function () {
    const own = undecided(ROOT);
    if (own === null) {
      const hint = `npm ${spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim()} has no \`npm install-scripts\`: this check needs npm 11.12 or later (CI installs npm 12)`;
      if (process.env.CI) throw new Error(hint);
      console.warn(`      skipped: ${hint}`);
      this.skip();
    }
    expect(own).to.deep.equal([]);
    const bundle = tempDir('gan-allow-scripts-');
    const pkg = studentPackageJson(PROJECT);
    fs.writeFileSync(path.join(bundle, 'package.json'), JSON.stringify(pkg, null, 2));
    fs.writeFileSync(path.join(bundle, 'package-lock.json'), JSON.stringify(studentLockfile(LOCK, pkg), null, 2));
    // installed as a student installs it (from the cache the project's own install filled; no scripts: the
    // bundle's prepare needs its sources), so node_modules holds exactly what its lockfile locks
    execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: bundle,
      stdio: 'ignore',
    });
    expect(undecided(bundle)).to.deep.equal([]);
  });

  it("zeromq's addon loads (tslab's kernel talks to Jupyter through it)", () => {
    const r = spawnSync(process.execPath, ['-e', "require('zeromq'); console.log('ok')"], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout.trim(), r.stderr).to.equal('ok');
  });
});
