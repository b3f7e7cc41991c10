// lib/tfjs/numerics.ts: the key the end-state runs' caches use — it changes with the kernels' code, so an
// upgraded checkout (a new ELU polynomial) never reads an earlier version's ends.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeFingerprint, numericsKey } from '../../lib/tfjs/numerics';
import { initBackend } from '../../lib/tfjs/backend';
import { tempDir } from '../support/tmp';

describe('numerics key (lib/tfjs/numerics.ts)', () => {
  before(async () => {
    await initBackend();
  });

  it('names the backend and fingerprints the kernels: a copy of the folder gives the same, one changed byte another', () => {
    const here = path.join(__dirname, '..', '..', 'lib', 'tfjs');
    expect(numericsKey()).to.match(/^(wasm|cpu|tensorflow):[0-9a-f]{16}$/);
    expect(numericsKey().split(':')[1]).to.equal(codeFingerprint(here));
    const copy = tempDir('gan-numerics-');
    fs.cpSync(here, copy, { recursive: true });
    expect(codeFingerprint(copy)).to.equal(codeFingerprint(here));
    const kernels = path.join(copy, 'simd', 'kernels-wasm.js');
    const text = fs.readFileSync(kernels, 'utf8');
    fs.writeFileSync(kernels, text.replace(/A/, 'B'));
    expect(codeFingerprint(copy)).to.not.equal(codeFingerprint(here));
  });
});
