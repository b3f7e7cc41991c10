// lib/dashboard/render.ts encodePng: the live dashboard's PNG holds exactly the pixels of resvg's own
// PNG of the same picture (both decoded here), and a picture that is not opaque takes resvg's encoder.
import { expect } from 'chai';
import * as zlib from 'node:zlib';
import { encodePng, pngSize, rasterize, renderPng, renderSvg } from '../../lib/dashboard/render';
import { dashboardSpec } from '../../lib/dashboard/panels';
import { sampleDashboard } from '../support/dashboard';

/** A PNG's RGBA pixels (8-bit RGBA, no interlace: what resvg and encodePng write), every filter type undone. */
function decodeRgba(png: Buffer): { width: number; height: number; pixels: Buffer } {
  const { width, height } = pngSize(png);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IHDR')
      expect([...png.subarray(at + 16, at + 21)], 'RGBA 8-bit, no interlace').to.deep.equal([8, 6, 0, 0, 0]);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    // Node 22.2+ has zlib.crc32 (the project runs on 22, 24, 26)
    if (zlib.crc32)
      expect(png.readUInt32BE(at + 8 + length), `${type} CRC`).to.equal(
        zlib.crc32(png.subarray(at + 4, at + 8 + length)) >>> 0,
      );
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= 4 ? out[y * stride + i - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = i >= 4 && y > 0 ? out[(y - 1) * stride + i - 4] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predicted === undefined) throw new Error(`unknown PNG filter ${filter}`);
      out[y * stride + i] = (x + predicted) & 0xff;
    }
  }
  return { width, height, pixels: out };
}

describe("the dashboard's PNG encoding (lib/dashboard/render.ts encodePng)", () => {
  it("the live dashboard's PNG has resvg's pixels exactly", async function () {
    this.timeout(60000);
    const { svg } = await renderSvg(dashboardSpec(sampleDashboard()));
    const image = rasterize(svg);
    const ours = decodeRgba(encodePng(image));
    const resvgs = decodeRgba(image.asPng());
    expect([ours.width, ours.height]).to.deep.equal([resvgs.width, resvgs.height]);
    expect(ours.pixels.equals(resvgs.pixels), 'the same RGBA pixels').to.equal(true);
    expect(ours.pixels.equals(Buffer.from(image.pixels)), "resvg's pixels").to.equal(true);
    // renderPng (what the render worker sends) is this encoding
    const viaWorker = decodeRgba(await renderPng(dashboardSpec(sampleDashboard())));
    expect(viaWorker.pixels.equals(resvgs.pixels), 'renderPng').to.equal(true);
  });

  it("a picture with transparent pixels takes resvg's encoder", () => {
    const image = rasterize(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="2" height="2"/></svg>',
    );
    const px = Buffer.from(image.pixels);
    // resvg draws on white: opaque; the same picture with a transparent pixel, through a stand-in image
    px[3] = 0;
    const transparent = { width: image.width, height: image.height, pixels: px, asPng: () => Buffer.from('resvg') };
    expect(encodePng(transparent as unknown as typeof image).toString()).to.equal('resvg');
    expect(decodeRgba(encodePng(image)).pixels.equals(Buffer.from(image.pixels))).to.equal(true);
  });
});
