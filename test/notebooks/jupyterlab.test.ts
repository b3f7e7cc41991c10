// JupyterLab 4 itself (the app built from npm in test/jupyterlab/, served by Debian's jupyter_server) in
// headless Chromium, driven as a student drives it, on tslab and on Deno's kernel: Run All in solution mode
// (one live dashboard drawn by JupyterLab's own Vega renderer, updated in place), Kernel › Interrupt during
// training and run it again, an exercise typed with a classic mistake and its self-check, and a cell run
// before its prerequisites in a fresh kernel.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_MISTAKES } from '../../lib/exercises/mistakes';
import { INTERRUPT_NOTE } from '../../lib/jupyter/kernel-hooks';
import { KernelName } from '../../lib/jupyter/kernels';
import { spawn } from 'node:child_process';
import {
  Browser,
  NotebookServer,
  isRunning,
  launchChromium,
  processesUsing,
  requireBrowser,
  until,
} from '../support/browser';
import { artifact } from '../support/dashboard';
import { SOLUTIONS, referenceCell, unwrap } from '../support/fixtures';
import { NOTEBOOK, readNotebook, seminarCell, sourceOf } from '../support/jupyter';
import { requireLab, startLabServer } from '../support/lab';
import { tempDir } from '../support/tmp';
import { ROOT } from '../../lib/jupyter/kernels';
import { LabCell, LabPage } from '../support/lab-page';

const NOTEBOOK_PATH = `notebooks/${path.basename(NOTEBOOK)}`;
/** What each kernel is called in JupyterLab's kernel list (its kernelspec's display_name). */
const DISPLAY_NAME: Record<KernelName, string> = { tslab: 'TypeScript', deno: 'Deno' };
/** Long enough to interrupt mid-run on a slow machine, short enough for Run All to take seconds. */
const ITERATIONS = 2000;

/** The iteration the dashboard's text line shows (`GAN training: iteration N of M …`). */
function dashboardIteration(cell: LabCell): number | null {
  const line = cell.outputs.find((o) => o.mimeTypes.includes('application/vnd.vegalite.v5+json'))?.text ?? '';
  const m = /GAN training: iteration (\d+) of (\d+)/.exec(line);
  return m ? Number(m[1]) : null;
}

const errorsOf = (cells: LabCell[]) =>
  cells.flatMap((c) =>
    c.outputs.filter((o) => o.type === 'error' || o.name === 'stderr').map((o) => `${c.name}: ${o.text.slice(0, 800)}`),
  );

/**
 * The page errors a student cannot cause — none, but one: JupyterLab's markdown renderer puts an image
 * attachment's `attachment:` URL on its <img> before resolving it to data, so the browser logs one failed
 * load per attachment (the picture shows: the Run All test checks it); nothing else is allowed.
 */
function unexpectedErrors(errors: string[]): string[] {
  return errors.filter((e) => e !== 'console error: Failed to load resource: net::ERR_UNKNOWN_URL_SCHEME');
}

/** The exercise cell as a student fills it in with the classic mistake: the loss without its minus sign. */
function trainDiscWithoutMinus(): string {
  const skeleton = sourceOf(seminarCell(readNotebook(NOTEBOOK), 'train_disc'));
  const filled = referenceCell(skeleton, fs.readFileSync(SOLUTIONS, 'utf8'), 'trainDisc');
  return unwrap('loss', 'tf.neg').apply(filled, 'trainDisc');
}

describe('JupyterLab 4 (built from npm) in Chromium, as a student', function () {
  let python = '';

  before(function () {
    requireBrowser(this);
    python = requireLab(this);
  });

  for (const kernel of ['tslab', 'deno'] as const) {
    describe(`on ${kernel === 'tslab' ? 'tslab' : "Deno's kernel"}`, function () {
      let server: NotebookServer | null = null;
      let browser: Browser | null = null;
      let lab: LabPage;

      async function openNotebook(env: Record<string, string>): Promise<void> {
        server = await startLabServer(python, [NOTEBOOK], env);
        browser = await launchChromium();
        lab = new LabPage(await browser.context.newPage());
        const opened = await lab.open(server.url, NOTEBOOK_PATH);
        expect(opened, 'the notebook opens on its saved kernel, tslab').to.equal(DISPLAY_NAME.tslab);
        if (kernel !== 'tslab') await lab.changeKernel(DISPLAY_NAME[kernel]);
      }

      afterEach(async function () {
        const name = `jupyterlab-${kernel}-${(this.currentTest?.title ?? 'test').replace(/\W+/g, '-').slice(0, 50)}`;
        if (lab) await lab.screenshot(artifact(`${name}.png`));
      });

      async function close(this: Mocha.Context): Promise<void> {
        await browser?.close();
        browser = null;
        const part = (this.test?.parent?.title ?? '').split(':')[0].replace(/\W+/g, '-');
        if (server) fs.writeFileSync(artifact(`jupyterlab-${kernel}-${part}-server.log`), server.log());
        await server?.stop();
        server = null;
      }

      describe('solution mode: Run All, then Kernel › Interrupt during training and run the loop again', function () {
        before(async function () {
          await openNotebook({ GAN_SOLUTIONS: '1', GAN_ITERATIONS: String(ITERATIONS) });
        });
        after(close);

        it("Run All trains with one live dashboard, drawn by JupyterLab's Vega renderer and updated in place; no error", async () => {
          await lab.runAll();
          const seen = new Set<number>();
          let whileRunning = 0;
          const end = await until('Run All to finish', 300_000, async () => {
            const cells = await lab.cells();
            expect(errorsOf(cells)).to.deep.equal([]);
            const loop = cells.find((c) => c.name === 'training_loop')!;
            const vegaOutputs = loop.outputs.filter((o) => o.mimeTypes.includes('application/vnd.vegalite.v5+json'));
            expect(vegaOutputs.length, 'at most one dashboard output at any time').to.be.at.most(1);
            expect(loop.vega.length, 'at most one drawn dashboard at any time').to.be.at.most(1);
            const it = dashboardIteration(loop);
            if (it !== null) {
              seen.add(it);
              if (loop.prompt === '*') whileRunning++;
            }
            return cells.every((c) => c.prompt !== null && c.prompt !== '*') ? cells : null;
          });
          await lab.reveal('training_loop');
          const loop = end.find((c) => c.name === 'training_loop')!;
          expect(loop.vega, "one dashboard drawn by JupyterLab's renderer (.jp-RenderedVegaCommon5)").to.have.length(1);
          expect(loop.vega[0].width, 'the drawn canvas').to.be.greaterThan(600);
          expect(loop.vega[0].height).to.be.greaterThan(200);
          // it fits beside the open file browser in a 1400 px window: no horizontal scroll, no column cut
          const fit = await lab.vegaFit('training_loop');
          expect(fit.window).to.equal(1400);
          expect(fit.fileBrowser, 'the file browser is open').to.be.greaterThan(200);
          expect(fit.content, `the dashboard's width in its output area (${fit.area} px)`).to.be.at.most(fit.area);
          expect(dashboardIteration(loop), 'the last picture').to.equal(ITERATIONS);
          expect(whileRunning, 'pictures seen while the loop ran').to.be.greaterThan(0);
          expect(seen.size, `the same output showed several iterations: ${[...seen].join(', ')}`).to.be.at.least(2);
          expect(loop.redBoxes).to.equal(0);
          expect(errorsOf(end)).to.deep.equal([]);
          expect(
            end
              .find((c) => c.name === 'samplers')!
              .outputs.map((o) => o.text)
              .join(''),
          ).to.match(/backend/i);
          expect(unexpectedErrors(lab.errors)).to.deep.equal([]);
          // the intro's diagram is an attachment JupyterLab draws (a PNG: an SVG one shows as alt text)
          const diagram = await lab.page.evaluate(() =>
            Array.from(document.querySelectorAll<HTMLImageElement>('.jp-RenderedMarkdown img')).map((img) => [
              img.getAttribute('src')?.slice(0, 22) ?? '',
              img.naturalWidth,
            ]),
          );
          expect(diagram, 'the diagram in the first markdown cell').to.deep.include.members([
            ['data:image/png;base64,', 1280],
          ]);
        });

        it('Kernel › Interrupt stops the loop with one line saying how to carry on; run again, it continues', async () => {
          const before = dashboardIteration(await lab.cell('training_loop'))!;
          await lab.run('training_loop');
          // interrupt once the re-run has drawn its first picture of its own
          await until('the re-run to draw', 120_000, async () => {
            const loop = await lab.cell('training_loop');
            const it = dashboardIteration(loop);
            return loop.prompt === '*' && it !== null && it > before;
          });
          await lab.menu('Kernel', 'Interrupt Kernel');
          const interrupted = await lab.finished('training_loop', 60_000);
          const stoppedAt = dashboardIteration(interrupted)!;
          expect(stoppedAt, 'stopped mid-run').to.be.below(before + ITERATIONS);
          const said = interrupted.outputs
            .filter((o) => o.type === 'error' || o.name === 'stderr')
            .map((o) => o.text)
            .join('\n');
          // on Deno's kernel too: lib/jupyter/deno.ts (KeyboardInterrupt: …)
          expect(said).to.contain(INTERRUPT_NOTE);
          expect(said, 'no stack frames').to.not.match(/^\s+at /m);
          expect(interrupted.vega, 'the dashboard stays, one').to.have.length(1);

          await lab.run('training_loop');
          const resumed = await lab.finished('training_loop', 300_000);
          await lab.reveal('training_loop');
          expect(errorsOf([resumed]), 'the re-run ends cleanly').to.deep.equal([]);
          // ITERATIONS more from where the weights are (the interrupt lands after the last picture: not less)
          expect(dashboardIteration(resumed), 'the count carries on from the interrupted run').to.be.at.least(
            stoppedAt + ITERATIONS,
          );
          expect(resumed.vega).to.have.length(1);
          expect(unexpectedErrors(lab.errors)).to.deep.equal([]);
        });
      });

      describe("a student's own code in a fresh kernel", function () {
        before(async function () {
          await openNotebook({});
        });
        after(close);

        it('a self-check or an exercise cell run first says which cells to run before it', async () => {
          for (const name of ['check_train_disc', 'train_disc']) {
            await lab.run(name);
            const cell = await lab.finished(name, 120_000);
            const said = errorsOf([cell]).join('\n');
            // Deno's kernel too (lib/jupyter/deno-guard.ts): the same line as tslab's, no stack frames
            expect(said, name).to.match(
              /→ .*`gan`.* defined in the first code cell .*: run the cells above this one first/,
            );
            expect(said, name).to.not.contain('Cannot find name');
            expect(said, name).to.not.match(/^\s+at /m);
          }
        });

        it("typed with the loss's minus sign left out, its self-check names the sign mistake and the fix", async () => {
          await lab.select('train_disc');
          await lab.menu('Run', 'Run All Above Selected Cell');
          await lab.finished('models', 120_000);
          // (the two cells run first above keep their errors until they run again)
          expect(errorsOf(await lab.cells()).filter((e) => !/^(check_)?train_disc:/.test(e))).to.deep.equal([]);

          await lab.type('train_disc', trainDiscWithoutMinus());
          await lab.run('train_disc');
          const typed = await lab.finished('train_disc', 120_000);
          expect(errorsOf([typed]), 'the typed cell runs').to.deep.equal([]);

          await lab.run('check_train_disc');
          const check = await lab.finished('check_train_disc', 300_000);
          await lab.reveal('check_train_disc');
          const said = check.outputs.map((o) => o.text).join('\n');
          expect(said).to.contain('trainDisc self-check');
          expect(said).to.contain(SHARED_MISTAKES['wrong-sign'].title);
          expect(said).to.contain(SHARED_MISTAKES['wrong-sign'].hint);
          expect(said).to.not.contain('All checks pass');
          expect(unexpectedErrors(lab.errors)).to.deep.equal([]);
        });
      });
    });
  }

  describe('`npm run lab` (test/support/lab.ts)', function () {
    for (const how of ['Ctrl-C in its terminal', 'SIGTERM'] as const) {
      it(`${how} stops the server and every kernel it started`, async function () {
        const stateDir = tempDir('gan-lab-command-');
        // its own process group, as a terminal's foreground job: Ctrl-C signals the whole group
        const lab = spawn(process.execPath, [path.join(ROOT, 'dist', 'test', 'support', 'lab.js')], {
          env: { ...process.env, GAN_LAB_STATE_DIR: stateDir },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        let said = '';
        lab.stdout!.on('data', (b) => (said += b));
        lab.stderr!.on('data', (b) => (said += b));
        const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
        try {
          const [, url, token] = await until('`npm run lab` to print its address', 90_000, async () =>
            /(http:\/\/127\.0\.0\.1:\d+)\/lab\/tree\/\S+\?token=(\w+)/.exec(said),
          );
          const headers = { Authorization: `token ${token}`, 'Content-Type': 'application/json' };
          for (const name of ['tslab', 'deno']) {
            const r = await fetch(`${url}/api/kernels`, { method: 'POST', headers, body: JSON.stringify({ name }) });
            expect(r.status, `${name}: ${await r.text()}`).to.equal(201);
          }
          const runtime = path.join(stateDir, 'runtime');
          const kernels = await until('both kernels to run', 60_000, async () => {
            const pids = processesUsing(runtime, /deno-guard/); // the kernels, not the guard sent to Deno's (it exits)
            return pids.length >= 2 ? pids : null;
          });
          process.kill(how === 'SIGTERM' ? lab.pid! : -lab.pid!, how === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
          expect(await exited, said).to.equal(0);
          expect(kernels.filter(isRunning), 'kernel processes left running').to.deep.equal([]);
          expect(processesUsing(runtime)).to.deep.equal([]);
        } finally {
          // a failed test: lab.ts stops its (detached) server and kernels on SIGTERM; SIGKILL only if it cannot
          if (lab.exitCode === null) {
            lab.kill('SIGTERM');
            await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
            if (lab.exitCode === null) lab.kill('SIGKILL');
          }
          for (const pid of processesUsing(path.join(stateDir, 'runtime'))) process.kill(pid, 'SIGKILL');
          fs.rmSync(stateDir, { recursive: true, force: true });
        }
      });
    }
  });
});
