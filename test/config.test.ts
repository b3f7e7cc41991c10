// lib/config.ts: every switch parses its accepted forms, fails on others naming the variable, and is
// listed in README's "Switches" table exactly as the module describes it.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SWITCHES, read } from '../lib/config';
import { ROOT } from '../lib/paths';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('config (GAN_* switches)', () => {
  it('README lists every switch with its description and accepted values', () => {
    for (const s of Object.values(SWITCHES)) {
      expect(README, s.name).to.contain(`| \`${s.name}\` | ${s.description} | ${s.accepts} |`);
    }
  });

  it('unset or empty means the default; accepted forms parse', () => {
    expect(read('iterations', {})).to.equal(undefined);
    expect(read('iterations', { GAN_ITERATIONS: ' ' })).to.equal(undefined);
    expect(read('iterations', { GAN_ITERATIONS: '1500' })).to.equal(1500);
    expect(read('solutions', { GAN_SOLUTIONS: 'yes' })).to.equal(true);
    expect(read('solutions', { GAN_SOLUTIONS: '0' })).to.equal(false);
    expect(read('fused', { GAN_FUSED: '0' })).to.equal('off');
    expect(read('fused', {})).to.equal('auto');
    expect(read('backend', { GAN_BACKEND: ' WASM ' })).to.equal('wasm');
  });

  it('a malformed value fails where it is read, naming the variable and what it accepts', () => {
    expect(() => read('iterations', { GAN_ITERATIONS: '-3' })).to.throw(
      /GAN_ITERATIONS="-3" is not valid: use a non-negative integer/,
    );
    expect(() => read('fused', { GAN_FUSED: 'fast' })).to.throw(
      /GAN_FUSED="fast" is not valid: use 0, 1, auto, off, js or backend-kernels/,
    );
    expect(() => read('nbgrader', { GAN_NBGRADER: 'maybe' })).to.throw(/GAN_NBGRADER/);
  });

  it('no module but lib/config.ts reads a GAN_* variable', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (
          e.name.endsWith('.ts') &&
          p !== path.join(LIB, 'config.ts') &&
          /process\.env\.(GAN_|AUTOGRADER_ROOT)|process\.env\[['"]GAN_/.test(fs.readFileSync(p, 'utf8'))
        )
          offenders.push(p);
      }
    };
    walk(LIB);
    expect(offenders).to.deep.equal([]);
  });
});

const LIB = path.join(ROOT, 'lib');
