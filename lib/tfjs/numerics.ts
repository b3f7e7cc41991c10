// What a training run's numbers depend on besides its inputs: the backend, the TF.js packages, and the code
// of this folder's kernels and fast paths (a new polynomial in the SIMD ELU changes the last bits, and over
// 16000 iterations where a run ends). Caches of run results (lib/grader's end-state runs) key by it, so an
// upgraded checkout is never served an earlier version's numbers.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

let fingerprint: string | undefined;

function codeFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? codeFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith('.js'))
    .sort();
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'none';
  }
}

/** A fingerprint of the TF.js packages and of the code in `dir` (every .js file below it, by path and content). */
export function codeFingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'])
    h.update(`${name}@${packageVersion(name)}\n`);
  for (const file of codeFiles(dir)) h.update(`${path.relative(dir, file)}\n`).update(fs.readFileSync(file));
  return h.digest('hex').slice(0, 16);
}

/** The backend and the fingerprint of the code that computes on it (this folder; the same within one build). */
export function numericsKey(): string {
  fingerprint ??= codeFingerprint(__dirname);
  return `${tf.getBackend()}:${fingerprint}`;
}
