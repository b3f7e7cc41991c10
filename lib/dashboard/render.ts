// Vega-Lite → Vega → SVG in Node (Vega's headless SVG renderer, no node-canvas), then SVG → PNG with
// resvg (Rust, ships prebuilt in its npm package) and DejaVu Sans (lib/dashboard/fonts.ts).
import * as zlib from 'node:zlib';
import { RenderedImage, Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { fontsFor } from './fonts';
import { measureTextLikeResvg } from './text-width';

measureTextLikeResvg(); // widths as drawn, not Vega's 0.8 em a character (./text-width.ts)

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

/** SVG → raster image (RGBA pixels, and PNG on demand), synchronously, on a white background. */
export function rasterize(svg: string, { scale = 1.5 }: PngOptions = {}): RenderedImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: fontsFor(svg),
    textRendering: 1,
    logLevel: 'off',
  });
  return resvg.render();
}

/** SVG → PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  return rasterize(svg, options).asPng();
}

/**
 * The image as PNG: the same pixels as resvg's asPng(), ≈3× faster at about the same size (measured on
 * the dashboard, ≈ 2200 × 1700 px, mostly white: there resvg's encoder, which filters every row, took
 * ≈ a quarter of a picture's time — and a training cell waits for its last picture). Here:
 * RGBA 8-bit rows unfiltered, zlib level 1 (Node's). An image that is not opaque everywhere (resvg's
 * pixels are premultiplied; a PNG's are not) takes resvg's encoder.
 */
export function encodePng(image: RenderedImage): Buffer {
  const { width, height } = image;
  const pixels = image.pixels;
  const stride = width * 4;
  if (width === 0 || height === 0 || pixels.length !== stride * height) return image.asPng();
  const rows = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0, o = 0, p = 0; y < height; y++, o += stride + 1, p += stride) {
    for (let i = p + 3; i < p + stride; i += 4) if (pixels[i] !== 255) return image.asPng();
    rows[o] = 0; // filter: none
    pixels.copy(rows, o + 1, p, p + stride);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(rows, { level: 1 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** CRC-32 (PNG's, zlib's): Node's where it has one (22.2+), else a table. */
function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(bytes) >>> 0;
  CRC_TABLE ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
let CRC_TABLE: Int32Array | undefined;

/** Vega-Lite → PNG bytes. */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Buffer> {
  // the live dashboard's pictures (a notebook's SVG attachments keep resvg's smaller, slower encoding)
  return encodePng(rasterize((await renderSvg(spec)).svg, options));
}

/** Width and height of a PNG, read from its IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
