// The dashboard's font for resvg: DejaVu Sans cut down to the scripts a dashboard writes. resvg (2.6)
// reads a font's whole file again for every <text> it lays out — DejaVu Sans is 760 KB and a dashboard has
// ≈ 150 texts, ≈ 1 ms each, a third of a picture. A subset (harfbuzz's hb-subset: same outlines, hinting,
// kerning) of ≈ 190 KB draws the same pixels (test/dashboard/render.test.ts) at a fraction of that. Text with a
// character outside the subset, or a machine without DejaVu's files, gets the system's fonts as before.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The sans-serif font resvg substitutes for Vega's font list (Debian: fonts-dejavu-core). */
export const SANS_SERIF = 'DejaVu Sans';

/** Where DejaVu Sans's regular and bold files live on common systems. */
const DEJAVU_DIRS = [
  '/usr/share/fonts/truetype/dejavu', // Debian, Ubuntu
  '/usr/share/fonts/dejavu-sans-fonts', // Fedora
  '/usr/share/fonts/TTF', // Arch
  '/usr/share/fonts/dejavu',
  '/usr/local/share/fonts/dejavu', // FreeBSD
];
const DEJAVU_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** The code points the subset keeps: Latin, Greek, Cyrillic, punctuation, super/subscripts, arrows, maths. */
export const SUBSET_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x370, 0x3ff],
  [0x400, 0x4ff],
  [0x2000, 0x20cf],
  [0x2100, 0x22ff],
];

function covered(code: number): boolean {
  for (const [lo, hi] of SUBSET_RANGES) if (code >= lo && code <= hi) return true;
  return code === 0x0a || code === 0x0d || code === 0x09; // white space between tags
}

/** resvg's `font` option. */
export interface FontOptions {
  loadSystemFonts: boolean;
  fontFiles?: string[];
  defaultFontFamily: string;
  sansSerifFamily: string;
}

export const SYSTEM_FONTS: FontOptions = {
  loadSystemFonts: true,
  defaultFontFamily: SANS_SERIF,
  sansSerifFamily: SANS_SERIF,
};

let subset: FontOptions | null | undefined;

/** The subset's font option, made once per process (and cached on disk across processes); null without DejaVu. */
export function subsetFonts(): FontOptions | null {
  if (subset === undefined) {
    try {
      subset = makeSubset();
    } catch {
      subset = null; // no harfbuzz, an unreadable font, a read-only temp dir: the system's fonts still work
    }
  }
  return subset;
}

/** The fonts to draw this SVG with: the subset when it has every character the SVG holds. */
export function fontsFor(svg: string): FontOptions {
  const fonts = subsetFonts();
  if (!fonts || svg.includes('&#')) return SYSTEM_FONTS; // a character reference could name anything
  for (let i = 0; i < svg.length; i++) {
    const code = svg.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) if (!covered(svg.codePointAt(i) ?? code)) return SYSTEM_FONTS;
  }
  return fonts;
}

function makeSubset(): FontOptions | null {
  const dir = DEJAVU_DIRS.find((d) => DEJAVU_FILES.every((f) => fs.existsSync(path.join(d, f))));
  if (!dir) return null;
  const sources = DEJAVU_FILES.map((f) => path.join(dir, f));
  // keyed by the sources' identity, the ranges and harfbuzz's build: any of them new makes a new subset
  const key = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([
        sources.map((s) => [s, fs.statSync(s).size, fs.statSync(s).mtimeMs]),
        SUBSET_RANGES,
        fs.statSync(HB_WASM()).size,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(os.tmpdir(), `gan-seminar-fonts-${key}`);
  const files = DEJAVU_FILES.map((f) => path.join(cache, f));
  if (!files.every((f) => fs.existsSync(f))) {
    fs.mkdirSync(cache, { recursive: true });
    sources.forEach((source, i) => {
      const tmp = `${files[i]}.${process.pid}.${Date.now()}`;
      fs.writeFileSync(tmp, hbSubset(fs.readFileSync(source)));
      fs.renameSync(tmp, files[i]); // atomic: a parallel process sees a whole file or none
    });
  }
  return { loadSystemFonts: false, fontFiles: files, defaultFontFamily: SANS_SERIF, sansSerifFamily: SANS_SERIF };
}

/** harfbuzz's exports used here (harfbuzzjs's hb-subset build). */
interface HarfBuzz {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(n: number): number;
  free(p: number): void;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_set_invert(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_WASM = () => require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_SETS_NAME_ID = 4;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;

/** The font cut to SUBSET_RANGES, every layout feature and name kept (as subset-font and pyftsubset '*' do). */
function hbSubset(font: Buffer): Buffer {
  const wasm = fs.readFileSync(HB_WASM());
  const hb = new WebAssembly.Instance(new WebAssembly.Module(wasm), {}).exports as unknown as HarfBuzz;
  hb._initialize();
  const heap = () => new Uint8Array(hb.memory.buffer); // memory may grow: a fresh view each time
  const input = hb.hb_subset_input_create_or_fail();
  const data = hb.malloc(font.byteLength);
  heap().set(font, data);
  const blob = hb.hb_blob_create(data, font.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  for (const which of [HB_SUBSET_SETS_LAYOUT_FEATURE_TAG, HB_SUBSET_SETS_NAME_ID]) {
    const set = hb.hb_subset_input_set(input, which);
    hb.hb_set_clear(set);
    hb.hb_set_invert(set); // all of them
  }
  const unicodes = hb.hb_subset_input_unicode_set(input);
  for (const [lo, hi] of SUBSET_RANGES) for (let c = lo; c <= hi; c++) hb.hb_set_add(unicodes, c);
  const cut = hb.hb_subset_or_fail(face, input);
  hb.hb_subset_input_destroy(input);
  if (cut === 0) throw new Error('hb_subset_or_fail failed');
  const result = hb.hb_face_reference_blob(cut);
  const at = hb.hb_blob_get_data(result, 0);
  const out = Buffer.from(heap().subarray(at, at + hb.hb_blob_get_length(result)));
  hb.hb_blob_destroy(result);
  hb.hb_face_destroy(cut);
  hb.hb_face_destroy(face);
  hb.free(data);
  if (out.length === 0) throw new Error('harfbuzz made an empty subset');
  return out;
}
