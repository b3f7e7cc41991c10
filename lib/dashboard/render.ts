// Vega-Lite → Vega → SVG in Node (Vega's headless SVG renderer, no node-canvas), then SVG → PNG with
// resvg (Rust, ships prebuilt in its npm package) and the system's fonts.
import { RenderedImage, Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** A logger that keeps warnings (and errors) instead of printing them. */
class Collector implements vega.LoggerInterface {
  readonly warnings: string[] = [];
  private lvl = vega.Warn;
  level(): number;
  level(_: number): this;
  level(l?: number): number | this {
    if (l === undefined) return this.lvl;
    this.lvl = l;
    return this;
  }
  error(...args: readonly unknown[]): this {
    throw new Error(args.map(String).join(' '));
  }
  warn(...args: readonly unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

export interface Compiled {
  vega: vega.Spec;
  warnings: string[];
}

/** Vega-Lite → Vega, with Vega-Lite's warnings returned (a good spec has none). */
export function compile(spec: TopLevelSpec): Compiled {
  const logger = new Collector();
  const { spec: compiled } = vl.compile(spec, { logger });
  return { vega: compiled as vega.Spec, warnings: logger.warnings };
}

export interface Rendered {
  svg: string;
  /** Warnings from Vega-Lite and from Vega's dataflow. */
  warnings: string[];
}

/** Vega-Lite → SVG text, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<Rendered> {
  const { vega: vgSpec, warnings } = compile(spec);
  const logger = new Collector();
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    return { svg, warnings: [...warnings, ...logger.warnings] };
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit; 1.5 keeps 12 px labels crisp on ordinary screens. */
  scale?: number;
}

/** The sans-serif font resvg substitutes for Vega's font list (Debian: fonts-dejavu-core). */
export const SANS_SERIF = 'DejaVu Sans';

/** SVG → raster image (RGBA pixels, and PNG on demand), synchronously, on a white background. */
export function rasterize(svg: string, { scale = 1.5 }: PngOptions = {}): RenderedImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: SANS_SERIF, sansSerifFamily: SANS_SERIF },
    textRendering: 1,
    logLevel: 'off',
  });
  return resvg.render();
}

/** SVG → PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  return rasterize(svg, options).asPng();
}

/** Vega-Lite → PNG bytes. */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng((await renderSvg(spec)).svg, options);
}

/** Width and height of a PNG, read from its IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
