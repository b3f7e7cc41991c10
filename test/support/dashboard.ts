// Shared by the dashboard tests: the Vega-Lite 5 JSON schema check, a fixed dashboard, reading marks
// out of Vega's SVG, and the notebook executed once (solution mode, short loop) for every test file.
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DashboardData, linspace, noiseGrid, pullRange } from '../../lib/dashboard/panels';
import { Cell, NOTEBOOK, NotebookJson, Output, ROOT, executeNotebook, seminarCell } from './jupyter';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

let validator: ReturnType<Ajv['compile']> | null = null;

/** Errors of `spec` against vega-lite's own build/vega-lite-schema.json (empty when valid). */
export function vegaLiteSchemaErrors(spec: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(require.resolve('vega-lite/build/vega-lite-schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  }
  if (validator(spec)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** A deterministic mid-training dashboard: both histograms inside [0, 10], a P(real | x) curve, 12 points of history. */
export function sampleDashboard(): DashboardData {
  let state = 12345;
  const uniform = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const normal = (mean: number, std: number) =>
    mean + std * (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3);
  const grid = Array.from({ length: 101 }, (_, i) => i / 10);
  const generated = Array.from({ length: 1000 }, () => normal(4, 1));
  const noise = noiseGrid();
  const pullSamples = generated.slice(0, 100);
  const pullGrid = linspace(...pullRange(pullSamples), 121);
  const pull = (x: number) => 0.6 * Math.exp(-((x - 5) ** 2) / 8) - 0.3 * Math.exp(-((x - 3.5) ** 2) / 2); // a D that pushes 4 ± 1 right
  return {
    iteration: 3001,
    iterations: 10000,
    generated,
    real: Array.from({ length: 1000 }, () => normal(5, 1.5)),
    grid,
    pReal: grid.map((x) => 1 / (1 + Math.exp(-(x - 4.5)))),
    onGenerated: Array.from({ length: 100 }, () => 0.5 * uniform()),
    onReal: Array.from({ length: 100 }, () => 0.4 + 0.6 * uniform()),
    noise,
    mapped: noise.map((z) => 4 + 2 * (z - 0.5)), // a straight line: mean 4, too narrow, no tails
    pullGrid,
    pull: pullGrid.map(pull),
    pullSamples,
    pullOnSamples: pullSamples.map(pull),
    history: Array.from({ length: 12 }, (_, k) => ({
      iteration: 1 + 250 * k,
      discLoss: 1.3 - 0.01 * k,
      genLoss: 0.7 + 0.02 * k,
      genMean: 4 * (1 - Math.exp(-k / 3)),
      genStd: 1.5 * (1 - Math.exp(-k / 6)),
    })),
  };
}

export interface MarkGroup {
  /** rect | line | symbol | rule | ... */
  type: string;
  name: string;
  items: { label: string; d: string; fill: string | null; stroke: string | null }[];
}

/** The mark groups in Vega's SVG output, with their items (one <path>, or <line> for rules, each). */
export function marksInSvg(svg: string): MarkGroup[] {
  const groups: MarkGroup[] = [];
  const re = /<g class="mark-([a-z]+) role-mark ([^"]+)"[^>]*>((?:<(?:path|line)[^>]*\/>)*)<\/g>/g;
  for (const [, type, name, body] of svg.matchAll(re)) {
    const items = [...body.matchAll(/<(?:path|line)([^>]*)\/>/g)].map(([, attrs]) => ({
      label: /aria-label="([^"]*)"/.exec(attrs)?.[1] ?? '',
      d: /\sd="([^"]*)"/.exec(attrs)?.[1] ?? '',
      fill: /\sfill="([^"]*)"/.exec(attrs)?.[1] ?? null,
      stroke: /\sstroke="([^"]*)"/.exec(attrs)?.[1] ?? null,
    }));
    groups.push({ type, name, items });
  }
  return groups;
}

/** Height of a Vega rect path "M x,y h w v H h -w Z". */
export function rectHeight(d: string): number {
  const v = /v(-?[\d.e+-]+)/.exec(d);
  return v ? Math.abs(Number(v[1])) : 0;
}

export const SHORT_RUN = { GAN_SOLUTIONS: '1', GAN_ITERATIONS: '300' };

let executed: NotebookJson | null = null;

/** The notebook run headless once in solution mode with a short loop (kept as an artifact). */
export function executedNotebook(): NotebookJson {
  if (!executed) {
    executed = executeNotebook(NOTEBOOK, { env: SHORT_RUN });
    fs.writeFileSync(artifact('gan_1d.executed.ipynb'), `${JSON.stringify(executed, null, 1)}\n`);
  }
  return executed;
}

/** The training loop cell's rich outputs (display_data / execute_result). */
export function dashboardOutputs(nb: NotebookJson): Output[] {
  const cell: Cell = seminarCell(nb, 'training_loop');
  return (cell.outputs ?? []).filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result');
}
