// The live dashboard (lib/dashboard/dashboard.ts) in a fake kernel, in the real notebook run headless, and in
// `npm start` (gan-seminar train).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
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
import { NOTEBOOK, ROOT, cellText, readNotebook, requireJupyter, seminarCell, sourceOf, textOf } from '../support/jupyter';
import { tempDir } from '../support/tmp';

const MIME_TYPES = [VEGA_LITE_MIME, 'image/png', 'text/plain'];

function checkBundle(data: Record<string, unknown>, title: RegExp): void {
  expect(Object.keys(data).sort()).to.deep.equal([...MIME_TYPES].sort());
  const spec = data[VEGA_LITE_MIME] as { title: { text: string } };
  expect(vegaLiteSchemaErrors(spec)).to.deep.equal([]);
  expect(spec.title.text).to.match(title);
  const png = Buffer.from(data['image/png'] as string, 'base64');
  expect(pngSize(png).width).to.be.greaterThan(800);
  expect(data['text/plain']).to.match(/^GAN training: iteration \d+ of \d+ · D loss/);
}

describe('dashboard: live in the notebook and in npm start', () => {
  describe('Dashboard in a (fake) tslab cell', () => {
    after(() => stopSharedRenderer());

    it('one output: shown once, then replaced in place, every bundle complete; the last waits for its own PNG', async () => {
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
      calls.forEach((c) => checkBundle(c.message.data, /^GAN training: iteration \d+ of 9/));
      expect(calls.map((c) => c.message.data['text/plain'])).to.satisfy((t: string[]) =>
        ['iteration 1 of 9', 'iteration 4 of 9', 'iteration 7 of 9', 'iteration 9 of 9'].every((x, k) => t[k].includes(x)),
      );
      const last = calls[calls.length - 1].message.data;
      expect((last[VEGA_LITE_MIME] as { title: { text: string } }).title.text).to.contain('(done)');
      expect(dash.history.map((h) => h.iteration)).to.deep.equal([1, 4, 7, 9]);
      const stats = dash.stats();
      expect(stats.updates).to.equal(4);
      expect(stats.pngs).to.be.at.least(2);
      expect(stats.overhead).to.be.greaterThan(0).and.at.most(1);
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
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'cli.js'), 'train', '--iterations', '300', '--seed', '3', '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, GAN_BACKEND: '' },
      });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/\[#{10,}-*\]\s+250\/300 {2}D loss \d\.\d{3} {2}G loss \d\.\d{3}.* it\/s {2}ETA \dm\d\ds/);
      expect(r.stdout).to.match(/done: generated mean \d\.\d{3} \(target 5\), std \d\.\d{3} \(target 1\.5\), W1 to N\(5, 1\.5²\) \d\.\d{3}/);
      expect(r.stdout).to.match(/backend (tensorflow|wasm|cpu), \d+\.\d it\/s/);
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
    });

    it('--help lists the flags; a bad flag is a usage error', () => {
      const cli = path.join(ROOT, 'dist', 'lib', 'cli.js');
      const help = spawnSync(process.execPath, [cli, 'train', '--help'], { encoding: 'utf8' });
      expect(help.status).to.equal(0);
      for (const flag of ['--iterations', '--seed', '--out', '--backend', '--help']) expect(help.stdout).to.contain(flag);
      const bad = spawnSync(process.execPath, [cli, 'train', '--iterations', 'many'], { encoding: 'utf8' });
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.contain('--iterations must be a non-negative integer');
    });
  });
});
