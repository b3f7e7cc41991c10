// lib/dashboard/live-output.ts rides on tslab internals: these tests pin them, so a tslab upgrade that changes the
// writer's name, arguments or message shape fails here loudly instead of blanking students' plots.
// Deno's route (Deno.jupyter.broadcast) is checked with a stand-in here and for real in test/notebooks/deno.test.ts.
import { expect } from 'chai';
import {
  DisplayMessage,
  LiveOutput,
  MimeBundle,
  TslabPublic,
  WriteDisplayData,
  denoJupyter,
  inTslabKernel,
  tslabJupyter,
} from '../../lib/dashboard/live-output';

interface Call {
  message: DisplayMessage;
  update: boolean;
}

const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: WriteDisplayData | null };

/** Puts a recording writer where tslab's kernel puts its own while a cell runs. */
function withFakeKernel(body: (calls: Call[]) => void): Call[] {
  const calls: Call[] = [];
  const saved = jupyter.lastWriteDisplayData;
  jupyter.lastWriteDisplayData = (message, update) => calls.push({ message: structuredClone(message), update });
  try {
    body(calls);
  } finally {
    jupyter.lastWriteDisplayData = saved;
  }
  return calls;
}

const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const bundle = (n: number): MimeBundle => ({
  'application/vnd.vegalite.v5+json': {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    mark: 'point',
    title: `t${n}`,
  },
  'image/png': PNG_BYTES.toString('base64'),
  'text/plain': `iteration ${n}`,
});

describe('display: one MIME-bundle output in tslab, updated in place', () => {
  describe('tslab internals it relies on (tslab ' + require('tslab/package.json').version + ')', () => {
    it('tslab/dist/jupyter exports lastWriteDisplayData, null outside a running cell', () => {
      expect(Object.keys(jupyter)).to.include('lastWriteDisplayData');
      expect(jupyter.lastWriteDisplayData).to.equal(null);
      expect(tslabJupyter()).to.equal(jupyter);
      expect(inTslabKernel()).to.equal(false);
    });

    it("tslab's public display writes through it as (message, update): display_data first, then updates", () => {
      const tslab = require('tslab') as TslabPublic;
      const calls = withFakeKernel(() => {
        const d = tslab.newDisplay();
        d.png(PNG_BYTES);
        d.png(PNG_BYTES);
      });
      expect(calls).to.have.length(2);
      const id = calls[0].message.transient.display_id;
      expect(id).to.be.a('string').and.not.empty;
      // tslab's writer sends display_data when `update` is falsy (public.js passes undefined), else update_display_data
      expect(calls.map((c) => Boolean(c.update))).to.deep.equal([false, true]);
      for (const c of calls) {
        expect(c.message).to.deep.equal({
          data: { 'image/png': PNG_BYTES.toString('base64') },
          metadata: {},
          transient: { display_id: id },
        });
      }
    });
  });

  describe('LiveOutput', () => {
    it('sends the whole bundle (Vega-Lite, PNG, text) as one output, then replaces it under the same display_id', () => {
      const out = new LiveOutput();
      const modes: string[] = [];
      const calls = withFakeKernel(() => {
        expect(inTslabKernel()).to.equal(true);
        for (let n = 0; n < 3; n++) modes.push(out.show(bundle(n)));
      });
      expect(modes).to.deep.equal(['bundle', 'bundle', 'bundle']);
      expect(calls.map((c) => c.update)).to.deep.equal([false, true, true]);
      expect(new Set(calls.map((c) => c.message.transient.display_id))).to.deep.equal(new Set([out.id]));
      calls.forEach((c, n) =>
        expect(c.message).to.deep.equal({ data: bundle(n), metadata: {}, transient: { display_id: out.id } }),
      );
    });

    it('two outputs are independent entries', () => {
      const a = new LiveOutput();
      const b = new LiveOutput();
      const calls = withFakeKernel(() => {
        a.show(bundle(1));
        b.show(bundle(2));
      });
      expect(calls.map((c) => c.update)).to.deep.equal([false, false]);
      expect(a.id).to.not.equal(b.id);
    });

    it("without the internals it falls back to tslab's official API, showing the PNG", () => {
      const shown: { png: Buffer[]; text: string[]; displays: number } = { png: [], text: [], displays: 0 };
      const official: TslabPublic = {
        newDisplay: () => {
          shown.displays++;
          return { png: (b) => shown.png.push(Buffer.from(b)), text: (s) => shown.text.push(s) };
        },
      };
      const out = new LiveOutput({ writer: () => null, official: () => official });
      expect(out.available(), 'not in a tslab kernel process').to.equal(false);
      expect(out.show(bundle(1))).to.equal('official');
      expect(out.show(bundle(2))).to.equal('official');
      expect(shown.displays).to.equal(1); // one output, updated
      expect(shown.png.map((b) => b.equals(PNG_BYTES))).to.deep.equal([true, true]);
      const { 'image/png': _png, ...textOnly } = bundle(3);
      expect(out.show(textOnly as MimeBundle)).to.equal('official');
      expect(shown.text).to.deep.equal(['iteration 3']);
    });

    it('outside a kernel it is unavailable and shows nothing (and does not throw)', () => {
      expect(new LiveOutput().available()).to.equal(false);
      expect(new LiveOutput().show(bundle(1))).to.equal('none');
      withFakeKernel(() => expect(new LiveOutput().available()).to.equal(true));
      const notReady: TslabPublic = {
        newDisplay: () => ({
          png: () => {
            throw new Error('Not ready');
          },
          text: () => undefined,
        }),
      };
      expect(new LiveOutput({ writer: () => null, official: () => notReady }).show(bundle(1))).to.equal('none');
    });
  });
  describe("Deno's kernel (Deno.jupyter.broadcast)", () => {
    const g = globalThis as { Deno?: unknown };
    function withDeno(deno: unknown, body: () => void): void {
      const had = 'Deno' in g;
      const saved = g.Deno;
      g.Deno = deno;
      try {
        body();
      } finally {
        if (had) g.Deno = saved;
        else delete g.Deno;
      }
    }

    it('sends the bundle as display_data, then update_display_data with the same display_id', () => {
      const sent: { type: string; content: Record<string, unknown> }[] = [];
      const jupyterApi = {
        broadcast: (type: string, content: Record<string, unknown>) =>
          void sent.push({ type, content: structuredClone(content) }),
      };
      withDeno({ jupyter: jupyterApi }, () => {
        expect(denoJupyter()).to.equal(jupyterApi);
        const out = new LiveOutput();
        expect(out.available()).to.equal(true);
        expect(out.show(bundle(1))).to.equal('bundle');
        expect(out.show(bundle(2))).to.equal('bundle');
      });
      expect(sent.map((m) => m.type)).to.deep.equal(['display_data', 'update_display_data']);
      const id = (sent[0].content.transient as { display_id: string }).display_id;
      expect(id).to.match(/^[0-9a-f]{16}$/);
      sent.forEach((m, k) =>
        expect(m.content).to.deep.equal({ data: bundle(k + 1), metadata: {}, transient: { display_id: id } }),
      );
    });

    it('outside a kernel (Deno.jupyter throws, as in `deno run`) there is no route', () => {
      const deno = Object.defineProperty({}, 'jupyter', {
        get: () => {
          throw new Error('Deno.jupyter is only available in `deno jupyter`');
        },
      });
      withDeno(deno, () => {
        expect(denoJupyter()).to.equal(null);
        const out = new LiveOutput({ official: () => null });
        expect(out.available()).to.equal(false);
        expect(out.show(bundle(1))).to.equal('none');
      });
    });
  });
});
