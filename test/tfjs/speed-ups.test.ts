// The speed-up registry (lib/tfjs/speed-ups.ts) is what initBackend installs: on each backend exactly the
// speed-ups that apply there, each one left out when its switch says 0.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SWITCHES } from '../../lib/config';
import { initBackend } from '../../lib/tfjs/backend';
import { SPEED_UPS, speedUpsOff } from '../../lib/tfjs/speed-ups';
import { ROOT } from '../../lib/paths';

describe('tfjs: the speed-up registry', () => {
  after(async () => {
    await initBackend('wasm');
  });

  it('each speed-up has its own switch, named in lib/config.ts, and a file that holds it', () => {
    const switches = SPEED_UPS.map((s) => s.switch);
    expect(new Set(switches).size).to.equal(switches.length);
    for (const s of SPEED_UPS) {
      expect(SWITCHES[s.switch].name, s.switch).to.match(/^GAN_/);
      expect(s.backends.length, s.switch).to.be.greaterThan(0);
      // the plumbing lives in lib/tfjs/ (lib/seminar/ holds what a student reads), and every file named exists
      for (const file of s.file.split(', ')) {
        expect(file, s.switch).to.match(/^lib\/tfjs\//);
        expect(fs.existsSync(path.join(ROOT, file)), file).to.equal(true);
      }
    }
    expect(speedUpsOff(['fastTape', 'sgdKernel'])).to.deep.equal({ GAN_FAST_TAPE: '0', GAN_SGD_KERNEL: '0' });
  });

  // wasm first: with wasm's kernels registered, a wasm-only speed-up could wrongly go in on cpu
  for (const backend of ['wasm', 'cpu']) {
    it(`${backend}: initBackend puts in place exactly the speed-ups the registry lists for ${backend}`, async () => {
      await initBackend(backend);
      const installed = SPEED_UPS.filter((s) => s.installed?.()).map((s) => s.switch);
      const expected = SPEED_UPS.filter((s) => s.installed && s.backends.includes(backend as 'cpu' | 'wasm')).map(
        (s) => s.switch,
      );
      expect(installed).to.deep.equal(expected);
      expect(installed.length, 'some speed-ups apply').to.be.greaterThan(0);
    });
  }

  it("a speed-up whose switch is 0 stays out (tfjs's own runs)", async () => {
    const hooked = SPEED_UPS.filter((s) => s.installed);
    for (const s of hooked) {
      const name = SWITCHES[s.switch].name;
      const was = process.env[name];
      process.env[name] = '0';
      try {
        await initBackend('wasm');
        expect(s.installed!(), `${name}=0`).to.equal(false);
        expect(
          hooked.filter((o) => o !== s).every((o) => o.installed!()),
          `${name}=0 leaves the others in`,
        ).to.equal(true);
      } finally {
        if (was === undefined) delete process.env[name];
        else process.env[name] = was;
      }
    }
  });
});
