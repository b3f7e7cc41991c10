// The auto-grader's programmatic API (what `gan-seminar grade`, the tests and a Gradescope
// autograder build on):
//   gradeNotebook(file, options) -> GradeResult     one submission, never throws for what it contains
//   gradeFiles(files, options)   -> GradeResult[]   many, in parallel (child processes), in input order
//   CHECKS / configureChecks()                      the checks: id, exercise, name, points, hidden
//   DIAGNOSES                                        mistake ids with the seminar's advice
//   feedbackOf / gradescopeOf                        a student's feedback.md, results.json (the gradebook: lib/gradebook/write.ts)
// The pipeline, one small named step each (nbgrader-style):
//   read + extract (extract.ts) -> compile (compile.ts) -> run isolated (sandbox.ts, which observes with
//   observe.ts) -> check (run-checks.ts runs the mocha checks of lib/grader/checks/check-definitions.ts, which judge with
//   judge.ts against the reference on the states of states.ts) -> report (report.ts).
import * as path from 'node:path';
import { EXERCISES } from '../exercises';
import { initGraderBackend } from '../tfjs/backend';
import { Basis, defaultBasis, newSession } from './checks/basis';
import { CheckInfo, configureChecks } from './checks/checks';
import type { Course } from '../course/config';
import { CompiledCell, ProgramCell, compileCells, formatCompileError } from '../jupyter/compile';
import { DiagnosisId } from './diagnoses';
import { Extraction, extractExercises, programCells, readSubmission } from './pipeline/extract';
import { Session, Subject, behaviour, needsBehaviour } from './checks/judge';
import type { ExerciseId, ExerciseObservation } from './sandbox/observe';
import type { GradeResult } from './result';
import { CheckResult, runChecks } from './checks/run-checks';
import { DEFAULT_SANDBOX, SandboxOptions, SandboxResult, runInSandbox, warmChildren } from './sandbox/sandbox';
import { gradingSecret } from './pipeline/secret';
import { DEFAULT_LIMITS, Limits } from './pipeline/limits';
import { buildRun } from './checks/states';

export { CHECKS, configureChecks, parseCheckIds } from './checks/checks';
export type { CheckInfo } from './checks/checks';
export { DIAGNOSES } from './diagnoses';
export type { DiagnosisId } from './diagnoses';
export type { CheckResult } from './checks/run-checks';
export type { GradeResult, GradeStatus } from './result';
export { feedbackOf, gradescopeOf } from './pipeline/report';
export { gradingSecret } from './pipeline/secret';
export { DEFAULT_LIMITS } from './pipeline/limits';
export type { Limits } from './pipeline/limits';

/** A file to grade and the student it belongs to (grades.csv's key). */
export interface Submission {
  file: string;
  student: string;
}

export interface GradeOptions extends Partial<SandboxOptions> {
  /** The course (points, weights, hidden checks, variant policy); default: the course in use (lib/course/config.ts). */
  course?: Course;
  /** The course's grading secret (default: lib/grader/pipeline/secret.ts gradingSecret()). */
  secret?: string;
  /** Size limits past which a submission is a `too-large` row (default: lib/grader/pipeline/limits.ts DEFAULT_LIMITS). */
  limits?: Partial<Limits>;
}

/** The secret to grade with: the option's, else the course's. */
function secretOf(options: GradeOptions): string | undefined {
  return options.secret ?? gradingSecret().secret;
}

export function studentOf(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, '');
}

let backendReady: Promise<unknown> | undefined;
/** The grader computes on its backend (lib/tfjs/backend.ts), and so do its sandbox children: same kernels, same floats. */
function ensureBackend(): Promise<unknown> {
  backendReady ??= initGraderBackend();
  return backendReady;
}

function finish(file: string, checks: CheckInfo[], results: CheckResult[], extra: Partial<GradeResult>): GradeResult {
  const diagnoses = [...new Set(results.filter((r) => !r.passed && r.diagnosis).map((r) => r.diagnosis!))];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    student: studentOf(file),
    file,
    score: round(results.reduce((a, r) => a + r.points, 0)),
    maxScore: round(checks.reduce((a, c) => a + c.points, 0)),
    status: 'complete',
    diagnoses,
    checks: results,
    cells: {},
    output: '',
    isolation: [],
    ...extra,
  };
}

/** False when every check of the exercise failed for one reason (not implemented, crashed at every call…): nothing of it could be judged. */
function judged(results: CheckResult[], exerciseId: ExerciseId): boolean {
  const own = results.filter((r) => r.id.startsWith(`${exerciseId}.`));
  return own.some((r) => r.passed) || new Set(own.map((r) => r.diagnosis)).size > 1;
}

/** Every check failed with the same diagnosis: the submission could not be looked at. */
function allFailed(checks: CheckInfo[], diagnosis: DiagnosisId, message: string): CheckResult[] {
  return checks.map((c) => ({
    id: c.id,
    name: c.name,
    points: 0,
    maxPoints: c.points,
    hidden: c.hidden,
    passed: false,
    diagnosis,
    message,
  }));
}

/** Grades one submitted notebook (its student: the file's base name, or as given). A failure of the grader itself becomes a "grader-error" row. */
export async function gradeNotebook(submission: string | Submission, options: GradeOptions = {}): Promise<GradeResult> {
  void warmChildren({ ...DEFAULT_SANDBOX, ...stripUndefined(options) }); // alongside this submission's compile
  await ensureBackend();
  const { file, student } =
    typeof submission === 'string' ? { file: submission, student: studentOf(submission) } : submission;
  const checks = configureChecks(options.course);
  let result: GradeResult;
  try {
    result = await grade(file, options, checks);
  } catch (err) {
    const message = `grader error: ${err instanceof Error ? err.message : String(err)}`;
    result = finish(file, checks, allFailed(checks, 'grader-error', message), { status: 'incomplete', message });
  }
  return { ...result, student };
}

async function grade(file: string, options: GradeOptions, checks: CheckInfo[]): Promise<GradeResult> {
  const sandbox: SandboxOptions = { ...DEFAULT_SANDBOX, ...stripUndefined(options) };
  const read = readSubmission(file, { ...DEFAULT_LIMITS, ...options.limits });
  if (!read.ok && 'tooLarge' in read)
    return finish(file, checks, allFailed(checks, 'too-large', read.message), {
      status: 'too-large',
      message: read.message,
    });
  if (!read.ok)
    return finish(file, checks, allFailed(checks, 'malformed-notebook', read.message), {
      status: 'unreadable',
      message: read.message,
    });
  const extraction = extractExercises(read.notebook);
  const { subject, cells, compiled, otherCells } = compileExercises(
    programCells(read.notebook, extraction),
    extraction,
  );
  const secret = secretOf(options);
  const shared = defaultBasis(secret);
  // a training run of this submission's own (its code salts the course's secret)
  const basis: Basis = shared.run
    ? { ...shared, run: buildRun(shared.evaluator, secret, compiled.map((c) => c.js).join('\0')) }
    : shared;
  const run = await observeIsolated(compiled, subject, basis, sandbox);
  const results = await runChecks(run.session ?? newSession(basis, subject, observedIn(basis)), checks);
  const incomplete = EXERCISES.some(
    (ex) => subject[ex.id].unavailable || subject[ex.id].observation?.unavailable || !judged(results, ex.id),
  );
  return finish(file, checks, results, {
    status: incomplete ? 'incomplete' : 'complete',
    cells,
    otherCells: [...otherCells, ...run.otherCells],
    output: run.output,
    isolation: run.isolation,
  });
}

/**
 * Steps "extract" and "compile": the notebook's code up to the training loop, type-checked as tslab
 * would; an exercise whose cell is missing or broken has that as its subject. The other cells' compile
 * errors are reported (tslab would not run such a cell: neither does the grader).
 */
function compileExercises(program: ProgramCell[], extraction: Extraction) {
  const compiled = compileCells(program);
  const cells: GradeResult['cells'] = {};
  const subject: Record<ExerciseId, Subject> = {};
  const otherCells: string[] = [];
  const broken = compiled.filter((x) => x.exercise === undefined && x.errors.length > 0);
  // a few cells' errors in full; the feedback (and the parent's memory) stay small whatever the notebook holds
  for (const c of broken.slice(0, MAX_REPORTED_CELLS)) {
    otherCells.push(
      `cell #${c.index + 1} does not compile, so it was not run:\n${c.errors.slice(0, 5).map(formatCompileError).join('\n')}`,
    );
  }
  if (broken.length > MAX_REPORTED_CELLS)
    otherCells.push(`${broken.length - MAX_REPORTED_CELLS} more cells do not compile and were not run`);
  for (const { id } of EXERCISES) {
    const c = compiled.find((x) => x.exercise === id);
    if (!c) {
      subject[id] = {
        unavailable: {
          diagnosis: 'missing-cell',
          message: `no ${id} cell (looked for nbgrader grade_id "${id}", tag "${id}", then the function)`,
        },
      };
      continue;
    }
    cells[id] = {
      via: extraction[id]!.via,
      cellIndex: extraction[id]!.cellIndex,
      compileErrors: c.errors.slice(0, 20),
    };
    if (c.errors.length > 0) {
      const shown = c.errors.slice(0, 5).map(formatCompileError).join('\n');
      subject[id] = {
        unavailable: {
          diagnosis: 'compile-error',
          message: `the ${id} cell does not compile:\n${shown}`,
          errors: c.errors,
        },
      };
    }
  }
  return { subject, cells, otherCells, compiled: compiled.filter((c) => c.errors.length === 0) };
}

/** Other cells whose compile errors the feedback lists one by one. */
const MAX_REPORTED_CELLS = 10;

/** Where the sandbox observes the steps: inside the basis's training run, or (a student release, no reference to replay) on its fixed states. */
const observedIn = (basis: Basis) => (basis.run ? 'run' : 'states');

/**
 * Step "run isolated": the cells that compiled, in a sandbox child; fills `subject` with what it
 * observed. The end-state runs (the notebook's loop, minutes) only for steps that match neither the
 * reference nor a known mistake that decides alone: asked of the same child once its steps are observed,
 * else (it crashed) of a new one.
 */
async function observeIsolated(
  compiled: CompiledCell[],
  subject: Record<ExerciseId, Subject>,
  basis: Basis,
  sandbox: SandboxOptions,
): Promise<{ output: string; isolation: string[]; otherCells: string[]; session?: Session }> {
  const runnable = EXERCISES.map((ex) => ex.id).filter((id) => !subject[id]);
  if (runnable.length === 0) return { output: '', isolation: [], otherCells: [] };
  const subjectOf = (
    observations: Partial<Record<ExerciseId, ExerciseObservation>>,
    crashes: SandboxResult['crashes'] = {},
  ) => {
    const out = { ...subject };
    for (const id of runnable) {
      const crash = crashes[id];
      const observation = observations[id];
      out[id] =
        crash || !observation
          ? {
              unavailable: {
                diagnosis: crash?.diagnosis ?? 'runtime-error',
                message: crash?.message ?? 'not observed',
              },
            }
          : { observation };
    }
    return out;
  };
  const needingBehaviour = (probe: Session) =>
    EXERCISES.filter(
      (ex) => runnable.includes(ex.id) && probe.subject[ex.id].observation && needsBehaviour(probe, ex),
    ).map((ex) => ex.id);
  const run = await runInSandbox(
    compiled,
    runnable,
    basis,
    sandbox,
    { steps: true, behaviour: false },
    (observations) => needingBehaviour(newSession(basis, subjectOf(observations), observedIn(basis))),
  );
  Object.assign(subject, subjectOf(run.observations, run.crashes));
  // the session the checks judge with too (its reference replayed once): the end-state runs below only
  // add to the subject's observations, and nothing asked so far reads them
  const session = newSession(basis, subject, observedIn(basis));
  const behavioural = needingBehaviour(session);
  for (const id of behavioural) {
    const b = run.asked[id];
    if (b) subject[id].observation!.behaviour = b;
  }
  const rerun = behavioural.filter((id) => !run.asked[id]);
  if (rerun.length > 0) {
    const again = await runInSandbox(compiled, rerun, basis, sandbox, { steps: false, behaviour: true });
    for (const id of rerun) {
      const b = again.observations[id]?.behaviour;
      const crash = again.crashes[id];
      subject[id].observation!.behaviour = b ?? {
        failure: { kind: crash?.kind ?? 'runtime-error', message: crash?.message ?? 'not observed' },
        steps: 0,
        runs: [],
      };
    }
  }
  // the verdicts on the end-state runs now, outside the checks' time limit (the reference's own runs from the
  // course's starts take minutes the first time; they are cached after)
  for (const ex of EXERCISES.filter((e) => behavioural.includes(e.id))) behaviour(session, ex);
  const output = run.output + (run.outputTruncated ? `\n… output truncated at ${sandbox.outputCap} characters\n` : '');
  return { output, isolation: run.isolation, otherCells: run.cellFailures, session };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'course' && k !== 'secret' && k !== 'limits'),
  ) as Partial<T>;
}

export interface BatchOptions extends GradeOptions {
  /** Submissions graded at once (default: the number of cores). */
  parallel?: number;
  onProgress?: (done: number, total: number, result: GradeResult) => void;
}

/** Grades many notebooks in parallel; results come back in the order of `files`. */
export async function gradeFiles(
  files: readonly (string | Submission)[],
  options: BatchOptions = {},
): Promise<GradeResult[]> {
  await ensureBackend();
  defaultBasis(secretOf(options));
  const parallel = Math.max(1, options.parallel ?? require('node:os').availableParallelism?.() ?? 2);
  const results: GradeResult[] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      results[i] = await gradeNotebook(files[i], options);
      options.onProgress?.(++done, files.length, results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, files.length) }, worker));
  return results;
}
