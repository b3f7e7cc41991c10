// What the notebook's first cell (`import * as gan from '../dist/lib'`) loads: TensorFlow.js and the seminar,
// not the TypeScript compiler nor the grader (they load when a check cell runs), and tslab is patched only
// inside a running tslab cell. Each case is a fresh Node process: require's cache is what is measured.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../../lib/paths';

const LIB = path.join(ROOT, 'dist', 'lib');

/** Runs `script` (with `lib` = the compiled lib's path) in a fresh Node; returns what it printed as JSON. */
function probe(script: string): any {
  const r = spawnSync(process.execPath, ['-e', `const lib = ${JSON.stringify(LIB)};\n${script}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** The packages (or, for the project, dist/lib/<folder>) of the modules in require's cache. */
const LOADED = `const loaded = () => [...new Set(Object.keys(require.cache).map((f) => {
  const m = f.match(/node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/);
  return m ? m[1] : f.startsWith(lib) ? 'lib/' + f.slice(lib.length + 1).split(/[\\\\/]/)[0] : f;
}))];`;

describe("toolchain: the notebook's import stays light", () => {
  it('requiring dist/lib loads neither TypeScript nor the grader (chai, ajv)', () => {
    const loaded: string[] = probe(`${LOADED} require(lib); console.log(JSON.stringify(loaded()));`);
    expect(loaded).to.include('@tensorflow/tfjs-core'); // the probe sees what the lib loads
    expect(
      loaded.filter((m) => ['typescript', 'chai', 'ajv', 'lib/grader', 'lib/release', 'lib/cli'].includes(m)),
    ).to.deep.equal([]);
  });

  it('the self-check still works: the grader loads on its first call', () => {
    const out = probe(`${LOADED} const gan = require(lib); const before = loaded().includes('lib/grader');
      const table = gan.formatSelfCheck('train_disc', []);
      console.log(JSON.stringify({ before, after: loaded().includes('lib/grader'), table }));`);
    expect(out.before).to.equal(false);
    expect(out.after).to.equal(true);
    expect(out.table).to.match(/trainDisc/);
  });

  it("tslab's prototypes stay as they are unless a tslab cell is running", () => {
    const read = `const j = require('tslab/dist/jupyter');
      const same = (h, s) => j.JupyterHandlerImpl.prototype.handleExecuteImpl === h && j.ZmqServer.prototype.handleExecute === s;
      const h = j.JupyterHandlerImpl.prototype.handleExecuteImpl, s = j.ZmqServer.prototype.handleExecute;`;
    const outside = probe(`${read} require(lib); console.log(JSON.stringify(same(h, s)));`);
    expect(outside, 'tslab loaded, no cell running (a test, a tool)').to.equal(true);
    const inCell = probe(
      `${read} j.lastWriteDisplayData = () => {}; require(lib); console.log(JSON.stringify(same(h, s)));`,
    );
    expect(inCell, 'inside a running cell the kernel hooks go on').to.equal(false);
  });
});
