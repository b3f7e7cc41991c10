// The training dashboard as Vega-Lite 5 specs: one typed builder per panel, plain JSON out.
// Panels take numbers (lib/dashboard/dashboard.ts reads them off the models), so they are easy to test.
import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/build/src/spec';

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
} as const;

const PANEL = { width: 360, height: 220 };

/** Every y axis takes exactly this many pixels (ticks + labels), whatever its tick labels: the image keeps
 *  its size from one update to the next, and the panels line up. */
export const AXIS_EXTENT = 50;
/** An axis with its title (extent, title padding, title line). */
export const AXIS_WIDTH = AXIS_EXTENT + 4 + 16;
/** The rows are laid out by their plot areas alone (bounds: 'flush'), so each column starts at the same x
 *  in both rows; between two plots: the right-hand axis of the top-left panel, the next panel's left axis
 *  and a gap. */
const SPACING = 2 * AXIS_WIDTH + 24;

/** Legible in a notebook and in the PNG: larger text than Vega-Lite's defaults. */
export const CONFIG = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start' },
  axis: { labelFontSize: 12, titleFontSize: 13, titlePadding: 4 },
  // labelFlush: the end labels stay inside the plot's height, so legends and titles above do not move with them
  axisY: { minExtent: AXIS_EXTENT, maxExtent: AXIS_EXTENT, labelLimit: AXIS_EXTENT - 6, labelFlush: true },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top', direction: 'horizontal', labelLimit: 0, symbolStrokeWidth: 2.5 },
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

const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function binRows(series: string, bins: Bin[]) {
  return bins.map((b) => ({ series, x0: round(b.x0), x1: round(b.x1), value: round(b.value) }));
}

/** Histograms: a square per series, filled like the bars. Curves: a stroke per series. Same everywhere. */
function colorScale(domain: string[], range: string[], symbolType: 'square' | 'stroke' = 'square') {
  return { field: 'series', type: 'nominal' as const, scale: { domain, range }, legend: { title: null, symbolType } };
}

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
  const bars = [...binRows(names.generated, histogram(d.generated, opts)), ...binRows(names.real, histogram(d.real, opts))];
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
          x: { field: 'x0', type: 'quantitative', scale: { domain: [min, max] }, title: 'x' },
          x2: { field: 'x1' },
          y: { field: 'value', type: 'quantitative', title: 'density' },
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
          y: { field: 'p', type: 'quantitative', scale: { domain: [0, 1] }, axis: { orient: 'right' }, title: 'P(real | x)' },
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
  const bars = [...binRows(names.generated, histogram(d.onGenerated, opts)), ...binRows(names.real, histogram(d.onReal, opts))];
  return {
    title: { text: 'Discriminator readout on real vs gen', subtitle: 'both gather near 0.5 once G has learnt' },
    name: 'readout_bars',
    ...PANEL,
    data: { values: bars },
    mark: BAR_MARK,
    encoding: {
      x: { field: 'x0', type: 'quantitative', scale: { domain: [0, 1] }, title: 'P(real) given by the discriminator' },
      x2: { field: 'x1' },
      y: { field: 'value', type: 'quantitative', title: 'samples' },
      color: colorScale(Object.values(names), [COLORS.generated, COLORS.real]),
      stroke: colorScale(Object.values(names), [COLORS.generated, COLORS.real]),
    },
  };
}

export interface HistoryPoint {
  /** Iterations done. */
  iteration: number;
  discLoss: number;
  genLoss: number;
  genMean: number;
  genStd: number;
}

/** A line per series over iterations, with a dashed rule per series at its reference value. */
function curvesPanel(
  name: string,
  title: string,
  subtitle: string,
  yTitle: string,
  series: { name: string; color: string; values: [number, number][]; reference: number }[],
  yScale: Record<string, unknown> = { zero: false },
  yAxis: Record<string, unknown> = {},
): NonNormalizedSpec {
  const rows = series.flatMap((s) => s.values.map(([iteration, y]) => ({ series: s.name, iteration, y: round(y) })));
  const rules = series.map((s) => ({ series: s.name, y: round(s.reference) }));
  const color = colorScale(series.map((s) => s.name), series.map((s) => s.color), 'stroke');
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
          x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
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
  const broken = (['discLoss', 'genLoss'] as const)
    .map((k) => [k === 'discLoss' ? 'D' : 'G', firstNonFinite(history, k)] as const)
    .filter(([, at]) => at !== undefined)
    .map(([who, at]) => `${who} loss not a number from iteration ${at}`);
  const subtitle = broken.length > 0 ? `${broken.join(', ')} (not drawn)` : 'symlog axis (log above 1) · dashed: equilibrium 2·ln 2 (D), ln 2 (G)';
  return curvesPanel(
    'losses',
    'Losses',
    subtitle,
    'loss (symlog)',
    [
      { name: 'discriminator', color: COLORS.discLoss, values: history.map((h) => [h.iteration, h.discLoss]), reference: EQUILIBRIUM.discLoss },
      { name: 'generator', color: COLORS.genLoss, values: history.map((h) => [h.iteration, h.genLoss]), reference: EQUILIBRIUM.genLoss },
    ],
    { type: 'symlog', constant: 1 },
    // 20k, not "20,000" (which the fixed-width axis would cut to "20,…"); small losses as they are
    { labelExpr: "abs(datum.value) >= 1000 ? format(datum.value, '.2~s') : format(datum.value, '~g')" },
  );
}

export function momentsPanel(history: HistoryPoint[], target = { mean: 5, std: 1.5 }): NonNormalizedSpec {
  return curvesPanel('moments', 'Generated mean and std', `dashed: targets ${target.mean} and ${target.std}`, 'value', [
    { name: 'mean', color: COLORS.mean, values: history.map((h) => [h.iteration, h.genMean]), reference: target.mean },
    { name: 'std', color: COLORS.std, values: history.map((h) => [h.iteration, h.genStd]), reference: target.std },
  ]);
}

/** A single panel as a spec of its own. */
export function standalone(panel: NonNormalizedSpec): TopLevelSpec {
  return { $schema: VEGA_LITE_SCHEMA, config: CONFIG, ...panel } as TopLevelSpec;
}

export interface DashboardData extends DistributionsData, ReadoutData {
  iteration: number;
  iterations: number;
  history: HistoryPoint[];
  /** Iterations the models had been trained before this run (a training cell run again after an interrupt). */
  from?: number;
}

const independentColors = {
  scale: { color: 'independent', stroke: 'independent', fill: 'independent' },
  legend: { color: 'independent', stroke: 'independent', fill: 'independent' },
} as const;

/** The whole dashboard: the seminar's two panels side by side, losses and mean/std below. */
export function dashboardSpec(d: DashboardData): TopLevelSpec {
  const done = d.iteration >= d.iterations;
  const continued = d.from ? ` (continued from ${d.from})` : '';
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CONFIG,
    title: { text: `GAN training: iteration ${d.iteration} of ${d.iterations}${done ? ' (done)' : continued}`, fontSize: 17 },
    vconcat: [
      { hconcat: [distributionsPanel(d), readoutPanel(d)], resolve: independentColors, spacing: SPACING, bounds: 'flush' },
      { hconcat: [lossPanel(d.history), momentsPanel(d.history)], resolve: independentColors, spacing: SPACING, bounds: 'flush' },
    ],
    resolve: independentColors,
  };
}
