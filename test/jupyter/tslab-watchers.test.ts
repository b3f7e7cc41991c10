// tslab's type checker watches the files cells import, and a watcher firing while a rebuild is pending
// throws "Unexpected pending rebuildTimer" out of tslab (a training loop failed of it in the JupyterLab
// test; a kernel died of it). The kernel's TypeScript gets watchers that never fire (lib/jupyter/kernel-hooks.ts).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quietTslabWatchers } from '../../lib/jupyter/kernel-hooks';
import { ROOT } from '../../lib/paths';
import { tempDir } from '../support/tmp';

const TSLAB = path.join(ROOT, 'node_modules', 'tslab');
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [TSLAB] })) as {
  sys: Record<string, unknown>;
};
const { createConverter } = require(path.join(TSLAB, 'dist', 'converter.js')) as {
  createConverter(): { convert(prev: string, src: string): { diagnostics: unknown[] }; close(): void };
};

/** The file-system watches tslab's type checker starts while it checks a cell that imports a module. */
function watchesForACell(): number {
  const dir = tempDir('gan-tslab-watch-');
  fs.writeFileSync(path.join(dir, 'm.d.ts'), 'export declare const a: number;\n');
  fs.writeFileSync(path.join(dir, 'm.js'), 'exports.a = 1;\n');
  const cwd = process.cwd();
  // node's own module object (TypeScript reads it through require too), counted
  const nodeFs = require('node:fs') as Record<'watch' | 'watchFile', (...args: unknown[]) => unknown>;
  const { watch, watchFile } = nodeFs;
  let watches = 0;
  nodeFs.watch = (...args) => (watches++, watch(...args));
  nodeFs.watchFile = (...args) => (watches++, watchFile(...args));
  process.chdir(dir);
  const converter = createConverter();
  try {
    const out = converter.convert('', `import { a } from ${JSON.stringify(path.join(dir, 'm'))}; const b: number = a;`);
    expect(out.diagnostics, JSON.stringify(out.diagnostics).slice(0, 300)).to.deep.equal([]);
    return watches;
  } finally {
    converter.close();
    process.chdir(cwd);
    Object.assign(nodeFs, { watch, watchFile });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("tslab's type checker in the kernel: no watcher that can fire (issue 20)", () => {
  const original = { watchFile: ts.sys.watchFile, watchDirectory: ts.sys.watchDirectory };
  after(() => Object.assign(ts.sys, original));

  it('tslab as shipped watches the imported files; with quietTslabWatchers it watches none', function () {
    this.timeout(60_000);
    expect(watchesForACell(), 'tslab as shipped').to.be.greaterThan(0);
    expect(quietTslabWatchers(ts)).to.equal(true);
    expect(watchesForACell(), 'quiet').to.equal(0);
  });
});
