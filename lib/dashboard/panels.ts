// The training dashboard as Vega-Lite 5 specs: one typed builder per panel, plain JSON out.
// Panels take numbers (lib/dashboard/dashboard.ts reads them off the models), so they are easy to test.
import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/build/src/spec';
import { REAL_MEAN, REAL_STD } from '../seminar/data';
import { normalQuantile } from '../seminar/metrics';
import { Verdict, WRONG_STATES, verdictLine } from '../seminar/verdict';
import type { HistoryPoint } from '../seminar/trained';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** Colours as in the seminar's matplotlib plots: generated blue, real orange, the discriminator green. */
export const COLORS = {
  generated: '#1f77b4',
  real: '#ff7f0e',
  discriminator: '#2ca02c',
  discLoss: '#d62728',
  genLoss: '#1f77b4',
  mean: '#1f77b4',
  std: '#9467bd',
  ideal: '#7f7f7f',
} as const;

/** A panel's plot area. 300 wide: the whole dashboard (≈ 875 px, DASHBOARD_WIDTH) fits JupyterLab's output
 *  area beside its open file browser in a 1400 px window (960 px, of which vega-embed's ⋯ menu takes 38). */
export const PANEL = { width: 300, height: 220 };

/** Every y axis takes exactly this many pixels (ticks + labels), whatever its tick labels: the image keeps
 *  its size from one update to the next, and the panels line up. */
export const AXIS_EXTENT = 60;
/** An axis with its title (extent, title padding, title line). */
export const AXIS_WIDTH = AXIS_EXTENT + 4 + 16;
/** The rows are laid out by their plot areas alone (bounds: 'flush'), so each column starts at the same x
 *  in both rows; between two plots: the right-hand axis of the top-left panel, the next panel's left axis
 *  and a gap. */
const SPACING = 2 * AXIS_WIDTH + 24;
/** The dashboard's width: the left axis, two plot areas and the space between them (every title and
 *  legend stays within it: test/dashboard/panels.test.ts). */
export const DASHBOARD_WIDTH = AXIS_WIDTH + 2 * PANEL.width + SPACING;

/** Legible in a notebook and in the PNG: larger text than Vega-Lite's defaults. */
export const CONFIG = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start' },
  axis: { labelFontSize: 12, titleFontSize: 13, titlePadding: 4 },
  // labelFlush: the end labels stay inside the plot's height, so legends and titles above do not move with them
  // labelLimit 0: never cut a label ("−4e…" hides the size of a blow-up); NUMBER_LABEL keeps them within
  // the extent (≤ 7 characters, ≈ 50 px), whereas Vega's headless width estimate (0.8 em a character) would cut them
  axisY: { minExtent: AXIS_EXTENT, maxExtent: AXIS_EXTENT, labelLimit: 0, labelFlush: true },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    orient: 'top',
    direction: 'horizontal',
    labelLimit: 0,
    symbolStrokeWidth: 2.5,
  },
  view: { stroke: '#ccc' },
} as const;

export interface Bin {
  x0: number;
  x1: number;
  value: number;
}

export interface HistogramOptions {
  min: number;
  max: number;
  bins: number;
  /** Divide counts by (n · bin width) so the bars integrate to the in-range share (a density). */
  density?: boolean;
}

/** Equal-width bins on [min, max]; values outside are left out (as matplotlib's `range=`). */
export function histogram(xs: ArrayLike<number>, { min, max, bins, density = false }: HistogramOptions): Bin[] {
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!(x >= min && x <= max)) continue;
    counts[Math.min(bins - 1, Math.floor((x - min) / width))]++;
  }
  const scale = density && xs.length > 0 ? 1 / (xs.length * width) : 1;
  return counts.map((c, i) => ({ x0: min + i * width, x1: min + (i + 1) * width, value: c * scale }));
}

/** How many values fall outside [min, max]. */
export function outside(xs: ArrayLike<number>, min: number, max: number): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (!(xs[i] >= min && xs[i] <= max)) n++;
  return n;
}

/**
 * Tick labels that read at any magnitude and fit the fixed-width axis: plain numbers up to 10⁴ ("0.25",
 * "1250"), powers of ten above (and below 10⁻³), as "2.5e20" — never an SI prefix ("200Y", "−20E"), which
 * reads as a unit, nor a long number cut to "−10…".
 */
export const NUMBER_LABEL =
  "datum.value != 0 && (abs(datum.value) >= 1e4 || abs(datum.value) < 1e-3) ? replace(format(datum.value, '.2~e'), 'e+', 'e') : format(datum.value, '.4~g')";

/** Iteration labels: 20k above 10⁴, else the whole number. */
const ITERATION_LABEL = "datum.value >= 1e4 ? format(datum.value, '.3~s') : format(datum.value, 'd')";

/**
 * The iteration axis: whole-number ticks at a nice step (1, 2, 2.5, 5 × 10ⁿ) from 0 past the last
 * iteration, about six of them — Vega's own ticks read "1.000000" for a single read-out and 1.1, 1.2, … for
 * two close ones (Vega-Lite's tickMinStep does not reach Vega here).
 */
export function iterationAxis(iterations: readonly number[]): {
  scale: { domain: [number, number]; nice: false };
  axis: { values: number[]; labelExpr: string };
} {
  const last = Math.max(1, ...iterations.filter(Number.isFinite));
  const raw = last / 6;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = Math.max(1, [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const end = Math.ceil(last / step) * step;
  const values = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
  return { scale: { domain: [0, end], nice: false }, axis: { values, labelExpr: ITERATION_LABEL } };
}

const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function binRows(series: string, bins: Bin[]) {
  return bins.map((b) => ({ series, x0: round(b.x0), x1: round(b.x1), value: round(b.value) }));
}

/** Histograms: a square per series, filled like the bars. Curves: a stroke per series. Same everywhere. */
function colorScale(domain: string[], range: string[], symbolType: 'square' | 'stroke' = 'square') {
  return { field: 'series', type: 'nominal' as const, scale: { domain, range }, legend: { title: null, symbolType } };
}

/** An axis over [0, 1]: ticks every 0.2 (at 0.1 the labels of a PANEL-wide axis touch). */
const UNIT_AXIS = { tickCount: 5 };

/** Outlined half-transparent bars: where two histograms overlap, both outlines show (the legend's squares
 *  are the same fill). */
const BAR_MARK = { type: 'rect', fillOpacity: 0.5, strokeWidth: 1.5, strokeOpacity: 1 } as const;

export interface DistributionsData {
  /** Samples G(z) and real samples (the seminar draws 1000 each). */
  generated: ArrayLike<number>;
  real: ArrayLike<number>;
  /** The discriminator's P(real | x) on a grid of x in [0, 10]. */
  grid: ArrayLike<number>;
  pReal: ArrayLike<number>;
}

export const DISTRIBUTION_RANGE = [0, 10] as const;

/** Left seminar panel: normalised histograms of generated vs real data, and the curve P(real | x). */
export function distributionsPanel(d: DistributionsData): NonNormalizedSpec {
  const [min, max] = DISTRIBUTION_RANGE;
  const opts = { min, max, bins: 25, density: true };
  const names = { generated: 'generated G(z)', real: 'real x', curve: 'discriminator P(real | x)' };
  const lost = outside(d.generated, min, max);
  const bars = [
    ...binRows(names.generated, histogram(d.generated, opts)),
    ...binRows(names.real, histogram(d.real, opts)),
  ];
  const curve = Array.from(d.grid, (x, i) => ({ series: names.curve, x: round(x), p: round(d.pReal[i]) }));
  const color = colorScale(Object.values(names), [COLORS.generated, COLORS.real, COLORS.discriminator]);
  return {
    title: {
      text: 'Data distributions',
      subtitle: `${lost > 0 ? `${lost} of ${d.generated.length} generated samples fall outside [${min}, ${max}]` : 'outlined bars: where they overlap, both outlines show'}`,
    },
    ...PANEL,
    layer: [
      {
        name: 'distributions_bars',
        data: { values: bars },
        mark: BAR_MARK,
        encoding: {
          x: {
            field: 'x0',
            type: 'quantitative',
            scale: { domain: [min, max] },
            title: 'x',
            axis: { labelExpr: NUMBER_LABEL },
          },
          x2: { field: 'x1' },
          y: { field: 'value', type: 'quantitative', title: 'density', axis: { labelExpr: NUMBER_LABEL } },
          color,
          stroke: color,
        },
      },
      {
        name: 'distributions_curve',
        data: { values: curve },
        mark: { type: 'line', strokeWidth: 2.5, point: { size: 12 }, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: {
            field: 'p',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            axis: { orient: 'right' },
            title: 'P(real | x)',
          },
          color,
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

export interface ReadoutData {
  /** The discriminator's P(real) on generated samples D(G(z)) and on real ones D(x) (100 each). */
  onGenerated: ArrayLike<number>;
  onReal: ArrayLike<number>;
}

/** Right seminar panel: how often the discriminator gives each P(real) to generated and real samples. */
export function readoutPanel(d: ReadoutData): NonNormalizedSpec {
  const opts = { min: 0, max: 1, bins: 20 };
  const names = { generated: 'D(G(z))', real: 'D(x)' };
  const bars = [
    ...binRows(names.generated, histogram(d.onGenerated, opts)),
    ...binRows(names.real, histogram(d.onReal, opts)),
  ];
  return {
    title: { text: 'Discriminator readout on real vs gen', subtitle: 'both gather near 0.5 once G has learnt' },
    name: 'readout_bars',
    ...PANEL,
    data: { values: bars },
    mark: BAR_MARK,
    encoding: {
      x: {
        field: 'x0',
        type: 'quantitative',
        scale: { domain: [0, 1] },
        axis: UNIT_AXIS,
        title: 'P(real) given by the discriminator',
      },
      x2: { field: 'x1' },
      y: { field: 'value', type: 'quantitative', title: 'samples' },
      color: colorScale(Object.values(names), [COLORS.generated, COLORS.real]),
      stroke: colorScale(Object.values(names), [COLORS.generated, COLORS.real]),
    },
  };
}

export type { HistoryPoint }; // the loop's read-out, owned by lib/seminar/trained.ts

/** A line per series over iterations, with a dashed rule per series at its reference value. */
function curvesPanel(
  name: string,
  title: string,
  subtitle: string,
  yTitle: string,
  series: { name: string; color: string; values: [number, number][]; reference: number }[],
  yScale: Record<string, unknown> = { zero: false },
  yAxis: Record<string, unknown> = { labelExpr: NUMBER_LABEL },
): NonNormalizedSpec {
  const rows = series.flatMap((s) => s.values.map(([iteration, y]) => ({ series: s.name, iteration, y: round(y) })));
  const iterationScale = iterationAxis(series.flatMap((s) => s.values.map(([iteration]) => iteration)));
  const rules = series.map((s) => ({ series: s.name, y: round(s.reference) }));
  const color = colorScale(
    series.map((s) => s.name),
    series.map((s) => s.color),
    'stroke',
  );
  return {
    title: { text: title, subtitle },
    ...PANEL,
    layer: [
      {
        name: `${name}_targets`,
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'y', type: 'quantitative' }, color },
      },
      {
        name: `${name}_curves`,
        data: { values: rows },
        // clip: a point at the top of the axis would otherwise stick out and move the legend above by a pixel or two
        mark: { type: 'line', strokeWidth: 2, point: { size: 16 }, clip: true },
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'iteration', ...iterationScale },
          y: { field: 'y', type: 'quantitative', title: yTitle, scale: yScale, axis: yAxis },
          color,
        },
      },
    ],
  };
}

/** Equilibrium losses: D outputs 1/2 everywhere, so −(log ½ + log ½) for D and −log ½ for G. */
export const EQUILIBRIUM = { discLoss: 2 * Math.LN2, genLoss: Math.LN2 };

/** The first iteration whose value is not a finite number (NaN, ±∞: not drawn), if any. */
function firstNonFinite(history: HistoryPoint[], key: 'discLoss' | 'genLoss'): number | undefined {
  return history.find((h) => !Number.isFinite(h[key]))?.iteration;
}

/**
 * Losses on a symlog axis: linear from 0 to 1 — where the equilibrium lines are — and logarithmic above,
 * so one huge loss (tf.sum: 10³–10⁵) no longer flattens the rest; negative losses (a wrong sign) show too.
 */
export function lossPanel(history: HistoryPoint[]): NonNormalizedSpec {
  const [d, g] = [firstNonFinite(history, 'discLoss'), firstNonFinite(history, 'genLoss')];
  // short enough for the panel's width (a longer subtitle runs into the next panel's title)
  const broken =
    d !== undefined && d === g
      ? [`D and G loss NaN/∞ from iteration ${d}`]
      : (
          [
            ['D', d],
            ['G', g],
          ] as const
        )
          .filter(([, at]) => at !== undefined)
          .map(([who, at]) => `${who} loss NaN/∞ from iteration ${at}`);
  const subtitle =
    broken.length > 0
      ? `${broken.join(', ')} (not drawn)`
      : 'symlog axis (log above 1) · dashed: equilibrium 2·ln 2 (D), ln 2 (G)';
  return curvesPanel(
    'losses',
    'Losses',
    subtitle,
    'loss (symlog)',
    [
      {
        name: 'discriminator',
        color: COLORS.discLoss,
        values: history.map((h) => [h.iteration, h.discLoss]),
        reference: EQUILIBRIUM.discLoss,
      },
      {
        name: 'generator',
        color: COLORS.genLoss,
        values: history.map((h) => [h.iteration, h.genLoss]),
        reference: EQUILIBRIUM.genLoss,
      },
    ],
    { type: 'symlog', constant: 1 },
    { labelExpr: NUMBER_LABEL },
  );
}

export function momentsPanel(history: HistoryPoint[], target = { mean: 5, std: 1.5 }): NonNormalizedSpec {
  return curvesPanel('moments', 'Generated mean and std', `dashed: targets ${target.mean} and ${target.std}`, 'value', [
    { name: 'mean', color: COLORS.mean, values: history.map((h) => [h.iteration, h.genMean]), reference: target.mean },
    { name: 'std', color: COLORS.std, values: history.map((h) => [h.iteration, h.genStd]), reference: target.std },
  ]);
}

/** A layer, or none while it has no data: Vega fails the whole picture on a line or point layer without any (a run gone NaN). */
function ifData<L extends { data: { values: unknown[] } }>(layer: L): L[] {
  return layer.data.values.length ? [layer] : [];
}

export interface GeneratorMapData {
  /** Noise values z on [0, 1] (sorted) and the generator's G(z) for each. */
  noise: ArrayLike<number>;
  mapped: ArrayLike<number>;
}

/** The map that turns Uniform[0, 1] into N(5, 1.5²): x = 5 + 1.5·Φ⁻¹(z). */
export function idealMap(z: number): number {
  return REAL_MEAN + REAL_STD * normalQuantile(z);
}

/** z = (i + ½)/n: the noise grid of the generator-map panel (the ideal map is infinite at 0 and 1). */
export function noiseGrid(n = 100): number[] {
  return Array.from({ length: n }, (_, i) => (i + 0.5) / n);
}

const f2 = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 ? x.toExponential(1) : x.toFixed(1)) : String(x));

/**
 * The generator as a function: z ∈ [0, 1] → G(z) against the ideal map 5 + 1.5·Φ⁻¹(z). Where the two
 * coincide the generated distribution is right; the ideal's steep ends are the tails, which a 16-unit
 * ELU generator (nearly a bent line) cannot follow.
 */
export function generatorMapPanel(d: GeneratorMapData): NonNormalizedSpec {
  const names = { generator: 'generator G(z)', ideal: 'ideal 5 + 1.5·Φ⁻¹(z)' };
  const z = Array.from(d.noise);
  const ideal = z.map((v) => ({ series: names.ideal, z: round(v), x: round(idealMap(v)) }));
  // a generator gone non-finite (NaN weights) draws no line: Vega's line mark fails on a layer of nulls
  const mapped = z
    .map((v, i) => ({ series: names.generator, z: round(v), x: round(d.mapped[i]) }))
    .filter((_, i) => Number.isFinite(d.mapped[i]));
  const [first, last] = [0, z.length - 1];
  const ends = z.length
    ? `ends: G(${z[first]}) = ${f2(d.mapped[first])} (ideal ${f2(idealMap(z[first]))}), G(${z[last]}) = ${f2(d.mapped[last])} (ideal ${f2(idealMap(z[last]))})`
    : '';
  const color = colorScale([names.generator, names.ideal], [COLORS.generated, COLORS.ideal], 'stroke');
  const x = {
    field: 'z',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    axis: UNIT_AXIS,
    title: 'noise z ~ Uniform[0, 1]',
  };
  const y = {
    field: 'x',
    type: 'quantitative' as const,
    scale: { zero: false },
    title: 'x = G(z)',
    axis: { labelExpr: NUMBER_LABEL },
  };
  return {
    title: { text: 'Generator map z → G(z)', subtitle: ends },
    ...PANEL,
    layer: [
      {
        name: 'map_ideal',
        data: { values: ideal },
        mark: { type: 'line', strokeWidth: 2, strokeDash: [6, 4], clip: true },
        encoding: { x, y, color },
      },
      ...ifData({
        name: 'map_generator',
        data: { values: mapped },
        mark: { type: 'line' as const, strokeWidth: 2.5, clip: true },
        encoding: { x, y, color },
      }),
    ],
  };
}

export interface PullData {
  /** x values along which the pull is drawn, and d log P(real | x)/dx at each. */
  pullGrid: ArrayLike<number>;
  pull: ArrayLike<number>;
  /** Generated samples and the pull at each: where D pushes them, and how hard. */
  pullSamples: ArrayLike<number>;
  pullOnSamples: ArrayLike<number>;
}

/** The pull panel's x range: [0, 10], widened to the generated samples' (finite) range. */
export function pullRange(samples: ArrayLike<number>): [number, number] {
  let lo: number = DISTRIBUTION_RANGE[0];
  let hi: number = DISTRIBUTION_RANGE[1];
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  }
  return [lo, hi];
}

/** n evenly spaced points on [lo, hi]. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/**
 * The discriminator's pull d log P(real | x)/dx along x, with the generated samples on it: the generator
 * climbs log P(real | G(z)), so above zero D pulls a sample to the right, below zero to the left, and the
 * height is how hard. At equilibrium the curve is flat at 0 where the data are.
 */
export function pullPanel(d: PullData): NonNormalizedSpec {
  const names = { curve: 'd log P(real | x) / dx', samples: 'generated samples' };
  // non-finite read-outs (NaN weights) are left out: Vega's marks fail on layers of nulls
  const finite = (x: number, pull: number) => Number.isFinite(x) && Number.isFinite(pull);
  const curve = Array.from(d.pullGrid, (x, i) => ({
    series: names.curve,
    x: round(x),
    pull: round(d.pull[i], 6),
  })).filter((_, i) => finite(d.pullGrid[i], d.pull[i]));
  const points = Array.from(d.pullSamples, (x, i) => ({
    series: names.samples,
    x: round(x),
    pull: round(d.pullOnSamples[i], 6),
  })).filter((_, i) => finite(d.pullSamples[i], d.pullOnSamples[i]));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < d.pullOnSamples.length; i++) {
    if (!Number.isFinite(d.pullOnSamples[i])) continue;
    sum += d.pullOnSamples[i];
    n++;
  }
  const mean = n ? sum / n : NaN;
  const direction = !Number.isFinite(mean)
    ? 'no finite pull'
    : `mean pull ${mean >= 0 ? '+' : '−'}${Math.abs(mean).toPrecision(2)}: ${mean >= 0 ? 'to the right' : 'to the left'}`;
  const color = colorScale([names.curve, names.samples], [COLORS.discriminator, COLORS.generated], 'stroke');
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'x',
    scale: { zero: false, nice: false },
    axis: { labelExpr: NUMBER_LABEL },
  };
  const y = { field: 'pull', type: 'quantitative' as const, title: 'pull on x', axis: { labelExpr: NUMBER_LABEL } };
  return {
    title: { text: "Discriminator's pull on G", subtitle: `> 0: pushed right, < 0: left · ${direction}` }, // within the panel's width
    ...PANEL,
    layer: [
      {
        name: 'pull_zero',
        data: { values: [{ pull: 0 }] },
        mark: { type: 'rule', color: COLORS.ideal, strokeDash: [6, 4] },
        encoding: { y: { field: 'pull', type: 'quantitative' } },
      },
      ...ifData({
        name: 'pull_curve',
        data: { values: curve },
        mark: { type: 'line' as const, strokeWidth: 2.5, clip: true },
        encoding: { x, y, color },
      }),
      ...ifData({
        name: 'pull_samples',
        data: { values: points },
        mark: { type: 'point' as const, filled: true, size: 28, opacity: 0.7, clip: true },
        encoding: { x, y, color },
      }),
    ],
  };
}

/** A single panel as a spec of its own. */
export function standalone(panel: NonNormalizedSpec): TopLevelSpec {
  return { $schema: VEGA_LITE_SCHEMA, config: CONFIG, ...panel } as TopLevelSpec;
}

export interface DashboardData extends DistributionsData, ReadoutData, GeneratorMapData, PullData {
  iteration: number;
  iterations: number;
  history: HistoryPoint[];
  /** The verdict on the run so far (lib/seminar/verdict.ts); none: no verdict line. */
  verdict?: Verdict;
  /** Iterations the models had been trained before this run (a training cell run again after an interrupt). */
  from?: number;
}

const independentColors = {
  scale: { color: 'independent', stroke: 'independent', fill: 'independent' },
  legend: { color: 'independent', stroke: 'independent', fill: 'independent' },
} as const;

/** The numbers of the latest read-out in one line (the text front ends show it; so does the picture's title). */
export function numbersLine(d: DashboardData): string {
  const h = d.history[d.history.length - 1];
  const f = (x: number | undefined, digits: number) =>
    x === undefined
      ? '–'
      : !Number.isFinite(x)
        ? String(x)
        : Math.abs(x) >= 1e4
          ? x.toExponential(2)
          : x.toFixed(digits);
  return (
    `iteration ${d.iteration} of ${d.iterations} · D loss ${f(h?.discLoss, 3)} · G loss ${f(h?.genLoss, 3)} · ` +
    `generated mean ${f(h?.genMean, 2)} (target 5), std ${f(h?.genStd, 2)} (target 1.5)`
  );
}

/** Characters per title line: within DASHBOARD_WIDTH at the subtitle's 12.5 px, where a character takes
 *  0.5–0.6 em (DejaVu Sans and Verdana; Cyrillic the widest). */
const LINE_CHARS = Math.floor(DASHBOARD_WIDTH / (12.5 * 0.62));
/** Lines the verdict takes per language: fixed, so the picture keeps its size from update to update. */
export const VERDICT_LINES = 3;

/** Words wrapped into lines of at most `width` characters; at most `lines` lines (the last one cut with …). */
export function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  if (out.length > lines) {
    out.length = lines;
    out[lines - 1] = `${out[lines - 1].slice(0, width - 1)}…`;
  }
  while (out.length < lines) out.push('');
  return out;
}

/** The title's lines under the counter: the numbers, then the verdict in Russian and in English. */
export function subtitleLines(d: DashboardData): string[] {
  const lines = [numbersLine(d)];
  if (!d.verdict) return lines;
  for (const lang of ['ru', 'en'] as const)
    lines.push(...wrap(verdictLine(d.verdict, lang), LINE_CHARS, VERDICT_LINES).filter(Boolean));
  // blank lines at the end (not between the languages): the same height whatever the verdict says
  while (lines.length < 1 + 2 * VERDICT_LINES) lines.push('');
  return lines;
}

/** The title's colour for the verdict: red when something is wrong, green when converged. */
function verdictColor(v: Verdict | undefined): string {
  if (!v) return '#333';
  return WRONG_STATES.includes(v.state) ? '#b2182b' : v.state === 'converged' ? '#1b7837' : '#333';
}

/** The whole dashboard: the seminar's two panels side by side, losses and mean/std below, then the
 *  generator's map and the discriminator's pull; the title holds the numbers and the verdict. */
export function dashboardSpec(d: DashboardData): TopLevelSpec {
  const done = d.iteration >= d.iterations;
  const continued = d.from ? ` (continued from ${d.from})` : '';
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CONFIG,
    title: {
      text: `GAN training: iteration ${d.iteration} of ${d.iterations}${done ? ' (done)' : continued}`,
      fontSize: 17,
      subtitle: subtitleLines(d),
      subtitleFontSize: 12.5,
      subtitleColor: verdictColor(d.verdict),
      subtitlePadding: 6,
      offset: 14, // the last verdict line clear of the panels' own titles
    },
    vconcat: [
      {
        hconcat: [distributionsPanel(d), readoutPanel(d)],
        resolve: independentColors,
        spacing: SPACING,
        bounds: 'flush',
      },
      {
        hconcat: [lossPanel(d.history), momentsPanel(d.history)],
        resolve: independentColors,
        spacing: SPACING,
        bounds: 'flush',
      },
      { hconcat: [generatorMapPanel(d), pullPanel(d)], resolve: independentColors, spacing: SPACING, bounds: 'flush' },
    ],
    resolve: independentColors,
  };
}
