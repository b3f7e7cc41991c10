// The same notebook on Deno's Jupyter kernel (`deno jupyter`, the pinned devDependency): registered by
// npm run kernel:install next to tslab, run headless, and compared with tslab where the two can differ:
// student-mode errors, type errors (Deno does not type-check cells; the self-check does), interrupting
// the loop, the first cell's output, the saved metadata.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_PRELOAD, kernelSpecFile } from '../../lib/jupyter/kernels';
import { TSLAB_METADATA, normalizeNotebookText } from '../../lib/jupyter/normalize';
import { VEGA_LITE_MIME } from '../../lib/dashboard/panels';
import { pngSize } from '../../lib/dashboard/render';
import { dashboardOutputs, vegaLiteSchemaErrors } from '../support/dashboard';
import {
  Cell, KERNELS, NOTEBOOK, NotebookJson, ROOT, cellText, executeNotebook, jupyterPython, readNotebook, requireJupyter, seminarCell, sourceOf,
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

describe('notebook on Deno\'s kernel (deno jupyter)', function () {
  before(function () {
    requireJupyter(this); // registers both kernels
  });

  it('npm run kernel:install registers tslab and deno under .jupyter/', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'jupyter', 'kernels.js'), 'install'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`JUPYTER_PATH=${KERNELS}`);
    const tslab = JSON.parse(fs.readFileSync(kernelSpecFile('tslab'), 'utf8'));
    // node, with the preload that orders Run All and recovers after interrupts, then tslab itself
    expect(tslab.argv.slice(0, 4)).to.deep.equal([process.execPath, '--require', KERNEL_PRELOAD, fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'tslab'))]);
    const deno = JSON.parse(fs.readFileSync(kernelSpecFile('deno'), 'utf8'));
    expect(deno.argv.slice(1)).to.deep.equal(['jupyter', '--kernel', '--conn', '{connection_file}']);
    expect(deno).to.include({ language: 'typescript', interrupt_mode: 'message' });
    const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.deno;
    const version = spawnSync(deno.argv[0], ['--version'], { encoding: 'utf8' });
    expect(version.stdout).to.match(new RegExp(`^deno ${pinned.replace(/\./g, '\\.')} `));
    // Jupyter itself lists both from the project's folder
    const list = spawnSync(jupyterPython(), ['-c', 'import json, jupyter_client.kernelspec as k; print(json.dumps(k.find_kernel_specs()))'], {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: KERNELS },
    });
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
      const run = (kernel: 'tslab' | 'deno') => executeNotebook(NOTEBOOK, { kernel, env: { GAN_ITERATIONS: '1000' }, allowErrors: true });
      const [tslab, deno] = [run('tslab'), run('deno')];
      for (const nb of [tslab, deno]) {
        const failing = nb.cells.filter((c) => problems(c).length > 0).map((c) => c.metadata?.seminar?.cell);
        expect(failing).to.deep.equal(['training_loop']);
        // the message names the function (lib/seminar/todo.ts), on either kernel
        expect(cellText(seminarCell(nb, 'training_loop'))).to.contain("trainDisc: TODO('sample noise') — not implemented: sample noise; replace TODO('sample noise')");
      }
      for (const check of ['check_train_disc', 'check_train_gen']) {
        const text = cellText(seminarCell(deno, check));
        expect(text).to.contain('self-check: 0/10 points').and.contain('not-implemented');
        expect(text).to.equal(cellText(seminarCell(tslab, check)));
      }
    });

    it('a type error: tslab refuses the cell, Deno\'s self-check shows the same error', function () {
      this.timeout(600000);
      const file = variant('type_error.ipynb', (nb) =>
        setSource(nb, 'train_disc', (s) => s.replace("const noise: tf.Tensor2D = TODO('sample noise');", "const noise: tf.Tensor2D = sampleNoise('x');")),
      );
      const env = { GAN_ITERATIONS: '10' };
      const tslab = executeNotebook(file, { kernel: 'tslab', env, allowErrors: true });
      const tslabError = cellText(seminarCell(tslab, 'train_disc')).match(/^\d+:\d+ - .+$/m)?.[0];
      expect(tslabError).to.equal("13:46 - Argument of type 'string' is not assignable to parameter of type 'number'.");
      const deno = executeNotebook(file, { kernel: 'deno', env, allowErrors: true });
      expect(problems(seminarCell(deno, 'train_disc')), 'Deno runs the cell').to.deep.equal([]);
      const check = cellText(seminarCell(deno, 'check_train_disc'));
      expect(check).to.contain('trainDisc self-check: 0/10 points').and.contain('compile-error');
      expect(check).to.contain(`      ${tslabError}\n`);
      // the train_gen check type-checks both cells (as tslab sees them) but reports train_gen's own state
      expect(cellText(seminarCell(deno, 'check_train_gen'))).to.contain('not-implemented').and.not.contain('compile-error');
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
        kernel: 'tslab', interrupted: true, loopStatus: 'error', dashboardOutputs: 1,
        afterStatus: 'ok', afterText: 'after the interrupt: function function\n',
      });
      expect(run('deno')).to.deep.equal({ ...tslab, kernel: 'deno' });
    });
  });

  it('the first cell waits until its line is seen on the kernel\'s iopub, so early output is not dropped', function () {
    this.timeout(300000);
    // nbclient drops what arrives after a cell's idle status; a young Deno kernel's console output can.
    const cells = [
      "import * as deno from '../dist/lib/jupyter/deno.js';\nconst check = await deno.announceDenoKernel();\nconsole.log('cell 1');",
      ...[2, 3, 4, 5].map((i) => `console.log('cell ${i}');`),
      'console.log(JSON.stringify(check));',
    ];
    const nb: NotebookJson = {
      nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' } },
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, source, metadata: {}, outputs: [], execution_count: null })),
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
});
