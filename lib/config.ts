// Every environment switch the project reads, in one place: typed, parsed on first use (never at
// import, so a bad value fails where it matters, with the variable named), and listed in README's
// "Switches" table (test/config.test.ts keeps the two in step).

export type FusedMode = 'off' | 'auto' | 'js' | 'backend-kernels';

interface Switch<T> {
  /** The environment variable. */
  name: string;
  /** What it does, for the README table and the error message. */
  description: string;
  /** The value when unset or empty. */
  fallback: T;
  /** Parses a non-empty value; returns undefined when it is not one of the accepted forms. */
  parse(raw: string): T | undefined;
  /** The accepted forms, for the error message. */
  accepts: string;
}

const yesNo = (raw: string) =>
  /^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : undefined;

const FUSED: Record<string, FusedMode> = {
  '1': 'auto',
  auto: 'auto',
  '0': 'off',
  off: 'off',
  js: 'js',
  'backend-kernels': 'backend-kernels',
};

export const SWITCHES = {
  backend: {
    name: 'GAN_BACKEND',
    description: 'forces the TensorFlow.js backend of the notebook and the CLI (default: the fastest that loads)',
    fallback: undefined as string | undefined,
    parse: (raw: string) => raw.trim().toLowerCase(),
    accepts: 'tensorflow, wasm or cpu',
  },
  graderBackend: {
    name: 'GAN_GRADER_BACKEND',
    description:
      "forces the grader's backend (parent, sandbox children, a release's expected values; default wasm, else cpu)",
    fallback: undefined as string | undefined,
    parse: (raw: string) => raw.trim().toLowerCase(),
    accepts: 'tensorflow, wasm or cpu',
  },
  solutions: {
    name: 'GAN_SOLUTIONS',
    description: "solution mode: the notebook's loop and self-checks use the reference from lib/reference/solutions.ts",
    fallback: false,
    parse: yesNo,
    accepts: '1 / true / yes, or 0 / false / no',
  },
  iterations: {
    name: 'GAN_ITERATIONS',
    description: "the notebook's (and `npm start`'s) training length, for demos and CI",
    fallback: undefined as number | undefined,
    parse: (raw: string) => (/^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined),
    accepts: 'a non-negative integer',
  },
  nbgrader: {
    name: 'GAN_NBGRADER',
    description: 'under `nbgrader autograde`: an incomplete self-check writes to stderr, so its grade cell scores 0',
    fallback: false,
    parse: yesNo,
    accepts: '1 or 0',
  },
  fused: {
    name: 'GAN_FUSED',
    description:
      'how models run: one fused op per model call (auto), or plain tfjs ops layer by layer (0); js / backend-kernels force an implementation',
    fallback: 'auto' as FusedMode,
    parse: (raw: string) => FUSED[raw.trim().toLowerCase()],
    accepts: '0, 1, auto, off, js or backend-kernels',
  },
  smallKernels: {
    name: 'GAN_SMALL_KERNELS',
    description: "wasm: the lib's small-tensor kernels in place of some of wasm's own (0 keeps wasm's, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  simd: {
    name: 'GAN_SIMD',
    description:
      "wasm: the model op's forward and gradient as the lib's 128-bit SIMD kernels (0 keeps the fused op on wasm's own kernels, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  lossKernels: {
    name: 'GAN_LOSS_KERNELS',
    description:
      "wasm: the lib's small-tensor kernels also for the loss's unary ops and reductions (Neg, Max, Sum, Mean; 0 keeps wasm's, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  sgdKernel: {
    name: 'GAN_SGD_KERNEL',
    description:
      "wasm and cpu: tfjs's SGD update as one kernel per variable (0 keeps tfjs's own applyGradients, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  logSoftmaxKernel: {
    name: 'GAN_LOG_SOFTMAX_KERNEL',
    description:
      "wasm and cpu: tf.logSoftmax as one kernel and its gradient as another, on the backend's own kernels (0 keeps tfjs's op, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  meanGradKernel: {
    name: 'GAN_MEAN_GRAD_KERNEL',
    description:
      "wasm and cpu: the gradient of tf.mean over every axis as one kernel (0 keeps tfjs's four-op gradient, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  fastTape: {
    name: 'GAN_FAST_TAPE',
    description:
      "tfjs's gradient tape walk (Engine.gradients) without its per-node for…in and id-keyed objects (0 keeps tfjs's, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  fastScopes: {
    name: 'GAN_FAST_SCOPES',
    description:
      "tfjs's end of a scope (every tidy and every op) without its per-scope allocations (0 keeps tfjs's, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  fastKernelCalls: {
    name: 'GAN_FAST_KERNEL_CALLS',
    description:
      "tfjs's kernel call (Engine.runKernel, every op) and the lib's customGrad ops (the fused model op) without their per-call registry keys and closures (0 keeps tfjs's, for comparison)",
    fallback: true,
    parse: yesNo,
    accepts: '1 or 0',
  },
  graderDebug: {
    name: 'GAN_GRADER_DEBUG',
    description:
      "the grader prints the full stack of every error a submission's step throws (for whoever debugs the grader)",
    fallback: false,
    parse: yesNo,
    accepts: '1 or 0',
  },
  gradingSecret: {
    name: 'GAN_GRADING_SECRET',
    description:
      "the course's grading secret, from which the grader's private states are derived (default: .gan-grading-secret, made on first use)",
    fallback: undefined as string | undefined,
    parse: (raw: string) => raw.trim(),
    accepts: 'any text',
  },
  autograderRoot: {
    name: 'AUTOGRADER_ROOT',
    description:
      "where Gradescope's layout is (source/, submission/, results/); default /autograder — for dry runs and tests",
    fallback: '/autograder',
    parse: (raw: string) => raw,
    accepts: 'a folder',
  },
} satisfies Record<string, Switch<unknown>>;

type Switches = typeof SWITCHES;
type ValueOf<K extends keyof Switches> = Switches[K]['fallback'] | Exclude<ReturnType<Switches[K]['parse']>, undefined>;

const parsed = new Map<string, { raw: string; value: unknown }>();

/** The switch's value: its fallback when unset or empty; a clear error naming the variable when malformed. */
export function read<K extends keyof Switches>(key: K, env: NodeJS.ProcessEnv = process.env): ValueOf<K> {
  const sw: Switch<unknown> = SWITCHES[key];
  const raw = env[sw.name];
  if (raw === undefined || raw.trim() === '') return sw.fallback as ValueOf<K>;
  const cached = parsed.get(sw.name);
  if (cached && cached.raw === raw) return cached.value as ValueOf<K>;
  const value = sw.parse(raw);
  if (value === undefined)
    throw new Error(`${sw.name}="${raw}" is not valid: use ${sw.accepts} (${sw.name} ${sw.description})`);
  parsed.set(sw.name, { raw, value });
  return value as ValueOf<K>;
}

/** The switches by name, each read when called. */
export const config = {
  backend: () => read('backend'),
  graderBackend: () => read('graderBackend'),
  solutions: () => read('solutions'),
  iterations: () => read('iterations'),
  nbgrader: () => read('nbgrader'),
  fused: () => read('fused'),
  smallKernels: () => read('smallKernels'),
  simd: () => read('simd'),
  lossKernels: () => read('lossKernels'),
  sgdKernel: () => read('sgdKernel'),
  logSoftmaxKernel: () => read('logSoftmaxKernel'),
  meanGradKernel: () => read('meanGradKernel'),
  fastTape: () => read('fastTape'),
  fastScopes: () => read('fastScopes'),
  fastKernelCalls: () => read('fastKernelCalls'),
  graderDebug: () => read('graderDebug'),
  gradingSecret: () => read('gradingSecret'),
  autograderRoot: () => read('autograderRoot'),
};
