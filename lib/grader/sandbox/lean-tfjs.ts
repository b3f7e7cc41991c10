// The sandbox child's @tensorflow/tfjs, loaded without the packages it only re-exports and graded code
// has no use for: tfjs-converter (graph models), tfjs-data (datasets), tfjs-backend-webgl (no GPU here)
// — tf.loadGraphModel, tf.data and the webgl backend are withheld from graded code anyway (harden.ts).
// They are ~55 ms of every child's start (measured: require('@tensorflow/tfjs') 260 → 205 ms), and a
// child starts per submission. (tfjs-layers must load here, before the realm is hardened: tf.metrics,
// tf.layers are fair game in a step, and its classes cannot be defined on TF.js's frozen prototypes.)
// Imported first by sandbox-child.ts, so @tensorflow/tfjs is in require's cache, lean, before anything
// else asks for it. The rest of the lib, the parent and the notebook load the whole package.
import Module = require('node:module');

/** The packages left out, and the version each would have put into tf.version. */
const LEFT_OUT: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs-converter': 'version_converter',
  '@tensorflow/tfjs-data': 'version_data',
  '@tensorflow/tfjs-backend-webgl': 'version_webgl',
};

/** Node's module loader (stable for a decade, though not in @types/node). */
const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };

/** Loads @tensorflow/tfjs with the LEFT_OUT packages standing in as their version only; returns their names. */
export function loadLeanTfjs(): string[] {
  const load = loader._load;
  const left: string[] = [];
  loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    const key = LEFT_OUT[request];
    if (key === undefined) return load.call(this, request, parent, isMain);
    left.push(request);
    return { [key]: (load.call(this, `${request}/package.json`, parent, false) as { version: string }).version };
  };
  try {
    require('@tensorflow/tfjs');
  } finally {
    loader._load = load;
  }
  return left;
}

loadLeanTfjs();
