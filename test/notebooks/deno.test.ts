// The same notebook on Deno's Jupyter kernel (`deno jupyter`, the pinned devDependency): registered by
// npm run kernel:install next to tslab, run headless, and compared with tslab where the two can differ:
// student-mode errors, type errors (Deno does not type-check cells; the self-check does), interrupting
// the loop, the first cell's output, the saved metadata.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DENO_GUARD, DENO_LAUNCH, KERNEL_PRELOAD, kernelSpecFile } from '../../lib/jupyter/kernels';
import { INTERRUPT_NOTE } from '../../lib/jupyter/kernel-hooks';
import { TSLAB_METADATA, normalizeNotebookText } from '../../lib/jupyter/normalize';
import { VEGA_LITE_MIME } from '../../lib/dashboard/panels';
import { pngSize } from '../../lib/dashboard/render';
import { dashboardOutputs, vegaLiteSchemaErrors } from '../support/dashboard';
import {
  Cell,
  KERNELS,
  NOTEBOOK,
  NotebookJson,
  ROOT,
  cellText,
  executeNotebook,
  jupyterPython,
  readNotebook,
  requireJupyter,
  seminarCell,
  sourceOf,
} from '../support/jupyter';
import { tempDir } from '../support/tmp';

const problems = (cell: Cell) =>
  (cell.outputs ?? []).filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));

/** A variant of the notebook in a scratch folder inside the project (so `../dist/lib` and package.json apply). */
function variant(name: string, edit: (nb: NotebookJson) => void): string {
  const nb = readNotebook(NOTEBOOK);
  edit(nb);
  const file = path.join(tempDir('.test-notebooks-', ROOT), name);
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

function setSource(nb: NotebookJson, cell: string, change: (src: string) => string): void {
  const c = seminarCell(nb, cell);
  const before = sourceOf(c);
  c.source = change(before);
  if (c.source === before) throw new Error(`the edit changed nothing in cell ${cell}`);
}

describe("notebook on Deno's kernel (deno jupyter)", function () {
  before(function () {
    requireJupyter(this); // registers both kernels
  });

  it('npm run kernel:install registers tslab and deno under .jupyter/', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'jupyter', 'kernels.js'), 'install'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`JUPYTER_PATH=${KERNELS}`);
    const tslab = JSON.parse(fs.readFileSync(kernelSpecFile('tslab'), 'utf8'));
    // node, with the preload that orders Run All and recovers after interrupts, then tslab itself
    expect(tslab.argv.slice(0, 4)).to.deep.equal([
      process.execPath,
      '--require',
      KERNEL_PRELOAD,
      fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'tslab')),
    ]);
    const deno = JSON.parse(fs.readFileSync(kernelSpecFile('deno'), 'utf8'));
    // SIGINT ignored until the lib's helper listens (lib/jupyter/kernels.ts), then Deno itself
    // and beside it, node sending the guard for names used before their cell ran (lib/jupyter/deno-guard.ts)
    expect(deno.argv).to.deep.equal([
      '/bin/sh',
      '-c',
      DENO_LAUNCH,
      deno.argv[3],
      '{connection_file}',
      process.execPath,
      DENO_GUARD,
    ]);
    expect(deno).to.include({ language: 'typescript', interrupt_mode: 'signal' });
    const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.deno;
    const version = spawnSync(deno.argv[3], ['--version'], { encoding: 'utf8' });
    expect(version.stdout).to.match(new RegExp(`^deno ${pinned.replace(/\./g, '\\.')} `));
    // Jupyter itself lists both from the project's folder
    const list = spawnSync(
      jupyterPython(),
      ['-c', 'import json, jupyter_client.kernelspec as k; print(json.dumps(k.find_kernel_specs()))'],
      {
        encoding: 'utf8',
        env: { ...process.env, JUPYTER_PATH: KERNELS },
      },
    );
    expect(list.status, list.stderr).to.equal(0);
    const specs = JSON.parse(list.stdout);
    expect(specs.deno).to.equal(path.dirname(kernelSpecFile('deno')));
    expect(specs.tslab).to.equal(path.dirname(kernelSpecFile('tslab')));
  });

  describe('solution mode (GAN_SOLUTIONS=1 GAN_ITERATIONS=1000)', () => {
    let out: NotebookJson;
    before(function () {
      this.timeout(600000);
      out = executeNotebook(NOTEBOOK, { kernel: 'deno', env: { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '1000' } });
    });

    it('runs top to bottom with no error; the first cell keeps all its lines', () => {
      for (const cell of out.cells) expect(problems(cell), cellText(cell)).to.deep.equal([]);
      const first = cellText(seminarCell(out, 'samplers'));
      expect(first).to.match(/^Deno \d+\.\d+\.\d+ kernel: cells run without type-checking/);
      expect(first).to.match(/TensorFlow\.js .* on backend "(tensorflow|wasm|cpu)"/);
      expect(first.match(/^Tensor$/gm), 'both printed tensors').to.have.length(2);
    });

    it('shows one live dashboard output: Vega-Lite + PNG + text, at the last iteration', () => {
      const outputs = dashboardOutputs(out);
      expect(outputs).to.have.length(1);
      expect(outputs[0].output_type).to.equal('display_data');
      const data = outputs[0].data!;
      expect(Object.keys(data).sort()).to.deep.equal([VEGA_LITE_MIME, 'image/png', 'text/plain'].sort());
      const spec = data[VEGA_LITE_MIME] as { title: { text: string } };
      expect(vegaLiteSchemaErrors(spec)).to.deep.equal([]);
      expect(spec.title.text).to.equal('GAN training: iteration 1000 of 1000 (done)');
      expect(pngSize(Buffer.from(data['image/png'] as string, 'base64')).width).to.be.greaterThan(800);
      expect(data['text/plain']).to.match(/^GAN training: iteration 1000 of 1000 · D loss/);
    });

    it('both self-checks give 10/10', () => {
      expect(cellText(seminarCell(out, 'check_train_disc'))).to.contain('trainDisc self-check: 10/10 points');
      expect(cellText(seminarCell(out, 'check_train_gen'))).to.contain('trainGen self-check: 10/10 points');
    });

    it('a notebook saved from Deno normalises back to the committed file (npm run notebook:normalize)', () => {
      expect(out.metadata.language_info, 'Deno rewrites language_info').to.not.deep.equal(TSLAB_METADATA.language_info);
      expect(normalizeNotebookText(JSON.stringify(out))).to.equal(fs.readFileSync(NOTEBOOK, 'utf8'));
    });
  });

  describe('the same as tslab', () => {
    it('student mode: stops only at the training loop with the not-implemented message; the self-checks print the same', function () {
      this.timeout(600000);
      const run = (kernel: 'tslab' | 'deno') =>
        executeNotebook(NOTEBOOK, { kernel, env: { GAN_ITERATIONS: '1000' }, allowErrors: true });
      const [tslab, deno] = [run('tslab'), run('deno')];
      for (const nb of [tslab, deno]) {
        const failing = nb.cells.filter((c) => problems(c).length > 0).map((c) => c.metadata?.seminar?.cell);
        expect(failing).to.deep.equal(['training_loop']);
        // the message names the function (lib/seminar/todo.ts), on either kernel
        expect(cellText(seminarCell(nb, 'training_loop'))).to.contain(
          "trainDisc: TODO('sample noise') — not implemented: sample noise; replace TODO('sample noise')",
        );
      }
      // Deno shows an error's stack as its traceback: one line, no TF.js frames
      const [error] = problems(seminarCell(deno, 'training_loop'));
      expect(error.traceback, cellText(seminarCell(deno, 'training_loop'))).to.have.length(1);
      expect(error.traceback![0]).to.match(/^NotImplementedError: trainDisc: TODO\('sample noise'\)/);
      for (const check of ['check_train_disc', 'check_train_gen']) {
        const text = cellText(seminarCell(deno, check));
        expect(text).to.contain('self-check: 0/10 points').and.contain('not-implemented');
        expect(text).to.equal(cellText(seminarCell(tslab, check)));
      }
    });

    it("a type error: tslab refuses the cell, Deno's self-check shows the same error", function () {
      this.timeout(600000);
      const file = variant('type_error.ipynb', (nb) =>
        setSource(nb, 'train_disc', (s) =>
          s.replace("const noise: tf.Tensor2D = TODO('sample noise');", "const noise: tf.Tensor2D = sampleNoise('x');"),
        ),
      );
      const env = { GAN_ITERATIONS: '10' };
      const tslab = executeNotebook(file, { kernel: 'tslab', env, allowErrors: true });
      const tslabError = cellText(seminarCell(tslab, 'train_disc')).match(/^\d+:\d+ - .+$/m)?.[0];
      expect(tslabError).to.equal("13:46 - Argument of type 'string' is not assignable to parameter of type 'number'.");
      const deno = executeNotebook(file, { kernel: 'deno', env, allowErrors: true });
      const cell = seminarCell(deno, 'train_disc');
      expect(
        (cell.outputs ?? []).filter((o) => o.output_type === 'error'),
        'Deno runs the cell',
      ).to.deep.equal([]);
      // reported where the cell runs, too (not only at its self-check)
      expect(cellText(seminarCell(deno, 'train_disc')))
        .to.contain(`  ${tslabError}\n`)
        .and.contain('trainDisc: this cell does not type-check');
      const check = cellText(seminarCell(deno, 'check_train_disc'));
      expect(check).to.contain('trainDisc self-check: 0/10 points').and.contain('compile-error');
      expect(check).to.contain(`      ${tslabError}\n`);
      // the train_gen check type-checks both cells (as tslab sees them) but reports train_gen's own state
      expect(cellText(seminarCell(deno, 'check_train_gen')))
        .to.contain('not-implemented')
        .and.not.contain('compile-error');
    });

    it('interrupting the loop stops it and keeps the kernel with its variables', function () {
      this.timeout(600000);
      const run = (kernel: string) => {
        const r = spawnSync(jupyterPython(), [path.join(ROOT, 'test', 'support', 'interrupt.py'), kernel, NOTEBOOK], {
          encoding: 'utf8',
          env: { ...process.env, JUPYTER_PATH: KERNELS, GAN_SOLUTIONS: '1', GAN_ITERATIONS: '100000' },
          timeout: 300000,
        });
        expect(r.status, r.stderr.slice(-2000)).to.equal(0);
        const { secondsToStop, afterText, ...rest } = JSON.parse(r.stdout.trim().split('\n').pop()!);
        expect(secondsToStop).to.be.a('number');
        // tslab's kernel hooks (lib/jupyter/kernel-hooks.ts) may first say in one line that TF.js was reset
        const recovery = /^TF\.js was stopped in the middle of a step by the interrupt; [^\n]*\n/;
        return { ...rest, afterText: String(afterText).replace(recovery, '') };
      };
      const tslab = run('tslab');
      expect(tslab).to.deep.equal({
        kernel: 'tslab',
        interrupted: true,
        loopStatus: 'error',
        dashboardOutputs: 1,
        afterStatus: 'ok',
        afterText: 'after the interrupt: function function\n',
      });
      expect(run('deno')).to.deep.equal({ ...tslab, kernel: 'deno' });
    });
  });

  it("the first cell waits until its line is seen on the kernel's iopub, so early output is not dropped", function () {
    this.timeout(300000);
    // nbclient drops what arrives after a cell's idle status; a young Deno kernel's console output can.
    const cells = [
      "import * as deno from '../dist/lib/jupyter/deno.js';\nconst check = await deno.announceDenoKernel();\nconsole.log('cell 1');",
      ...[2, 3, 4, 5].map((i) => `console.log('cell ${i}');`),
      'console.log(JSON.stringify(check));',
    ];
    const nb: NotebookJson = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' } },
      cells: cells.map((source, i) => ({
        cell_type: 'code',
        id: `c${i}`,
        source,
        metadata: {},
        outputs: [],
        execution_count: null,
      })),
    };
    const file = path.join(tempDir('.test-notebooks-', ROOT), 'early.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    const out = executeNotebook(file, { kernel: 'deno' });
    const texts = out.cells.map(cellText);
    expect(texts[0]).to.match(/^Deno .* kernel: .*\ncell 1\n$/);
    expect(texts.slice(1, 5)).to.deep.equal(['cell 2\n', 'cell 3\n', 'cell 4\n', 'cell 5\n']);
    const check = JSON.parse(texts[5]);
    expect(check).to.include({ measured: true });
    expect(check.joinMs).to.be.a('number');
    expect(check.deliveryMs).to.be.a('number');
  });

  describe('a live Deno kernel driven as a student (test/support/deno_kernel.py)', () => {
    const drive = <T>(scenario: string, env: Record<string, string> = {}): T => {
      const r = spawnSync(jupyterPython(), [path.join(ROOT, 'test', 'support', 'deno_kernel.py'), NOTEBOOK, scenario], {
        encoding: 'utf8',
        env: { ...process.env, JUPYTER_PATH: KERNELS, GAN_SOLUTIONS: '', GAN_ITERATIONS: '', ...env },
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0)
        throw new Error(`deno_kernel.py ${scenario} failed (exit ${r.status}):\n${(r.stderr || '').slice(-3000)}`);
      return JSON.parse(r.stdout) as T;
    };
    interface Run {
      status: string | null;
      replied: boolean;
      text: string;
      errors: { ename: string; evalue: string; traceback: string[] }[];
      late: string[];
    }
    const NO_FRAMES = /^\s+at |tf-core|ext:/m;

    describe('Kernel > Interrupt during every cell that awaits or runs long (solution mode)', () => {
      let log: Record<string, Run>;
      before(function () {
        this.timeout(900_000);
        log = drive('interrupts', { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '100000' });
      });

      it('no cell hangs: each interrupted cell replies and the next cell runs', () => {
        for (const [cell, after] of [
          ['samplers', 'afterSamplers'],
          ['samplersLate', 'afterSamplersLate'],
          ['check_train_disc', 'after_check_train_disc'],
          ['check_train_gen', 'after_check_train_gen'],
          ['training_loop', 'afterLoop'],
          ['endless', 'afterEndless'],
        ]) {
          expect(log[cell].replied, `${cell} replied`).to.equal(true);
          expect(log[after].status, `the cell after ${cell}: ${log[after].text}`).to.equal('ok');
          expect(log[after].text).to.match(/^after .* (object|undefined) (function|undefined)$/m);
        }
      });

      it('the self-checks and the training loop stop with one line saying so (KeyboardInterrupt, as ipykernel)', () => {
        for (const cell of ['check_train_disc', 'check_train_gen', 'training_loop']) {
          const run = log[cell];
          expect(run.status, `${cell}: ${run.text}`).to.equal('error');
          expect(run.errors, cell).to.have.length(1);
          expect(run.errors[0].ename).to.equal('KeyboardInterrupt');
          expect(run.errors[0].traceback).to.deep.equal([`KeyboardInterrupt: ${INTERRUPT_NOTE}`]);
          expect(run.text).to.not.match(NO_FRAMES);
        }
        expect(log.training_loop.text).to.match(/GAN training: iteration 1 of 100000/); // it ran, then stopped
      });

      it("a cell of the student's own that never checks (while (true) {}) is stopped by the kernel after a grace period; the next cell says so", () => {
        expect(log.endless.status).to.equal('error');
        expect(log.afterEndless.text).to.contain(
          "(The cell before this one was stopped by Kernel > Interrupt, Deno's way",
        );
      });

      it('the kernel keeps its state: the self-check then passes', () => {
        expect(log.checkAgain.text).to.contain('trainDisc self-check: 10/10 points');
      });
    });

    it("no output arrives after its cell's idle status (150 short cells)", function () {
      this.timeout(900_000);
      const r = drive<{ first: string; cells: number; complete: number; late: number; lateCells: number }>(
        'short-cells',
      );
      expect(r.first).to.equal('ok');
      expect(r).to.deep.include({ cells: 150, late: 0, lateCells: 0, complete: 150 });
    });

    it('trainDisc run first, then the cells above it, then its self-check: the check says to run the trainDisc cell again', function () {
      this.timeout(900_000);
      const r = drive<Record<string, Run>>('order');
      expect(r.first.status).to.equal('error'); // a fresh kernel: nothing of the lib's runs yet (Deno has no preload)
      // the first cell, loading the lib, says so at once
      expect(r.samplers.text).to.contain(
        '→ the Exercise 1 cell (trainDisc) ran before this cell and failed: run it again once the cells above it have run.',
      );
      expect(r.check.status).to.equal('ok');
      expect(r.check.text).to.contain(
        'trainDisc self-check: not run — the trainDisc cell has not run to its end since the first cell',
      );
      expect(r.check.text).to.not.match(/type check skipped|is not defined|Check tensor shapes/);
      expect(r.checkAgain.text).to.contain('trainDisc self-check: 0/10 points').and.contain('not-implemented');
    });
  });
});
