// Headless Debian Chromium (driven by playwright-core, never a downloaded browser) and Debian's classic
// Jupyter Notebook on loopback, for the browser tests.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { KERNELS, ROOT, installKernel } from './jupyter';
import { tempDir } from './tmp';

export const CHROMIUM = '/usr/bin/chromium';

/** What the page's renderOutput(output) reports after JupyterLab's renderer drew the output. */
export interface RendererResult {
  mimeType: string | null;
  classes: string[];
  renderer: string;
  title: string;
  /** Items per named mark in the drawn Vega scenegraph. */
  marks: Record<string, number>;
  canvas: { width: number; height: number; inkFraction: number };
}

// The page side: JupyterLab's Vega renderer factory, used the way JupyterLab's rendermime does (the
// factory for the bundle's MIME type makes a lumino widget, attached, then renderModel()).
const RENDERER_ENTRY = `
import { rendererFactory } from '@jupyterlab/vega5-extension';
import { Widget } from '@lumino/widgets';

window.renderOutput = async (output) => {
  const mimeType = rendererFactory.mimeTypes.find((m) => m in output.data) ?? null;
  if (!mimeType) return { mimeType, classes: [], renderer: '', title: '', marks: {}, canvas: { width: 0, height: 0, inkFraction: 0 } };
  const widget = rendererFactory.createRenderer({
    mimeType, sanitizer: { sanitize: (s) => s }, resolver: null, linkHandler: null, latexTypesetter: null,
  });
  Widget.attach(widget, document.getElementById('output'));
  const model = { trusted: true, data: output.data, metadata: output.metadata, setData: () => undefined };
  await widget.renderModel(model);
  const view = widget._result.view; // the vega View vega-embed made (what the canvas shows)
  await view.runAsync();
  const marks = {};
  const titles = [];
  const walk = (mark) => {
    if (mark.name) marks[mark.name] = (marks[mark.name] ?? 0) + mark.items.length;
    if (mark.role === 'title-text') for (const t of mark.items) titles.push(Array.isArray(t.text) ? t.text.join(' ') : String(t.text));
    if (mark.marktype === 'group') for (const group of mark.items) for (const child of group.items ?? []) walk(child);
  };
  walk(view.scenegraph().root);
  const canvas = widget.node.querySelector('canvas');
  let inkFraction = 0;
  if (canvas) {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) ink++;
    inkFraction = ink / (data.length / 4);
  }
  return {
    mimeType,
    classes: [...widget.node.classList],
    renderer: view.renderer(),
    title: titles.join(' / '),
    marks,
    canvas: { width: canvas?.clientWidth ?? 0, height: canvas?.clientHeight ?? 0, inkFraction },
  };
};
`;

let rendererBundle: string | null = null;

/** JupyterLab's Vega renderer and its dependencies (lumino, vega-embed, vega, vega-lite) as one browser script, built by esbuild from node_modules. */
export function jupyterLabRendererBundle(): string {
  if (!rendererBundle) {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const r = esbuild.buildSync({
      stdin: { contents: RENDERER_ENTRY, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    rendererBundle = r.outputFiles[0].text;
  }
  return rendererBundle;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 250 ms until it returns something truthy; throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | null | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

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
  "The browser tests need Debian's Chromium and classic Jupyter Notebook: `sudo apt-get install -y chromium " +
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

export async function freePort(): Promise<number> {
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
 * A scratch copy of the project's `notebooks` (in notebooks/) for a Jupyter server to serve: `../dist/lib`
 * and the npm packages resolve through links to the project, so the kernel loads exactly what the tests built
 * (Deno resolves npm imports through the package.json next to node_modules).
 */
export function scratchProject(projectRoot: string, notebooks: string[], prefix = 'gan-notebook-server-'): string {
  const root = tempDir(prefix);
  fs.mkdirSync(path.join(root, 'notebooks'));
  for (const nb of notebooks) fs.copyFileSync(nb, path.join(root, 'notebooks', path.basename(nb)));
  fs.symlinkSync(path.join(projectRoot, 'dist'), path.join(root, 'dist'));
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'));
  fs.symlinkSync(path.join(projectRoot, 'package.json'), path.join(root, 'package.json'));
  return root;
}

export interface ServeOptions {
  /** What the messages call it, e.g. "jupyter-notebook". */
  name: string;
  command: string;
  /** The command's arguments for a server on 127.0.0.1:port. */
  args(port: number): string[];
  /** The folder it serves (removed on stop when `removeRoot`). */
  root: string;
  /** The server's (and so the kernels') environment, added to process.env. */
  env: Record<string, string>;
  /** The token the server expects ('' for none). */
  token: string;
  removeRoot?: boolean;
  /** Seconds to wait for /api/status (default 60). */
  startSeconds?: number;
  /**
   * The server's JUPYTER_RUNTIME_DIR, where its kernels' connection files are: after the server, stop()
   * ends every process still running with one of them (a kernel the server left, e.g. killed mid-shutdown:
   * jupyter_client starts each kernel in a session of its own, and tslab, unlike ipykernel, does not exit
   * when its server does).
   */
  runtimeDir?: string;
  /**
   * The server in a process group of its own: a terminal's Ctrl-C reaches only the caller, which stops the
   * server and its kernels (else the server also gets it and asks "Shutdown this Jupyter server (y/[n])?").
   */
  detached?: boolean;
}

/** The processes whose command line names a file in `dir` (a server's kernels: their connection files). */
export function processesUsing(dir: string, except?: RegExp): number[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  const prefix = `${path.resolve(dir)}${path.sep}`;
  return r.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter(
      (m): m is RegExpExecArray =>
        m !== null && m[2].includes(prefix) && Number(m[1]) !== process.pid && !except?.test(m[2]),
    )
    .map((m) => Number(m[1]));
}

/** Whether a process with this id runs. */
export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Ends the processes and their process groups (a kernel leads its own): SIGTERM, then SIGKILL after `graceMs`. */
export async function endProcesses(pids: number[], graceMs = 3000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // not a group leader, or gone already
      }
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(isRunning)) signal(pid, 'SIGKILL');
}

/**
 * Starts a Jupyter server on a free port of 127.0.0.1 and waits until its REST API answers; stop() shuts
 * its kernels down, then the server.
 */
export async function serveJupyter(o: ServeOptions): Promise<NotebookServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(o.command, o.args(port), {
    cwd: o.root,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: o.detached ?? false,
  });
  child.stdout!.on('data', (b) => (output += b));
  child.stderr!.on('data', (b) => (output += b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const headers: Record<string, string> = o.token ? { Authorization: `token ${o.token}` } : {};
  const api = (p: string, init?: RequestInit) => fetch(`${url}${p}`, { ...init, headers });
  const seconds = o.startSeconds ?? 60;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 0))]);
    if (failed) throw new Error(`${o.name} did not start: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`${o.name} exited (${child.exitCode}):\n${output.slice(-3000)}`);
    try {
      if ((await api('/api/status')).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${o.name} did not answer within ${seconds} s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    url,
    token: o.token,
    root: o.root,
    log: () => output,
    stop: async () => {
      // (Token-less, a DELETE would need the XSRF cookie: the server shuts its kernels down on SIGTERM too.)
      try {
        const kernels = o.token ? ((await (await api('/api/kernels')).json()) as { id: string }[]) : [];
        for (const k of kernels) await api(`/api/kernels/${k.id}`, { method: 'DELETE' });
      } catch {
        // the server is gone already
      }
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (o.runtimeDir) await endProcesses(processesUsing(o.runtimeDir));
      if (o.removeRoot) fs.rmSync(o.root, { recursive: true, force: true });
    },
  };
}

/**
 * Classic Notebook serving a scratch copy of the project's notebooks on 127.0.0.1, with the project's
 * tslab kernel (JUPYTER_PATH) and `env` for the kernel (e.g. GAN_SOLUTIONS).
 */
export async function startNotebookServer(
  projectRoot: string,
  notebooks: string[],
  env: Record<string, string>,
): Promise<NotebookServer> {
  installKernel();
  const root = scratchProject(projectRoot, notebooks);
  const token = randomBytes(16).toString('hex');
  return serveJupyter({
    name: 'jupyter-notebook',
    command: 'jupyter-notebook',
    args: (port) => [
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${root}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI runs as root
    ],
    root,
    env: {
      ...env,
      JUPYTER_PATH: KERNELS,
      JUPYTER_CONFIG_DIR: path.join(root, '.config'),
      JUPYTER_RUNTIME_DIR: path.join(root, '.runtime'),
    },
    token,
    removeRoot: true,
  });
}
