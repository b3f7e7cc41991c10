// The leak guard: nothing of the reference (lib/reference/solutions.ts) may reach the student bundle — not its
// file, not its function bodies, not its loss formulas, whether as TypeScript, compiled JS, .d.ts,
// a source map's embedded sources or a notebook cell. It matches copies (whitespace, comments and
// type annotations ignored), not paraphrases: a renamed rewrite is a new solution, not a leak.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** A piece of the reference, squashed (no whitespace, no comments, no types). */
export interface Fingerprint {
  /** What it is, for the message: "body of trainDisc", "expression in trainGen". */
  what: string;
  text: string;
}

export interface Leak {
  /** Bundle-relative path. */
  file: string;
  /** Where in the file: "cell train_disc", "sourcesContent[0]", "line 12". */
  where: string;
  fingerprint: Fingerprint;
}

/**
 * Pieces of the reference the seminar shows the student on purpose (the exercise cells' scaffold), or
 * that are the lib's own public signatures. Everything else of length >= MIN_FRAGMENT is secret.
 * If the seminar starts giving away more, add the piece here — the release says which one to add.
 */
export const PUBLIC_FRAGMENTS = [
  'const logpRealIsReal = tf.logSoftmax(disc(realData)).slice([0, IS_REAL], [-1, 1])',
  'const realData = sampleRealData(batchSize)',
  'discLoss.dataSync()[0]',
  'genLoss.dataSync()[0]',
  // the grader's hint for the saturating generator loss names it (lib/grader/diagnoses.ts); the
  // exercise text already says "log p = tf.logSoftmax of the logits" next to the given
  // tf.logSoftmax(disc(realData)) — the column and the loss around it stay secret
  'tf.logSoftmax(disc(genData))',
  // the sampler's own declaration in lib/seminar/data.ts reads `function sampleNoise(batchSize)` once compiled
  'sampleNoise(batchSize)',
];

/** Shorter pieces (`gen(noise)`, `disc.parameters()`) are too generic to prove a leak. */
export const MIN_FRAGMENT = 20;

/** Whitespace removed: what both sides are compared as. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/** TypeScript → JavaScript without types or comments, for comparing code as it would run. */
export function stripTypes(code: string): string {
  try {
    return ts.transpileModule(code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
      reportDiagnostics: false,
    }).outputText;
  } catch {
    return code;
  }
}

/**
 * The fingerprints of a reference source: every function body and every call or binary expression
 * inside a function, as compiled JavaScript, minus the public fragments and the too-short.
 */
export function referenceFingerprints(
  source: string,
  publicFragments: readonly string[] = PUBLIC_FRAGMENTS,
): Fingerprint[] {
  const js = stripTypes(source);
  const file = ts.createSourceFile('reference.js', js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const allowed = publicFragments.map((f) => squash(stripTypes(f)).replace(/;$/, ''));
  const seen = new Map<string, Fingerprint>();
  const add = (what: string, node: ts.Node) => {
    const text = squash(node.getText(file)).replace(/;$/, '');
    if (text.length < MIN_FRAGMENT || seen.has(text)) return;
    if (allowed.some((a) => a.includes(text))) return;
    seen.set(text, { what, text });
  };
  const visit = (node: ts.Node, fn: string | undefined) => {
    let inside = fn;
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
      inside = (ts.isFunctionDeclaration(node) && node.name?.text) || fn || 'an anonymous function';
      if (node.body) add(`body of ${inside}`, node.body);
    } else if (inside && (ts.isCallExpression(node) || ts.isBinaryExpression(node) || ts.isVariableStatement(node))) {
      add(`code in ${inside}`, node);
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(file, undefined);
  if (seen.size === 0)
    throw new Error('leak guard: found no code in the reference — is lib/reference/solutions.ts empty?');
  return [...seen.values()];
}

/** The texts of one file to look in, each with where it came from. */
function textsOf(rel: string, content: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [{ where: 'file', text: content }];
  const ext = path.extname(rel);
  if (ext === '.ts' && !rel.endsWith('.d.ts')) out.push({ where: 'file (types stripped)', text: stripTypes(content) });
  if (ext === '.json' || ext === '.map' || ext === '.ipynb') {
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      return out; // not JSON after all: the raw text above is still scanned
    }
    collectStrings(json, '', out, ext === '.ipynb');
  }
  return out;
}

/** Every string in a JSON value (and every array of strings joined, like a notebook cell's lines). */
function collectStrings(value: unknown, where: string, out: { where: string; text: string }[], code: boolean): void {
  if (typeof value === 'string') {
    out.push({ where, text: value });
    if (code) out.push({ where: `${where} (types stripped)`, text: stripTypes(value) });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'string')) {
      const joined = value.join('');
      out.push({ where, text: joined });
      if (code) out.push({ where: `${where} (types stripped)`, text: stripTypes(joined) });
      return;
    }
    value.forEach((v, i) => collectStrings(v, `${where}[${i}]`, out, code));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectStrings(v, where ? `${where}.${k}` : k, out, code);
  }
}

/** Files under `dir` (bundle-relative, sorted), skipping node_modules. */
export function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) out.push(...listFiles(dir, child));
    else if (entry.isFile()) out.push(child);
  }
  return out.sort();
}

/** The reference's own file names, compiled or not. */
const REFERENCE_FILE = /(^|\/)solutions\.(ts|js|d\.ts|js\.map|d\.ts\.map)$/;

/** Looks for the reference in every file of `dir`; returns the leaks found (empty = clean). */
export function scanForLeaks(dir: string, fingerprints: readonly Fingerprint[]): Leak[] {
  const leaks: Leak[] = [];
  for (const rel of listFiles(dir)) {
    if (REFERENCE_FILE.test(rel)) {
      leaks.push({ file: rel, where: 'file name', fingerprint: { what: 'the reference file itself', text: rel } });
      continue;
    }
    const buf = fs.readFileSync(path.join(dir, rel));
    if (buf.includes(0)) continue; // binary (wasm, images): no source text in there
    const reported = new Set<string>();
    for (const { where, text } of textsOf(rel, buf.toString('utf8'))) {
      const hay = squash(text);
      for (const fp of fingerprints) {
        if (reported.has(fp.text) || !hay.includes(fp.text)) continue;
        reported.add(fp.text);
        leaks.push({ file: rel, where, fingerprint: fp });
      }
      if (where === 'sources' || where.startsWith('sources[')) {
        if (/solutions\.ts/.test(text) && !reported.has('sources')) {
          reported.add('sources');
          leaks.push({ file: rel, where, fingerprint: { what: 'a source map pointing at the reference', text } });
        }
      }
    }
  }
  return leaks;
}

export class LeakError extends Error {
  constructor(readonly leaks: Leak[]) {
    super(
      `release blocked: ${leaks.length} piece(s) of the reference (lib/reference/solutions.ts) would reach the student bundle:\n` +
        leaks
          .slice(0, 20)
          .map((l) => `  - ${l.file} (${l.where}): ${l.fingerprint.what}: ${l.fingerprint.text.slice(0, 120)}`)
          .join('\n') +
        (leaks.length > 20 ? `\n  … and ${leaks.length - 20} more` : '') +
        '\nRemove it from that file. If the seminar gives this piece to students on purpose, add it to ' +
        'PUBLIC_FRAGMENTS in lib/release/leak-guard.ts.',
    );
    this.name = 'LeakError';
  }
}

/** Throws LeakError when `dir` holds any piece of `referenceSource`. */
export function assertNoLeaks(dir: string, referenceSource: string): { files: number; fingerprints: number } {
  const fingerprints = referenceFingerprints(referenceSource);
  const leaks = scanForLeaks(dir, fingerprints);
  if (leaks.length > 0) throw new LeakError(leaks);
  return { files: listFiles(dir).length, fingerprints: fingerprints.length };
}
