// The notebook's self-check of one class case, in its own process (test/grader/class.test.ts runs these side
// by side: the end-state runs of a few cases take minutes in one process). Each exercise's cell is run as
// the notebook's kernel would (its TypeScript transpiled), and checked with the other step as its check cell
// last had it. `node dist/test/support/self-check-case.js NOTEBOOK` prints JSON: per exercise, the results
// and what the self-check said before its end-state runs.
import * as fs from 'node:fs';
import * as ts from 'typescript';
import * as tf from '@tensorflow/tfjs';
import { EXERCISES } from '../../lib/exercises';
import { extractExercises, Notebook } from '../../lib/grader/pipeline/extract';
import { runSelfCheck } from '../../lib/grader/self-check/self-check';
import type { CheckResult } from '../../lib/grader/checks/run-checks';
import { NOTEBOOK_GLOBALS, createSeminar, disposeSeminar } from '../../lib/seminar/models';
import { initGraderBackend } from '../../lib/tfjs/backend';

export interface CaseCheck {
  exercise: string;
  results: CheckResult[];
  said: string[];
}

/** A cell's function, run on `s`'s models as the notebook's kernel would (its TypeScript transpiled). */
function stepOf(cell: string, fn: string, s: ReturnType<typeof createSeminar>): (batchSize: number) => unknown {
  const declared = /const \{ IS_FAKE, IS_REAL \} = gan;/.test(cell);
  // the notebook's globals (IS_FAKE / IS_REAL unless the cell takes them from gan itself)
  const names = ['tf', 'gan', ...NOTEBOOK_GLOBALS.filter((n) => !declared || (n !== 'IS_FAKE' && n !== 'IS_REAL'))];
  const js = ts.transpile(`${cell}\nreturn ${fn};`, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None });
  const values: Record<string, unknown> = { ...s, tf, gan: { IS_FAKE: s.IS_FAKE, IS_REAL: s.IS_REAL } };
  return new Function(...names, js)(...names.map((n) => values[n])) as (batchSize: number) => unknown;
}

export async function selfCheckCase(file: string): Promise<CaseCheck[]> {
  await initGraderBackend();
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
  const cells = extractExercises(nb);
  const out: CaseCheck[] = [];
  for (const ex of EXERCISES) {
    const s = createSeminar({ seed: 7 });
    try {
      const steps = Object.fromEntries(EXERCISES.map((e) => [e.id, stepOf(cells[e.id]!.source, e.functionName, s)]));
      const others = Object.fromEntries(Object.entries(steps).filter(([id]) => id !== ex.id));
      const said: string[] = [];
      const results = runSelfCheck(ex.id, steps[ex.id], s, { others, say: (line) => said.push(line) });
      out.push({ exercise: ex.id, results, said });
    } finally {
      disposeSeminar(s);
    }
  }
  return out;
}

if (require.main === module) {
  selfCheckCase(process.argv[2]).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
