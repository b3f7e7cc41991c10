// The project's two Jupyter kernels, registered inside the project (.jupyter/, no root, no home-directory
// changes): "tslab" (node_modules/.bin/tslab) and "deno" (Deno's own kernel, `deno jupyter`, from the
// pinned `deno` npm package). Jupyter finds them with JUPYTER_PATH=<project>/.jupyter/share/jupyter.
//
//   npm run kernel:install              (node dist/lib/jupyter/kernels.js install [python])
//   npm run kernel:install -- --user    for the user instead (JupyterLab without JUPYTER_PATH, VS Code)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from '../paths';

export { ROOT };
export const PREFIX = path.join(ROOT, '.jupyter');
/** What JUPYTER_PATH must hold for Jupyter to see the kernels. */
export const KERNELS = path.join(PREFIX, 'share', 'jupyter');

export type KernelName = 'tslab' | 'deno';
export const KERNEL_NAMES: readonly KernelName[] = ['tslab', 'deno'];

export function kernelSpecFile(name: KernelName): string {
  return path.join(KERNELS, 'kernels', name, 'kernel.json');
}

/** The Python that runs `jupyter` (its shebang): the one whose packages (nbformat, ipykernel) Jupyter uses. */
export function jupyterPython(): string {
  const which = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const shebang = which ? fs.readFileSync(which, 'utf8').split('\n')[0] : '';
  const m = shebang.match(/^#!\s*(\S+python[\d.]*)\s*$/);
  return m ? m[1] : 'python3';
}

/** The user's Jupyter data folder (`jupyter --data-dir`), where `--user` installs go (VS Code looks there). */
export function userDataDir(): string {
  const r = spawnSync('jupyter', ['--data-dir'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error('`jupyter --data-dir` failed: is Jupyter installed?');
  return r.stdout.trim();
}

/** The preload that makes tslab order Run All and recover after interrupts (lib/jupyter/kernel-hooks.ts). */
export const KERNEL_PRELOAD = path.join(ROOT, 'dist', 'lib', 'jupyter', 'kernel-preload.js');

/**
 * Registers the project's tslab (node_modules/.bin/tslab) as kernel "tslab" under .jupyter/ (or for the
 * user: `dataDir`), started as `node --require <KERNEL_PRELOAD> tslab kernel …` (a --require in argv, not
 * NODE_OPTIONS, so processes the kernel starts do not inherit it).
 */
export function installTslabKernel(python = jupyterPython(), dataDir?: string): string {
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  const spec = dataDir ? path.join(dataDir, 'kernels', 'tslab', 'kernel.json') : kernelSpecFile('tslab');
  if (fs.existsSync(spec) && fs.readFileSync(spec, 'utf8').includes(KERNEL_PRELOAD)) return spec;
  if (!fs.existsSync(tslab)) throw new Error(`${tslab} is missing: run \`npm install\` in ${ROOT} first`);
  // tslab's installer writes its kernelspec into a scratch prefix, this one into place whole (writeWhole):
  // a kernel starting meanwhile, or another process registering it too (npm test's two workers), never
  // reads tslab's own argv or half a file. (It also registers "jslab", tslab's plain-JavaScript kernel,
  // which this notebook does not use: the scratch prefix keeps it; --user installs keep one found there.)
  const scratch = dataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gan-tslab-kernel-'));
  const written = scratch ? path.join(scratch, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json') : spec;
  const jslab = path.join(path.dirname(path.dirname(spec)), 'jslab');
  const hadJslab = fs.existsSync(jslab);
  try {
    const where = scratch ? ['--prefix', scratch] : ['--user'];
    execFileSync(tslab, ['install', '--python', python, '--binary', tslab, ...where], { stdio: 'pipe' });
    if (!scratch && !hadJslab) fs.rmSync(jslab, { recursive: true, force: true });
    const kernel = JSON.parse(fs.readFileSync(written, 'utf8')) as { argv: string[] };
    if (kernel.argv[0] !== tslab)
      throw new Error(`tslab install wrote an unexpected kernelspec: ${JSON.stringify(kernel.argv)}`);
    kernel.argv = [process.execPath, '--require', KERNEL_PRELOAD, fs.realpathSync(tslab), ...kernel.argv.slice(1)];
    writeWhole(spec, `${JSON.stringify(kernel, null, 1)}\n`);
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
  return spec;
}

/** Writes `file` by a rename from a file of this process's own: readers see the old file or the whole new one. */
function writeWhole(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.${process.pid}.part`;
  fs.writeFileSync(part, text);
  fs.renameSync(part, file);
}

/**
 * The Deno executable of the pinned `deno` npm package. Its postinstall links the platform binary to
 * node_modules/deno/deno; `runInstall()` (the package's own installer) does it now when install scripts
 * were skipped. The real binary, not the bin.cjs wrapper: Jupyter interrupts a kernel with SIGINT, which
 * a wrapper would not pass on.
 */
export function denoBinary(): string {
  try {
    const api = require(require.resolve('deno/install_api.cjs', { paths: [ROOT] })) as { runInstall(): string };
    return api.runInstall();
  } catch (err) {
    throw new Error(
      `Deno is not installed in ${ROOT} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): ` +
        'run `npm install` (deno is a devDependency), or install Deno 2.x and use `deno jupyter --install`',
    );
  }
}

/** The Deno kernelspec's shell: $0 deno, $1 the connection file, $2 node, $3 the guard (see denoKernelSpec). */
export const DENO_LAUNCH =
  'trap \'\' INT; "$2" "$3" "$1" >/dev/null 2>&1 & i=0; ' +
  'while [ ! -e "$1.guard" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done; rm -f "$1.guard"; ' +
  'exec "$0" jupyter --kernel --conn "$1"';

/** Sent to a new Deno kernel: a name used before its cell ran says which cell defines it (lib/jupyter/deno-guard.ts). */
export const DENO_GUARD = path.join(ROOT, 'dist', 'lib', 'jupyter', 'deno-guard.js');

/**
 * Deno's kernelspec. Kernel > Interrupt sends SIGINT (interrupt_mode "signal", Jupyter's default), which
 * the lib's helper thread turns into a one-line stop at a safe point (lib/jupyter/deno-worker.ts): Deno's
 * own interrupt (interrupt_mode "message": V8 terminate_execution) hangs a cell that awaits. SIGINT kills
 * a Deno process that does not listen for it, so on POSIX the kernel starts with SIGINT ignored (`trap ''
 * INT`, inherited through exec) until the helper listens; Windows has no SIGINT to send: Deno's own
 * interrupt there, as `deno jupyter --install` writes it plus interrupt_mode "message".
 */
export function denoKernelSpec(
  deno: string,
  platform: NodeJS.Platform = process.platform,
  node = process.execPath,
  guard = DENO_GUARD,
): Record<string, unknown> {
  const metadata = { 'gan-seminar': 'written by npm run kernel:install (lib/jupyter/kernels.ts)' };
  if (platform === 'win32') {
    return {
      argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'],
      display_name: 'Deno',
      language: 'typescript',
      interrupt_mode: 'message',
      metadata,
    };
  }
  return {
    // beside the kernel (in its process group): the guard that makes a cell run too early say which cell to run.
    // Deno starts once the guard is up and polling (its ready file, at most 5 s), so the guard's request
    // reaches the new kernel before any cell a front end can send after its kernel_info round trip
    argv: ['/bin/sh', '-c', DENO_LAUNCH, deno, '{connection_file}', node, guard],
    display_name: 'Deno',
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata,
  };
}

/** Registers the project's Deno as kernel "deno" under .jupyter/ (or for the user: `dataDir`). */
export function installDenoKernel(deno = denoBinary(), dataDir?: string): string {
  const spec = dataDir ? path.join(dataDir, 'kernels', 'deno', 'kernel.json') : kernelSpecFile('deno');
  const text = `${JSON.stringify(denoKernelSpec(deno), null, 2)}\n`;
  if (fs.existsSync(spec) && fs.readFileSync(spec, 'utf8') === text) return spec;
  writeWhole(spec, text);
  return spec;
}

/** Both kernels (project-local, or for the user with `user`); returns their kernel.json files. */
export function installKernels(python = jupyterPython(), user = false): Record<KernelName, string> {
  const dataDir = user ? userDataDir() : undefined;
  return { tslab: installTslabKernel(python, dataDir), deno: installDenoKernel(denoBinary(), dataDir) };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const user = args.includes('--user');
  const [command, python] = args.filter((a) => a !== '--user');
  if (command !== 'install') {
    console.error('usage: node dist/lib/jupyter/kernels.js install [--user] [python]');
    process.exit(2);
  }
  try {
    const specs = installKernels(python, user);
    for (const name of KERNEL_NAMES) console.log(`${name} kernel registered: ${specs[name]}`);
    if (!user) console.log(`Use them with JUPYTER_PATH=${KERNELS} (e.g. JUPYTER_PATH=${KERNELS} jupyter lab)`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
