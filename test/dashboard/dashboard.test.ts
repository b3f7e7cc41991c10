// The live dashboard (lib/dashboard/dashboard.ts) in a fake kernel, in the real notebook run headless, and in
// `npm start` (gan-seminar train).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createSeminar, disposeSeminar, initBackend } from '../../lib';
import { Dashboard } from '../../lib/dashboard/dashboard';
import { DisplayMessage, LiveOutput } from '../../lib/dashboard/live-output';
import { VEGA_LITE_MIME } from '../../lib/dashboard/panels';
import { pngSize } from '../../lib/dashboard/render';
import { stopSharedRenderer } from '../../lib/dashboard/render-worker';
import { referenceSteps } from '../../lib/reference/solutions';
import { dashboardOutputs, executedNotebook, vegaLiteSchemaErrors } from '../support/dashboard';
import { NOTEBOOK, cellText, readNotebook, requireJupyter, seminarCell, sourceOf, textOf } from '../support/jupyter';
import { tempDir } from '../support/tmp';
import { CLI } from '../support/paths';

const MIME_TYPES = [VEGA_LITE_MIME, 'image/png', 'text/plain'];

/** A dashboard bundle: Vega-Lite, text and (unless `png` is false: before the first picture is drawn) a PNG. */
function checkBundle(data: Record<string, unknown>, title: RegExp, png = true): void {
  expect(Object.keys(data).sort()).to.deep.equal(MIME_TYPES.filter((m) => png || m !== 'image/png').sort());
  const spec = data[VEGA_LITE_MIME] as { title: { text: string } };
  expect(vegaLiteSchemaErrors(spec)).to.deep.equal([]);
  expect(spec.title.text).to.match(title);
  if (png) expect(pngSize(Buffer.from(data['image/png'] as string, 'base64')).width).to.be.greaterThan(800);
  // a saved notebook holds multi-line text as a list of lines (nbformat), a live bundle as one string
  const raw = data['text/plain'] as string | string[];
  const text = Array.isArray(raw) ? raw.join('') : raw;
  expect(text).to.match(/^GAN training: iteration \d+ of \d+ · D loss/);
  // the verdict, in both languages, under the numbers (lib/seminar/verdict.ts)
  expect(text).to.match(/\nВердикт: .+\nVerdict: .+$/);
}

describe('dashboard: live in the notebook and in npm start', () => {
  describe('Dashboard in a (fake) tslab cell', () => {
    after(() => stopSharedRenderer());

    it('one output: shown once, then replaced in place; no update waits for a picture but the last, which shows its own PNG', async () => {
      await initBackend();
      const s = createSeminar({ seed: 7 });
      const steps = referenceSteps(s);
      const calls: { message: DisplayMessage; update: boolean }[] = [];
      const output = new LiveOutput({ writer: () => (message, update) => calls.push({ message, update }) });
      const iterations = 9;
      const dash = new Dashboard(s, { iterations, output, samples: 200, readoutSamples: 50 });
      let tensors = 0;
      try {
        for (let i = 0; i < iterations; i++) {
          const discLoss = steps.trainDisc(32);
          const genLoss = steps.trainGen(32);
          if (i % 3 === 0 || i === iterations - 1) dash.update(i, discLoss, genLoss);
          if (i === 0) tensors = tf.memory().numTensors;
        }
        expect(tf.memory().numTensors, 'tensors left by update()').to.equal(tensors);
      } finally {
        dash.close();
        disposeSeminar(s);
      }
      expect(calls.map((c) => Boolean(c.update))).to.deep.equal([false, true, true, true]);
      expect(new Set(calls.map((c) => c.message.transient.display_id)).size).to.equal(1);
      // the first update goes out without a PNG (the worker is still loading Vega); once there is one, every bundle has it
      const withPng = calls.map((c) => 'image/png' in c.message.data);
      expect(withPng[0]).to.equal(false);
      expect(withPng[withPng.length - 1]).to.equal(true);
      expect(withPng.slice(withPng.indexOf(true)).every(Boolean)).to.equal(true);
      calls.forEach((c, k) => checkBundle(c.message.data, /^GAN training: iteration \d+ of 9/, withPng[k]));
      expect(calls.map((c) => c.message.data['text/plain'])).to.satisfy((t: string[]) =>
        ['iteration 1 of 9', 'iteration 4 of 9', 'iteration 7 of 9', 'iteration 9 of 9'].every((x, k) =>
          t[k].includes(x),
        ),
      );
      const last = calls[calls.length - 1].message.data;
      expect((last[VEGA_LITE_MIME] as { title: { text: string } }).title.text).to.contain('(done)');
      expect(dash.history.map((h) => h.iteration)).to.deep.equal([1, 4, 7, 9]);
      const stats = dash.stats();
      expect(stats.updates).to.equal(4);
      expect(stats.pngs).to.be.at.least(2);
      expect(stats.overhead).to.be.greaterThan(0).and.at.most(1);
    });

    it('continues the count and the curves of earlier runs on the same models; the text names the iteration the PNG shows', async () => {
      await initBackend();
      const s = createSeminar({ seed: 8 });
      const steps = referenceSteps(s);
      const record = { iterations: 0, history: [] as import('../../lib/dashboard/panels').HistoryPoint[] };
      const calls: { message: DisplayMessage; update: boolean }[] = [];
      const output = new LiveOutput({ writer: () => (message, update) => calls.push({ message, update }) });
      const run = (iterations: number, stopAt = iterations) => {
        const dash = new Dashboard(s, { iterations, output, samples: 200, readoutSamples: 50, continues: record });
        for (let i = 0; i < stopAt; i++) {
          const discLoss = steps.trainDisc(32);
          const genLoss = steps.trainGen(32);
          record.iterations++; // as the notebook's chooseSteps counts
          if (i % 2 === 0 || i === iterations - 1) dash.update(i, discLoss, genLoss);
        }
        dash.close();
        return dash;
      };
      try {
        const first = run(10, 5); // "interrupted" after 5 iterations
        expect(first.from).to.equal(0);
        const second = run(4);
        expect(second.from).to.equal(5);
        expect(second.history.map((h) => h.iteration)).to.deep.equal([1, 3, 5, 6, 8, 9]);
        const texts = calls.map((c) => c.message.data['text/plain'] as string);
        const last = calls[calls.length - 1].message.data;
        expect((last[VEGA_LITE_MIME] as { title: { text: string } }).title.text).to.equal(
          'GAN training: iteration 9 of 9 (done)',
        );
        expect(texts[texts.length - 1])
          .to.contain('iteration 9 of 9')
          .and.not.contain('picture:'); // the last waits for its own PNG
        for (const t of texts) {
          const picture = /picture: iteration (\d+) \(drawing (\d+)\)/.exec(t);
          if (picture) expect(Number(picture[1])).to.be.below(Number(picture[2]));
        }
        const continued = calls.find((c) => /iteration 6 of 9/.test(c.message.data['text/plain'] as string))!;
        expect((continued.message.data[VEGA_LITE_MIME] as { title: { text: string } }).title.text).to.equal(
          'GAN training: iteration 6 of 9 (continued from 5)',
        );
      } finally {
        disposeSeminar(s);
      }
    });

    it('outside a kernel update() only reads the models (no output, no render worker)', () => {
      const s = createSeminar({ seed: 1 });
      const dash = new Dashboard(s, { iterations: 2 });
      dash.update(0, 1, 1);
      dash.update(1, 1, 1);
      expect(dash.history).to.have.length(2);
      expect(dash.stats().pngs).to.equal(0);
      expect(vegaLiteSchemaErrors(dash.spec())).to.deep.equal([]);
      dash.close();
      disposeSeminar(s);
    });
  });

  describe('the notebook (headless nbconvert, solution mode, short loop)', function () {
    before(function () {
      requireJupyter(this);
    });

    it('the training loop reads like the seminar and updates one dashboard', () => {
      const loop = sourceOf(seminarCell(readNotebook(NOTEBOOK), 'training_loop'));
      expect(loop).to.match(/const dashboard = gan\.dashboard\(seminar, ITERATIONS\)/);
      expect(loop).to.match(/if \(i % 250 === 0[^)]*\) \{\s*dashboard\.update\(i, discLoss, genLoss\)/);
    });

    it('holds the dashboard as a single output with Vega-Lite, PNG and text, at the last iteration', () => {
      const nb = executedNotebook();
      for (const cell of nb.cells) {
        const bad = (cell.outputs ?? []).filter((o) => o.output_type === 'error' || o.name === 'stderr');
        expect(bad, cellText(cell)).to.deep.equal([]);
      }
      const outputs = dashboardOutputs(nb);
      expect(outputs).to.have.length(1);
      expect(outputs[0].output_type).to.equal('display_data');
      checkBundle(outputs[0].data!, /^GAN training: iteration 300 of 300 \(done\)$/);
      const others = seminarCell(nb, 'training_loop').outputs!.filter((o) => o !== outputs[0]);
      expect(others.map(textOf).join('')).to.not.match(/iteration \d+:/); // no scroll of printed read-outs
    });
  });

  describe('npm start (gan-seminar train)', () => {
    it('trains with a progress bar, prints the metrics and writes the dashboard to the folder it names', () => {
      const out = path.join(tempDir('gan-train-'), 'run');
      const r = spawnSync(process.execPath, [CLI, 'train', '--iterations', '300', '--seed', '3', '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, GAN_BACKEND: '' },
      });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(
        /\[#{10,}-*\]\s+250\/300 {2}D loss \d\.\d{3} {2}G loss \d\.\d{3}.* it\/s {2}ETA \dm\d\ds/,
      );
      expect(r.stdout).to.match(
        /done: generated mean \d\.\d{3} \(target 5\), std \d\.\d{3} \(target 1\.5\), W1 to N\(5, 1\.5²\) \d\.\d{3}/,
      );
      expect(r.stdout).to.match(/backend (tensorflow|wasm|cpu), \d+\.\d it\/s/);
      expect(r.stdout).to.match(
        /^not converged \(mean .*\) — 300 iterations is short: the reference needs about 10000$/m,
      ); // 300 iterations: far from it
      expect(r.stdout).to.contain(`wrote ${path.join(out, 'dashboard.png')}`);
      expect(r.stdout).to.not.match(/install our node backend/i);
      const png = fs.readFileSync(path.join(out, 'dashboard.png'));
      expect(pngSize(png).width).to.be.greaterThan(800);
      const spec = JSON.parse(fs.readFileSync(path.join(out, 'dashboard.vl.json'), 'utf8'));
      expect(vegaLiteSchemaErrors(spec)).to.deep.equal([]);
      expect(spec.title.text).to.equal('GAN training: iteration 300 of 300 (done)');
      expect(spec.vconcat[1].hconcat[0].layer[1].data.values.length).to.equal(2 * 2); // losses at 250 and 300
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics).to.include({ iterations: 300, seed: 3 });
      expect(metrics.w1).to.be.a('number').and.greaterThan(0);
      // the verdict: in metrics.json, in the dashboard's title and as the last two lines (300 iterations: still learning)
      expect(metrics.verdict).to.deep.include({ state: 'learning', iteration: 300 });
      expect(metrics.verdict.ru.title).to.equal('обучается');
      expect(spec.title.subtitle.join('\n')).to.contain('Verdict: learning').and.contain('Вердикт: обучается');
      const lines = r.stdout.trim().split('\n');
      expect(lines.slice(-2)).to.satisfy(
        (l: string[]) => l[0].startsWith('Вердикт: обучается') && l[1].startsWith('Verdict: learning'),
      );
    });

    it('Ctrl-C stops at the next read-out and still writes the dashboard and the metrics of what was done', async function () {
      this.timeout(180_000);
      const out = path.join(tempDir('gan-train-int-'), 'run');
      const child = spawn(process.execPath, [CLI, 'train', '--seminar', '--out', out], {
        env: { ...process.env, GAN_BACKEND: '' },
      });
      let stdout = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        const poll = setInterval(() => {
          if (!stdout.includes('training 100000 iterations')) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 3000);
        }, 100);
      });
      expect(code, stdout).to.equal(130);
      expect(stdout)
        .to.match(/Ctrl-C: stopping at the next read-out/)
        .and.match(/stopped at iteration \d+ of 100000: generated mean/);
      expect(stdout).to.match(/not converged \(/);
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics).to.include({ stopped: true, requestedIterations: 100000, converged: false });
      expect(metrics.iterations % 250).to.equal(0);
      const spec = JSON.parse(fs.readFileSync(path.join(out, 'dashboard.vl.json'), 'utf8'));
      expect(spec.title.text).to.equal(`GAN training: iteration ${metrics.iterations} of 100000`);
      expect(pngSize(fs.readFileSync(path.join(out, 'dashboard.png'))).width).to.be.greaterThan(800);
    });

    it('by default about a minute (15000 iterations), with the full seminar one flag away; it says whether it converged', () => {
      const help = spawnSync(process.execPath, [CLI, 'train', '--help'], { encoding: 'utf8' });
      expect(help.stdout)
        .to.match(/--iterations N +training iterations \(default 15000, about a minute/)
        .and.match(/--seminar +the seminar's full length, 100000/);
      expect(help.stdout).to.match(/Converged means .*mean within 0\.15 of 5/s);
      const both = spawnSync(process.execPath, [CLI, 'train', '--seminar', '--iterations', '5'], { encoding: 'utf8' });
      expect(both.status).to.equal(2);
      expect(both.stderr).to.contain('--seminar and --iterations both set the length');
    });

    it('--help lists the flags; a bad flag is a usage error', () => {
      const help = spawnSync(process.execPath, [CLI, 'train', '--help'], { encoding: 'utf8' });
      expect(help.status).to.equal(0);
      for (const flag of ['--iterations', '--seed', '--out', '--backend', '--help'])
        expect(help.stdout).to.contain(flag);
      const bad = spawnSync(process.execPath, [CLI, 'train', '--iterations', 'many'], { encoding: 'utf8' });
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.contain('--iterations must be a non-negative integer');
    });
  });
});
