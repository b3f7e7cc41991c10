// Dependencies point one way: a lib file imports only from its own layer and the layers above it in
// lib/README.md's table (type-only imports, import() types and lazy require()s count too).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../lib/paths';
import { localImports } from '../../lib/release/files';

const LIB = path.join(ROOT, 'lib');

/** lib/README.md's table: layer number → the folders (`tfjs/`) and root files (`config.ts`) in it. */
function readLayers(): Map<string, number> {
  const readme = fs.readFileSync(path.join(LIB, 'README.md'), 'utf8');
  const layers = new Map<string, number>();
  for (const row of readme.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) {
    for (const name of row[2].matchAll(/`([^`]+)`/g)) layers.set(name[1].replace(/\/$/, ''), Number(row[1]));
  }
  return layers;
}

function libFiles(dir = LIB): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? libFiles(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (file: string) => path.relative(LIB, file).split(path.sep).join('/');

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => f.endsWith('.ts') && fs.existsSync(f));
}

/** Every import between two lib files, as "from -> to" (paths relative to lib/). */
function edges(): { from: string; to: string }[] {
  return libFiles().flatMap((file) =>
    localImports(fs.readFileSync(file, 'utf8'))
      .map((spec) => resolve(file, spec))
      .filter((to): to is string => to !== undefined && to.startsWith(LIB + path.sep))
      .map((to) => ({ from: rel(file), to: rel(to) })),
  );
}

describe('toolchain: dependencies point one way (lib/README.md)', () => {
  const layers = readLayers();
  const layerOf = (file: string) => layers.get(file.split('/')[0]);

  it('lib/README.md places every folder and root file of lib/ in a layer', () => {
    const tops = [...new Set(libFiles().map((f) => rel(f).split('/')[0]))].sort();
    expect(tops.filter((t) => layerOf(t) === undefined)).to.deep.equal([]);
    expect(layers.size, 'the table was read').to.be.at.least(10);
  });

  it('no file imports from a layer below its own (type-only imports included)', () => {
    const against = [
      ...new Set(
        edges()
          .filter((e) => layerOf(e.to)! > layerOf(e.from)!)
          .map((e) => `${e.from} -> ${e.to}`),
      ),
    ];
    const detail = (e: string) =>
      `${e} (layer ${layerOf(e.split(' -> ')[0])} imports layer ${layerOf(e.split(' -> ')[1])})`;
    expect(against.map(detail), 'imports against the order').to.deep.equal([]);
  });
});
