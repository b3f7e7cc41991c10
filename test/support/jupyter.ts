// Running notebooks headless with the project's own kernels (tslab, deno; registered into the project-local
// prefix .jupyter/ by lib/jupyter/kernels.ts) with `jupyter nbconvert --execute`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNELS, KernelName, installKernels, jupyterPython } from '../../lib/jupyter/kernels';
import { tempDir } from './tmp';

export { KERNELS, KernelName, PREFIX, ROOT, jupyterPython } from '../../lib/jupyter/kernels';
export { NOTEBOOK_FILE as NOTEBOOK } from '../../lib/paths';

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

/** Registers both project kernels (tslab, deno) under .jupyter/; returns tslab's kernel.json. */
export function installKernel(python = jupyterPython()): string {
  return installKernels(python).tslab;
}

export interface ExecuteOptions {
  env?: Record<string, string>;
  allowErrors?: boolean;
  timeoutSeconds?: number;
  /** The kernel to run it on (default tslab, the notebook's own). */
  kernel?: KernelName;
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
    'nbconvert',
    '--to',
    'notebook',
    '--execute',
    file,
    '--output',
    out,
    `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 600}`,
    `--ExecutePreprocessor.kernel_name=${options.kernel ?? 'tslab'}`,
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
