// An environment no step can tell apart (#21): the global names a graded cell sees in the sandbox child,
// in tslab and in Deno's kernel, compared; they may differ only in names lib/grader/sandbox/environment.ts
// lists with a reason. Also: what the child offers works like the kernel's (timers fire), and what it
// stands in for throws when used.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gradeNotebook } from '../../lib/grader';
import { CHILD_ONLY, DENO_ONLY_REASON, STAND_INS } from '../../lib/grader/sandbox/environment';
import { fixtureFile } from '../support/fixtures';
import { ROOT, executeNotebook, requireJupyter } from '../support/jupyter';
import { tempDir } from '../support/tmp';

const PROBE = "console.log('NAMES' + JSON.stringify(Object.getOwnPropertyNames(globalThis).sort()));";
const namesIn = (text: string): string[] => {
  const m = /NAMES(\[[^\n]*\])/.exec(text);
  if (!m) throw new Error(`no NAMES line in:\n${text.slice(0, 2000)}`);
  return JSON.parse(m[1]) as string[];
};

/** The global names a cell sees in the grader's child: the reference notebook with the probe as a scratch cell above the exercises. */
async function childNames(extra = ''): Promise<{ names: string[]; output: string }> {
  const nb = JSON.parse(fs.readFileSync(fixtureFile('reference'), 'utf8'));
  nb.cells.splice(1, 0, { cell_type: 'code', source: PROBE + extra, metadata: {}, outputs: [], execution_count: null });
  const file = path.join(tempDir('gan-env-'), 'probe.ipynb');
  fs.writeFileSync(file, JSON.stringify(nb));
  const r = await gradeNotebook(file, { secret: 'environment' });
  return { names: namesIn(r.output), output: r.output };
}

/** The global names a cell sees in a kernel (after the notebook's imports). */
function kernelNames(kernel: 'tslab' | 'deno'): string[] {
  const file = path.join(ROOT, 'notebooks', `__environment_${kernel}_${process.pid}.ipynb`);
  const lib = kernel === 'deno' ? '../dist/lib/index.js' : '../dist/lib';
  const cells = [`import * as tf from '@tensorflow/tfjs';\nimport * as gan from '${lib}';`, PROBE];
  fs.writeFileSync(
    file,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
    }),
  );
  try {
    const out = executeNotebook(file, { kernel, timeoutSeconds: 300 });
    return namesIn(JSON.stringify(out.cells[1].outputs).replace(/\\n/g, '\n').replace(/\\"/g, '"'));
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const minus = (a: string[], b: string[]) => a.filter((n) => !b.includes(n));
let tslabCache: string[] | undefined;
const tslabNames = () => (tslabCache ??= kernelNames('tslab'));

describe('the graded cells see what a kernel offers', function () {
  this.timeout(900_000);
  let child: string[];
  before(async () => {
    child = (await childNames()).names;
  });

  it('timers and the shared web APIs work in the child; a stand-in throws with its reason', async () => {
    const probe = `
setTimeout(() => console.log('TIMER fired'), 1);
await new Promise((resolve) => setTimeout(resolve, 20));
console.log('ENCODED ' + new TextEncoder().encode('é').length + ' ' + typeof structuredClone + ' ' + typeof queueMicrotask);
try { (process as any).exit(0); } catch (e) { console.log('STANDIN ' + (e as Error).message); }
console.log('TYPES ' + typeof process + ' ' + typeof fetch + ' ' + typeof Buffer);`;
    const { output } = await childNames(probe);
    expect(output).to.contain('TIMER fired');
    expect(output).to.contain('ENCODED 2 function function');
    expect(output).to.match(/STANDIN process is not available to graded cells \(the host's process/);
    expect(output).to.contain('TYPES object function function');
  });

  it('tslab: the same global names, but those listed with a reason', function () {
    requireJupyter(this);
    const tslab = tslabNames();
    expect(minus(tslab, child), 'names tslab offers that the child lacks').to.deep.equal([]);
    expect(
      minus(child, tslab).filter((n) => !(n in CHILD_ONLY)),
      'names only the child has, without a reason in CHILD_ONLY',
    ).to.deep.equal([]);
    for (const n of Object.keys(STAND_INS).filter((x) => tslab.includes(x))) expect(child, n).to.include(n);
  });

  it('Deno: the same global names, but those listed with a reason', function () {
    requireJupyter(this);
    const deno = kernelNames('deno');
    const onlyDeno = minus(deno, child);
    // every one of them is Deno's own or a browser API Node lacks (the reason in DENO_ONLY_REASON)
    expect(DENO_ONLY_REASON).to.be.a('string');
    expect(
      onlyDeno.filter((n) => tslabNames().includes(n)),
      'names Deno and tslab have that the child lacks',
    ).to.deep.equal([]);
    expect(onlyDeno, 'Deno-only names').to.include.members(['Deno']);
    const onlyChild = minus(child, deno).filter((n) => !(n in CHILD_ONLY) && !(n in STAND_INS));
    expect(onlyChild, 'names only the child has, without a reason').to.deep.equal([]);
  });
});
