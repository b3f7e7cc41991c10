// Running notebooks headless with the project's own tslab kernel: register the kernelspec into a
// project-local prefix (.jupyter/, no root needed) and execute with `jupyter nbconvert --execute`.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './tmp';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const NOTEBOOK = path.join(ROOT, 'notebooks', 'gan_1d.ipynb');
export const PREFIX = path.join(ROOT, '.jupyter');
export const KERNELS = path.join(PREFIX, 'share', 'jupyter');

export const INSTALL_HINT =
  'Jupyter is needed for this test. On Debian/Ubuntu: `sudo apt-get install -y jupyter-nbconvert ' +
  'python3-nbclient python3-ipykernel` (add `jupyter-notebook` for the browser tests); elsewhere: ' +
  '`pip install nbconvert nbclient ipykernel`. Then run `npm run kernel:install`.';

/** True when `jupyter nbconvert` runs here. */
export function jupyterAvailable(): boolean {
  const r = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * For a mocha `before`: in CI a missing Jupyter is a failure (never a silent skip); locally the
 * suite is skipped with the install instructions.
 */
export function requireJupyter(ctx: Mocha.Context): void {
  if (jupyterAvailable()) {
    installKernel();
    return;
  }
  if (process.env.CI) throw new Error(`jupyter nbconvert is missing in CI. ${INSTALL_HINT}`);
  console.warn(`      skipped: ${INSTALL_HINT}`);
  ctx.skip();
}

/** The Python that runs `jupyter` (its shebang): the one whose packages (nbformat, ipykernel) Jupyter uses. */
export function jupyterPython(): string {
  const which = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).stdout.trim();
  const shebang = which ? fs.readFileSync(which, 'utf8').split('\n')[0] : '';
  const m = shebang.match(/^#!\s*(\S+python[\d.]*)\s*$/);
  return m ? m[1] : 'python3';
}

/** The preload that makes tslab order Run All and recover after interrupts (lib/jupyter/kernel-hooks.ts). */
export const KERNEL_PRELOAD = path.join(ROOT, 'dist', 'lib', 'jupyter', 'kernel-preload.js');

/**
 * Registers the project's tslab (node_modules/.bin/tslab) as kernel "tslab" under .jupyter/, started as
 * `node --require <KERNEL_PRELOAD> tslab kernel …` (a --require in argv, not NODE_OPTIONS, so processes the
 * kernel starts do not inherit it).
 */
export function installKernel(python = jupyterPython()): string {
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  const spec = path.join(KERNELS, 'kernels', 'tslab', 'kernel.json');
  if (fs.existsSync(spec) && fs.readFileSync(spec, 'utf8').includes(KERNEL_PRELOAD)) return spec;
  execFileSync(tslab, ['install', '--python', python, '--binary', tslab, '--prefix', PREFIX], { stdio: 'pipe' });
  const kernel = JSON.parse(fs.readFileSync(spec, 'utf8')) as { argv: string[] };
  if (kernel.argv[0] !== tslab) throw new Error(`tslab install wrote an unexpected kernelspec: ${JSON.stringify(kernel.argv)}`);
  kernel.argv = ['node', '--require', KERNEL_PRELOAD, fs.realpathSync(tslab), ...kernel.argv.slice(1)];
  fs.writeFileSync(spec, `${JSON.stringify(kernel, null, 1)}\n`);
  return spec;
}

export interface ExecuteOptions {
  env?: Record<string, string>;
  allowErrors?: boolean;
  timeoutSeconds?: number;
}

export interface NotebookJson {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, any>;
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Output {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | 'update_display_data';
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export function readNotebook(file: string): NotebookJson {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookJson;
}

export function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

export function textOf(output: Output): string {
  const t = output.text ?? '';
  return Array.isArray(t) ? t.join('') : t;
}

/** Executes a notebook (a copy, in its own folder so `../dist/lib` resolves) and returns the result. */
export function executeNotebook(file: string, options: ExecuteOptions = {}): NotebookJson {
  installKernel();
  const out = path.join(tempDir('gan-nb-'), 'executed.ipynb');
  const args = [
    'nbconvert', '--to', 'notebook', '--execute', file,
    '--output', out,
    `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 600}`,
    '--ExecutePreprocessor.kernel_name=tslab',
  ];
  if (options.allowErrors) args.push('--allow-errors');
  const r = spawnSync('jupyter', args, {
    cwd: path.dirname(file),
    encoding: 'utf8',
    env: { ...process.env, JUPYTER_PATH: KERNELS, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`jupyter nbconvert --execute failed (exit ${r.status}):\n${(r.stderr || '').slice(-4000)}`);
  }
  return readNotebook(out);
}

/** Everything a code cell printed or raised, as text. */
export function cellText(cell: Cell): string {
  return (cell.outputs ?? [])
    .map((o) => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join('\n')}` : textOf(o)))
    .join('');
}

/** The cell whose metadata.seminar.cell is `name`. */
export function seminarCell(nb: NotebookJson, name: string): Cell {
  const cell = nb.cells.find((c) => c.metadata?.seminar?.cell === name);
  if (!cell) throw new Error(`notebook has no cell with metadata.seminar.cell = "${name}"`);
  return cell;
}

if (require.main === module && process.argv[2] === 'install') {
  const spec = installKernel(process.argv[3]);
  console.log(`tslab kernel registered: ${spec}\nUse it with JUPYTER_PATH=${KERNELS} (e.g. JUPYTER_PATH=${KERNELS} jupyter notebook)`);
}
