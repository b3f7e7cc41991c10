// Step "run isolated": one child process per submission (sandbox-child.ts), with
//   - Node's permission model (Node 20: --experimental-permission): reads only node_modules and the
//     few lib files the child loads (never lib/solutions or lib/reference), writes only its scratch dir,
//     no child processes or workers;
//   - no network: a fresh network namespace (`unshare -rn`) where the kernel allows it (checked once);
//   - no string code generation (closes the Function-constructor escape from the vm context);
//   - a vm context holding only the notebook's globals, a wall-clock budget per exercise and per child,
//     a heap cap (--max-old-space-size) plus an RSS watchdog (tensors live outside the JS heap),
//     and capped captured output.
// A crash while observing one exercise is recorded for that exercise and the rest run in a new child.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CompiledCell } from '../../jupyter/compile';
import Ajv from 'ajv';
import { config } from '../../config';
import { ExerciseId, ExerciseObservation, Failure, Parts, Plan, RunPlan } from './observe';
import type { ChildResult, Job } from './sandbox-child';
import { ROOT } from '../../paths';
import { PROTOCOL } from '../checks/states';
import { isHeld, releaseLock, takeLock, waitWhileHeld } from './run-lock';
import { END_STATE_CACHE, endStateKey } from '../checks/end-state';
import { WEIGHTS_SCHEMA as weights } from './weights-schema';

export interface SandboxOptions {
  /** Wall-clock limit per submission, ms (default 60 s); each exercise gets half. */
  timeoutMs: number;
  /** Memory cap, MB: the child's resident size (watchdog), with the JS heap capped a little above it. */
  memoryMb: number;
  /** Characters of the submission's console output kept. */
  outputCap: number;
}

export const DEFAULT_SANDBOX: SandboxOptions = { timeoutMs: 60_000, memoryMb: 1024, outputCap: 20_000 };

export interface SandboxResult {
  observations: Partial<Record<ExerciseId, ExerciseObservation>>;
  /** Exercises the child could not finish: crash, memory, time. */
  crashes: Partial<Record<ExerciseId, Failure & { diagnosis: string }>>;
  output: string;
  outputTruncated: boolean;
  /** How isolated the run was (for the report). */
  isolation: string[];
  /** The notebook's other cells that threw when they ran (they take no exercise down). */
  cellFailures: string[];
  /** Behavioural runs that `askBehaviour` asked for after the steps, by exercise; missing where none finished. */
  asked: Partial<Record<ExerciseId, ExerciseObservation['behaviour']>>;
}

const CHILD = path.join(__dirname, 'sandbox-child.js');
/** Never readable from the child: the reference and its loader (dist/lib/reference/). */
const DENIED = path.join(ROOT, 'dist', 'lib', 'reference');

/** The compiled lib's .js files the child may load (it needs a few; the list follows the lib as it grows). */
function childFiles(): string[] {
  // each folder's package.json too, present or not: Node 22+ looks for one beside every module it loads
  // (its "type"), and under the permission model a lookup it may not make is an error, not "absent"
  const walk = (dir: string): string[] => [
    path.join(dir, 'package.json'),
    ...fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return p === DENIED ? [] : walk(p);
      return e.name.endsWith('.js') ? [p] : [];
    }),
  ];
  return [
    path.join(ROOT, 'package.json'),
    path.join(ROOT, 'dist', 'package.json'),
    ...walk(path.join(ROOT, 'dist', 'lib')),
  ];
}

/**
 * The child's result file, checked before the parent trusts it: the shape the judge reads (numbers
 * where numbers belong), so a result the child did not write as expected is "not observed".
 */
const failure = {
  type: 'object',
  required: ['kind', 'message'],
  properties: { kind: { enum: ['not-implemented', 'runtime-error', 'timeout'] }, message: { type: 'string' } },
};
const step = {
  type: 'object',
  required: ['state', 'batchSize', 'returnedType', 'returned', 'gen', 'disc', 'samplerCalls', 'randomCalls'],
  properties: {
    state: { type: 'string' },
    batchSize: { type: 'integer' },
    failure,
    returnedType: { type: 'string' },
    returned: { type: ['number', 'null'] },
    gen: weights,
    disc: weights,
    samplerCalls: {
      type: 'object',
      required: ['noise', 'real'],
      properties: {
        noise: { type: 'array', items: { type: 'integer' } },
        real: { type: 'array', items: { type: 'integer' } },
      },
    },
    randomCalls: { type: 'array', items: { type: 'string' } },
  },
};
const behaviourRun = {
  type: 'object',
  required: ['steps', 'runs'],
  properties: {
    failure,
    steps: { type: 'integer' },
    runs: {
      type: 'array',
      items: { type: 'object', required: ['gen', 'disc'], properties: { gen: weights, disc: weights } },
    },
  },
};
const observation = {
  type: 'object',
  required: ['exercise', 'steps', 'leak', 'behaviour'],
  properties: {
    exercise: { type: 'string' },
    unavailable: { type: 'object', required: ['kind', 'message'] },
    steps: { type: 'array', items: step },
    leak: {
      type: 'object',
      required: ['steps', 'growth'],
      properties: {
        failure,
        steps: { type: 'integer' },
        growth: { type: 'integer' },
        msPerCall: { type: 'number' },
        baselineMs: { type: 'number' },
      },
    },
    behaviour: behaviourRun,
  },
};
const validResult = new Ajv().compile({
  type: 'object',
  required: ['observations', 'running', 'output', 'outputTruncated', 'asked', 'cellFailures'],
  properties: {
    observations: { type: 'object', additionalProperties: observation },
    running: { type: ['string', 'null'] },
    output: { type: 'string' },
    outputTruncated: { type: 'boolean' },
    asked: { type: 'object', additionalProperties: behaviourRun },
    cellFailures: { type: 'array', items: { type: 'string' } },
  },
});

/** The child's result file, if the child signed it with this run's key and it holds a valid result. */
function readResult(file: string, key: string): ChildResult | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const cut = text.indexOf('\n');
    const mac = Buffer.from(text.slice(0, cut), 'hex');
    const json = text.slice(cut + 1);
    const expected = createHmac('sha256', key).update(json).digest();
    if (cut < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    const result: unknown = JSON.parse(json);
    return validResult(result) ? (result as ChildResult) : undefined;
  } catch {
    return undefined;
  }
}

/** node_modules, and its real path where it is a link (pnpm, a copied project): the permission model checks real paths (and Node 20 aborts on a path given twice). */
function modulesReadable(): string[] {
  const dir = path.join(ROOT, 'node_modules');
  const real = fs.realpathSync(dir);
  return [...new Set([dir, real])].map((d) => `--allow-fs-read=${d}/`);
}

/** Node 20 has --experimental-permission; newer Node calls it --permission. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';

let netns: boolean | undefined;
/** True when `unshare -rn` works here (user namespaces enabled). */
export function networkIsolationAvailable(): boolean {
  if (netns === undefined) {
    const r = spawnSync('unshare', ['-rn', process.execPath, '-e', '0'], { stdio: 'ignore', timeout: 10_000 });
    netns = r.status === 0;
  }
  return netns;
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface ChildRun {
  result?: ChildResult;
  killedFor?: 'timeout' | 'memory';
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The child's command line: Node's permission model, no string code generation, a heap cap; no network where possible. */
function childCommand(options: SandboxOptions, scratch: string, args: string[]): [string, string[]] {
  const nodeArgs = [
    `--max-old-space-size=${options.memoryMb + 256}`,
    '--disallow-code-generation-from-strings',
    PERMISSION_FLAG,
    '--no-warnings',
    ...modulesReadable(),
    ...childFiles().map((f) => `--allow-fs-read=${f}`),
    `--allow-fs-read=${scratch}/`,
    `--allow-fs-write=${scratch}/`,
    CHILD,
    ...args,
  ];
  return networkIsolationAvailable()
    ? ['unshare', ['-rn', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
}

/**
 * Node 22.1+ keeps the compiled code of the modules a process loads (NODE_COMPILE_CACHE): ~100 ms of a
 * child's ~1 s start, and a child starts per submission. A child that runs no submission fills it, once
 * per grading process, with the children's own flags (V8 takes a cache only from a like-flagged process);
 * each graded child gets a copy in its scratch folder (Node reads a cache only where it may also write).
 */
const COMPILE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'gan-seminar', 'sandbox-child');
const hasCompileCache = 'enableCompileCache' in (require('node:module') as object);
let compileCacheReady: Promise<string | undefined> | undefined;

function copied(from: string, to: string): string | undefined {
  try {
    fs.cpSync(from, to, { recursive: true });
    return to;
  } catch {
    return undefined;
  }
}

/** Fills the children's compile cache (started once; resolves to its folder, or undefined where there is none). */
export function warmChildren(options: SandboxOptions = DEFAULT_SANDBOX): Promise<string | undefined> {
  compileCacheReady ??= new Promise((resolve) => {
    if (!hasCompileCache) return resolve(undefined);
    try {
      fs.mkdirSync(COMPILE_CACHE, { recursive: true });
    } catch {
      return resolve(undefined); // a read-only install: children start without it
    }
    const [cmd, args] = childCommand(options, COMPILE_CACHE, ['--warm']);
    const child = spawn(cmd, args, {
      cwd: COMPILE_CACHE,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_COMPILE_CACHE: COMPILE_CACHE },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? COMPILE_CACHE : undefined);
    });
  });
  return compileCacheReady;
}

interface EndStateCache {
  known?: Job['endStateRuns'];
  keep: (asked: (ExerciseObservation['behaviour'] | undefined)[]) => void;
  /** While another grading runs these (run-lock.ts), waits for it (at most `ms`) and reads its ends. */
  awaitOthers: (ms: number) => Promise<void>;
  /** Says this grading is running them now (until release). */
  claim: () => void;
  release: () => void;
}

/**
 * The end-state runs' ends of earlier gradings: a function of the cells and of the starts (the plans and
 * the training run hold every seed), so grading the same cells from the same starts again — a regrade, a
 * copy in the class, the self-check's and the grader's test suites — reads them instead of running the
 * notebook's loop for minutes again. Only complete runs are kept (a timeout depends on the machine), by
 * the parent, where no submission can write (node_modules/.cache/gan-seminar/end-states/runs/). A grading
 * running them holds a lock there (run-lock.ts): another one of the same cells waits for its ends.
 */
function endStateCache(
  cells: CompiledCell[],
  protocol: { plans: Record<ExerciseId, Plan>; run?: RunPlan },
): EndStateCache {
  const starts = Object.values(protocol.plans)[0]?.endStates;
  if (!starts)
    return {
      keep: () => undefined,
      awaitOthers: async () => undefined,
      claim: () => undefined,
      release: () => undefined,
    };
  const key = endStateKey([cells.map((c) => [c.index, c.exercise ?? null, c.js]), protocol.plans, protocol.run]);
  const file = path.join(END_STATE_CACHE, 'runs', `${key}.json`);
  const lock = `${file}.lock`;
  const read = (): Job['endStateRuns'] => {
    try {
      const runs = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(runs) && runs.length === starts.length) return runs as Job['endStateRuns'];
    } catch {
      // not graded before
    }
    return undefined;
  };
  let claimed = false;
  const cache: EndStateCache = {
    known: read(),
    keep(asked) {
      const done = asked.find((b) => b && !b.failure && b.runs.length === starts.length);
      if (cache.known || !done) return;
      try {
        // whole or not at all (a rename): a grading reading it meanwhile never sees half of it
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(`${file}.${process.pid}.part`, JSON.stringify(done.runs));
        fs.renameSync(`${file}.${process.pid}.part`, file);
        cache.known = done.runs;
      } catch {
        // a read-only checkout: the runs are made again next time
      }
    },
    async awaitOthers(ms) {
      if (cache.known || !isHeld(lock)) return;
      await waitWhileHeld(lock, ms);
      cache.known = read();
    },
    claim() {
      if (claimed || cache.known) return;
      try {
        fs.mkdirSync(path.dirname(lock), { recursive: true });
      } catch {
        return; // a read-only checkout: nobody waits
      }
      claimed = takeLock(lock);
    },
    release() {
      if (claimed) releaseLock(lock);
      claimed = false;
    },
  };
  return cache;
}

/** The child's "steps done": judge what it observed and answer (once) which end-state runs to do. */
function answerWhenStepsDone(
  child: ChildProcess,
  resultFile: string,
  key: string,
  askBehaviour: (observations: ChildResult['observations']) => ExerciseId[],
): void {
  let heard = '';
  let answered = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (answered) return;
    heard = (heard + chunk.toString('utf8')).slice(-64); // only the end matters: no rescanning of a flood
    if (!heard.includes('steps done\n')) return;
    answered = true;
    const result = readResult(resultFile, key);
    let wanted: ExerciseId[] = [];
    try {
      wanted = result ? askBehaviour(result.observations) : [];
    } catch {
      // nothing asked here; the grader judges again after the child and runs what it needs then
    }
    child.stdin!.end(JSON.stringify(wanted) + '\n');
  });
}

/** Kills the child past the time budget or the memory cap; returns a function that stops watching. */
function enforceLimits(
  child: ChildProcess,
  options: SandboxOptions,
  kill: (why: 'timeout' | 'memory') => void,
): () => void {
  const timer = setTimeout(() => kill('timeout'), options.timeoutMs + 5_000);
  const watch = setInterval(() => {
    // The resident size crosses the cap before the heap limit (set higher) makes V8 thrash in GC
    // for seconds, so a memory bomb is stopped here, promptly and the same way on every run.
    if (child.pid && rssMb(child.pid) > options.memoryMb) kill('memory');
  }, 100);
  return () => {
    clearTimeout(timer);
    clearInterval(watch);
  };
}

function runChild(
  job: Job,
  options: SandboxOptions,
  scratch: string,
  compileCache: string | undefined,
  askBehaviour?: (observations: ChildResult['observations']) => ExerciseId[],
): Promise<ChildRun> {
  const jobFile = path.join(scratch, 'job.json');
  const resultFile = path.join(scratch, 'result.json');
  fs.rmSync(resultFile, { force: true });
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const [cmd, args] = childCommand(options, scratch, [jobFile, resultFile]);
  // a copy of its own: Node uses a compile cache only where it may write, and no child may write another's
  const cache = compileCache && copied(compileCache, path.join(scratch, 'compile-cache'));
  // the child signs its result with this key, read from stdin before any submission code runs
  const key = randomBytes(32).toString('hex');
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: scratch,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: scratch,
        TMPDIR: scratch,
        ...(cache ? { NODE_COMPILE_CACHE: cache } : {}),
      },
      stdio: ['pipe', askBehaviour ? 'pipe' : 'ignore', 'pipe'],
    });
    child.stdin!.on('error', () => undefined); // the child may be gone before a line arrives
    if (askBehaviour) {
      child.stdin!.write(`${key}\n`);
      answerWhenStepsDone(child, resultFile, key, askBehaviour);
    } else {
      child.stdin!.end(`${key}\n`);
    }
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 8000) stderr += chunk.toString('utf8').slice(0, 8000 - stderr.length);
    });
    let killedFor: ChildRun['killedFor'];
    const stopWatching = enforceLimits(child, options, (why) => {
      killedFor ??= why;
      child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      stopWatching();
      resolve({ result: readResult(resultFile, key), killedFor, code, signal, stderr });
    });
  });
}

function crashOf(run: ChildRun, options: SandboxOptions): Failure & { diagnosis: string } {
  if (config.graderDebug()) process.stderr.write(`sandbox child (${run.signal ?? run.code}):\n${run.stderr}\n`);
  if (run.killedFor === 'timeout')
    return { kind: 'timeout', diagnosis: 'timeout', message: `stopped after ${options.timeoutMs / 1000} s` };
  const heap = /heap out of memory|Allocation failed|Array buffer allocation failed/i.test(run.stderr);
  if (run.killedFor === 'memory' || heap) {
    return {
      kind: 'runtime-error',
      diagnosis: 'memory-limit',
      message: `used more than the ${options.memoryMb} MB memory limit`,
    };
  }
  const how = run.signal ? `signal ${run.signal}` : `exit code ${run.code}`;
  const last = run.stderr
    .trim()
    .split('\n')
    .filter((l) => /Error|denied|restricted/i.test(l))
    .slice(0, 2)
    .join(' / ');
  return {
    kind: 'runtime-error',
    diagnosis: 'runtime-error',
    message: `the grader's process for this submission ended (${how})${last ? `: ${last}` : ''}`,
  };
}

/** Runs the cells and observes `probe` exercises; never throws for anything the submission does. */
export async function runInSandbox(
  cells: CompiledCell[],
  probe: ExerciseId[],
  protocol: { plans: Record<ExerciseId, Plan>; run?: RunPlan },
  options: SandboxOptions = DEFAULT_SANDBOX,
  parts: Parts = { steps: true, behaviour: true },
  askBehaviour?: (observations: Partial<Record<ExerciseId, ExerciseObservation>>) => ExerciseId[],
): Promise<SandboxResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-grade-'));
  const out: SandboxResult = {
    observations: {},
    crashes: {},
    output: '',
    outputTruncated: false,
    asked: {},
    cellFailures: [],
    isolation: [
      'permission model (writes: scratch only; reads: node_modules and the lib without the reference; no subprocesses)',
      networkIsolationAvailable() ? 'no network (netns)' : 'network NOT isolated (unshare unavailable)',
      `memory ${options.memoryMb} MB`,
      `${options.timeoutMs / 1000} s`,
    ],
  };
  const endStates = endStateCache(cells, protocol);
  try {
    // the same cells from the same starts being run elsewhere right now: their ends, not a second run
    // (waiting at most as long as that grading's end-state runs may take)
    const budgetMs = Math.max(1000, Math.floor(options.timeoutMs / probe.length));
    const starts = Object.values(protocol.plans)[0]?.endStates.length ?? 0;
    const endStateBudgetMs = budgetMs * PROTOCOL.endStateBudget * starts;
    await endStates.awaitOthers(3 * endStateBudgetMs + options.timeoutMs);
    let remaining = probe.slice();
    while (remaining.length > 0) {
      const job: Job = {
        endStateRuns: endStates.known,
        backend: tf.getBackend(),
        cells: cells.map((c) => ({ index: c.index, exercise: c.exercise, js: c.js, async: c.async })),
        probe: remaining,
        plans: protocol.plans,
        run: protocol.run,
        parts,
        askBehaviour: askBehaviour !== undefined,
        budgetMs,
        outputCap: options.outputCap,
        endStateBudgetMs,
      };
      // asked behaviour gets its own budget per exercise after the steps' (each keeps its per-exercise deadline),
      // and the end-state runs theirs (one set of runs for all exercises)
      // (the child may stretch the end-state runs up to 3× on a slow machine: sandbox-child.ts endStateRuns)
      const behaviourMs =
        askBehaviour || parts.behaviour ? job.budgetMs * remaining.length + 3 * job.endStateBudgetMs! : 0;
      const stepsMs = parts.steps ? job.budgetMs * remaining.length : 0;
      if (parts.behaviour) endStates.claim();
      const run = await runChild(
        job,
        { ...options, timeoutMs: stepsMs + behaviourMs },
        scratch,
        await warmChildren(options),
        askBehaviour &&
          ((observations) => {
            const wanted = askBehaviour(observations);
            if (wanted.length > 0) endStates.claim(); // asked: the child runs them now
            return wanted;
          }),
      );
      const r = run.result;
      if (r) {
        Object.assign(out.observations, r.observations);
        Object.assign(out.asked, r.asked);
        endStates.keep([...Object.values(r.asked), ...Object.values(r.observations).map((o) => o?.behaviour)]);
        for (const f of r.cellFailures) if (!out.cellFailures.includes(f)) out.cellFailures.push(f);
        if (out.output.length < options.outputCap)
          out.output += r.output.slice(0, options.outputCap - out.output.length);
        out.outputTruncated ||= r.outputTruncated;
      }
      const done = remaining.filter((e) => r?.observations[e] && r.running !== e);
      // The exercise that was running when the child died (or the first one not reached) takes the blame.
      const culprit = r?.running ?? remaining.find((e) => !done.includes(e));
      if (!culprit) break;
      if (!(culprit in out.observations) || r?.running === culprit) {
        out.crashes[culprit] = crashOf(run, { ...options, timeoutMs: job.budgetMs });
        delete out.observations[culprit];
      }
      remaining = remaining.filter((e) => !done.includes(e) && e !== culprit);
    }
  } finally {
    endStates.release();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}
