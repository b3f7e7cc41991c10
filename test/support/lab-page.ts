// A student's hands on JupyterLab 4 in Chromium: the menus, a cell's prompt and editor, the keyboard. What
// the screen shows is read from the page (the notebook's cells and their outputs as JupyterLab holds them,
// and the rendered output nodes).
import type { Page } from 'playwright-core';
import { until } from './browser';

/** A code cell as the student sees it. */
export interface LabCell {
  /** metadata.seminar.cell */
  name: string;
  source: string;
  /** The prompt: null before the cell ran, '*' while it runs (or waits), else the execution count. */
  prompt: string | null;
  /** Each output: its type, and its text (stream text, the error's name, message and traceback, or text/plain). */
  outputs: { type: string; name?: string; text: string; mimeTypes: string[] }[];
  /** Outputs drawn by JupyterLab's Vega renderer (@jupyterlab/vega5-extension), and their canvases' sizes. */
  vega: { width: number; height: number }[];
  /** Outputs shown as an error or stderr (red) box. */
  redBoxes: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export class LabPage {
  /** Page errors and console errors, in order. */
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && this.errors.push(`console error: ${m.text()}`));
    page.on(
      'response',
      (r) => r.status() >= 400 && this.errors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`),
    );
  }

  /** Opens the notebook (a path under the server's root) and waits for its kernel to be idle. */
  async open(baseUrl: string, notebook: string): Promise<string> {
    await this.page.goto(`${baseUrl}/lab/tree/${notebook}`);
    await until('JupyterLab to start', 90_000, () => this.page.evaluate(() => Boolean((window as any).jupyterapp)));
    return this.kernelIdle();
  }

  /** Waits until the notebook's kernel is idle; returns its display name (the status bar's). */
  async kernelIdle(timeoutMs = 120_000): Promise<string> {
    return until('the kernel to be idle', timeoutMs, () =>
      this.page.evaluate(() => {
        const ctx = (window as any).jupyterapp.shell.currentWidget?.sessionContext;
        return ctx?.session?.kernel?.status === 'idle' && !ctx.pendingInput ? (ctx.kernelDisplayName as string) : null;
      }),
    );
  }

  /** Clicks a menu of the menu bar, then one of its items (by their labels, as shown). */
  async menu(menu: string, item: string): Promise<void> {
    await this.page.locator('.lm-MenuBar-item', { hasText: new RegExp(`^${escape(menu)}$`) }).click();
    await this.page
      .locator('.lm-Menu .lm-Menu-item:not(.lm-mod-disabled)', { hasText: new RegExp(`^${escape(item)}`) })
      .first()
      .click();
  }

  /**
   * Run › Run All Cells, and waits for the first cell to start. (Right after a kernel change a click on the
   * menu bar is sometimes swallowed; with no cell started yet, choosing it again cannot run anything twice.)
   */
  async runAll(): Promise<void> {
    const started = async () => (await this.cells()).some((c) => c.prompt !== null);
    for (let attempt = 1; ; attempt++) {
      await this.menu('Run', 'Run All Cells');
      try {
        await until('Run All to start a cell', 20_000, started);
        return;
      } catch (err) {
        if (attempt === 2) throw err;
      }
    }
  }

  /** Kernel › Change Kernel…: picks the kernel by its display name in JupyterLab's dialog. */
  async changeKernel(displayName: string): Promise<string> {
    await this.menu('Kernel', 'Change Kernel…');
    const dialog = this.page.locator('.jp-Dialog');
    await dialog.locator('select').selectOption({ label: displayName });
    await dialog.locator('button.jp-mod-accept').click();
    await dialog.waitFor({ state: 'detached' });
    await until(`the kernel "${displayName}"`, 120_000, async () => (await this.kernelIdle()) === displayName);
    return displayName;
  }

  /** The code cells, in order. */
  async cells(): Promise<LabCell[]> {
    const cells = (await this.page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      return (panel.content.widgets as any[])
        .filter((c) => c.model.type === 'code')
        .map((c) => {
          const outputs = [];
          for (let i = 0; i < c.model.outputs.length; i++) {
            const o = c.model.outputs.get(i).toJSON();
            const text = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
            const body =
              o.output_type === 'error'
                ? `${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join('\n')}`
                : o.output_type === 'stream'
                  ? text(o.text)
                  : text(o.data?.['text/plain']);
            outputs.push({ type: o.output_type, name: o.name, text: body, mimeTypes: Object.keys(o.data ?? {}) });
          }
          const node = c.node as HTMLElement;
          return {
            name: c.model.getMetadata('seminar')?.cell ?? '',
            source: c.model.sharedModel.getSource(),
            prompt:
              /\[\s*([^\]\s]*)\s*\]/.exec(node.querySelector('.jp-InputArea-prompt')?.textContent ?? '')?.[1] || null,
            outputs,
            vega: Array.from(node.querySelectorAll('.jp-RenderedVegaCommon5')).map((v) => {
              const canvas = v.querySelector('canvas');
              return { width: canvas?.clientWidth ?? 0, height: canvas?.clientHeight ?? 0 };
            }),
            redBoxes: node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
              .length,
          };
        });
    })) as LabCell[];
    for (const c of cells) for (const o of c.outputs) o.text = o.text.replace(ANSI, '');
    return cells;
  }

  async cell(name: string): Promise<LabCell> {
    const cell = (await this.cells()).find((c) => c.name === name);
    if (!cell) throw new Error(`the notebook shows no cell "${name}"`);
    return cell;
  }

  /** The cell's place among all cells (the student's target for clicks). */
  private async cellIndex(name: string): Promise<number> {
    const index = await this.page.evaluate((n) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      return (panel.content.widgets as any[]).findIndex((c) => c.model.getMetadata('seminar')?.cell === n);
    }, name);
    if (index < 0) throw new Error(`the notebook shows no cell "${name}"`);
    return index;
  }

  /** Selects the cell by clicking its prompt (command mode), scrolled into view. */
  async select(name: string): Promise<void> {
    const cell = this.page.locator('.jp-Notebook .jp-Cell').nth(await this.cellIndex(name));
    await cell.scrollIntoViewIfNeeded();
    await cell.locator('.jp-InputPrompt').click();
  }

  /** Scrolls the cell's outputs into view (for the screenshot). */
  async reveal(name: string): Promise<void> {
    const cell = this.page.locator('.jp-Notebook .jp-Cell').nth(await this.cellIndex(name));
    await cell
      .locator('.jp-OutputArea')
      .last()
      .scrollIntoViewIfNeeded()
      .catch(() => undefined);
  }

  /**
   * How the cell's drawn dashboard sits in its output area: the area's width, the width its content needs
   * (wider: a horizontal scroll bar, the right column cut), the window's width and the file browser's.
   */
  async vegaFit(name: string): Promise<{ area: number; content: number; window: number; fileBrowser: number }> {
    const index = await this.cellIndex(name);
    return this.page.evaluate((i) => {
      const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
      const out = cell.querySelector('.jp-RenderedVegaCommon5')?.closest('.jp-OutputArea-output');
      if (!out) throw new Error('the cell shows no drawn dashboard');
      const browser = document.querySelector<HTMLElement>('.jp-FileBrowser');
      return {
        area: out.clientWidth,
        content: out.scrollWidth,
        window: window.innerWidth,
        fileBrowser: browser && browser.offsetParent !== null ? browser.getBoundingClientRect().width : 0,
      };
    }, index);
  }

  /** Runs one cell as a student does: selects it, then Run › Run Selected Cell. */
  async run(name: string): Promise<void> {
    await this.select(name);
    await this.menu('Run', 'Run Selected Cell');
  }

  /** Waits until the cell has run (a number in its prompt, none of the cells waiting); returns it. */
  async finished(name: string, timeoutMs: number): Promise<LabCell> {
    return until(`cell "${name}" to finish`, timeoutMs, async () => {
      const cells = await this.cells();
      const cell = cells.find((c) => c.name === name);
      return cell && cell.prompt !== null && cell.prompt !== '*' && cells.every((c) => c.prompt !== '*') ? cell : null;
    });
  }

  /**
   * Replaces the cell's text through its editor: a click puts the cursor in it, Ctrl+A selects the cell's
   * text, and the new text arrives as typed text (one input event, so the editor's bracket closing and
   * auto-indent, which act on single keys, leave it as written).
   */
  async type(name: string, text: string): Promise<void> {
    const cell = this.page.locator('.jp-Notebook .jp-Cell').nth(await this.cellIndex(name));
    await cell.scrollIntoViewIfNeeded();
    await cell.locator('.cm-content').click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.insertText(text);
    await until(
      `the editor of "${name}" to hold the typed text`,
      10_000,
      async () => (await this.cell(name)).source === text,
    );
    await this.page.keyboard.press('Escape'); // back to command mode, as after typing
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file }).catch(() => undefined);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
