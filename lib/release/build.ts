// Compiling a copied project (the student bundle, the autograder zip) with the instructor's own
// toolchain: node_modules is linked in for the build only, so nothing is downloaded.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Runs `tsc -p <dir>` with `root`'s TypeScript and node_modules; throws with the compiler's output. */
export function buildProject(root: string, dir: string, what = 'the copied project'): void {
  const link = path.join(dir, 'node_modules');
  const linked = !fs.existsSync(link);
  if (linked) fs.symlinkSync(path.join(root, 'node_modules'), link, 'dir');
  try {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    execFileSync(process.execPath, [tsc, '-p', dir], { stdio: 'pipe', encoding: 'utf8' });
  } catch (err) {
    const out =
      err && typeof err === 'object' && 'stdout' in err ? String((err as { stdout: unknown }).stdout) : String(err);
    throw new Error(`${what} does not compile on its own:\n${out.slice(0, 4000)}`);
  } finally {
    if (linked) fs.unlinkSync(link);
  }
}
