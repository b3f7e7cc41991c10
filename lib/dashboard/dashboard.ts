// The live training dashboard: reads the seminar's models (lib/seminar/readout.ts), builds the panels
// (lib/dashboard/panels.ts) and keeps ONE notebook output up to date (lib/dashboard/live-output.ts). The PNG fallback is drawn
// in a worker thread (lib/dashboard/render-worker.ts), so plotting costs the loop little more than the read-out.
import type { TopLevelSpec } from 'vega-lite';
import { LiveOutput, MimeBundle } from './live-output';
import { discriminatorPull, generate, generatorMap, pReal, realSamples } from '../seminar/readout';
import { summarize } from '../seminar/metrics';
import { Signs, Verdict, signsOf, verdict, verdictLine } from '../seminar/verdict';
import {
  DashboardData,
  HistoryPoint,
  VEGA_LITE_MIME,
  dashboardSpec,
  linspace,
  noiseGrid,
  numbersLine,
  pullRange,
} from './panels';
import { BackgroundRenderer, RenderedPng, sharedRenderer } from './render-worker';
import type { PngOptions } from './render';
import type { Seminar } from '../seminar/models';
import { TrainedRecord, trainedRecord } from '../seminar/trained';

export interface DashboardOptions {
  /** The loop's length, for the counter and to know the last update. */
  iterations: number;
  /** Samples per histogram on [0, 10] (the seminar's 1000) and per readout histogram (its 100). */
  samples?: number;
  readoutSamples?: number;
  /** Where updates go; by default the running tslab cell's output (nothing outside a kernel). */
  output?: LiveOutput | null;
  png?: PngOptions;
  /** The models' record of iterations already trained (lib/seminar/trained.ts): the counter and the
   *  history continue from it, and it is kept up to date. None: start at iteration 1. */
  continues?: TrainedRecord;
}

export interface DashboardStats {
  updates: number;
  /** PNGs shown, and the worker's mean time per PNG. */
  pngs: number;
  renderMsPerPng: number;
  /** Time the training thread spent in update() (read-out, specs, display), and the part of it spent
   *  blocked on the render worker (the last update waits for its PNG). */
  updateMs: number;
  waitMs: number;
  /** Time since the dashboard was made (the loop's time, plotting included). */
  elapsedMs: number;
  /** updateMs / elapsedMs: the share of the loop spent plotting. */
  overhead: number;
}

const GRID = Array.from({ length: 101 }, (_, i) => i / 10); // x in [0, 10] for P(real | x)
const NOISE = noiseGrid(100); // z in (0, 1) for the generator's map
const PULL_POINTS = 121;

export class Dashboard {
  readonly history: HistoryPoint[];
  /** The verdict's read-outs, one per history point read off the models. */
  readonly signs: Signs[];
  /** Iterations trained before this dashboard's loop started. */
  readonly from: number;
  /** The text line of each PNG being drawn, and of the one shown: the picture's own iteration. */
  private readonly pending = new Map<number, number>();
  private pngIteration = 0;
  /** The iteration of the previous update shown. */
  private shownAt = 0;
  private last: DashboardData | undefined;
  private readonly output: LiveOutput | null;
  private renderer: BackgroundRenderer | null = null;
  private png: RenderedPng | undefined;
  private readonly start = performance.now();
  private counts = { updates: 0, pngs: 0, renderMs: 0, updateMs: 0, waitMs: 0 };

  constructor(
    private readonly seminar: Seminar,
    private readonly options: DashboardOptions,
  ) {
    this.from = options.continues?.iterations ?? 0;
    if (options.continues && this.from === 0) options.continues.history.length = 0; // nothing trained yet: a fresh history
    this.history = options.continues?.history ?? [];
    if (options.continues && this.from === 0) options.continues.signs = [];
    this.signs = options.continues ? (options.continues.signs ??= []) : [];
    this.shownAt = this.from;
    const output = options.output !== undefined ? options.output : new LiveOutput();
    this.output = output?.available() ? output : null;
    if (this.output) this.renderer = sharedRenderer(); // starts loading Vega while the first steps run
  }

  /**
   * The notebook's call after loop index `i`: reads the models, redraws the one output in place.
   * The last iteration (i = iterations − 1) waits for its PNG so the saved notebook shows the end state.
   */
  update(i: number, discLoss: number, genLoss: number): void {
    const t = performance.now();
    const data = this.read(this.from + i + 1, discLoss, genLoss);
    if (this.output) this.show(data);
    this.counts.updates++;
    this.counts.updateMs += performance.now() - t;
  }

  /** Adds a history point without reading the models (the CLI's read-outs already hold the numbers),
   *  and the verdict's read-out of it when given. */
  record({ iteration, discLoss, genLoss, genMean, genStd }: HistoryPoint, signs?: Signs): void {
    this.history.push({ iteration, discLoss, genLoss, genMean, genStd });
    if (signs) this.signs.push(signs);
  }

  /** The verdict on the run so far (after a read()). */
  verdict(): Verdict | undefined {
    return this.signs.length ? verdict(this.signs) : undefined;
  }

  /** Reads the models now: samples, P(real | x), readouts; appends a history point. */
  read(iteration: number, discLoss: number, genLoss: number): DashboardData {
    const s = this.seminar;
    const n = this.options.samples ?? 1000;
    const m = this.options.readoutSamples ?? 100;
    const generated = generate(s, n);
    const { mean, std } = summarize(generated);
    this.history.push({ iteration, discLoss, genLoss, genMean: mean, genStd: std });
    const onGenerated = pReal(s, generated.subarray(0, m));
    const onReal = pReal(s, realSamples(s, m));
    this.signs.push(signsOf({ iteration, discLoss, genLoss, generated, onReal, onGenerated }));
    const pullSamples = generated.subarray(0, m);
    const pullGrid = linspace(...pullRange(pullSamples), PULL_POINTS);
    const last: DashboardData = {
      iteration,
      iterations: this.from + this.options.iterations,
      generated,
      real: realSamples(s, n),
      grid: GRID,
      pReal: pReal(s, GRID),
      onGenerated,
      onReal,
      noise: NOISE,
      mapped: generatorMap(s, NOISE),
      pullGrid,
      pull: discriminatorPull(s, pullGrid),
      pullSamples,
      pullOnSamples: discriminatorPull(s, pullSamples),
      history: this.history,
      from: this.from,
      verdict: verdict(this.signs),
    };
    this.last = last;
    return last;
  }

  /** The panels of the latest read-out. */
  spec(): TopLevelSpec {
    if (!this.last) throw new Error('the dashboard has no read-out yet: call update() or read() first');
    return dashboardSpec(this.last);
  }

  stats(): DashboardStats {
    const elapsedMs = performance.now() - this.start;
    const { updates, pngs, renderMs, updateMs, waitMs } = this.counts;
    return {
      updates,
      pngs,
      renderMsPerPng: pngs ? renderMs / pngs : NaN,
      updateMs,
      waitMs,
      elapsedMs,
      overhead: updateMs / elapsedMs,
    };
  }

  /** Waits for a PNG still being drawn, and lets go of the (shared) render worker. */
  close(): void {
    this.renderer?.wait();
    this.renderer = null;
  }

  private show(data: DashboardData): void {
    const spec = dashboardSpec(data);
    const final = data.iteration >= data.iterations;
    const r = (this.renderer ??= sharedRenderer());
    this.keep(r.take());
    const wait = () => {
      const t = performance.now();
      this.keep(r.wait());
      this.counts.waitMs += performance.now() - t;
    };
    const gap = data.iteration - this.shownAt;
    this.shownAt = data.iteration;
    if (final) wait(); // an older request; the final one follows
    // Only the last update waits for its picture (the saved notebook shows the end state). The first one
    // goes out without a PNG (text and Vega-Lite): waiting for the worker to load Vega was most of the
    // dashboard's cost. And no picture is started within one update of the end: the last would wait for it.
    const nearEnd = !final && data.iterations - data.iteration <= gap;
    if (!r.busy && !nearEnd) this.pending.set(r.request(spec, this.options.png), data.iteration);
    if (final) wait();
    this.output!.show(bundle(spec, this.png, data, this.pngIteration));
  }

  private keep(p: RenderedPng | undefined): void {
    if (!p) return;
    this.png = p;
    this.pngIteration = this.pending.get(p.id) ?? 0;
    this.pending.delete(p.id);
    this.counts.pngs++;
    this.counts.renderMs += p.ms;
  }
}

/** The text a text-only front end shows: the numbers, then the verdict in Russian and English with the
 *  seminar's advice; `pictureOf`: the iteration the PNG beside it shows. */
export function summaryLine(d: DashboardData, pictureOf?: number): string {
  return (
    `GAN training: ${numbersLine(d)}` +
    // the PNG is drawn while training goes on, so it may show the previous read-out; its title says which
    (pictureOf !== undefined && pictureOf !== d.iteration
      ? ` · picture: iteration ${pictureOf} (drawing ${d.iteration})`
      : '') +
    (d.verdict ? `\n${verdictLine(d.verdict, 'ru')}\n${verdictLine(d.verdict, 'en')}` : '')
  );
}

/** The output's MIME bundle; before the first picture is drawn, Vega-Lite and text only. */
function bundle(spec: TopLevelSpec, png: RenderedPng | undefined, d: DashboardData, pictureOf: number): MimeBundle {
  return {
    [VEGA_LITE_MIME]: spec,
    ...(png ? { 'image/png': png.png.toString('base64') } : {}),
    'text/plain': summaryLine(d, png ? pictureOf : undefined),
  };
}

/**
 * The notebook's one-liner: a dashboard for a loop of `iterations`, continuing the count (and the loss
 * curves) of the models' earlier runs — after an interrupt, the training cell run again goes on from
 * where the weights are.
 */
export function dashboard(seminar: Seminar, iterations: number): Dashboard {
  return new Dashboard(seminar, { iterations, continues: trainedRecord(seminar.gen) });
}
