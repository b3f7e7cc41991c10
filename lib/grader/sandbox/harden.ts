// The sandbox child's defences, set up after TF.js and the lib have loaded and before any submission
// code runs (lib/grader/sandbox/sandbox-child.ts). The observer and the reporting run in this realm next to the
// submission, so everything they rely on must be out of the submission's reach:
//   - SES lockdown(): this realm's intrinsics (Object.prototype, Array.prototype, JSON, Math, Error, …)
//     frozen, so no prototype pollution reaches the observer; Math.random first wrapped to note its use;
//   - TF.js's classes (Tensor, Variable, the engine, optimizers, backends) and the lib's models frozen, the
//     models' variables closed to new properties: no patching dataSync, memory() or parameters();
//   - the submission's `tf`: a frozen copy of the namespace without the entry points into this process
//     (tf.env().global, tf.engine(), backends, the kernel registry, file and network I/O).
// Measured: lockdown ~60-80 ms per child; training and the fused kernels work unchanged after it.
import * as tf from '@tensorflow/tfjs';
import type { Seminar } from '../../seminar/models';

/** Ops whose results depend on the host's randomness: noted as private randomness when a step calls them. */
const RANDOM_OPS = [
  'randomUniform',
  'randomNormal',
  'truncatedNormal',
  'randomGamma',
  'randomStandardNormal',
  'multinomial',
  'randomUniformInt',
];

/**
 * Not available to graded code: each leads into the grader's own process (its globals, backend objects,
 * kernel registry, I/O), and none has a place in a training step.
 */
const WITHHELD = [
  'engine',
  'env',
  'ENV',
  'backend',
  'findBackend',
  'findBackendFactory',
  'registerBackend',
  'removeBackend',
  'setBackend',
  'setPlatform',
  'registerKernel',
  'unregisterKernel',
  'registerGradient',
  'unregisterGradient',
  'getKernel',
  'getGradient',
  'getKernelsForBackend',
  'copyRegisteredKernels',
  'disposeVariables',
  'profile',
  'io',
  'browser',
  'data',
  'loadLayersModel',
  'loadGraphModel',
  'loadGraphModelSync',
  'test_util',
  'webgl',
  'webgl_util',
  'gpgpu_util',
  'MathBackendCPU',
  'MathBackendWebGL',
  'KernelBackend',
  'Environment',
  'device_util',
  // and the rest of what the child's lean @tensorflow/tfjs leaves out (lean-tfjs.ts): graph models, WebGL
  'GraphModel',
  'registerOp',
  'deregisterOp',
  'GPGPUContext',
  'forceHalfFloat',
  'setWebGLContext',
];

declare function lockdown(options?: Record<string, string>): void;

/** The `tf` a submission's cells see: @tensorflow/tfjs's namespace, with what WITHHELD names replaced by a clear refusal. */
export function submissionTf(noteRandom: (name: string) => void): Readonly<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  const real = tf as unknown as Record<string, unknown>;
  for (const key of Object.keys(tf)) view[key] = real[key];
  for (const name of RANDOM_OPS) {
    const op = real[name];
    if (typeof op === 'function') {
      view[name] = (...args: unknown[]) => {
        noteRandom(`tf.${name}`);
        return (op as (...a: unknown[]) => unknown)(...args);
      };
    }
  }
  for (const name of WITHHELD) {
    view[name] = () => {
      throw new Error(`tf.${name} is not available to graded code (a training step does not need it)`);
    };
  }
  return Object.freeze(view);
}

let done = false;

/** Locks this realm down (once per process) around `seminar`, whose models the observer reads. */
export function hardenRealm(seminar: Seminar, noteRandom: (name: string) => void): void {
  if (done) return;
  done = true;
  // the host realm's Math.random, reachable from any host object's realm: its use is noted too
  const random = Math.random;
  Math.random = {
    random(): number {
      noteRandom('Math.random');
      return random();
    },
  }.random; // a method: no .prototype, as lockdown wants of Math.random
  require('ses');
  lockdown({ consoleTaming: 'unsafe', overrideTaming: 'severe', errorTaming: 'safe', localeTaming: 'unsafe' });

  // TF.js's classes: their prototypes (and the chains above them) frozen, so no method can be replaced
  const engine = tf.engine() as unknown as object;
  const classes: object[] = [
    tf.Tensor.prototype,
    tf.Variable.prototype,
    Object.getPrototypeOf(engine),
    Object.getPrototypeOf(tf.env()),
    Object.getPrototypeOf(tf.backend()),
    tf.Optimizer.prototype,
    tf.SGDOptimizer.prototype,
    ...[seminar.genOpt, seminar.discOpt].map((o) => Object.getPrototypeOf(o)),
  ];
  // shallow: their constructors keep mutable statics (Engine.nextTensorId), their instances their state
  for (let proto of classes) {
    while (proto && proto !== Object.prototype) {
      Object.freeze(proto);
      proto = Object.getPrototypeOf(proto);
    }
  }
  // the engine's own methods (lib/tfjs/tape.ts and scope.ts install theirs on the instance): fixed too
  for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(engine))) {
    if (typeof d.value === 'function') Object.defineProperty(engine, key, { writable: false, configurable: false });
  }
  // the models: frozen functions and layers; their variables take no new (shadowing) properties
  for (const model of [seminar.gen, seminar.disc]) {
    for (const layer of model.layers) Object.freeze(layer);
    Object.freeze(model.layers);
    Object.freeze(model);
    for (const v of model.parameters()) Object.preventExtensions(v);
  }
}
