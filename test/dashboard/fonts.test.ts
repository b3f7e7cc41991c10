// lib/dashboard/fonts.ts: the dashboard drawn with the DejaVu Sans subset has exactly the pixels it has
// with the system's fonts (fonts-dejavu-core, as .ci/run installs it), and text the subset cannot draw
// takes the system's fonts.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { rasterize, renderSvg } from '../../lib/dashboard/render';
import { FontOptions, SYSTEM_FONTS, fontsFor, subsetFonts } from '../../lib/dashboard/fonts';
import { dashboardSpec } from '../../lib/dashboard/panels';
import { sampleDashboard } from '../support/dashboard';

/** resvg's pixels with the given fonts, as rasterize draws them otherwise. */
function pixels(svg: string, font: FontOptions): Buffer {
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, background: 'white', font, textRendering: 1 });
  return Buffer.from(image.render().pixels);
}

/** Text in Vega's font list, regular and bold. */
function textSvg(text: string): string {
  const font = 'font-family="DejaVu Sans, Verdana, sans-serif" font-size="13px"';
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="420" height="44">' +
    `<text x="4" y="18" ${font}>${text}</text><text x="4" y="38" ${font} font-weight="bold">${text}</text></svg>`
  );
}

describe("the dashboard's font (lib/dashboard/fonts.ts)", () => {
  it('is a subset of DejaVu Sans, a fraction of its size', () => {
    const fonts = subsetFonts();
    expect(fonts, 'DejaVu Sans found and cut (Debian: fonts-dejavu-core)').to.not.equal(null);
    expect(fonts!.loadSystemFonts).to.equal(false);
    for (const file of fonts!.fontFiles!) expect(fs.statSync(file).size).to.be.below(300_000);
  });

  it('draws the dashboard with the pixels of the system fonts', async function () {
    this.timeout(60000);
    const { svg } = await renderSvg(dashboardSpec(sampleDashboard()));
    expect(fontsFor(svg), 'the subset').to.not.equal(SYSTEM_FONTS);
    const ours = Buffer.from(rasterize(svg).pixels);
    expect(ours.equals(pixels(svg, SYSTEM_FONTS)), 'the same RGBA pixels').to.equal(true);
  });

  it('draws every script it keeps as the full font does', () => {
    const svg = textSvg('Aa zZ ~ é ß ¹² · ± Φ σ μ Жя – — ’ … ⁻₀ € № ™ → ≈ ≤ √ ∞ ∑');
    expect(fontsFor(svg), 'the subset').to.not.equal(SYSTEM_FONTS);
    expect(Buffer.from(rasterize(svg).pixels).equals(pixels(svg, SYSTEM_FONTS))).to.equal(true);
  });

  it("leaves text it cannot draw to the system's fonts", () => {
    for (const text of ['suit ♣', 'suit &#9827;', 'emoji 😀']) {
      const svg = textSvg(text);
      expect(fontsFor(svg), text).to.equal(SYSTEM_FONTS);
      expect(Buffer.from(rasterize(svg).pixels).equals(pixels(svg, SYSTEM_FONTS)), text).to.equal(true);
    }
  });
});
