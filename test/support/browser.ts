// Headless Debian Chromium (driven by playwright-core, never a downloaded browser) and Debian's classic
// Jupyter Notebook on loopback, for the browser tests.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { KERNELS, installKernel } from './jupyter';
import { tempDir } from './tmp';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const BROWSER_HINT =
  'The browser tests need Debian\'s Chromium and classic Jupyter Notebook: `sudo apt-get install -y chromium ' +
  'jupyter-notebook fonts-dejavu-core` (the same list is in .ci/run), then `npm run kernel:install`.';

function notebookServerAvailable(): boolean {
  return spawnSync('jupyter-notebook', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * For a mocha `before`: in CI a missing Chromium (or jupyter-notebook, when `notebook`) is a failure,
 * never a silent skip; locally the suite is skipped with the install instructions.
 */
export function requireBrowser(ctx: Mocha.Context, { notebook = false } = {}): void {
  const missing = [
    ...(fs.existsSync(CHROMIUM) ? [] : [CHROMIUM]),
    ...(notebook && !notebookServerAvailable() ? ['jupyter-notebook'] : []),
  ];
  if (missing.length === 0) return;
  const message = `${missing.join(' and ')} missing. ${BROWSER_HINT}`;
  if (process.env.CI) throw new Error(`${message} (CI must run the browser tests)`);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (its own --user-data-dir), removed on close. */
export async function launchChromium(): Promise<Browser> {
  const profile = tempDir('gan-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface NotebookServer {
  /** Base URL with no trailing slash. */
  url: string;
  token: string;
  /** The folder served (holds notebooks/, and dist/ + node_modules/ links to the project). */
  root: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Classic Notebook serving a scratch copy of the project's notebooks on 127.0.0.1, with the project's
 * tslab kernel (JUPYTER_PATH) and `env` for the kernel (e.g. GAN_SOLUTIONS). `../dist/lib` and the npm
 * packages resolve through links to the project, so the kernel loads exactly what the tests built.
 */
export async function startNotebookServer(projectRoot: string, notebooks: string[], env: Record<string, string>): Promise<NotebookServer> {
  installKernel();
  const root = tempDir('gan-notebook-server-');
  fs.mkdirSync(path.join(root, 'notebooks'));
  for (const nb of notebooks) fs.copyFileSync(nb, path.join(root, 'notebooks', path.basename(nb)));
  fs.symlinkSync(path.join(projectRoot, 'dist'), path.join(root, 'dist'));
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'));
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'jupyter-notebook',
    [
      '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${root}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI runs as root
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        JUPYTER_PATH: KERNELS,
        JUPYTER_CONFIG_DIR: path.join(root, '.config'),
        JUPYTER_RUNTIME_DIR: path.join(root, '.runtime'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (b) => (output += b));
  child.stderr!.on('data', (b) => (output += b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = (p: string, init?: RequestInit) => fetch(`${url}${p}`, { ...init, headers: { Authorization: `token ${token}` } });
  const deadline = Date.now() + 60000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter-notebook exited (${child.exitCode}):\n${output.slice(-3000)}`);
    try {
      if ((await api('/api/status')).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter-notebook did not answer within 60 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    url,
    token,
    root,
    log: () => output,
    stop: async () => {
      try {
        const kernels = (await (await api('/api/kernels')).json()) as { id: string }[];
        for (const k of kernels) await api(`/api/kernels/${k.id}`, { method: 'DELETE' });
      } catch {
        // the server is gone already
      }
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
