// The auto-grader's programmatic API (what `gan-seminar grade`, the tests and a Gradescope
// autograder build on):
//   gradeNotebook(file, options) -> GradeResult     one submission, never throws for what it contains
//   gradeFiles(files, options)   -> GradeResult[]   many, in parallel (child processes), in input order
//   CHECKS / configureChecks()                      the checks: id, exercise, name, points, hidden
//   DIAGNOSES                                        mistake ids with the seminar's advice
//   writeReports(results, outDir)                    grades.csv, <student>/feedback.md, <student>/results.json
// The pipeline, one small named step each (nbgrader-style):
//   read (extract.ts) -> extract (extract.ts) -> compile (compile.ts) -> run isolated (sandbox.ts, which
//   observes with probe.ts) -> check (run-checks.ts runs the mocha specs in test/grading/, which judge
//   with judge.ts against the reference on the states of states.ts) -> report (report.ts).
import * as path from 'node:path';
import { initGraderBackend } from '../backend';
import { CheckConfig, CheckInfo, configureChecks } from './checks';
import { CompileError, compileCells, formatCompileError } from './compile';
import { DiagnosisId } from './diagnoses';
import { Extraction, extractExercises, readSubmission } from './extract';
import { Subject, needsBehaviour } from './judge';
import { EXERCISES, Exercise, ExerciseObservation } from './probe';
import { CheckResult, runChecks } from './run-checks';
import { DEFAULT_SANDBOX, SandboxOptions, SandboxResult, runInSandbox } from './sandbox';
import { defaultBasis, newSession } from './session';

export { CHECKS, configureChecks } from './checks';
export type { CheckConfig, CheckInfo } from './checks';
export { DIAGNOSES } from './diagnoses';
export type { DiagnosisId } from './diagnoses';
export type { CheckResult } from './run-checks';
export { writeReports, csvOf, feedbackOf, gradescopeOf } from './report';

export interface GradeOptions extends Partial<SandboxOptions> {
  checks?: CheckConfig;
}

/** complete: every exercise ran; incomplete: some could not (missing, compile error, crash); unreadable: not a notebook. */
export type GradeStatus = 'complete' | 'incomplete' | 'unreadable';

export interface GradeResult {
  /** The file's base name without .ipynb. */
  student: string;
  file: string;
  score: number;
  maxScore: number;
  status: GradeStatus;
  /** Distinct diagnosis ids of failed checks, in check order. */
  diagnoses: DiagnosisId[];
  checks: CheckResult[];
  /** Per exercise: how the cell was found, and compile errors as tslab shows them. */
  cells: Partial<Record<Exercise, { via: string; cellIndex: number; compileErrors: CompileError[] }>>;
  /** The submission's console output (capped). */
  output: string;
  message?: string;
  isolation: string[];
}

export function studentOf(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, '');
}

let backendReady: Promise<unknown> | undefined;
/** The grader computes on its backend (lib/backend.ts), and so do its sandbox children: same kernels, same floats. */
function ensureBackend(): Promise<unknown> {
  backendReady ??= initGraderBackend();
  return backendReady;
}

function finish(student: string, file: string, checks: CheckInfo[], results: CheckResult[], extra: Partial<GradeResult>): GradeResult {
  const diagnoses = [...new Set(results.filter((r) => !r.passed && r.diagnosis).map((r) => r.diagnosis!))];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    student,
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

/** Grades one submitted notebook. A failure of the grader itself becomes a "grader-error" row. */
export async function gradeNotebook(file: string, options: GradeOptions = {}): Promise<GradeResult> {
  await ensureBackend();
  const checks = configureChecks(options.checks);
  try {
    return await grade(file, options, checks);
  } catch (err) {
    const message = `grader error: ${err instanceof Error ? err.message : String(err)}`;
    const results = checks.map((c): CheckResult => ({ id: c.id, name: c.name, points: 0, maxPoints: c.points, hidden: c.hidden, passed: false, diagnosis: 'grader-error', message }));
    return finish(studentOf(file), file, checks, results, { status: 'incomplete', message });
  }
}

async function grade(file: string, options: GradeOptions, checks: CheckInfo[]): Promise<GradeResult> {
  const student = studentOf(file);
  const sandbox: SandboxOptions = { ...DEFAULT_SANDBOX, ...stripUndefined(options) };

  // read
  const read = readSubmission(file);
  if (!read.ok) {
    const results = checks.map((c): CheckResult => ({ id: c.id, name: c.name, points: 0, maxPoints: c.points, hidden: c.hidden, passed: false, diagnosis: 'malformed-notebook', message: read.message }));
    return finish(student, file, checks, results, { status: 'unreadable', message: read.message });
  }
  // extract
  const extraction: Extraction = extractExercises(read.notebook);
  const found = EXERCISES.filter((ex) => extraction[ex]).sort((a, b) => extraction[a]!.cellIndex - extraction[b]!.cellIndex);
  // compile
  const compiled = compileCells(found.map((ex) => ({ exercise: ex, source: extraction[ex]!.source })));
  const cells: GradeResult['cells'] = {};
  const subject = {} as Record<Exercise, Subject>;
  for (const ex of EXERCISES) {
    const c = compiled.find((x) => x.exercise === ex);
    if (!c) {
      subject[ex] = { unavailable: { diagnosis: 'missing-cell', message: `no ${ex} cell (looked for nbgrader grade_id "${ex}", tag "${ex}", then the function)` } };
      continue;
    }
    cells[ex] = { via: extraction[ex]!.via, cellIndex: extraction[ex]!.cellIndex, compileErrors: c.errors };
    if (c.errors.length > 0) {
      const shown = c.errors.slice(0, 5).map(formatCompileError).join('\n');
      subject[ex] = { unavailable: { diagnosis: 'compile-error', message: `the ${ex} cell does not compile:\n${shown}`, errors: c.errors } };
    }
  }
  // run isolated (only the cells that compiled; an exercise whose cell failed is not run)
  const runnable = EXERCISES.filter((ex) => !subject[ex]);
  const basis = defaultBasis();
  let output = '';
  let isolation: string[] = [];
  if (runnable.length > 0) {
    const ok = compiled.filter((c) => c.errors.length === 0);
    // The behavioural run (a short training) only for steps that match neither the reference nor a
    // known mistake: asked of the same child once its steps are observed, else (it crashed) a new one.
    const subjectOf = (observations: Partial<Record<Exercise, ExerciseObservation>>, crashes: SandboxResult['crashes'] = {}) => {
      const out = { ...subject };
      for (const ex of runnable) {
        const crash = crashes[ex];
        const observation = observations[ex];
        out[ex] = crash || !observation
          ? { unavailable: { diagnosis: (crash?.diagnosis as DiagnosisId | undefined) ?? 'runtime-error', message: crash?.message ?? 'not observed' } }
          : { observation };
      }
      return out;
    };
    const needingBehaviour = (subj: Record<Exercise, Subject>) => {
      const probe = newSession(basis, subj);
      return runnable.filter((ex) => subj[ex].observation && needsBehaviour(probe, ex));
    };
    const run = await runInSandbox(ok, runnable, basis.plans, sandbox, { steps: true, behaviour: false }, (observations) => needingBehaviour(subjectOf(observations)));
    output = run.output + (run.outputTruncated ? `\n… output truncated at ${sandbox.outputCap} characters\n` : '');
    isolation = run.isolation;
    Object.assign(subject, subjectOf(run.observations, run.crashes));
    const behavioural = needingBehaviour(subject);
    for (const ex of behavioural) {
      const b = run.asked[ex];
      if (b) subject[ex].observation!.behaviour = b;
    }
    const rerun = behavioural.filter((ex) => !run.asked[ex]);
    if (rerun.length > 0) {
      const again = await runInSandbox(ok, rerun, basis.plans, sandbox, { steps: false, behaviour: true });
      for (const ex of rerun) {
        const b = again.observations[ex]?.behaviour;
        const crash = again.crashes[ex];
        subject[ex].observation!.behaviour = b ?? { failure: { kind: crash?.kind ?? 'runtime-error', message: crash?.message ?? 'not observed' }, steps: 0, gen: {}, disc: {} };
      }
    }
  }
  // check
  const results = await runChecks(newSession(basis, subject), checks);
  const incomplete = EXERCISES.some((ex) => subject[ex].unavailable);
  return finish(student, file, checks, results, { status: incomplete ? 'incomplete' : 'complete', cells, output, isolation });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'checks')) as Partial<T>;
}

export interface BatchOptions extends GradeOptions {
  /** Submissions graded at once (default: the number of cores). */
  parallel?: number;
  onProgress?: (done: number, total: number, result: GradeResult) => void;
}

/** Grades many notebooks in parallel; results come back in the order of `files`. */
export async function gradeFiles(files: string[], options: BatchOptions = {}): Promise<GradeResult[]> {
  await ensureBackend();
  defaultBasis();
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
