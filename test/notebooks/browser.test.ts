// Real browsers: (a) the executed notebook's Vega-Lite output embedded with vega-embed from
// node_modules renders a chart with marks, offline; (a') the same output through JupyterLab's own
// Vega-Lite renderer (@jupyterlab/vega5-extension, what a JupyterLab user's screen runs); (b) a student's
// session — classic Notebook with the tslab kernel in headless Chromium — runs all cells and watches the
// dashboard image change.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { VEGA_LITE_MIME } from '../../lib/dashboard/panels';
import {
  Browser,
  NotebookServer,
  RendererResult,
  jupyterLabRendererBundle,
  launchChromium,
  requireBrowser,
  startNotebookServer,
  until,
} from '../support/browser';
import { artifact, dashboardOutputs, executedNotebook } from '../support/dashboard';
import { NOTEBOOK, ROOT, requireJupyter } from '../support/jupyter';

describe('browser: headless Chromium', function () {
  let browser: Browser | null = null;

  before(function () {
    requireBrowser(this);
  });

  afterEach(async () => {
    await browser?.close();
    browser = null;
  });

  describe("(a) vega-embed renders the executed notebook's Vega-Lite output, offline", function () {
    before(function () {
      requireJupyter(this);
    });

    it('finds the chart with bars, lines and points, and no request leaves the page', async () => {
      const [output] = dashboardOutputs(executedNotebook());
      const spec = output.data![VEGA_LITE_MIME];
      expect(spec, 'the executed notebook holds a Vega-Lite output').to.be.an('object');

      browser = await launchChromium();
      const { context } = browser;
      const build = (pkg: string, file: string) => path.join(ROOT, 'node_modules', pkg, 'build', file);
      const files: Record<string, string> = {
        '/vega.js': build('vega', 'vega.min.js'),
        '/vega-lite.js': build('vega-lite', 'vega-lite.min.js'),
        '/vega-embed.js': build('vega-embed', 'vega-embed.min.js'),
      };
      const html = `<!doctype html><meta charset="utf-8"><title>dashboard</title>
<div id="vis"></div>
<script src="/vega.js"></script><script src="/vega-lite.js"></script><script src="/vega-embed.js"></script>
<script>
  vegaEmbed('#vis', ${JSON.stringify(spec)}, { renderer: 'svg', actions: false })
    .then(() => { window.embedded = 'ok'; }, (e) => { window.embedded = 'error: ' + e; });
</script>`;
      const blocked: string[] = [];
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== 'http://dashboard.test') {
          blocked.push(url.href);
          return route.abort();
        }
        if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html });
        const file = files[url.pathname];
        if (!file) return route.fulfill({ status: 404, body: 'not here' });
        return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(file) });
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto('http://dashboard.test/');
      const status = await until('vegaEmbed', 30000, () =>
        page.evaluate(() => (window as unknown as { embedded?: string }).embedded),
      );
      expect(status).to.equal('ok');

      const count = (selector: string) => page.locator(selector).count();
      expect(await count('#vis svg')).to.equal(1);
      expect(await count('#vis svg g.distributions_bars_marks path'), 'distribution bars').to.be.greaterThan(10);
      expect(await count('#vis svg g.distributions_curve_marks path'), 'P(real | x) curve').to.equal(1);
      expect(await count('#vis svg g.readout_bars_marks path'), 'readout bars').to.be.greaterThan(10);
      expect(await count('#vis svg g.losses_curves_marks path'), 'loss curves').to.equal(2);
      expect(await count('#vis svg g.mark-symbol path'), 'points').to.be.greaterThan(100);
      expect(await page.locator('#vis svg').textContent()).to.contain('GAN training: iteration 300 of 300');
      const box = await page.locator('#vis svg').boundingBox();
      expect(box!.width).to.be.greaterThan(800);
      await page.screenshot({ path: artifact('browser-vega-embed.png'), fullPage: true });
      expect(errors).to.deep.equal([]);
      expect(blocked).to.deep.equal([]);
    });
  });

  describe("(a') JupyterLab's renderer (@jupyterlab/vega5-extension) draws the executed notebook's dashboard, offline", function () {
    before(function () {
      requireJupyter(this);
    });

    it('renders the output as JupyterLab does and draws both panels, the losses and the mean/std', async () => {
      const [output] = dashboardOutputs(executedNotebook());
      expect(output.data![VEGA_LITE_MIME], 'the executed notebook holds a Vega-Lite output').to.be.an('object');
      const script = jupyterLabRendererBundle();

      browser = await launchChromium();
      const { context } = browser;
      const html = `<!doctype html><meta charset="utf-8"><title>JupyterLab renderer</title>
<body data-jp-theme-light="true"><div id="output"></div><script src="/renderer.js"></script></body>`;
      const blocked: string[] = [];
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== 'http://jupyterlab.test') {
          blocked.push(url.href);
          return route.abort();
        }
        if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html });
        if (url.pathname === '/renderer.js') return route.fulfill({ contentType: 'text/javascript', body: script });
        return route.fulfill({ status: 404, body: 'not here' });
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto('http://jupyterlab.test/');
      const drawn = (await page.evaluate((o) => (window as any).renderOutput(o), {
        data: output.data,
        metadata: output.metadata ?? {},
      })) as RendererResult;

      expect(drawn.mimeType, "JupyterLab's factory takes the Vega-Lite part of the bundle").to.equal(VEGA_LITE_MIME);
      expect(drawn.classes).to.include('jp-RenderedVegaLite');
      expect(drawn.renderer, "vega-embed's default in JupyterLab").to.equal('canvas');
      expect(drawn.canvas.width).to.be.greaterThan(800);
      expect(drawn.canvas.inkFraction, 'the canvas is drawn on').to.be.greaterThan(0.02);
      const items = (name: string) => drawn.marks[name] ?? 0;
      // In the scenegraph a line is one path group per series holding one item per point.
      expect(items('distributions_bars_marks'), 'distribution bars').to.be.greaterThan(10);
      expect(items('distributions_curve_pathgroup'), 'one P(real | x) curve').to.equal(1);
      expect(items('distributions_curve_marks'), 'its points').to.be.greaterThan(50);
      expect(items('readout_bars_marks'), 'readout bars').to.be.greaterThan(10);
      expect(items('losses_curves_pathgroup'), 'D and G loss curves').to.equal(2);
      expect(items('moments_curves_pathgroup'), 'mean and std curves').to.equal(2);
      expect(drawn.title.split(' / ')).to.include.members([
        'Data distributions',
        'Discriminator readout on real vs gen',
        'Losses',
        'Generated mean and std',
        'GAN training: iteration 300 of 300 (done)',
      ]);
      await page.screenshot({ path: artifact('browser-jupyterlab-renderer.png'), fullPage: true });
      expect(errors).to.deep.equal([]);
      expect(blocked).to.deep.equal([]);
    });
  });

  describe("(b) classic Notebook + tslab kernel: a student's run", function () {
    let server: NotebookServer | null = null;

    before(function () {
      requireBrowser(this, { notebook: true });
      requireJupyter(this);
    });

    after(async () => {
      await server?.stop();
    });

    it('runs all cells in solution mode with no error box; the dashboard image is shown and updates while training', async () => {
      // The cpu backend is the one whose "install the node backend" banner would show as a red stderr box.
      server = await startNotebookServer(ROOT, [NOTEBOOK], {
        GAN_SOLUTIONS: '1',
        GAN_ITERATIONS: '1000',
        GAN_BACKEND: 'cpu',
      });
      browser = await launchChromium();
      const page: Page = await browser.context.newPage();
      const nbName = path.basename(NOTEBOOK);
      try {
        await page.goto(`${server.url}/notebooks/notebooks/${nbName}?token=${server.token}`);
        await until('the tslab kernel to connect', 90000, () =>
          page.evaluate(() => {
            const J = (window as any).Jupyter;
            return Boolean(J?.notebook?.kernel?.is_connected?.() && J.notebook.kernel.info_reply?.language_info);
          }),
        );
        await page.evaluate(() => (window as any).Jupyter.notebook.execute_all_cells());

        // The training loop cell's state, as the student sees it.
        const look = () =>
          page.evaluate(() => {
            const cells = (window as any).Jupyter.notebook.get_cells() as any[];
            const loop = cells.find((c) => c.metadata?.seminar?.cell === 'training_loop');
            const el = loop.element[0] as HTMLElement;
            const imgs = Array.from(el.querySelectorAll('.output_png img')) as HTMLImageElement[];
            return {
              running: loop.input_prompt_number === '*',
              done: cells.every((c) => c.cell_type !== 'code' || typeof c.input_prompt_number === 'number'),
              outputs: el.querySelectorAll('.output_area').length,
              images: imgs.length,
              src: imgs[0]?.src ?? '',
              width: imgs[0]?.naturalWidth ?? 0,
              visible: imgs[0] ? imgs[0].getBoundingClientRect().width > 300 : false,
              errors: document.querySelectorAll('.output_stderr, .output_error').length,
              errorText: Array.from(document.querySelectorAll('.output_stderr, .output_error'))
                .map((e) => e.textContent)
                .join('\n'),
            };
          });

        const first = await until('the first dashboard image', 120000, async () => {
          const l = await look();
          expect(l.errors, l.errorText).to.equal(0);
          return l.images > 0 && l.src ? l : null;
        });
        expect(first.visible).to.equal(true);
        expect(first.width).to.be.greaterThan(800);
        const second = await until('the dashboard image to change while the loop runs', 180000, async () => {
          const l = await look();
          expect(l.errors, l.errorText).to.equal(0);
          if (!l.running && l.done && l.src === first.src) throw new Error('the loop ended without the image changing');
          return l.src && l.src !== first.src ? l : null;
        });
        expect(second.running, 'the change was seen while the training cell still ran').to.equal(true);
        expect(second.images, 'one dashboard output, replaced in place').to.equal(1);

        const end = await until('all cells to finish', 240000, async () => {
          const l = await look();
          return l.done ? l : null;
        });
        expect(end.errors, end.errorText).to.equal(0);
        expect(end.images).to.equal(1);
        expect(end.outputs, 'the solution-mode note and the dashboard').to.equal(2);
        expect(end.src).to.not.equal(second.src);
        const stderr = await page.locator('.output_stderr, .output_error').count();
        expect(stderr).to.equal(0);
        const backend = await page.locator('.output_stdout').allTextContents();
        expect(backend.join('\n')).to.match(/on backend "cpu"/);
      } finally {
        await page
          .locator('.output_png img')
          .last()
          .scrollIntoViewIfNeeded()
          .catch(() => undefined);
        await page.screenshot({ path: artifact('browser-notebook.png') }).catch(() => undefined);
        fs.writeFileSync(artifact('browser-notebook-server.log'), server.log());
      }
    });
  });
});
