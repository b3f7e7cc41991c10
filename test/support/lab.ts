// JupyterLab 4 without pip: the application built from npm in test/jupyterlab/ (its own package.json and
// lockfile, as jupyterlab's examples/app) served by Debian's jupyter_server + jupyterlab_server
// (test/jupyterlab/server.py). The browser tests start it on a scratch copy of the notebooks; users start
// it on the project with `npm run lab`.
//
//   node dist/test/support/lab.js build     installs (npm ci) and builds the app when it is missing or stale
//   node dist/test/support/lab.js [--port N]   builds if needed, then serves the project (npm run lab)
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNELS, PREFIX, ROOT, installKernels, jupyterPython } from '../../lib/jupyter/kernels';
import { NotebookServer, scratchProject, serveJupyter } from './browser';
import { tempDir } from './tmp';

export const LAB_DIR = path.join(ROOT, 'test', 'jupyterlab');
const BUILD = path.join(LAB_DIR, 'build');
/** What the build depends on; its hash is stamped into build/ so a changed input rebuilds. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'index.js', 'rspack.config.js'];
const STAMP = path.join(BUILD, '.inputs-sha256');

export const LAB_SERVER_PACKAGES = 'python3-jupyter-server python3-jupyterlab-server';
export const LAB_HINT =
  `JupyterLab's app and server are needed: \`sudo apt-get install -y ${LAB_SERVER_PACKAGES} chromium\` ` +
  '(Debian/Ubuntu; the list is in .ci/run), then `npm run lab:build` (npm ci + build in test/jupyterlab/).';

function inputsHash(): string {
  const h = createHash('sha256');
  for (const f of BUILD_INPUTS) h.update(`${f}\0`).update(fs.readFileSync(path.join(LAB_DIR, f)));
  return h.digest('hex');
}

/** Why the built app cannot be used as is ('' when it is up to date). */
export function labAppProblem(): string {
  if (!fs.existsSync(path.join(LAB_DIR, 'node_modules', '.package-lock.json'))) return 'its packages are not installed';
  if (!fs.existsSync(path.join(BUILD, 'bundle.js')) || !fs.existsSync(STAMP)) return 'it is not built';
  if (fs.readFileSync(STAMP, 'utf8') !== inputsHash()) return 'its build is older than its sources';
  return '';
}

function npm(args: string[]): void {
  const r = spawnSync('npm', args, {
    cwd: LAB_DIR,
    stdio: 'inherit',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (r.status !== 0) throw new Error(`\`npm ${args.join(' ')}\` failed in ${LAB_DIR} (exit ${r.status ?? r.signal})`);
}

/** npm ci when the installed packages differ from the lockfile, then a build when the inputs changed. */
export function buildLabApp(): void {
  const installed = path.join(LAB_DIR, 'node_modules', '.package-lock.json');
  const lock = path.join(LAB_DIR, 'package-lock.json');
  // npm ci rewrites node_modules/.package-lock.json: older than the lockfile means a changed lockfile.
  if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
    npm(['ci', '--no-audit', '--no-fund']);
  }
  if (labAppProblem()) {
    npm(['run', 'build']);
    fs.writeFileSync(STAMP, inputsHash());
  }
}

/** The Python with jupyter_server and jupyterlab_server (Debian's under /usr/bin/python3), or null. */
export function labPython(): string | null {
  for (const python of [...new Set(['/usr/bin/python3', jupyterPython(), 'python3'])]) {
    const r = spawnSync(python, ['-c', 'import jupyter_server, jupyterlab_server'], { encoding: 'utf8' });
    if (r.status === 0) return python;
  }
  return null;
}

/**
 * For a mocha `before`: in CI a missing server or an unbuilt app is a failure, never a silent skip;
 * locally the suite is skipped with the commands that install them.
 */
export function requireLab(ctx: Mocha.Context): string {
  const python = labPython();
  const problem = python ? labAppProblem() : '';
  if (python && !problem) return python;
  const message = python
    ? `JupyterLab's app in test/jupyterlab/ cannot be used: ${problem}. ${LAB_HINT}`
    : `jupyter_server/jupyterlab_server are missing. ${LAB_HINT}`;
  if (process.env.CI) throw new Error(`${message} (CI must run the JupyterLab tests)`);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
  return '';
}

export interface LabOptions {
  python: string;
  /** The folder served. */
  root: string;
  /** Where JupyterLab keeps the user's settings and open tabs, and the server its runtime files. */
  stateDir: string;
  /** '' serves without a token (loopback tests only). */
  token: string;
  /** For the kernels (e.g. GAN_SOLUTIONS). */
  env?: Record<string, string>;
  removeRoot?: boolean;
  port?: number;
  /** The server in a process group of its own (`npm run lab`: Ctrl-C reaches lab.ts alone, which stops it all). */
  detached?: boolean;
}

/** The JupyterLab server on 127.0.0.1 (a free port unless `port`), with the project's kernels (JUPYTER_PATH). */
export function startLab(o: LabOptions): Promise<NotebookServer> {
  return serveJupyter({
    name: 'JupyterLab (test/jupyterlab/server.py)',
    command: o.python,
    args: (free) => [
      path.join(LAB_DIR, 'server.py'),
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${o.port ?? free}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.token=${o.token}`,
      '--ServerApp.password=',
      '--ServerApp.open_browser=False',
      `--ServerApp.root_dir=${o.root}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI runs as root
    ],
    root: o.root,
    env: {
      ...o.env,
      JUPYTER_PATH: KERNELS,
      GAN_LAB_STATE_DIR: o.stateDir,
      JUPYTER_RUNTIME_DIR: path.join(o.stateDir, 'runtime'),
      JUPYTER_DATA_DIR: path.join(o.stateDir, 'data'), // the notebook-signing key (kernels: JUPYTER_PATH)
      PYDEVD_DISABLE_FILE_VALIDATION: '1', // Debian's debugpy warns about frozen modules on every start
    },
    token: o.token,
    removeRoot: o.removeRoot,
    runtimeDir: path.join(o.stateDir, 'runtime'),
    detached: o.detached,
  });
}

/** JupyterLab on a scratch copy of `notebooks` (see scratchProject), token-less on 127.0.0.1, for a test. */
export function startLabServer(
  python: string,
  notebooks: string[],
  env: Record<string, string>,
): Promise<NotebookServer> {
  installKernels();
  const root = scratchProject(ROOT, notebooks, 'gan-lab-server-');
  return startLab({ python, root, stateDir: tempDir('gan-lab-state-'), token: '', env, removeRoot: true });
}

async function main(args: string[]): Promise<void> {
  buildLabApp();
  if (args[0] === 'build') return;
  const python = labPython();
  if (!python) throw new Error(`jupyter_server/jupyterlab_server are missing. ${LAB_HINT}`);
  installKernels();
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : undefined; // default: a free port
  const token = randomBytes(24).toString('hex');
  const stateDir = process.env.GAN_LAB_STATE_DIR || path.join(PREFIX, 'lab');
  const lab = await startLab({ python, root: ROOT, stateDir, token, port, detached: true });
  console.log(
    `JupyterLab ${require(path.join(LAB_DIR, 'package.json')).dependencies['@jupyterlab/application'].replace(/^\D+/, '')} with the project's kernels (tslab, Deno):`,
  );
  console.log(`  ${lab.url}/lab/tree/notebooks/gan_1d.ipynb?token=${token}`);
  console.log('Ctrl-C stops it (and its kernels).');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void lab.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
