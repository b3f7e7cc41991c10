// The bundle's own package.json, lockfile and README: a student installs and tests it without the
// instructor's repository.

export interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  engines?: Record<string, string>;
  /** Which dependencies may run their install scripts (npm 12 blocks the rest; npm 11 warns about them). */
  allowScripts?: Record<string, boolean>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

import { NOTEBOOK_PATH } from '../paths';

export { NOTEBOOK_PATH };

/** Same dependencies (so the instructor's lockfile fits), student scripts, no instructor commands. */
export function studentPackageJson(project: PackageJson): PackageJson {
  return {
    name: `${project.name}-student`,
    version: project.version,
    private: true,
    type: 'commonjs', // Deno reads dist/ as ES modules without it
    description: `${project.description ?? project.name} — student edition (no reference solutions)`,
    license: project.license,
    main: 'dist/lib/index.js',
    types: 'dist/lib/index.d.ts',
    bin: { 'gan-seminar': 'dist/lib/cli.js' },
    engines: project.engines,
    allowScripts: project.allowScripts, // same packages (the instructor's lockfile), same decisions
    scripts: {
      build: 'tsc -p .',
      prepare: 'tsc -p .',
      pretest: 'tsc -p .',
      test: project.scripts?.test ?? 'mocha',
      check: `node dist/lib/cli.js check ${NOTEBOOK_PATH}`,
    },
    // what a student needs, and nothing of the instructor's tooling (Deno, playwright, esbuild, wabt: about
    // 500 MB) nor tfjs-node's native binary: the bundle computes on wasm. The type packages its own build
    // and tests compile with are dependencies, so `npm install --omit=dev` builds too.
    dependencies: { ...project.dependencies, ...pick(project.devDependencies, STUDENT_TYPES) },
  };
}

/** The type packages the bundle's tsconfig names ("types": node, mocha) and its tests import (chai). */
const STUDENT_TYPES = ['@types/node', '@types/mocha', '@types/chai'];

function pick(from: Record<string, string> | undefined, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => from?.[n]).map((n) => [n, from![n]]));
}

interface Lockfile {
  name?: string;
  packages?: Record<string, { name?: string; version?: string; [k: string]: unknown }>;
  [key: string]: unknown;
}

/**
 * The instructor's lockfile cut to the student package: its name, its dependencies and only the locked
 * packages they reach (npm's node_modules lookup, nearest folder first), so `npm ci` installs the same
 * versions and nothing of the instructor's tooling (a lockfile listing packages the package.json does not
 * reach is one npm asks about: their install scripts show as undecided).
 */
export function studentLockfile(lock: Lockfile, pkg: PackageJson): Lockfile {
  const copy: Lockfile = JSON.parse(JSON.stringify(lock));
  copy.name = pkg.name;
  const packages = copy.packages ?? {};
  const root = packages[''];
  if (root) {
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) delete root[key];
    Object.assign(root, {
      name: pkg.name,
      version: pkg.version,
      dependencies: pkg.dependencies ?? {},
      bin: { 'gan-seminar': 'dist/lib/cli.js' },
    });
    if (pkg.engines) root.engines = pkg.engines;
  }
  const kept = reachable(packages, Object.keys(pkg.dependencies ?? {}));
  for (const key of Object.keys(packages)) {
    if (key !== '' && !kept.has(key)) delete packages[key];
    else {
      // what the student installs is never dev-only
      delete packages[key].dev;
      delete packages[key].devOptional;
    }
  }
  return copy;
}

type LockEntry = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** The lockfile paths a package at `from` reaches, resolving each name as Node does (nested node_modules first). */
function reachable(packages: Record<string, unknown>, rootDeps: string[]): Set<string> {
  const kept = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    for (
      let dir = from;
      ;
      dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : ''
    ) {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (key in packages) return key;
      if (dir === '') return undefined;
    }
  };
  const visit = (from: string, names: string[]): void => {
    for (const name of names) {
      const key = resolve(from, name);
      if (key === undefined || kept.has(key)) continue;
      kept.add(key);
      const entry = packages[key] as LockEntry;
      visit(key, Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies }));
    }
  };
  visit('', rootDeps);
  return kept;
}

export function studentReadme(options: { exercises: string[]; hasCheckCommand: boolean }): string {
  const check = options.hasCheckCommand
    ? `\`\`\`sh\nnpm run check          # checks the exercise cells of ${NOTEBOOK_PATH} (save the notebook first)\n\`\`\`\n\n` +
      'The notebook has the same check in the cell after each exercise.'
    : 'Run the check cell after each exercise in the notebook.';
  return `# «Генератор одномерных данных» · A 1-D GAN — student edition

A tiny generative adversarial network learns to turn Uniform[0, 1] noise into N(5, 1.5²). You write the two
training steps, \`trainDisc\` and \`trainGen\`, in \`${NOTEBOOK_PATH}\` (TypeScript, the tslab kernel,
TensorFlow.js). The reference solutions are not part of this folder.

## 1. Install

Node.js 26 LTS (22 and 24 work too) and npm, then in this folder:

\`\`\`sh
npm install                  # installs TensorFlow.js and tslab, builds lib/ into dist/
npm test                     # a quick self-test of this folder
\`\`\`

## 2. Open the notebook

\`\`\`sh
pip install jupyterlab       # or your distribution's Jupyter packages
npx tslab install            # registers the "TypeScript" kernel (this folder's tslab)
jupyter lab ${NOTEBOOK_PATH}
\`\`\`

Deno's kernel runs the same notebook: \`npx deno jupyter --install\`, then *Kernel → Change Kernel… → Deno*
(in VS Code: *Select Kernel*). The stop button works once the first cell has run (before, it stops Deno
itself); do not add \`"interrupt_mode": "message"\`: Deno's own stop hangs a cell that awaits. Deno does not
type-check cells; an exercise cell shows the type errors tslab would when it runs.

Run the cells from the top. Until you fill in an exercise, the training loop stops with
\`trainDisc: TODO('sample noise') — not implemented: sample noise; replace TODO('sample noise') …\`: that is expected.
\`GAN_ITERATIONS=2000\` in Jupyter's environment shortens the training loop while you try things.

## 3. Exercises

Fill in every \`TODO('…')\` in the exercise cells (${options.exercises.map((e) => `\`${e.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}\``).join(', ')}). Keep the
function names and signatures as they are.

## 4. Check your work

${check}
It compares one training step of your functions from fixed starting points with the expected numbers and
tells you what looks wrong. Passing it is a good sign, not a grade: the grader runs more checks.

## 5. Submit

Save the notebook and hand in \`${NOTEBOOK_PATH}\` as your course asks (only this file).
`;
}
