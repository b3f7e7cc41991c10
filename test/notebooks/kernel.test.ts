// The notebook in a live tslab kernel, driven like a student drives it (test/notebooks/live_kernel.py,
// jupyter_client): Kernel > Interrupt during training three times then the self-checks; Run All; cells run
// before their prerequisites. And the tables the kernel hooks rely on, checked against the notebook.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { DEFINING_CELLS, missingCellHint } from '../../lib/jupyter/prerequisites';
import { INTERRUPT_NOTE, NOT_PRELOADED_NOTE } from '../../lib/jupyter/kernel-hooks';
import { tempDir } from '../support/tmp';
import {
  KERNELS,
  NOTEBOOK,
  ROOT,
  jupyterPython,
  readNotebook,
  requireJupyter,
  seminarCell,
  sourceOf,
} from '../support/jupyter';

interface Collected {
  status: string | null;
  text: string;
}

function drive<T>(scenario: string, env: Record<string, string>, ...args: string[]): T {
  const r = spawnSync(
    jupyterPython(),
    [path.join(ROOT, 'test', 'notebooks', 'live_kernel.py'), NOTEBOOK, scenario, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: KERNELS, GAN_SOLUTIONS: '', GAN_ITERATIONS: '', ...env },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0)
    throw new Error(`live_kernel.py ${scenario} failed (exit ${r.status}):\n${(r.stderr || '').slice(-3000)}`);
  return JSON.parse(r.stdout) as T;
}

/** No stack frames (TF.js's, vm's, tslab's) in what the student sees. */
const NO_FRAMES = /^\s+at |tf-core|node:vm|tslab[\\/]dist/m;

describe('the notebook in a live tslab kernel (jupyter_client)', function () {
  before(function () {
    requireJupyter(this);
    const r = spawnSync(jupyterPython(), ['-c', 'import jupyter_client'], { encoding: 'utf8' });
    if (r.status !== 0) {
      if (process.env.CI) throw new Error('jupyter_client is missing in CI: apt-get install -y python3-jupyter-client');
      console.warn('      skipped: jupyter_client is missing (Debian: apt-get install -y python3-jupyter-client)');
      this.skip();
    }
  });

  describe('Kernel > Interrupt during training, three times, then both self-checks (solution mode)', function () {
    let log: {
      setup: Collected[];
      runs: (Collected & { updates: number; stopSeconds: number })[];
      checks: Collected[];
      engine: Collected;
    };
    before(function () {
      this.timeout(900_000);
      log = drive('interrupts', { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '100000' });
    });

    it('the cells before the loop run cleanly', () => {
      log.setup.forEach((c) => expect(c.status, c.text).to.equal('ok'));
    });

    it('each interrupt stops training within seconds, mid-run, with one line saying how to carry on', () => {
      expect(log.runs).to.have.length(3);
      for (const run of log.runs) {
        expect(run.status, run.text).to.equal('error'); // an interrupted cell is a failed request
        expect(run.updates).to.be.at.least(2);
        expect(run.stopSeconds).to.be.below(10);
        expect(run.text).to.contain(INTERRUPT_NOTE).and.not.match(NO_FRAMES);
        expect(run.text).to.not.match(/Cannot find a connection|could not run/);
      }
    });

    it('each re-run continues the iteration count of the weights (not from 1)', () => {
      const firstIteration = (t: string) => Number(/GAN training: iteration (\d+) of/.exec(t)?.[1]);
      const lastIteration = (t: string) =>
        Math.max(...[...t.matchAll(/GAN training: iteration (\d+) of/g)].map((m) => Number(m[1])));
      expect(firstIteration(log.runs[0].text)).to.equal(1);
      for (const k of [1, 2]) {
        expect(firstIteration(log.runs[k].text), log.runs[k].text.slice(0, 400)).to.be.greaterThan(
          lastIteration(log.runs[k - 1].text),
        );
      }
    });

    it('both self-checks then pass; TF.js is clean afterwards', () => {
      for (const [k, fn] of ['trainDisc', 'trainGen'].entries()) {
        const c = log.checks[k];
        expect(c.status, c.text).to.equal('ok');
        expect(c.text, c.text).to.contain(`${fn} self-check: 10/10 points`).and.contain('All checks pass');
        expect(c.text).to.not.contain('could not run');
      }
      expect(JSON.parse(log.engine.text.trim())).to.include({ clean: true });
    });
  });

  describe('Run All (solution mode, 600 iterations)', function () {
    type Event = { t: number; cell: string; type: string; state?: string; status?: string };
    let events: Event[] = [];
    let order: string[] = [];
    before(function () {
      this.timeout(900_000);
      ({ events, order } = drive<{ events: Event[]; order: string[] }>('run-all', {
        GAN_SOLUTIONS: '1',
        GAN_ITERATIONS: '600',
      }));
    });

    it('every cell replies ok, in order, and its reply comes before the next cell prints anything', () => {
      const replies = events.filter((e) => e.type === 'execute_reply');
      expect(replies.map((e) => e.cell)).to.deep.equal(order);
      replies.forEach((e) => expect(e.status, e.cell).to.equal('ok'));
      for (let k = 0; k + 1 < order.length; k++) {
        const reply = replies[k].t;
        const nextOutput = events.find((e) => e.cell === order[k + 1] && e.type !== 'status');
        if (nextOutput)
          expect(nextOutput.t, `${order[k + 1]} printed before ${order[k]} replied`).to.be.at.least(reply);
      }
    });

    it('the kernel shows busy while the loop trains: the last status before its first picture is its own "busy"', () => {
      const firstPicture = events.findIndex((e) => e.cell === 'training_loop' && e.type === 'display_data');
      expect(firstPicture).to.be.greaterThan(0);
      const lastStatus = events
        .slice(0, firstPicture)
        .filter((e) => e.type === 'status')
        .pop();
      expect(lastStatus).to.include({ cell: 'training_loop', state: 'busy' });
    });
  });

  describe('many short runs sent at once (solution mode, 300 iterations each)', function () {
    type Request = { kind: string; expectLines: number; lines: number; idle: boolean; reply: string | null };
    let result: { requests: Request[]; alive: boolean };
    before(function () {
      this.timeout(900_000);
      result = drive('stress', { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '300' });
    });

    // zeromq 6 defers every 513th send in a row and throws EBUSY at the next one (lib/jupyter/kernel-hooks.ts)
    it('the kernel lives; every request replies ok and ends with its "idle"', () => {
      expect(result.alive).to.equal(true);
      result.requests.forEach((r, k) => {
        expect(r.reply, `request ${k} (${r.kind})`).to.equal('ok');
        expect(r.idle, `request ${k} (${r.kind}): no "idle" status`).to.equal(true);
      });
    });

    it('no output is lost: each printing cell delivers every line', () => {
      const printing = result.requests.filter((r) => r.kind === 'print');
      expect(printing.reduce((a, r) => a + r.expectLines, 0)).to.be.greaterThan(2000);
      printing.forEach((r, k) => expect(r.lines, `printing cell ${k}`).to.equal(r.expectLines));
    });
  });

  describe("the exercises typed as the markdown writes them (tslab's TypeScript 5.0)", function () {
    const nb = readNotebook(NOTEBOOK);
    const disc = sourceOf(seminarCell(nb, 'train_disc'))
      .replace("TODO('sample noise')", 'sampleNoise(batchSize)')
      .replace("TODO('generate data given noise')", 'gen(noise)')
      .replace("TODO('compute logp for 0th')", 'tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1])');
    const gen = sourceOf(seminarCell(nb, 'train_gen'))
      .replace("TODO('sample noise')", 'sampleNoise(batchSize)')
      .replace("TODO('generate data given noise')", 'gen(noise)')
      .replace("TODO('compute logp gen is REAL')", 'tf.logSoftmax(disc(genData)).slice([0, IS_REAL], [-1, 1])');
    const discWith = (loss: string) => disc.replace("TODO('compute loss')", loss);
    const genWith = (loss: string) => gen.replace("TODO('generator loss')", loss);
    /** −mean(log p(real | x) + log p(fake | G(z))), in the forms students write it. */
    const DISC_FORMS = [
      'tf.neg(tf.mean(tf.add(logpRealIsReal, logpGenIsFake)))',
      'tf.add(logpRealIsReal, logpGenIsFake).mean().neg()',
      'tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)))',
      'tf.mean(logpRealIsReal.add(logpGenIsFake)).mul(-1)',
      'tf.neg(tf.add(tf.mean(logpRealIsReal), tf.mean(logpGenIsFake)))',
      'tf.mean(logpRealIsReal).add(tf.mean(logpGenIsFake)).neg()',
    ];
    const GEN_FORMS = [
      'tf.neg(tf.mean(logpGenIsReal))',
      'logpGenIsReal.mean().neg()',
      'tf.mean(logpGenIsReal).mul(-1)',
    ];
    const MINUS = '-tf.mean(tf.add(logpRealIsReal, logpGenIsFake))';
    const steps: { name: string; step: { cell: string } | { source: string } }[] = [
      { name: 'samplers', step: { cell: 'samplers' } },
      { name: 'models', step: { cell: 'models' } },
      ...DISC_FORMS.map((f) => ({ name: `disc ${f}`, step: { source: discWith(f) } })),
      ...GEN_FORMS.map((f) => ({ name: `gen ${f}`, step: { source: genWith(f) } })),
      { name: 'check after forms', step: { cell: 'check_train_disc' } },
      { name: 'minus', step: { source: discWith(MINUS) } },
      { name: 'check after minus', step: { cell: 'check_train_disc' } },
      { name: 'times', step: { source: discWith('logpRealIsReal * logpGenIsFake') } },
      { name: 'fixed', step: { source: discWith(DISC_FORMS[0]) } },
      { name: 'check disc', step: { cell: 'check_train_disc' } },
      { name: 'check gen', step: { cell: 'check_train_gen' } },
    ];
    let out: Record<string, Collected> = {};
    before(function () {
      this.timeout(900_000);
      const file = path.join(tempDir('gan-seq-'), 'steps.json');
      fs.writeFileSync(file, JSON.stringify(steps.map((s) => s.step)));
      const got = drive<Collected[]>('sequence', {}, file);
      out = Object.fromEntries(steps.map((s, k) => [s.name, got[k]]));
    });

    it('every natural form of both losses compiles and runs', () => {
      for (const f of DISC_FORMS) expect(out[`disc ${f}`].status, out[`disc ${f}`].text).to.equal('ok');
      for (const f of GEN_FORMS) expect(out[`gen ${f}`].status, out[`gen ${f}`].text).to.equal('ok');
      expect(out['check after forms'].text).to.contain('trainDisc self-check: 10/10 points');
    });

    it("a type error shows the cell's line it names and what to write instead", () => {
      const minus = out.minus;
      expect(minus.status).to.equal('error');
      const line =
        discWith(MINUS)
          .split('\n')
          .findIndex((l) => l.includes(MINUS)) + 1;
      expect(minus.text).to.contain(`line ${line} │`).and.contain(MINUS);
      expect(minus.text).to.match(/`-` doesn't apply to tensors.*tf\.neg\(x\) or x\.neg\(\)/);
      expect(out.times.text).to.match(/`\+ - \* \/` don't apply to tensors: write tf\.add\(a, b\)/);
    });

    it('a self-check after a failed run of its exercise cell says so instead of grading the previous definition', () => {
      const check = out['check after minus'];
      expect(check.status).to.equal('ok');
      expect(check.text).to.match(
        /trainDisc self-check: not run — the last run of your trainDisc cell failed:\n.*Type 'number' is not assignable/,
      );
      expect(check.text).to.not.contain('points');
      expect(out.fixed.status, out.fixed.text).to.equal('ok');
      expect(out['check disc'].text).to.contain('trainDisc self-check: 10/10 points');
      expect(out['check gen'].text).to.contain('trainGen self-check: 10/10 points');
    });
  });

  describe('a kernel registered by `npx tslab install` (no preload)', function () {
    let out: Collected[] = [];
    before(function () {
      this.timeout(600_000);
      const prefix = tempDir('gan-plain-kernel-');
      const bin = path.join(ROOT, 'node_modules', '.bin');
      // what `npx tslab install` writes: argv ["tslab", "kernel", …], found on PATH
      const r = spawnSync(path.join(bin, 'tslab'), ['install', '--python', jupyterPython(), '--prefix', prefix], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`tslab install failed: ${r.stderr}`);
      const file = path.join(prefix, 'steps.json');
      fs.writeFileSync(file, JSON.stringify([{ cell: 'samplers' }, { cell: 'train_disc' }]));
      out = drive<Collected[]>(
        'sequence',
        { JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'), PATH: `${bin}${path.delimiter}${process.env.PATH}` },
        file,
      );
    });

    it('the first cell says once how to register the kernel with the hooks', () => {
      expect(out[0].status, out[0].text).to.equal('ok');
      expect(out[0].text).to.contain(NOT_PRELOADED_NOTE);
    });

    it('from the first cell on, a cell run before its prerequisites says which cell to run first', () => {
      expect(out[1].status).to.equal('error');
      expect(out[1].text.trim()).to.match(/^→ `disc`, `discOpt` are defined in the «Models» cell/);
    });
  });

  describe('a cell run before its prerequisites', function () {
    let result: { first: Collected; afterSamplers: Collected };
    before(function () {
      this.timeout(600_000);
      result = drive('prerequisites', {});
    });

    it('says which cell to run first, instead of TypeScript\'s "Cannot find name"', () => {
      expect(result.first.status).to.equal('error');
      expect(result.first.text.trim()).to.match(
        /^→ .*`gan`.* defined in the first code cell .*: run the cells above this one first/,
      );
      expect(result.first.text).to.not.contain('Cannot find name');
      expect(result.afterSamplers.text.trim()).to.match(/^→ `disc`, `discOpt` are defined in the «Models» cell/);
    });
  });

  describe('the tables behind the hints', () => {
    const nb = readNotebook(NOTEBOOK);
    it('each name is declared in the cell the hint names', () => {
      for (const c of DEFINING_CELLS) {
        const src = sourceOf(seminarCell(nb, c.cell));
        for (const n of c.names) {
          expect(src, `${n} in ${c.cell}`).to.match(
            new RegExp(`(const|function|import \\* as|let)\\s+(\\{[^}]*\\b${n}\\b[^}]*\\}|${n}\\b)`),
          );
        }
      }
    });

    it('the hint names the earliest missing cell and keeps quiet about other errors', () => {
      expect(missingCellHint("3:1 - Cannot find name 'trainGen'.\n1:1 - Cannot find name 'disc'.")).to.match(
        /«Models» cell/,
      );
      expect(missingCellHint("1:1 - Type 'string' is not assignable to type 'number'.")).to.equal(null);
      expect(missingCellHint("1:1 - Cannot find name 'foo'.")).to.equal(null);
    });

    it("a self-check whose exercise cell's first run failed says to fix that cell, not to run the cells above", () => {
      const failed = (name: string) =>
        name === 'trainDisc'
          ? { ok: false, error: "17:19 - Type 'number' is not assignable to type 'Tensor'." }
          : undefined;
      const hint = missingCellHint("2:68 - Cannot find name 'trainDisc'.", failed);
      expect(hint).to.match(/`trainDisc` is not defined: the last run of the Exercise 1 cell \(trainDisc\) failed/);
      expect(hint).to.contain("17:19 - Type 'number'").and.contain('Fix that cell').and.not.contain('Run All Above');
      // never run (no record): the cells above are what is missing
      expect(missingCellHint("2:68 - Cannot find name 'trainDisc'.", () => undefined)).to.contain('Run All Above');
    });
  });
});
