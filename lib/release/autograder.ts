// Gradescope: one container per submission. `autograder --out <zip>` packs the instructor's project
// (reference included — the zip is instructor-only) with Gradescope's two entry points:
//   setup.sh        run once when Gradescope builds the image: installs Node and the project (npm ci)
//   run_autograder  run per submission: grades /autograder/submission/*.ipynb into
//                   /autograder/results/results.json (hidden checks: visibility "after_published")
// AUTOGRADER_ROOT (default /autograder) moves that layout, for tests and local dry runs.
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { COURSE_IN_PACKAGE, course, useCourse } from '../course/config';
import { buildProject } from './build';
import { NOTEBOOK_NAME } from '../paths';

/** The Node.js setup.sh installs: the current LTS (nodejs.org/en/about/previous-releases). */
export const GRADESCOPE_NODE = '26.12.1';

/** Baked into the zip next to the course file (lib/course/course.json, which holds points, hidden checks, variant policy). */
export interface AutograderConfig {
  /** The notebook name students submit; other .ipynb files are ignored when it is present. */
  notebook: string;
  /** The course's grading secret (lib/grader/pipeline/secret.ts): the zip grades on the instructor's private states. */
  gradingSecret?: string;
}

export const CONFIG_FILE = 'autograder-config.json';

/** What goes into the zip from the instructor's repository. */
const PROJECT_FILES = ['lib', 'notebooks', 'package.json', 'package-lock.json', 'tsconfig.json', '.mocharc.json'];

export function setupScript(nodeVersion = GRADESCOPE_NODE): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (the zip is in /autograder/source).
set -euo pipefail
NODE_VERSION=${nodeVersion}   # the current LTS
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq curl ca-certificates xz-utils >/dev/null
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) echo "setup.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac
# Node.js from nodejs.org, checked against the release's SHA-256 list before anything is unpacked
TARBALL="node-v\${NODE_VERSION}-linux-\${ARCH}.tar.xz"
WORK="$(mktemp -d)"
cd "$WORK"
curl -fsSLO "https://nodejs.org/dist/v\${NODE_VERSION}/\${TARBALL}"
curl -fsSLO "https://nodejs.org/dist/v\${NODE_VERSION}/SHASUMS256.txt"
grep " \${TARBALL}$" SHASUMS256.txt > "\${TARBALL}.sha256" || { echo "setup.sh: \${TARBALL} is not in SHASUMS256.txt" >&2; exit 1; }
sha256sum -c "\${TARBALL}.sha256"
tar -xJf "\${TARBALL}" -C /usr/local --strip-components=1
cd /autograder/source
rm -rf "$WORK"
node --version
# production dependencies only, at the lockfile's versions (no Deno, playwright, tfjs-node); dist/ comes prebuilt in the zip
npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
chmod +x /autograder/source/run_autograder
`;
}

export const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Gradescope runs this for every submission (copied to /autograder/run_autograder). It always writes
# results/results.json, even when the grader itself fails, so the student sees a message, not a blank.
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
node dist/lib/cli.js autograder run --root "$ROOT"
`;

export interface BuildOptions {
  root: string;
  out: string;
  log?: (line: string) => void;
}

export interface BuildReport {
  out: string;
  files: number;
  bytes: number;
}

/** Files under `dir`, relative with '/' separators, sorted (so the zip lists them in a stable order). */
function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, child));
    else out.push(child); // files, and symlinks as the files they point to
  }
  return out;
}

/**
 * Zips every file under `dir` into `out` and returns how many it holds. Each entry keeps its file's
 * mode (yazl stores stat's mode as Unix attributes): Gradescope runs setup.sh and run_autograder only
 * if unzip restores their executable bit.
 */
async function zip(dir: string, out: string): Promise<number> {
  const files = filesUnder(dir);
  const archive = new yazl.ZipFile();
  const written = new Promise<void>((resolve, reject) => {
    archive.on('error', reject); // a file that can't be read
    archive.outputStream.pipe(fs.createWriteStream(out)).on('error', reject).on('close', resolve);
  });
  for (const rel of files) archive.addFile(path.join(dir, rel), rel);
  archive.end();
  try {
    await written;
  } catch (err) {
    fs.rmSync(out, { force: true });
    throw new Error(`autograder: writing ${out} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return files.length;
}

/** Builds the Gradescope autograder zip at `out`. */
export async function buildAutograder(options: BuildOptions): Promise<BuildReport> {
  const root = path.resolve(options.root);
  const out = path.resolve(options.out);
  const log = options.log ?? (() => undefined);
  if (!out.endsWith('.zip')) throw new Error(`autograder: --out must name a .zip file, got ${out}`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-autograder-'));
  try {
    for (const f of PROJECT_FILES) {
      if (fs.existsSync(path.join(root, f))) fs.cpSync(path.join(root, f), path.join(staging, f), { recursive: true });
    }
    // prebuilt dist/ so a dry run needs no compiler; Gradescope's `npm ci` rebuilds it anyway
    buildProject(root, staging);
    log('  build            ok');
    fs.writeFileSync(path.join(staging, 'setup.sh'), setupScript(), { mode: 0o755 });
    // the course in use (a --course file, or the repository's), where the zip's grader reads it
    fs.writeFileSync(path.join(staging, COURSE_IN_PACKAGE), JSON.stringify(course(), null, 2) + '\n');
    fs.writeFileSync(path.join(staging, 'run_autograder'), RUN_AUTOGRADER, { mode: 0o755 });
    const { gradingSecret } = require('../grader/pipeline/secret') as typeof import('../grader/pipeline/secret');
    const config: AutograderConfig = { notebook: NOTEBOOK_NAME, gradingSecret: gradingSecret().secret };
    fs.writeFileSync(path.join(staging, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    const count = await zip(staging, out);
    log(`  zip              ok (${out})`);
    return { out, files: count, bytes: fs.statSync(out).size };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The submitted notebook: the course's notebook name if present, else the only .ipynb. */
export function findSubmission(dir: string, preferred: string): { file?: string; problem?: string } {
  const found: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '__MACOSX') continue; // .ipynb_checkpoints, macOS zip debris
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.ipynb')) found.push(p);
    }
  };
  walk(dir);
  found.sort();
  const named = found.filter((f) => path.basename(f) === preferred);
  if (named.length === 1) return { file: named[0] };
  if (found.length === 1) return { file: found[0] };
  if (found.length === 0)
    return { problem: `no .ipynb file in the submission. Upload your ${preferred} (File → Download in Jupyter).` };
  return {
    problem: `${found.length} notebooks in the submission (${found.map((f) => path.relative(dir, f)).join(', ')}); upload only ${preferred}.`,
  };
}

/** The shape `autograder --out` writes; a hand-edited file that breaks it fails with the field named. */
const validConfig = new Ajv().compile({
  type: 'object',
  required: ['notebook'],
  additionalProperties: false,
  properties: {
    notebook: { type: 'string', minLength: 1 },
    gradingSecret: { type: 'string' },
  },
});

function readConfig(source: string): AutograderConfig {
  const file = path.join(source, CONFIG_FILE);
  if (!fs.existsSync(file)) return { notebook: NOTEBOOK_NAME };
  const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!validConfig(json)) {
    const e = validConfig.errors?.[0];
    throw new Error(
      `${CONFIG_FILE} is not a valid autograder configuration: ${e?.instancePath || '/'} ${e?.message ?? ''}; rebuild it with \`gan-seminar autograder\``,
    );
  }
  return json as AutograderConfig;
}

/** Grades the submission under `root` (Gradescope's /autograder layout) into results/results.json. */
export async function runAutograder(root: string, source = path.join(root, 'source')): Promise<object> {
  const resultsFile = path.join(root, 'results', 'results.json');
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  let results: object;
  try {
    const config = readConfig(source);
    const courseFile = path.join(source, COURSE_IN_PACKAGE);
    if (fs.existsSync(courseFile)) useCourse(courseFile);
    const { file, problem } = findSubmission(path.join(root, 'submission'), config.notebook);
    if (!file) {
      results = { score: 0, output: problem, visibility: 'visible', stdout_visibility: 'hidden', tests: [] };
    } else {
      const { gradeNotebook, gradescopeOf } = await import('../grader');
      results = gradescopeOf(await gradeNotebook(file, { secret: config.gradingSecret }));
    }
  } catch (err) {
    results = {
      score: 0,
      output: `The autograder failed (not your fault — tell your instructor): ${err instanceof Error ? err.message : String(err)}`,
      visibility: 'visible',
      stdout_visibility: 'hidden',
      tests: [],
    };
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  return results;
}
