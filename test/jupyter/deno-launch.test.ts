// The Deno kernelspec's shell (lib/jupyter/kernels.ts DENO_LAUNCH) starts Deno only once the guard
// (lib/jupyter/deno-guard.ts) is up and polling, so the guard's request is the new kernel's first: a cell
// run at once after the kernel starts still gets the hint (the JupyterLab test once lost that race under load).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DENO_LAUNCH, denoKernelSpec } from '../../lib/jupyter/kernels';
import { tempDir } from '../support/tmp';

describe("Deno's kernelspec: the guard first, then Deno (lib/jupyter/kernels.ts)", () => {
  it('Deno starts after the guard says it is polling, even when the guard is slow to start', () => {
    const dir = tempDir('gan-deno-launch-');
    const log = path.join(dir, 'log');
    const conn = path.join(dir, 'kernel.json');
    fs.writeFileSync(conn, '{}');
    // a guard that takes 400 ms to start, then writes its ready file as deno-guard.js does
    const guard = path.join(dir, 'guard.js');
    fs.writeFileSync(
      guard,
      `const fs = require('fs'); setTimeout(() => { fs.appendFileSync(${JSON.stringify(log)}, 'guard\\n'); fs.writeFileSync(process.argv[2] + '.guard', ''); }, 400);`,
    );
    // a "deno" that notes when it starts and whether the ready file was left behind
    const deno = path.join(dir, 'deno');
    fs.writeFileSync(
      deno,
      `#!/bin/sh\necho "deno $1 $2 $3 $4 ready-file:$(ls "$4.guard" 2>/dev/null | wc -l)" >> ${JSON.stringify(log)}\n`,
    );
    fs.chmodSync(deno, 0o755);
    const spec = denoKernelSpec(deno, 'linux', process.execPath, guard) as { argv: string[] };
    expect(spec.argv[2]).to.equal(DENO_LAUNCH);
    const argv = spec.argv.map((a) => (a === '{connection_file}' ? conn : a));
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).to.deep.equal([
      'guard',
      `deno jupyter --kernel --conn ${conn} ready-file:0`,
    ]);
  });

  it('a guard that never says so does not keep Deno from starting (after its wait)', function () {
    this.timeout(20_000);
    const dir = tempDir('gan-deno-launch-');
    const log = path.join(dir, 'log');
    const conn = path.join(dir, 'kernel.json');
    const deno = path.join(dir, 'deno');
    fs.writeFileSync(deno, `#!/bin/sh\necho started >> ${JSON.stringify(log)}\n`);
    fs.chmodSync(deno, 0o755);
    const spec = denoKernelSpec(deno, 'linux', process.execPath, path.join(dir, 'missing-guard.js')) as {
      argv: string[];
    };
    const argv = spec.argv.map((a) => (a === '{connection_file}' ? conn : a));
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 15_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readFileSync(log, 'utf8').trim()).to.equal('started');
  });
});
