// Text widths for Vega in Node. A browser's Vega measures text on a canvas; in Node it has none and
// estimates 0.8 em a character, half as much again as DejaVu Sans (the font the PNG is drawn in): a long
// title then widened the PNG by blank space, which shrank the charts wherever the PNG is fitted to the
// page, and the width moved with the numbers in the title. So Vega gets each character's advance in the
// font resvg draws with (measured once, with resvg), the way vl-convert supplies its own measure
// (vega's textMetrics.width). Without DejaVu Sans, Vega keeps its estimate.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { SANS_SERIF, subsetFonts } from './fonts';

interface Face {
  file: string;
  /** Advance widths per character, in em. */
  advance: Map<string, number>;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

/** vega-scenegraph's text measure (not in vega's typings): `width` is what Vega calls. */
const metrics = (vega as unknown as { textMetrics: { width: unknown } }).textMetrics;

let faces: { regular: Face; bold: Face } | null | undefined;

/** The regular and bold DejaVu Sans files resvg draws the dashboard with (./fonts.ts), if there. */
function loadFaces(): typeof faces {
  const [regular, bold] = subsetFonts()?.fontFiles ?? [];
  return regular && bold
    ? { regular: { file: regular, advance: new Map() }, bold: { file: bold, advance: new Map() } }
    : null;
}

const SIZE = 100;

/** Ink width of `text` at SIZE px in the face (resvg lays it out; the bounding box of its glyphs). */
function inkWidth(face: Face, text: string): number {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE * 8}" height="${SIZE * 2}"><text x="0" y="${SIZE}" font-family="${SANS_SERIF}" font-size="${SIZE}" xml:space="preserve">${escaped}</text></svg>`;
  const r = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [face.file], defaultFontFamily: SANS_SERIF },
  });
  return r.getBBox()?.width ?? 0;
}

/** A character's advance (em): H c H less H H, so side bearings and spaces count. */
function advance(face: Face, c: string): number {
  let a = face.advance.get(c);
  if (a === undefined) {
    a = Math.max(0, inkWidth(face, `H${c}H`) - inkWidth(face, 'HH')) / SIZE;
    if (a === 0 && c.trim()) a = 0.6; // not in the font's subset: resvg draws it from another font
    face.advance.set(c, a);
  }
  return a;
}

/** The width Vega gives a text item (its font size and weight; one line of it). */
export function textWidth(item: TextItem, text: string): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  if (faces === undefined) faces = loadFaces();
  const cut = (w: number) => (item.limit && item.limit > 0 ? Math.min(item.limit, w) : w);
  // Vega's own estimate (its estimateWidth would call back here for a text with a limit)
  if (!faces || size <= 0) return cut(Math.floor(0.8 * String(text ?? '').trim().length * Math.max(0, size)));
  const w = item.fontWeight;
  const face = w === 'bold' || w === 'bolder' || Number(w) >= 600 ? faces.bold : faces.regular;
  let em = 0;
  for (const c of String(text ?? '').trim()) em += advance(face, c);
  return cut(em * size); // a text with a limit is cut to it (with …) where it is drawn
}

/** From now on Vega (in this process) measures text with textWidth. */
export function measureTextLikeResvg(): void {
  metrics.width = textWidth;
}
