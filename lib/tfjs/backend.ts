// Backend choice: tfjs-node (native TensorFlow) where it loads, else WebAssembly, else plain JS.
// The same model code runs on all three; only the speed differs.
import * as tf from '@tensorflow/tfjs';
import { config } from '../config';
import { registerWasmFallbacks } from './kernel-fallback';
import { installSpeedUps } from './speed-ups';
import { fixLogSigmoid } from './log-sigmoid';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** Why a backend could not be used, for the message a forced choice fails with. */
const failures = new Map<BackendName, string>();

function register(name: BackendName): boolean {
  if (tf.findBackendFactory(name)) return true;
  try {
    if (name === 'tensorflow') require('@tensorflow/tfjs-node');
    if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    failures.set(name, err instanceof Error ? err.message.split('\n')[0] : String(err));
    return false;
  }
  return tf.findBackendFactory(name) !== null;
}

async function activate(name: BackendName): Promise<boolean> {
  if (!register(name)) return false;
  // setBackend resolves false (and logs) when the backend's factory fails, e.g. no .wasm file.
  const ok = await withQuietWarnings(() => tf.setBackend(name));
  if (!ok) failures.set(name, failures.get(name) ?? 'backend failed to initialise');
  return ok;
}

async function withQuietWarnings<T>(run: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return await run();
  } finally {
    console.warn = warn;
  }
}

/**
 * Picks and activates the backend: `requested` (or GAN_BACKEND) forces one and fails with a clear
 * message if it is unavailable; otherwise the fastest that loads. Returns the active backend's name.
 */
export async function initBackend(requested: string | undefined = config.backend()): Promise<BackendName> {
  const wanted = requested?.trim().toLowerCase() || undefined;
  if (wanted !== undefined) {
    if (!isBackendName(wanted)) {
      throw new Error(`GAN_BACKEND="${requested}" is not a backend; use one of: ${BACKENDS.join(', ')}`);
    }
    if (!(await activate(wanted))) {
      const hint =
        wanted === 'tensorflow'
          ? 'install @tensorflow/tfjs-node (it downloads libtensorflow, so it needs internet at install time)'
          : `check that @tensorflow/tfjs${wanted === 'wasm' ? '-backend-wasm' : ''} is installed (npm install)`;
      throw new Error(
        `backend "${wanted}" is unavailable (${failures.get(wanted) ?? 'unknown reason'}); ${hint}, or unset GAN_BACKEND`,
      );
    }
  } else {
    let chosen = false;
    for (const name of BACKENDS) {
      if (await activate(name)) {
        chosen = true;
        break;
      }
    }
    if (!chosen) throw new Error('no TensorFlow.js backend could be initialised');
  }
  quietCpuBanner();
  dropRethrowingListeners();
  // wasm: the kernels it lacks (tf.gather's gradient, …) and the inputs it gets wrong run cpu's
  // kernel (lib/tfjs/kernel-fallback.ts); first, so that the small kernels fall back to those
  if (tf.getBackend() === 'wasm') registerWasmFallbacks();
  // the small kernels, the SGD and log-softmax kernels, the fast tape and scopes (lib/tfjs/speed-ups.ts)
  installSpeedUps(tf.getBackend());
  // every backend: tf.logSigmoid's gradient, broken in tfjs 4.22 (lib/tfjs/log-sigmoid.ts)
  fixLogSigmoid();
  return tf.getBackend() as BackendName;
}

/**
 * The grader's backend — for its parent process, its sandboxed children and the expected values a
 * student release ships — so that references and submissions run on the same kernels: wasm (ships
 * with the project, deterministic, and what students run by default), else cpu. GAN_GRADER_BACKEND
 * forces one.
 */
export async function initGraderBackend(requested: string | undefined = config.graderBackend()): Promise<BackendName> {
  if (requested?.trim()) return initBackend(requested);
  try {
    return await initBackend('wasm');
  } catch {
    return initBackend('cpu');
  }
}

/**
 * The wasm backend's Emscripten module adds process listeners that rethrow every uncaught exception and
 * unhandled rejection (`process.on('unhandledRejection', (reason) => { throw reason; })`), so one stray
 * rejection anywhere kills the process — in a tslab kernel, whose own listeners log such errors and carry
 * on, the kernel dies with all the notebook's state (an EBUSY from zeromq in tslab's un-awaited
 * handleShellMessage; a TypeScript watcher's "Unexpected pending rebuildTimer"). Removed: where no other
 * listener is left, Node's default does what they did.
 */
export function dropRethrowingListeners(): number {
  let dropped = 0;
  // one type for both events' listeners: only their source text is looked at
  for (const event of ['uncaughtException', 'unhandledRejection'] as unknown as 'uncaughtException'[]) {
    for (const listener of process.listeners(event)) {
      if (
        /^function\s*\((ex|reason)\)\s*\{\s*(if \(!\(ex instanceof ExitStatus\)\)\s*\{\s*)?throw (ex|reason);/.test(
          String(listener),
        )
      ) {
        process.removeListener(event, listener);
        dropped++;
      }
    }
  }
  return dropped;
}

/**
 * The cpu backend greets its first tensor with "install our node backend" on stderr, which a
 * student reads as an error. We chose cpu on purpose (or had no other), so we mark it greeted.
 */
export function quietCpuBanner(): void {
  const backend: object = tf.backend();
  if ('firstUse' in backend) Object.assign(backend, { firstUse: false });
}

/** A one-line description for the notebook and the CLI. */
export function describeBackend(): string {
  const name = tf.getBackend();
  const detail: Record<string, string> = {
    tensorflow: 'native TensorFlow via @tensorflow/tfjs-node',
    wasm: 'WebAssembly via @tensorflow/tfjs-backend-wasm',
    cpu: 'plain JavaScript (slowest)',
  };
  return `TensorFlow.js ${tf.version.tfjs} on backend "${name}" (${detail[name] ?? 'other'})`;
}
