// notebooks/gan_1d.ipynb: valid nbformat 4, mirrors the seminar cell by cell, and runs headless.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeNotebookText } from '../../lib/jupyter/normalize';
import { EXERCISES, SHARED_MISTAKES } from '../../lib/exercises';
import { MISTAKES } from '../../lib/bench/mistake-runs';
import { pngSize } from '../../lib/dashboard/render';
import {
  Cell,
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

/** The seminar's code cells (the PyTorch original, vendored as test data) in order. */
function seedCodeCells(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'test', 'data', 'seminar_seed.txt'), 'utf8');
  return text
    .split(/^In \[[^\]]*\]:\n/m)
    .slice(1)
    .map((c) => c.split(/^__Что ожидать/m)[0]);
}

const MIRRORS = ['samplers', 'models', 'train_disc', 'train_gen', 'training_loop'];

const errorsIn = (cell: Cell) =>
  (cell.outputs ?? []).filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));

describe('notebook gan_1d.ipynb', () => {
  const nb: NotebookJson = readNotebook(NOTEBOOK);

  describe('file', () => {
    it('is nbformat 4 with cell ids and the tslab kernel', () => {
      expect(nb.nbformat).to.equal(4);
      expect(nb.nbformat_minor).to.be.at.least(5);
      expect(nb.metadata.kernelspec).to.deep.include({ name: 'tslab', language: 'typescript' });
      const ids = nb.cells.map((c) => c.id);
      ids.forEach((id) => expect(id).to.match(/^[a-zA-Z0-9-_]{1,64}$/));
      expect(new Set(ids).size).to.equal(ids.length);
      for (const cell of nb.cells) {
        expect(cell.cell_type).to.be.oneOf(['code', 'markdown', 'raw']);
        expect(cell.metadata).to.be.an('object');
        expect(cell.source).to.satisfy((s: unknown) => typeof s === 'string' || Array.isArray(s));
      }
    });

    it('imports the compiled lib by its file (Deno refuses folder imports) and is saved as npm run notebook:normalize leaves it', () => {
      expect(sourceOf(seminarCell(nb, 'samplers'))).to.contain("import * as gan from '../dist/lib/index.js';");
      const text = fs.readFileSync(NOTEBOOK, 'utf8');
      expect(normalizeNotebookText(text), 'run `npm run notebook:normalize`').to.equal(text);
    });

    it('is committed without outputs', () => {
      for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
        expect(cell.outputs, sourceOf(cell).slice(0, 60)).to.deep.equal([]);
        expect(cell.execution_count).to.equal(null);
      }
    });

    it('"What to expect" says, in both languages, what each mistake the grader diagnoses looks like, and what a converged run reaches', () => {
      const expectCell = nb.cells
        .filter((c) => c.cell_type === 'markdown')
        .map(sourceOf)
        .find((t) => /What to expect/.test(t))!;
      const named = [
        ...new Set([...Object.keys(SHARED_MISTAKES), ...EXERCISES.flatMap((e) => Object.keys(e.diagnoses))]),
      ];
      expect(named).to.include.members([
        'sum-instead-of-mean',
        'wrong-sign',
        'swapped-heads',
        'probabilities-not-log',
        'saturating-generator-loss',
      ]);
      for (const id of named) {
        expect(expectCell, id).to.contain(`\`${id}\``);
        expect(Object.keys(MISTAKES), `lib/bench/mistake-runs.ts measures ${id}`).to.include(id);
      }
      // each mistake says which exercise it is made in, and those measured in trainGen too are described there
      const bullets = expectCell.split(/\n {2}\* /).filter((b) => /\(`[a-z]+(-[a-z]+)+`/.test(b));
      const bulletOf = (id: string) => bullets.find((b) => b.includes(`(\`${id}\``))!;
      for (const b of bullets) {
        const [russian, english] = b.split(/\n\s+\*(?=[A-Z_])/);
        expect(russian, b.slice(0, 80)).to.match(/`train(Disc|Gen)`/);
        expect(english, b.slice(0, 80)).to.match(/\bin `train(Disc|Gen)`/i);
      }
      for (const key of Object.keys(MISTAKES)) {
        const [, id, fn] = /^(.*) \((train\w+)\)$/.exec(key) ?? [];
        if (fn) expect(bulletOf(id), key).to.match(new RegExp(`\\bin \`${fn}\``, 'i'));
      }
      expect(bulletOf('wrong-sign'))
        .to.match(/В `trainGen` __NaN нет__/)
        .and.match(/In `trainGen` there is\s+__no NaN__/);
      // the command it cites exists (once built)
      const cited = /`node (dist\/\S+\.js)`/.exec(expectCell)?.[1];
      expect(cited && fs.existsSync(path.join(ROOT, cited)), `${cited} exists`).to.equal(true);
      // the tails: measured here and in the PyTorch original; the short-run caveat
      expect(expectCell)
        .to.match(/Хвосты не совпадают/)
        .and.match(/The tails do not\s+match/)
        .and.match(/2\.15 and 7\.68/);
      expect(expectCell)
        .to.match(/GAN_ITERATIONS/)
        .and.match(/stops before this end state/);
      // each mistake in Russian (a Cyrillic line) and in English (an italic line)
      expect(bullets.length).to.be.at.least(named.length);
      bullets.forEach((b) =>
        expect(b)
          .to.match(/[а-я]{4}/)
          .and.match(/\*[A-Z_][^*]+\*/),
      );
    });

    it('speaks Russian and English, with a diagram of its own', () => {
      const markdown = nb.cells
        .filter((c) => c.cell_type === 'markdown')
        .map(sourceOf)
        .join('\n');
      expect(markdown)
        .to.match(/Генератор одномерных данных/)
        .and.match(/Что ожидать/)
        .and.match(/What to expect/);
      expect(markdown)
        .to.match(/logits/i)
        .and.match(/Sigmoid/);
      const intro = nb.cells[0] as Cell & { attachments?: Record<string, Record<string, string | string[]>> };
      const [name] =
        sourceOf(intro)
          .match(/attachment:([\w.-]+)/)
          ?.slice(1) ?? [];
      // a PNG, which every front end shows (JupyterLab 4 shows no SVG attachment), drawn from the SVG next to the notebook
      expect(Object.keys(intro.attachments?.[name] ?? {}), name).to.deep.equal(['image/png']);
      const data = intro.attachments![name]['image/png'];
      const png = Buffer.from(Array.isArray(data) ? data.join('') : data, 'base64');
      expect(pngSize(png), "twice the SVG's 640×300").to.deep.equal({ width: 1280, height: 600 });
      const svg = fs.readFileSync(path.join(path.dirname(NOTEBOOK), name.replace(/\.png$/, '.svg')), 'utf8');
      expect(svg).to.match(/^<svg[\s\S]*Generator[\s\S]*Discriminator[\s\S]*<\/svg>\s*$/);
    });
  });

  describe('mirrors the seminar', () => {
    const seed = seedCodeCells();

    it('has one code cell per seminar code cell, in the same order', () => {
      expect(seed).to.have.length(MIRRORS.length);
      const order = nb.cells.map((c) => c.metadata?.seminar?.cell).filter((n) => MIRRORS.includes(n));
      expect(order).to.deep.equal(MIRRORS);
      MIRRORS.forEach((name) => expect(seminarCell(nb, name).cell_type).to.equal('code'));
    });

    it('keeps every placeholder of the seminar as a TODO that compiles', () => {
      for (const [i, name] of ['train_disc', 'train_gen'].entries()) {
        const placeholders = [...seed[2 + i].matchAll(/<([^>]+)>/g)].map((m) => m[1]);
        expect(placeholders.length).to.be.greaterThan(2);
        const src = sourceOf(seminarCell(nb, name));
        for (const p of placeholders) expect(src).to.contain(`TODO('${p}')`);
      }
    });

    it('samplers, models and optimizers as in the seminar, with logits instead of the sigmoid', () => {
      expect(seed[0]).to.contain('def sample_noise').and.contain('def sample_real_data');
      expect(sourceOf(seminarCell(nb, 'samplers')))
        .to.match(/sampleNoise/)
        .and.match(/sampleRealData/);
      expect(seed[1])
        .to.contain('nn.Linear(1, 16), nn.ELU(), nn.Linear(16, 1)')
        .and.contain('nn.Linear(64, 2), nn.Sigmoid()');
      const models = sourceOf(seminarCell(nb, 'models'));
      expect(models).to.contain('gan.linear(1, 16), gan.elu(), gan.linear(16, 1)');
      expect(models).to.contain('gan.linear(1, 64), gan.elu(), gan.linear(64, 2))');
      expect(models).to.contain('tf.train.sgd(1e-3)').and.contain('tf.train.sgd(1e-2)');
      expect(models).to.not.match(/sigmoid\(/i);
    });

    it('exercises have the agreed signatures and nbgrader v3 metadata', () => {
      for (const [name, fn] of [
        ['train_disc', 'trainDisc'],
        ['train_gen', 'trainGen'],
      ]) {
        const cell = seminarCell(nb, name);
        expect(sourceOf(cell)).to.contain(`function ${fn}(batchSize: number): number {`);
        expect(cell.metadata.nbgrader).to.include({ grade_id: name, solution: true, schema_version: 3 });
        expect(cell.metadata.tags).to.include('exercise');
      }
    });

    it('trains like the seminar: 100000 iterations, 5 disc steps per gen step, batch 128, every 250', () => {
      expect(seed[4])
        .to.contain('range(100000)')
        .and.contain('range(5)')
        .and.contain('train_disc(128)')
        .and.contain('i % 250 == 0');
      const loop = sourceOf(seminarCell(nb, 'training_loop'));
      expect(loop)
        .to.match(/gan\.iterations\(100000\)/)
        .and.match(/k < 5; k\+\+\)[^;]*\.trainDisc\(128\)/);
      expect(loop)
        .to.match(/\.trainGen\(128\)/)
        .and.match(/i % 250 === 0/);
    });
  });

  describe('headless run (jupyter nbconvert --execute)', function () {
    before(function () {
      requireJupyter(this);
    });

    it('is valid nbformat according to Jupyter itself', () => {
      const r = spawnSync(
        jupyterPython(),
        [
          '-c',
          'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")',
          NOTEBOOK,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).to.equal('');
      expect(r.stdout.trim()).to.equal('valid');
    });

    it('solution mode runs top to bottom with no error', () => {
      const out = executeNotebook(NOTEBOOK, { env: { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '2000' } });
      for (const cell of out.cells) expect(errorsIn(cell), cellText(cell)).to.deep.equal([]);
      const all = out.cells.map(cellText).join('\n');
      expect(all).to.match(/TensorFlow\.js .* on backend "(tensorflow|wasm|cpu)"/);
      expect(all).to.contain('Solution mode');
      expect(all).to.not.match(/install our node backend/i);
      expect(seminarCell(out, 'training_loop').outputs).to.not.be.empty;
    });

    it('student mode stops only at the first exercise call, with the not-implemented message', () => {
      const out = executeNotebook(NOTEBOOK, { env: { GAN_ITERATIONS: '2000' }, allowErrors: true });
      const failing = out.cells.filter((c) => errorsIn(c).length > 0);
      expect(failing.map((c) => c.metadata?.seminar?.cell)).to.deep.equal(['training_loop']);
      expect(cellText(failing[0])).to.contain('not implemented: sample noise');
      expect(cellText(failing[0])).to.not.contain('Solution mode');
      // the function and its placeholder, and nothing of TF.js's, vm's or tslab's internals
      expect(cellText(failing[0]).trim()).to.match(
        /^trainDisc: TODO\('sample noise'\) — not implemented: sample noise; replace TODO\('sample noise'\) in the exercise cell of trainDisc/,
      );
      expect(cellText(failing[0])).to.not.match(/^\s+at |tf-core|throw ex|node:vm|tslab[\\/]dist/m);
    });
  });
});
