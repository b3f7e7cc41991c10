// `npm run bench [-- options]`: the seminar loop's speed, convergence time and memory on every
// tfjs backend that loads here, optionally against the PyTorch original (lib/bench/pytorch_loop.py)
// in the same run. A benchmark, not a test: it asserts nothing and CI does not run it.
//
// Each backend runs in its own child process (lib/bench/backend-child.ts). Timed runs are INTERLEAVED across
// children (round 1: wasm, cpu, pytorch; round 2: …) so that load from other users of a shared machine
// hits everyone alike; the reported it/s is the median of the rounds.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { readNotebook, writeNotebook } from '../jupyter/notebook';
import { nbgraderSource } from '../release/nbgrader';
import { BACKENDS } from '../tfjs/backend';
import { NOTEBOOK_FILE, ROOT, SOLUTIONS_PATH } from '../paths';
import { SPEED_UPS, speedUpsOff } from '../tfjs/speed-ups';
import { Values, command, intOption, runScript } from '../cli/options';
import { DEFAULT_ITERATIONS } from '../cli/train';
import { SEMINAR } from '../seminar/steps';

const LOOP = path.join(__dirname, 'backend-child.js');
const PYTORCH = path.join(ROOT, 'lib/bench/pytorch_loop.py');
const TARGET_W1 = 0.1;
/** The engine levers (lib/tfjs/log-softmax.ts, tape.ts, scope.ts), all off. */
const ENGINE_LEVERS_OFF = speedUpsOff(['logSoftmaxKernel', 'fastTape', 'fastScopes']);
/** --baseline rows: the default backend with some of the lib's speed-ups switched off (see the README's Backends). */
const BASELINES: readonly { label: string; env: Record<string, string>; what: string }[] = [
  {
    label: 'plain tfjs ops',
    env: speedUpsOff(SPEED_UPS.map((s) => s.switch)),
    what: "every layer as separate tfjs ops, wasm's own kernels, tfjs's SGD update, log-softmax and engine throughout: the state before any speed-up",
  },
  {
    label: 'fused models only',
    env: speedUpsOff(SPEED_UPS.map((s) => s.switch).filter((s) => s !== 'fused')),
    what: "one op per model call (lib/tfjs/fused-chain.ts), everything else tfjs's and wasm's own",
  },
  {
    label: 'no SIMD kernels',
    env: { ...speedUpsOff(['simd', 'lossKernels', 'sgdKernel', 'meanGradKernel']), ...ENGINE_LEVERS_OFF },
    what: "the fused op on wasm's own kernels, with the small kernels of lib/tfjs/small-kernels.ts: the state before #14",
  },
  {
    label: 'no log-softmax kernel, fast tape or scopes',
    env: { ...ENGINE_LEVERS_OFF, ...speedUpsOff(['meanGradKernel']) },
    what: "the SIMD, loss and SGD kernels, tfjs's own tf.logSoftmax, Mean gradient, Engine.gradients and Engine.endScope: the state before the engine levers",
  },
  {
    label: 'no log-softmax kernel',
    env: speedUpsOff(['logSoftmaxKernel']),
    what: "tfjs's tf.logSoftmax (a customGrad of 7 ops; lib/tfjs/log-softmax.ts off)",
  },
  {
    label: 'no Mean-gradient kernel',
    env: speedUpsOff(['meanGradKernel']),
    what: "tfjs's gradient of tf.mean (reshape, ones, mul, div; lib/tfjs/mean-grad.ts off)",
  },
  {
    label: 'no fast tape',
    env: speedUpsOff(['fastTape']),
    what: "tfjs's Engine.gradients and Engine.clone (lib/tfjs/tape.ts off)",
  },
  { label: 'no fast scopes', env: speedUpsOff(['fastScopes']), what: "tfjs's Engine.endScope (lib/tfjs/scope.ts off)" },
  {
    label: 'no fast kernel calls',
    env: speedUpsOff(['fastKernelCalls']),
    what: "tfjs's Engine.runKernel and tf.customGrad (lib/tfjs/kernel-calls.ts, custom-op.ts off)",
  },
  { label: 'no SGD kernel', env: speedUpsOff(['sgdKernel']), what: "tfjs's SGD update (lib/tfjs/sgd-kernel.ts off)" },
  {
    label: 'no loss kernels',
    env: speedUpsOff(['lossKernels']),
    what: "wasm's own Neg, Max, Sum and Mean (the loss kernels of lib/tfjs/small-kernels.ts off)",
  },
];
const CHECK_EVERY = 500;
const SEED = 42;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Entry {
  /** Row label, e.g. "wasm", "wasm (plain tfjs ops)", "pytorch". */
  label: string;
  backend: string;
  command: string[];
  env?: NodeJS.ProcessEnv;
  error?: string;
  info?: Json;
  runs: number[];
  /** Iterations per CPU-second of the child (user + system, all threads): robust to other users' load. */
  cpuRuns: number[];
  readout?: Json;
  long?: Json;
}

/** A child answering one JSON line per command. */
class Child {
  private readonly proc: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(command: string[], env?: NodeJS.ProcessEnv) {
    this.proc = spawn(command[0], command.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    // a child that already exited (a long run answers once and ends) has no stdin left to say quit to
    this.proc.stdin!.on('error', () => {});
    this.lines = readline.createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  async read(): Promise<Json> {
    const next = await this.lines.next();
    if (next.done)
      throw new Error(`child exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    return JSON.parse(next.value) as Json;
  }

  async ask(command: string): Promise<Json> {
    this.proc.stdin!.write(command + '\n');
    return this.read();
  }

  quit(): void {
    this.proc.stdin!.end('quit\n');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function python(): string | null {
  // Debian's python3-torch lives under /usr/bin/python3; a pyenv/venv python3 first on PATH may lack it.
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

function machine(): Json {
  const cpus = os.cpus();
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const pkg = (name: string) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as Json)
        .version as string;
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    mhz:
      cpus[0]?.speed ||
      Number(
        /cpu MHz\s*:\s*([\d.]+)/.exec(
          fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '',
        )?.[1],
      ) ||
      undefined,
    cores: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    tfjs: pkg('@tensorflow/tfjs'),
    wasmBackend: pkg('@tensorflow/tfjs-backend-wasm'),
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    date: new Date().toISOString(),
    loadBefore: os.loadavg(),
  };
}

async function startAll(entries: Entry[], warmup: number): Promise<Map<Entry, Child>> {
  const children = new Map<Entry, Child>();
  for (const e of entries) {
    const c = new Child(e.command, e.env);
    try {
      const hello = await c.read();
      if (hello.error) throw new Error(String(hello.error));
      e.info = hello;
      await c.ask(`warmup ${warmup}`);
      children.set(e, c);
      log(`  ${e.label}: ready`);
    } catch (err) {
      e.error = err instanceof Error ? err.message : String(err);
      log(`  ${e.label}: unavailable (${e.error})`);
    }
  }
  return children;
}

function log(s: string): void {
  process.stderr.write(s + '\n');
}

async function longRun(e: Entry, py: string | null, n: number, cap: number): Promise<Json> {
  const command =
    e.backend === 'pytorch'
      ? [
          py!,
          PYTORCH,
          'long',
          '--long-iterations',
          `${n}`,
          '--converge-cap',
          `${cap}`,
          '--check-every',
          `${CHECK_EVERY}`,
          '--target-w1',
          `${TARGET_W1}`,
          '--seed',
          `${SEED}`,
        ]
      : [process.execPath, LOOP, 'long', e.backend, `${n}`, `${cap}`, `${CHECK_EVERY}`, `${TARGET_W1}`, `${SEED}`];
  const c = new Child(command, e.env);
  const answer = await c.read();
  c.quit();
  return answer;
}

/**
 * The submissions grading is timed on: the notebook with the reference filled in (as nbgrader's source
 * notebook has it: exact), the same with the discriminator's loss halved (a valid variant no
 * formulation matches), and with its fake term dropped (wrong in a way no diagnosis names). The last two
 * are judged by the end-state runs (lib/grader/checks/end-state.ts).
 */
const GRADING_KINDS = {
  exact: { copies: 50, loss: (l: string) => l },
  variant: { copies: 4, loss: (l: string) => `tf.mul(0.5, ${l})` },
  wrong: { copies: 4, loss: () => 'tf.mean(tf.neg(logpRealIsReal))' },
} as const;

/** The submission of `kind`, copy `copy`: copies differ by a comment, so none reads another's cached end-state runs. */
function gradingSubmission(kind: keyof typeof GRADING_KINDS, file: string, copy: number): void {
  const solutions = fs.readFileSync(path.join(ROOT, SOLUTIONS_PATH), 'utf8');
  const nb = nbgraderSource(readNotebook(NOTEBOOK_FILE), solutions);
  const loss = 'tf.mean(tf.neg(tf.add(logpRealIsReal, logpGenIsFake)))';
  const text = JSON.stringify(nb);
  if (!text.includes(loss))
    throw new Error(
      "bench: the reference's discriminator loss changed; update gradingSubmission in lib/bench/bench.ts",
    );
  writeNotebook(file, JSON.parse(text.replace(loss, `${GRADING_KINDS[kind].loss(loss)} /* student ${copy} */`)));
}

/**
 * Grading throughput per kind of submission: many exact ones; a few valid and wrong variants (each pays
 * the end-state runs). Each kind is graded twice under a course secret of its own: cold (nothing cached:
 * the reference's ends from the course's private starts are computed too, once per course) and warm (the
 * same files again: a regrade reads the end-state runs from the cache).
 */
function grading(): Json {
  const cli = path.join(ROOT, 'dist/lib/cli.js');
  if (!fs.existsSync(cli)) return { error: 'gan-seminar grade is not available yet' };
  const out: Json = {};
  const secret = `bench-${process.pid}-${Date.now()}`;
  for (const [kind, { copies }] of Object.entries(GRADING_KINDS) as [
    keyof typeof GRADING_KINDS,
    { copies: number },
  ][]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-grade-${kind}-`));
    for (let i = 0; i < copies; i++)
      gradingSubmission(kind, path.join(dir, `student${String(i).padStart(2, '0')}.ipynb`), i);
    const pass = (cache: 'cold' | 'warm'): Json => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, 'grade', dir, '--out', path.join(dir, `out-${cache}`), '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        env: { ...process.env, GAN_GRADING_SECRET: `${secret}-${kind}` },
      });
      const seconds = (performance.now() - t) / 1000;
      let graded = 0;
      let scores: string[] = [];
      let diagnoses: string[] = [];
      try {
        const parsed = JSON.parse(r.stdout) as Json;
        const summary = (Array.isArray(parsed) ? parsed : parsed.submissions) as Json[];
        graded = summary.length;
        scores = summary.map((s) => `${s.score}/${s.max_score ?? s.maxScore}`);
        diagnoses = summary.flatMap((s) => (s.diagnoses as string[] | undefined) ?? []);
      } catch {
        /* reported below */
      }
      log(`  grading ${kind} (${cache}): ${((copies / seconds) * 60).toFixed(1)} submissions/min (exit ${r.status})`);
      return {
        submissions: copies,
        graded,
        exit: r.status,
        seconds,
        perMinute: (copies / seconds) * 60,
        scores: [...new Set(scores)],
        diagnoses: [...new Set(diagnoses)],
        stderr: r.status ? r.stderr.slice(-500) : undefined,
      };
    };
    out[kind] = { cold: pass('cold'), warm: pass('warm') };
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function fmt(x: unknown, digits = 0): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

function table(entries: Entry[], pytorch: Entry | undefined): string[] {
  const pt = pytorch && !pytorch.error ? pytorch : undefined;
  const ptRate = pt ? median(pt.runs) : NaN;
  const ptCpu = pt ? median(pt.cpuRuns) : NaN;
  const ratio = (ours: number, theirs: number, higherIsBetter = true) =>
    Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0
      ? ` (${(higherIsBetter ? ours / theirs : theirs / ours).toFixed(2)}×)`
      : '';
  const head = [
    'backend',
    'it/s (median)',
    'it per CPU-s (median)',
    'runs (it/s)',
    'to W1 < 0.1',
    'best W1 (at it)',
    'loop it/s (long run)',
    'dashboard share',
    'peak RSS MB',
    'RSS growth 10k→end MB',
  ];
  const rows = entries.map((e) => {
    if (e.error) return [e.label, `unavailable: ${e.error.slice(0, 80)}`, '', '', '', '', '', '', '', ''];
    const rate = median(e.runs);
    const l = e.long;
    const conv = l
      ? l.convergeSeconds !== null && l.convergeSeconds !== undefined
        ? `${fmt(l.convergeSeconds, 1)} s (it ${l.convergedAt})`
        : `not within ${l.convergeCap}`
      : '—';
    const ptl = pt?.long;
    return [
      e.label,
      fmt(rate) + (e === pt ? '' : ratio(rate, ptRate)),
      fmt(median(e.cpuRuns)) + (e === pt ? '' : ratio(median(e.cpuRuns), ptCpu)),
      e.runs.map((r) => fmt(r)).join(' '),
      conv +
        (l && ptl && e !== pt && l.convergeSeconds && ptl.convergeSeconds
          ? ratio(l.convergeSeconds, ptl.convergeSeconds, false)
          : ''),
      l ? `${fmt(l.bestW1, 3)} (${l.bestW1At}, ${fmt(l.bestW1Seconds, 0)} s)` : '—',
      l ? fmt(l.longItPerSec) + (ptl && e !== pt ? ratio(l.longItPerSec, ptl.longItPerSec) : '') : '—',
      e.readout ? dashboardCell(e.readout) : '—',
      l ? fmt(l.peakRssMB) : '—',
      l ? fmt(l.rssGrowthMB, 1) : '—',
    ];
  });
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function markdown(results: Json, lines: string[]): string {
  const m = results.machine as Json;
  const g = results.grading as Json | undefined;
  const gradingLines = !g
    ? ['Not measured in this run (`--grading`).']
    : g.error
      ? [`Not available: ${g.error}.`]
      : Object.entries(g).flatMap(([kind, passes]: [string, Json]) =>
          (['cold', 'warm'] as const).map((cache) => {
            const r = passes[cache] as Json;
            return `- ${kind} × ${r.submissions}, ${cache === 'cold' ? 'cold (nothing cached)' : 'warm (regrade: end-state runs cached)'}: **${fmt(r.perMinute, 1)} submissions/min** (${fmt(r.seconds, 1)} s, exit ${r.exit}, ${r.graded} graded, scores ${(r.scores as string[]).join(', ')}${(r.diagnoses as string[]).length ? `, diagnoses ${(r.diagnoses as string[]).join(', ')}` : ''})`;
          }),
        );
  return [
    '# Benchmarks',
    '',
    'The seminar loop (5 × trainDisc(128) + 1 × trainGen(128), reference steps) per TensorFlow.js backend,',
    'and the same loop in PyTorch (lib/bench/pytorch_loop.py: logits + log-softmax, `torch.set_num_threads(1)`).',
    `Regenerate with \`${results.command}\` (it takes several minutes; it is not a test and CI does not run it).`,
    '',
    '## Machine',
    '',
    `- ${m.cpu}, ${m.cores} cores${m.mhz ? ` @ ${Math.round(m.mhz)} MHz` : ''}, ${m.memoryGB} GB; ${m.os}`,
    `- Node ${m.node}, TensorFlow.js ${m.tfjs} (wasm backend ${m.wasmBackend})${results.pytorchVersion ? `, PyTorch ${results.pytorchVersion} (Debian python3-torch)` : ''}`,
    `- commit ${m.commit}, ${m.date}; load average before ${m.loadBefore.map((x: number) => x.toFixed(1)).join(' / ')}, after ${(results.loadAfter as number[]).map((x) => x.toFixed(1)).join(' / ')}`,
    '  (the machine is shared: timed rounds are interleaved across backends and PyTorch, medians reported)',
    '',
    '## Results',
    '',
    ...lines,
    '',
    `- it/s: median of ${results.options.runs} interleaved rounds of ${results.options.runIterations} iterations after ${results.options.warmup} warm-up iterations; (×) = ours / PyTorch.`,
    "- it per CPU-s: the same rounds divided by the process's CPU time (user + system, all threads) instead of wall time; other users of the machine inflate wall time, much less CPU time. Both sides are single-threaded.",
    `- to W1 < ${TARGET_W1}: loop seconds (read-outs off the clock) until the 1-Wasserstein distance of 10 000 generated samples to N(5, 1.5²) is below ${TARGET_W1}, checked every ${CHECK_EVERY} iterations up to the cap, seed ${SEED}; "best W1" is the lowest seen and when.`,
    `- dashboard share: the notebook's training cell over ${results.options.dashboard} iterations (npm start's default run; the seminar's is ${SEMINAR.iterations}) with lib/dashboard/dashboard.ts updated every ${SEMINAR.every} iterations, PNG drawn in its worker, output discarded: time in dashboard.update / loop time, and its two parts: the updates' steady share without the one wait, and that wait for the last update's own picture (the saved notebook's), once per run whatever its length.`,
    "- the long runs (convergence, loop it/s, memory) run one after another, not interleaved: their ratios also reflect how the machine's load changed in between; the interleaved it/s columns are the fair comparison.",
    `- peak RSS and RSS growth: the long run's process (${results.options.long} iterations); growth from iteration 10 000 to the end.`,
    '- --baseline rows: the default backend with the switches shown (lib/config.ts; README, Switches) turned off, each in its own process:',
    ...BASELINES.map(
      (b) =>
        `  - "${b.label}" (${Object.entries(b.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}): ${b.what}.`,
    ),
    '',
    '## Grading throughput',
    '',
    ...gradingLines,
    '',
  ].join('\n');
}

type BenchValues = Values<typeof BENCH_OPTIONS>;

/** The sizes of a run (`--quick` makes them small); the results and BENCHMARKS.md show them. */
function readSizes(values: BenchValues) {
  const q = values.quick;
  return {
    runs: intOption(values.runs, 'runs', q ? 3 : 5),
    runIterations: intOption(values['run-iterations'], 'run-iterations', q ? 200 : 500),
    warmup: intOption(values.warmup, 'warmup', q ? 100 : 300),
    long: intOption(values.long, 'long', q ? 2000 : 30000),
    cap: intOption(values.cap, 'cap', q ? 2000 : 15000),
    /** The dashboard's run: npm start's default length (lib/cli/train.ts). */
    dashboard: q ? 2001 : DEFAULT_ITERATIONS,
  };
}
type Sizes = ReturnType<typeof readSizes>;

const list = (value: string) =>
  value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

/** One row per backend asked for, and PyTorch's when asked for (with why not when torch is missing). */
function plan(values: BenchValues, py: string | null): { entries: Entry[]; pytorch?: Entry } {
  const entries: Entry[] = list(values.backends ?? BACKENDS.join(',')).map((b) => ({
    label: b,
    backend: b,
    command: [process.execPath, LOOP, 'serve', b],
    runs: [],
    cpuRuns: [],
  }));
  if (!values['vs-pytorch']) return { entries };
  const pytorch: Entry = {
    label: 'pytorch',
    backend: 'pytorch',
    command: [py ?? 'python3', PYTORCH, 'serve'],
    runs: [],
    cpuRuns: [],
  };
  if (!py) pytorch.error = 'python3 cannot import torch (apt-get install python3-torch)';
  return { entries, pytorch };
}

/** The "before" rows (BASELINES), placed after the default backend's row and started. */
async function addBaselines(entries: Entry[], base: Entry, children: Map<Entry, Child>, warmup: number) {
  const befores: Entry[] = BASELINES.map(({ label, env }) => ({
    label: `${base.backend} (${label})`,
    backend: base.backend,
    command: base.command,
    env,
    runs: [],
    cpuRuns: [],
  }));
  entries.splice(entries.indexOf(base) + 1, 0, ...befores);
  for (const [e, c] of await startAll(befores, warmup)) children.set(e, c);
}

/** The timed rounds, interleaved: round r asks every child in turn for `runIterations` iterations. */
async function timedRounds(all: Entry[], children: Map<Entry, Child>, sizes: Sizes) {
  for (let r = 0; r < sizes.runs; r++) {
    const line: string[] = [];
    for (const e of all) {
      const c = children.get(e);
      if (!c) continue;
      const a = await c.ask(`run ${sizes.runIterations}`);
      e.runs.push(a.itPerSec as number);
      e.cpuRuns.push(a.itPerCpuSec as number);
      line.push(`${e.label} ${fmt(a.itPerSec)} (${fmt(a.itPerCpuSec)}/cpu-s)`);
    }
    log(`round ${r + 1}/${sizes.runs}: ${line.join(', ')}`);
  }
}

/**
 * The dashboard's share of the notebook's training cell, on the default backend, over the run `npm start`
 * makes by default (the seminar's own is longer still, its share lower): one wait for the last picture
 * weighs in inverse proportion to the run's length, so a short window would overstate it.
 */
async function dashboardShare(e: Entry, child: Child, iterations: number) {
  e.readout = await child.ask(`readout ${iterations}`);
  log(`dashboard: ${dashboardCell(e.readout)}`);
}

function dashboardCell(r: Json): string {
  const window = r.iterations === DEFAULT_ITERATIONS ? `npm start's ${r.iterations}` : `${r.iterations}`;
  return r.steadyShare === undefined
    ? `${fmt(100 * r.share, 1)} % (${r.iterations} iterations)`
    : `${fmt(100 * r.share, 1)} % over ${window} iterations: ${fmt(100 * r.steadyShare, 1)} % per update + ${fmt(r.waitSeconds, 2)} s once for the last picture (${fmt(r.itPerSec)} it/s with it)`;
}

/** The convergence and memory runs, one after another (each in a fresh process). */
async function longRuns(rows: Entry[], py: string | null, sizes: Sizes) {
  for (const e of rows) {
    log(`long run (${sizes.long} iterations): ${e.label} …`);
    e.long = await longRun(e, py, sizes.long, sizes.cap);
    if (e.long.error) log(`  failed: ${e.long.error}`);
    else
      log(
        `  best W1 ${fmt(e.long.bestW1, 3)} at ${e.long.bestW1At}; ${fmt(e.long.longItPerSec)} it/s; peak RSS ${fmt(e.long.peakRssMB)} MB; growth ${fmt(e.long.rssGrowthMB, 1)} MB`,
      );
  }
}

/** What `--json` prints and BENCHMARKS.md is written from. */
function collect(m: Json, sizes: Sizes, all: Entry[], pytorch: Entry | undefined, base: Entry | undefined): Json {
  const results: Json = {
    command: 'npm run bench -- ' + process.argv.slice(2).join(' '),
    machine: m,
    options: sizes,
    pytorchVersion: pytorch?.info?.version,
    entries: all.map(({ label, backend, error, info, runs, cpuRuns, readout, long }) => ({
      label,
      backend,
      error,
      info,
      runs,
      itPerSec: runs.length ? median(runs) : null,
      cpuRuns,
      itPerCpuSec: cpuRuns.length ? median(cpuRuns) : null,
      readout,
      long,
    })),
    loadAfter: os.loadavg(),
  };
  if (pytorch && !pytorch.error && base) {
    results.defaultVsPytorch = median(base.runs) / median(pytorch.runs);
    results.defaultVsPytorchCpu = median(base.cpuRuns) / median(pytorch.cpuRuns);
  }
  return results;
}

/** The results on stdout (the table, or JSON) and, with --markdown, in BENCHMARKS.md's form. */
function report(results: Json, all: Entry[], pytorch: Entry | undefined, base: Entry | undefined, values: BenchValues) {
  const lines = table(all, pytorch);
  if (values.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else {
    process.stdout.write(lines.join('\n') + '\n');
    if (results.defaultVsPytorch) {
      process.stdout.write(
        `\ndefault backend (${base!.backend}) / PyTorch: ${results.defaultVsPytorch.toFixed(2)}× it/s, ${results.defaultVsPytorchCpu.toFixed(2)}× it per CPU-second\n`,
      );
    }
  }
  if (values.markdown) {
    fs.writeFileSync(values.markdown, markdown(results, lines));
    log(`wrote ${values.markdown}`);
  }
}

async function bench(values: BenchValues): Promise<number> {
  const sizes = readSizes(values);
  const m = machine();
  log(`bench: ${m.cpu}, ${m.cores} cores, load ${m.loadBefore.map((x: number) => x.toFixed(1)).join(' ')}`);
  const py = values['vs-pytorch'] ? python() : null;
  const { entries, pytorch } = plan(values, py);

  log('starting and warming up:');
  const children = await startAll([...entries, ...(pytorch && !pytorch.error ? [pytorch] : [])], sizes.warmup);
  const base = entries.find((e) => !e.error); // the default backend: the first that loads
  if (values.baseline && base) await addBaselines(entries, base, children, sizes.warmup);
  const all = [...entries, ...(pytorch ? [pytorch] : [])];
  await timedRounds(all, children, sizes);
  if (base && children.has(base)) await dashboardShare(base, children.get(base)!, sizes.dashboard);
  for (const c of children.values()) c.quit();

  const longFor = values['long-for'] === undefined ? undefined : list(values['long-for']);
  if (sizes.long > 0)
    await longRuns(
      all.filter((e) => !e.error && children.has(e) && (!longFor || longFor.includes(e.label))),
      py,
      sizes,
    );
  const results = collect(m, sizes, all, pytorch, base);
  if (values.grading) {
    log('grading throughput:');
    results.grading = grading();
  }
  report(results, all, pytorch, base, values);
  return 0;
}

const BENCH_OPTIONS = {
  'vs-pytorch': {
    type: 'boolean',
    description: 'also run the loop in PyTorch (python3-torch, 1 thread) and print ours / PyTorch',
  },
  backends: {
    type: 'string',
    arg: 'LIST',
    description: `comma-separated (default: ${BACKENDS.join(',')}; those that fail to load are listed as such)`,
  },
  baseline: {
    type: 'boolean',
    description: 'also time the default backend without the lib\'s speed-ups, one at a time: the "before"',
  },
  runs: { type: 'string', arg: 'N', description: 'timed rounds (default 5)' },
  'run-iterations': { type: 'string', arg: 'N', description: 'iterations per round (default 500)' },
  warmup: { type: 'string', arg: 'N', description: 'iterations before timing (default 300)' },
  long: {
    type: 'string',
    arg: 'N',
    description: 'iterations of the convergence/memory run (default 30000; 0 skips it)',
  },
  cap: { type: 'string', arg: 'N', description: 'stop checking convergence after N iterations (default 15000)' },
  'long-for': {
    type: 'string',
    arg: 'LIST',
    description: 'rows that get the long run (default: all; e.g. wasm,pytorch — cpu takes ~10 min)',
  },
  grading: {
    type: 'boolean',
    description:
      "grading throughput: gan-seminar grade on 50 exact, 4 valid-variant and 4 wrong-variant submissions, each kind cold (nothing cached) and warm (a regrade); --backends '' --long 0 for that alone",
  },
  quick: { type: 'boolean', description: 'small numbers for a smoke run (runs 3 × 200, long 2000, dashboard 2001)' },
  json: { type: 'boolean', description: 'print the results as JSON' },
  markdown: {
    type: 'string',
    arg: 'FILE',
    description: 'write the results table with the machine description to FILE (e.g. BENCHMARKS.md)',
  },
} as const;

export const BENCH = command({
  name: 'bench',
  invocation: 'npm run bench --',
  summary: "the seminar loop's speed, convergence time and memory per backend (and against PyTorch)",
  synopsis: '[options]',
  about: `Times the seminar loop on every tfjs backend that loads here, each in its own process, the timed
rounds interleaved across them; optionally the same loop in PyTorch, the default backend without the
lib's speed-ups, and the grader's throughput. A benchmark, not a test: it asserts nothing.`,
  options: BENCH_OPTIONS,
  run: bench,
});

if (require.main === module) runScript(BENCH);
