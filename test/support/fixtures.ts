// The grader's fixture submissions, generated at test time: the student notebook (notebooks/gan_1d.ipynb)
// with its exercise cells filled in with the reference from lib/reference/solutions.ts — read from its source with
// the TypeScript compiler, as the nbgrader source notebook is — and then changed by each fixture's
// mutations (a known mistake, a valid variant, a hostile cell). No committed file holds a copy of the
// reference: if the reference changes, the fixtures follow, and a mutation that no longer applies fails
// loudly instead of leaving a fixture that silently tests nothing.
//
// A new diagnosis needs one entry in FIXTURES: its mutations and the row grading must give
// (test/grader/fixtures.test.ts grades them all and checks every diagnosis has one). To look at the
// files: `node dist/test/support/fixtures.js DIR` writes them to DIR.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { DiagnosisId } from '../../lib/grader/diagnoses';
import { EXERCISES, exercise } from '../../lib/exercises';
import { buildBasis } from '../../lib/grader/checks/basis';
import { createSeminar, disposeSeminar } from '../../lib/seminar/models';
import type { Weights } from '../../lib/seminar/nn';
import { seminarCellOf } from '../../lib/jupyter/notebook';
import type { ExerciseId } from '../../lib/grader/sandbox/observe';
import { BEGIN, END, inlineReference, referenceRegion } from '../../lib/release/nbgrader';
import { Cell, Notebook, readNotebook, sourceText } from '../../lib/release/student-notebook';
import { tempDir } from './tmp';
import { NOTEBOOK_FILE, ROOT, SOLUTIONS_PATH } from '../../lib/paths';

export const NOTEBOOK = NOTEBOOK_FILE;
export const SOLUTIONS = path.join(ROOT, SOLUTIONS_PATH);

// ---------------------------------------------------------------------------------------------------
// Mutations: edits of one exercise cell, located with the TypeScript AST of the cell's source

/**
 * Where in the exercise function an edit applies:
 * - `function`  the whole `function trainDisc(...) { ... }` declaration
 * - `closure`   the body of the callback given to `optimizer.minimize(() => { ... })`
 * - `loss`      the expression of the loss the callback returns (`tf.mean(...)`)
 * - `varList`   minimize's third argument with its comma (`, disc.parameters()`)
 * - `result`    the statement returning the number (`return discLoss!.dataSync()[0];`)
 */
export type Place = 'function' | 'closure' | 'loss' | 'varList' | 'result';

interface Span {
  start: number;
  end: number;
}

export interface Mutation {
  /** For messages: what the edit does. */
  what: string;
  /** The cell's new source; `fn` is the exercise's function name. Throws when it does not apply. */
  apply(source: string, fn: string): string;
}

/** A mutation that did not apply: the reference or the notebook changed under it. */
export class MutationError extends Error {
  constructor(what: string, why: string) {
    super(`fixture mutation "${what}" does not apply: ${why}`);
    this.name = 'MutationError';
  }
}

function findFunction(file: ts.SourceFile, fn: string): ts.FunctionDeclaration {
  const decl = file.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === fn,
  );
  if (!decl?.body) throw new Error(`no function ${fn} in the cell`);
  return decl;
}

function findMinimize(decl: ts.FunctionDeclaration): ts.CallExpression {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node) => {
    if (
      !found &&
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'minimize'
    )
      found = node;
    ts.forEachChild(node, visit);
  };
  visit(decl);
  if (!found) throw new Error('no optimizer.minimize(...) call');
  return found;
}

function closureOf(minimize: ts.CallExpression): ts.Block {
  const f = minimize.arguments[0];
  if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f)) || !ts.isBlock(f.body))
    throw new Error('minimize has no () => { ... } callback');
  return f.body;
}

/** The span of `place` in the cell `source`, for the exercise function `fn`. */
export function locate(source: string, fn: string, place: Place): Span {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  const span = (n: ts.Node): Span => ({ start: n.getStart(file), end: n.end });
  const decl = findFunction(file, fn);
  if (place === 'function') return span(decl);
  const minimize = findMinimize(decl);
  const closure = closureOf(minimize);
  switch (place) {
    case 'closure':
      return span(closure);
    case 'varList': {
      const [, second, third] = minimize.arguments;
      if (!third) throw new Error('minimize has no varList argument');
      return { start: second.end, end: third.end };
    }
    case 'loss': {
      const ret = [...closure.statements].reverse().find(ts.isReturnStatement);
      if (!ret?.expression || !ts.isIdentifier(ret.expression))
        throw new Error('the minimize callback does not end with `return <loss>;`');
      const name = ret.expression.text;
      for (const st of closure.statements) {
        if (!ts.isVariableStatement(st)) continue;
        const d = st.declarationList.declarations.find((v) => ts.isIdentifier(v.name) && v.name.text === name);
        if (d?.initializer) return span(d.initializer);
      }
      throw new Error(`no \`const ${name} = ...\` in the minimize callback`);
    }
    case 'result': {
      // the statement after the one that calls minimize, in the same block
      let node: ts.Node = minimize;
      while (!ts.isBlock(node.parent)) node = node.parent;
      const block = node.parent as ts.Block;
      const next = block.statements[block.statements.indexOf(node as ts.Statement) + 1];
      if (!next || !ts.isReturnStatement(next)) throw new Error('no `return ...;` after the minimize call');
      return span(next);
    }
  }
}

/** A mutation from an edit of one place's text; it must change the cell. */
export function edit(place: Place, what: string, change: (text: string) => string): Mutation {
  return {
    what,
    apply(source, fn) {
      let at: Span;
      try {
        at = locate(source, fn, place);
      } catch (err) {
        throw new MutationError(what, `${place} of ${fn}: ${(err as Error).message}`);
      }
      const text = source.slice(at.start, at.end);
      const next = source.slice(0, at.start) + change(text) + source.slice(at.end);
      if (next === source) throw new MutationError(what, `it left ${place} of ${fn} unchanged`);
      return next;
    },
  };
}

function count(text: string, piece: string): number {
  return text.split(piece).length - 1;
}

/** `from` → `to` in `place`: `from` must occur exactly once there (every occurrence, with `all`). */
export function replace(place: Place, from: string, to: string, options: { all?: boolean } = {}): Mutation {
  const what = `${from} → ${to} in ${place}`;
  return edit(place, what, (text) => {
    const n = count(text, from);
    if (n === 0 || (n > 1 && !options.all))
      throw new MutationError(what, `"${from}" occurs ${n} times in ${place}:\n${text}`);
    return text.split(from).join(to);
  });
}

/** Every `a` ↔ `b` (whole identifiers) in `place`. */
export function swap(place: Place, a: string, b: string): Mutation {
  const what = `${a} ↔ ${b} in ${place}`;
  return edit(place, what, (text) => {
    if (!new RegExp(`\\b${a}\\b`).test(text) || !new RegExp(`\\b${b}\\b`).test(text))
      throw new MutationError(what, `${place} does not use both`);
    return text.replace(new RegExp(`\\b(${a}|${b})\\b`, 'g'), (m) => (m === a ? b : a));
  });
}

/** The first call of `callee` in `place` replaced by its argument number `arg`: `tf.neg(x)` → `x`. */
export function unwrap(place: Place, callee: string, arg = 0): Mutation {
  const what = `${callee}(…) → its argument ${arg} in ${place}`;
  return edit(place, what, (text) => {
    const expr = ts.createSourceFile('x.ts', `(${text})`, ts.ScriptTarget.ES2022, true);
    let call: ts.CallExpression | undefined;
    const visit = (n: ts.Node) => {
      if (!call && ts.isCallExpression(n) && n.expression.getText(expr) === callee) call = n;
      ts.forEachChild(n, visit);
    };
    visit(expr);
    if (!call || !call.arguments[arg])
      throw new MutationError(what, `no ${callee}(…) with argument ${arg} in ${place}: ${text}`);
    const inner = call.arguments[arg].getText(expr);
    // positions in `expr` are shifted by the opening parenthesis
    return text.slice(0, call.getStart(expr) - 1) + inner + text.slice(call.end - 1);
  });
}

/** `place`'s text `x` replaced by `around(x)`, e.g. x → tf.mul(0.5, x). */
export function wrap(place: Place, around: (x: string) => string): Mutation {
  return edit(place, `${place} → ${around('…')}`, around);
}

/** `place`'s text replaced by `text` (use an empty string to drop it). */
export function set(place: Place, text: string): Mutation {
  return edit(place, `${place} → ${JSON.stringify(text)}`, () => text);
}

/** Lines put in front of the exercise function (after the cell's own lines before it). */
export function beforeFunction(lines: string): Mutation {
  return edit('function', `before the function: ${lines}`, (text) => `${lines}\n${text}`);
}

/** A statement put first in the exercise function's body, outside tf.tidy. */
export function atFunctionStart(statement: string): Mutation {
  return edit('function', `first in the function: ${statement}`, (text) => {
    const open = text.indexOf('{');
    return `${text.slice(0, open + 1)}\n  ${statement}${text.slice(open + 1)}`;
  });
}

/** A statement put right before the function's `return <number>;`. */
export function beforeResult(statement: string): Mutation {
  return edit('result', `before the result: ${statement}`, (text) => `${statement}\n    ${text}`);
}

/** The whole cell replaced: a submission written independently of the reference. */
export function wholeCell(source: string): Mutation {
  return {
    what: 'the whole cell',
    apply(cell) {
      if (cell === source) throw new MutationError('the whole cell', 'the new cell equals the old one');
      return source;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The fixtures

/** The grades.csv row a fixture must get. */
export interface Expected {
  /** 20/20 and no diagnoses. */
  full?: true;
  /** A diagnosis the row must list (then the score is below 20). */
  diagnosis?: DiagnosisId;
  score?: number;
  /** Default 'complete'. */
  status?: 'complete' | 'incomplete' | 'unreadable' | 'too-large';
}

export interface Fixture {
  /** The file name without .ipynb: the student in grades.csv. */
  name: string;
  expect: Expected;
  /** Mutations of the reference trainDisc / trainGen cells, applied in order. */
  disc?: Mutation[];
  gen?: Mutation[];
  /** The exercise cells as the notebook has them (TODO placeholders), not the reference. */
  unfilled?: true;
  /** A change to the whole notebook after the cells are filled (metadata, cells dropped). */
  notebook?: (nb: Notebook) => void;
  /** The file's content as it is, for a fixture whose point is its shape. */
  raw?: string;
  /** Saved with a UTF-8 byte-order mark (as some editors do). */
  bom?: true;
}

const isExercise = (cell: Cell): ExerciseId | undefined => {
  const which = seminarCellOf(cell);
  return EXERCISES.some((ex) => ex.id === which) ? which : undefined;
};

/** BCE on the "real" logit alone: a valid GAN, written independently of the reference. */
const BCE_DISC = `const { IS_FAKE, IS_REAL } = gan;

// BCE on the "real" logit alone: a valid discriminator, parametrised differently from the reference
function trainDisc(batchSize: number): number {
  return tf.tidy(() => {
    const discLoss = discOpt.minimize(() => {
      const realLogit = disc(sampleRealData(batchSize)).slice([0, IS_REAL], [-1, 1]);
      const fakeLogit = disc(gen(sampleNoise(batchSize))).slice([0, IS_REAL], [-1, 1]);
      // −log σ(x) = softplus(−x), −log(1 − σ(x)) = softplus(x)   (tf.logSigmoid's gradient fails inside minimize in tfjs 4.22)
      const loss: tf.Scalar = tf.mean(tf.add(tf.softplus(tf.neg(realLogit)), tf.softplus(fakeLogit)));
      return loss;
    }, true, disc.parameters());
    return discLoss!.dataSync()[0];
  });
}
`;
const BCE_GEN = `function trainGen(batchSize: number): number {
  return tf.tidy(() => {
    const genLoss = genOpt.minimize(() => {
      const fakeLogit = disc(gen(sampleNoise(batchSize))).slice([0, IS_REAL], [-1, 1]);
      const loss: tf.Scalar = tf.mean(tf.softplus(tf.neg(fakeLogit)));
      return loss;
    }, true, gen.parameters());
    return genLoss!.dataSync()[0];
  });
}
`;

/** The seed's uncoupled heads: each logit through its own sigmoid (−log σ(real head on real) − log σ(fake head on fake)). */
const UNCOUPLED_DISC = `function trainDisc(batchSize: number): number {
  return tf.tidy(() => {
    const discLoss = discOpt.minimize(() => {
      const realIsReal = disc(sampleRealData(batchSize)).slice([0, IS_REAL], [-1, 1]);
      const genIsFake = disc(gen(sampleNoise(batchSize))).slice([0, IS_FAKE], [-1, 1]);
      const loss: tf.Scalar = tf.mean(tf.add(tf.softplus(tf.neg(realIsReal)), tf.softplus(tf.neg(genIsFake))));
      return loss;
    }, true, disc.parameters());
    return discLoss!.dataSync()[0];
  });
}
`;

const METRICS_DISC = `const { IS_FAKE, IS_REAL } = gan;

// the seminar's loss as a BCE on P(real | x), written with tfjs-layers' tf.metrics (what @tensorflow/tfjs adds
// to tfjs-core). (A sigmoid of the real logit alone, trained against the reference generator, ends 0.37 off
// in mean and +0.19 in W1 after 16000 iterations: the end-state runs reject it.)
function trainDisc(batchSize: number): number {
  return tf.tidy(() => {
    const discLoss = discOpt.minimize(() => {
      const realP = tf.softmax(disc(sampleRealData(batchSize))).slice([0, IS_REAL], [-1, 1]);
      const fakeP = tf.softmax(disc(gen(sampleNoise(batchSize)))).slice([0, IS_REAL], [-1, 1]);
      const loss: tf.Scalar = tf.mean(tf.add(tf.metrics.binaryCrossentropy(tf.onesLike(realP), realP), tf.metrics.binaryCrossentropy(tf.zerosLike(fakeP), fakeP)));
      return loss;
    }, true, disc.parameters());
    return discLoss!.dataSync()[0];
  });
}
`;

/** Reaching the reference through the host's globals and the file system (the sandbox must refuse). */
const PEEK = `// tries to reach the reference through the host's globals and the file system
function peek(): string {
  const host: any = (tf as any).env().global;
  const file: string = host.process.mainModule.filename;
  const solutions = file.replace(/dist\\/lib\\/grader\\/.*$/, 'lib/reference/solutions.ts');
  return host.process.mainModule.require('fs').readFileSync(solutions, 'utf8');
}`;

/**
 * A step that computes no loss but writes what a student release ships for the public states (the
 * reference's weights after one step, its loss): full marks on those states, nothing on the grader's.
 */
function replaysPublicNumbers(id: ExerciseId): Mutation {
  return edit('function', 'the function → a replay of the public expected values', (text) => {
    const s = createSeminar({ seed: 0 });
    try {
      const basis = buildBasis(s, [id]);
      const rows = basis.plans[id].states.map((state, i) => {
        const after = basis.reference[id].steps[i];
        const values = (w: Weights) => Object.values(w).map((v) => v.values);
        return {
          key: state.disc['0.weight'].values[0],
          gen: values(after.gen),
          disc: values(after.disc),
          loss: after.returned,
        };
      });
      const header = text.slice(0, text.indexOf('{') + 1);
      return `const PUBLISHED_${id} = ${JSON.stringify(rows)};
${header}
  // the numbers the self-check ships, written back; no loss is computed
  const key = disc.parameters()[0].dataSync()[0];
  const hit = PUBLISHED_${id}.find((r) => Math.abs(r.key - key) < 1e-9);
  if (!hit) return 0;
  tf.tidy(() => {
    gen.parameters().forEach((v, j) => v.assign(tf.tensor(hit.gen[j], v.shape)));
    disc.parameters().forEach((v, j) => v.assign(tf.tensor(hit.disc[j], v.shape)));
  });
  return hit.loss ?? 0;
}`;
    } finally {
      disposeSeminar(s);
    }
  });
}

/** The loss `tf.mean(...)` of the reference, halved: same minimum, half the gradient. */
const halved = wrap('loss', (x) => `tf.mul(0.5, ${x})`);

export const FIXTURES: readonly Fixture[] = [
  // correct
  { name: 'reference', expect: { full: true } },
  {
    name: 'by-function-name',
    expect: { full: true },
    notebook: (nb) => forExerciseCells(nb, (c) => (c.metadata = {})),
  },
  // saved by an editor that drops all cell metadata: given cells, checks and the loop are told by their code
  { name: 'no-metadata', expect: { full: true }, notebook: (nb) => nb.cells.forEach((c) => (c.metadata = {})) },
  {
    name: 'by-tag',
    expect: { full: true },
    notebook: (nb) =>
      forExerciseCells(nb, (c) => {
        delete c.metadata.nbgrader;
        delete c.metadata.seminar;
      }),
  },
  // known mistakes (the other exercise is correct)
  {
    name: 'sum-instead-of-mean',
    expect: { diagnosis: 'sum-instead-of-mean' },
    disc: [replace('loss', 'tf.mean(', 'tf.sum(')],
  },
  { name: 'wrong-sign', expect: { diagnosis: 'wrong-sign' }, disc: [unwrap('loss', 'tf.neg')] },
  {
    name: 'disc-step-updates-generator',
    expect: { diagnosis: 'disc-step-updates-generator' },
    disc: [set('varList', '')],
  },
  {
    name: 'gen-step-updates-discriminator',
    expect: { diagnosis: 'gen-step-updates-discriminator' },
    gen: [set('varList', '')],
  },
  { name: 'swapped-heads', expect: { diagnosis: 'swapped-heads' }, disc: [swap('closure', 'IS_REAL', 'IS_FAKE')] },
  // log(1 − D(G(z))) minimised: the fake head, no minus sign
  {
    name: 'saturating-generator-loss',
    expect: { diagnosis: 'saturating-generator-loss' },
    gen: [replace('closure', 'IS_REAL', 'IS_FAKE'), unwrap('loss', 'tf.neg')],
  },
  {
    name: 'probabilities-not-log',
    expect: { diagnosis: 'probabilities-not-log' },
    disc: [replace('closure', 'tf.logSoftmax(', 'tf.softmax(', { all: true })],
  },
  {
    name: 'tensor-leak',
    expect: { diagnosis: 'tensor-leak' },
    disc: [atFunctionStart('const extra = sampleRealData(batchSize); // made outside tf.tidy, never disposed')],
  },
  {
    name: 'private-randomness',
    expect: { diagnosis: 'private-randomness' },
    disc: [replace('closure', 'sampleNoise(batchSize)', 'tf.randomUniform([batchSize, 1]) as tf.Tensor2D')],
  },
  {
    name: 'returns-non-number',
    expect: { diagnosis: 'returns-non-number' },
    gen: [replace('result', '!.dataSync()[0]', ' as any')],
  },
  {
    name: 'ignores-batch-size',
    expect: { diagnosis: 'ignores-batch-size' },
    gen: [replace('closure', 'sampleNoise(batchSize)', 'sampleNoise(128)')],
  },
  // the update is the reference's, the number returned is not the loss
  {
    name: 'wrong-loss-value',
    expect: { diagnosis: 'wrong-loss-value', score: 19.5 },
    gen: [replace('result', '.dataSync()[0]', '.dataSync()[0] / 2')],
  },
  // found by its nbgrader id, but the function has another name
  {
    // a second optimizer step in the same call: trains faster in a short run, but is not one step
    name: 'two-steps-per-call',
    expect: { diagnosis: 'extra-optimizer-steps', score: 17.5 },
    disc: [
      beforeResult(
        'discOpt.minimize(() => tf.mean(tf.neg(tf.logSoftmax(disc(sampleRealData(batchSize))).slice([0, IS_REAL], [-1, 1]))) as tf.Scalar, false, disc.parameters());',
      ),
    ],
  },
  {
    name: 'changes-learning-rate',
    // the loss is the seminar's: only the update check fails (the judge runs no training for it; whether it should is open)
    expect: { diagnosis: 'changes-optimizer', score: 17.5 },
    gen: [atFunctionStart('genOpt.setLearningRate(1e-2);')],
  },
  {
    name: 'missing-function',
    expect: { diagnosis: 'missing-function', score: 10, status: 'incomplete' },
    gen: [replace('function', 'function trainGen(', 'function trainGenerator(')],
  },
  // wrong in a way no diagnosis names: the end-state runs decide (and reject it)
  { name: 'fake-term-missing', expect: { diagnosis: 'wrong-update', score: 13 }, disc: [unwrap('loss', 'tf.add', 0)] },
  // valid variants: credit with a note
  { name: 'variant-half-loss', expect: { full: true }, disc: [halved], gen: [halved] },
  // hostile: the public numbers replayed (the grader's states are private: lib/grader/pipeline/secret.ts)
  {
    name: 'replays-public-numbers',
    expect: { diagnosis: 'private-randomness', score: 5 },
    disc: [replaysPublicNumbers('train_disc')],
    gen: [replaysPublicNumbers('train_gen')],
  },
  // valid tfjs the reference does not use: columns taken with tf.gather (its gradient needs a kernel wasm lacks)
  {
    name: 'gather-columns',
    expect: { full: true },
    disc: [
      edit('closure', 'columns with tf.gather', (t) =>
        t.replace(/\.slice\(\[0, (IS_REAL|IS_FAKE)\], \[-1, 1\]\)/g, (_, col: string) => `.gather([${col}], 1)`),
      ),
    ],
    gen: [
      edit('closure', 'columns with tf.gather', (t) =>
        t.replace(/\.slice\(\[0, (IS_REAL|IS_FAKE)\], \[-1, 1\]\)/g, (_, col: string) => `.gather([${col}], 1)`),
      ),
    ],
  },
  { name: 'variant-bce-one-head', expect: { full: true }, disc: [wholeCell(BCE_DISC)], gen: [wholeCell(BCE_GEN)] },
  { name: 'layers-metrics', expect: { full: true }, disc: [wholeCell(METRICS_DISC)] },
  // #21: training judged by where the notebook's loop ends (lib/grader/checks/end-state.ts), not by early gain:
  // each of these gains like a valid variant in short runs, and ends elsewhere
  {
    name: 'uncoupled-sigmoid-heads',
    expect: { diagnosis: 'wrong-update', score: 13 },
    disc: [wholeCell(UNCOUPLED_DISC)],
  },
  {
    name: 'disc-sees-altered-data',
    expect: { diagnosis: 'wrong-update', score: 13 },
    disc: [
      replace(
        'closure',
        'sampleRealData(batchSize)',
        'tf.sub(tf.mul(sampleRealData(batchSize), 1.2), 1) as tf.Tensor2D',
      ),
    ],
  },
  {
    name: 'gen-pulled-to-real',
    expect: { diagnosis: 'wrong-update', score: 13 },
    gen: [
      wrap('loss', (x) => `tf.add(${x}, tf.mul(0.5, tf.mean(tf.square(tf.sub(genData, sampleRealData(batchSize))))))`),
    ],
  },
  // named by the update: the minimax value −L_D, minimised by the generator, updates it as log(1 − D(G(z))) does
  {
    name: 'minimax-generator-value',
    expect: { diagnosis: 'saturating-generator-loss' },
    gen: [
      set(
        'loss',
        'tf.add(tf.mean(tf.logSoftmax(disc(sampleRealData(batchSize))).slice([0, IS_REAL], [-1, 1])), tf.mean(tf.logSoftmax(disc(genData)).slice([0, IS_FAKE], [-1, 1])))',
      ),
    ],
  },
  // an environment no step can tell apart: right only where there are no timers (the kernels have them) …
  {
    name: 'right-only-without-timers',
    expect: { diagnosis: 'wrong-sign' },
    disc: [wrap('loss', (x) => `tf.mul(typeof setTimeout === 'function' ? -1 : 1, ${x})`)],
  },
  // … or only at batch sizes other than the notebook's 128 (the run's last third is at 128; the loop then diverges)
  {
    name: 'wrong-at-batch-128',
    expect: { diagnosis: 'wrong-update' },
    gen: [wrap('loss', (x) => `tf.mul(batchSize === 128 ? -1 : 1, ${x})`)],
  },
  // comments and strings define nothing: a commented-out draft above the real cells, no metadata anywhere
  {
    name: 'commented-out-draft',
    expect: { full: true },
    notebook: (nb) => {
      insertCellBefore(
        nb,
        'train_disc',
        "// first try, kept for later:\n// function trainDisc(batchSize: number): number { return 0; }\n// function trainGen(batchSize: number): number { return 0; }\nconst plan = 'for (;;) { trainDisc(128); trainGen(128); }';",
      );
      nb.cells.forEach((c) => (c.metadata = {}));
    },
  },
  // no submission costs the batch: past a size limit (lib/grader/pipeline/limits.ts) before anything heavy runs
  {
    name: 'too-many-cells',
    expect: { diagnosis: 'too-large', score: 0, status: 'too-large' },
    notebook: (nb) => {
      for (let i = 0; i < 600; i++) insertCellBefore(nb, 'train_disc', `const scratch${i} = ${i};`);
    },
  },
  // not a submission the grader can run
  { name: 'unfilled', expect: { diagnosis: 'not-implemented', score: 0, status: 'incomplete' }, unfilled: true },
  {
    name: 'compile-error',
    expect: { diagnosis: 'compile-error', score: 10, status: 'incomplete' },
    disc: [replace('closure', 'sampleNoise(batchSize)', 'sampleNoise("128")')],
  },
  {
    name: 'syntax-error',
    expect: { diagnosis: 'compile-error', score: 10, status: 'incomplete' },
    disc: [edit('loss', 'one closing parenthesis dropped', (loss) => loss.replace(/\)$/, ''))],
  },
  {
    name: 'missing-cells',
    expect: { diagnosis: 'missing-cell', score: 0, status: 'incomplete' },
    notebook: (nb) => (nb.cells = nb.cells.filter((c) => !isExercise(c))),
  },
  // valid notebooks tslab runs: the grader runs the cells above the training loop as tslab would
  {
    name: 'helper-cell',
    expect: { full: true },
    disc: [replace('closure', '.slice([0, IS_REAL], [-1, 1])', '.slice([0, column(IS_REAL)], [-1, 1])')],
    gen: [replace('closure', '.slice([0, IS_REAL], [-1, 1])', '.slice([0, column(IS_REAL)], [-1, 1])')],
    notebook: (nb) =>
      insertCellBefore(
        nb,
        'train_disc',
        '// a helper of my own, in its own cell\nfunction column(j: number): number {\n  return j;\n}',
      ),
  },
  // correct, but far slower than it needs to be: credited, with a note
  // (300 ms of wall-clock work per trainGen call: about 4 h for the seminar's 100000, 2 h read at half the pace
  // under load; the grader's run makes 22–26 such calls)
  {
    name: 'slow-step',
    expect: { full: true },
    gen: [beforeResult('const until = Date.now() + 300;\n    while (Date.now() < until) { /* slow on purpose */ }')],
  },
  { name: 'top-level-await', expect: { full: true }, disc: [beforeFunction('await tf.ready();')] },
  {
    name: 'scratch-cell-throws',
    expect: { full: true },
    notebook: (nb) =>
      insertCellBefore(
        nb,
        'train_gen',
        "// trying things out\nconst probe = sampleNoise(4);\nprobe.print();\nthrow new Error('just looking');",
      ),
  },
  {
    // the loop runs the last definition above it: here a second trainGen, with the sign flipped
    name: 'redefined-later',
    expect: { diagnosis: 'wrong-sign', score: 13 },
    notebook: (nb) => {
      const gen = nb.cells.find((c) => isExercise(c) === 'train_gen')!;
      const flipped = sourceText(gen).replace('tf.mean(tf.neg(logpGenIsReal))', 'tf.mean(logpGenIsReal)');
      if (flipped === sourceText(gen))
        throw new MutationError('redefined-later', 'the reference trainGen has no tf.mean(tf.neg(logpGenIsReal))');
      insertCellBefore(nb, 'training_loop', `// a second go at it\n${flipped}`);
    },
  },
  // a truncated upload
  { name: 'byte-order-mark', expect: { full: true }, bom: true },
  { name: 'empty-file', expect: { diagnosis: 'malformed-notebook', score: 0, status: 'unreadable' }, raw: '' },
  {
    name: 'malformed',
    expect: { diagnosis: 'malformed-notebook', score: 0, status: 'unreadable' },
    raw: '{"cells": [ {"cell_type": "code", "source": "function trainDisc(',
  },
  // hostile
  {
    name: 'infinite-loop',
    expect: { diagnosis: 'timeout', score: 10, status: 'incomplete' },
    disc: [atFunctionStart('while (true) { /* never returns */ }')],
  },
  // hangs inside minimize (tape on, samplers drawn): once cut, the engine and samplers must be sound for trainGen
  {
    name: 'hangs-mid-step',
    expect: { diagnosis: 'timeout', score: 10, status: 'incomplete' },
    disc: [
      beforeFunction('let callsSoFar = 0;'),
      replace(
        'closure',
        'const genData = gen(noise);',
        'const genData = gen(noise);\n          if (++callsSoFar > 20) while (true) { /* hangs half-way through the step */ }',
      ),
    ],
  },
  {
    name: 'process-exit',
    expect: { diagnosis: 'runtime-error', score: 10, status: 'incomplete' },
    disc: [atFunctionStart('(process as any).exit(0);')],
  },
  {
    name: 'escape-exit',
    expect: { diagnosis: 'runtime-error', score: 10, status: 'incomplete' },
    disc: [atFunctionStart('((tf as any).env().global.process).exit(0);')],
  },
  {
    name: 'memory-bomb',
    expect: { diagnosis: 'memory-limit', score: 10, status: 'incomplete' },
    gen: [
      beforeFunction('const hoard: number[][] = [];'),
      set('result', 'for (;;) hoard.push(new Array(1e6).fill(batchSize));'),
    ],
  },
  {
    name: 'imports-solutions',
    expect: { diagnosis: 'runtime-error', score: 0, status: 'incomplete' },
    disc: [
      beforeFunction("import { referenceSteps } from '../dist/lib/reference/solutions';"),
      atFunctionStart(
        'return referenceSteps(gan.seminarOf({ gen: gen, disc: disc, genOpt: genOpt, discOpt: discOpt })).trainDisc(batchSize);',
      ),
    ],
    gen: [beforeFunction(PEEK), beforeResult('peek();')],
  },
  {
    name: 'overwrites-globals',
    expect: { diagnosis: 'private-randomness', status: 'incomplete' },
    disc: [
      beforeFunction(
        'Math.random = () => 0.5;\n(globalThis as any).sampleNoise = () => tf.zeros([1, 1]);\nObject.assign(tf, { mean: tf.sum });',
      ),
    ],
  },
  {
    name: 'console-flood',
    expect: { full: true },
    disc: [beforeFunction("console.log('x'.repeat(10 * 1024 * 1024));")],
  },
  // hostile, issue 11's classes: each must earn nothing it did not compute
  {
    // an unfilled notebook that writes a full-marks result for the grader to find, then ends the process
    name: 'forges-result',
    // the forging cell stops at tf.env (reported under "Your other cells"); the exercises are what they are
    expect: { diagnosis: 'not-implemented', score: 0, status: 'incomplete' },
    unfilled: true,
    notebook: (nb) =>
      insertCellBefore(
        nb,
        'train_disc',
        "const host: any = (tf as any).env().global;\nhost.require('fs').writeFileSync('result.json', JSON.stringify({ observations: {}, running: null, output: '', outputTruncated: false, asked: {}, cellFailures: [] }));\nhost.process.exit(0);",
      ),
  },
  {
    // a wrong sign hidden by a patched dataSync on the tensors' own prototype (reached from a weight)
    name: 'patches-tensor-prototype',
    expect: { diagnosis: 'wrong-sign', score: 13 },
    gen: [
      replace('loss', 'tf.mean(tf.neg(logpGenIsReal))', 'tf.mean(logpGenIsReal)'),
      beforeFunction(
        'const tensorProto: any = Object.getPrototypeOf(Object.getPrototypeOf(gen.parameters()[0]));\nconst realDataSync = tensorProto.dataSync;\ntensorProto.dataSync = function (this: any) { return realDataSync.call(this).map((v: number) => -v); };',
      ),
    ],
  },
  {
    // a tensor leak hidden by patching the engine's memory()
    name: 'patches-engine-memory',
    expect: { diagnosis: 'runtime-error', score: 10, status: 'incomplete' },
    disc: [
      beforeFunction(
        'const engine: any = (tf as any).engine();\nconst realMemory = engine.memory.bind(engine);\nengine.memory = () => ({ ...realMemory(), numTensors: 0 });\nconst kept: tf.Tensor[] = [];',
      ),
      beforeResult('kept.push(tf.ones([4]));'),
    ],
  },
  {
    // an unfilled notebook whose cells pollute the prototypes of the objects the grader reports with
    name: 'pollutes-prototypes',
    expect: { diagnosis: 'not-implemented', score: 0, status: 'incomplete' },
    unfilled: true,
    notebook: (nb) =>
      insertCellBefore(
        nb,
        'train_disc',
        'const hostArray: any = Object.getPrototypeOf(gen.parameters());\nhostArray.every = () => true;\nhostArray.find = () => undefined;\nconst hostObject: any = Object.getPrototypeOf(hostArray);\nhostObject.toJSON = function () { return { pass: true }; };\n(Array.prototype as any).every = () => true;',
      ),
  },
  {
    // noise from the grader process's own Math.random (through tf.env().global) instead of sampleNoise
    name: 'host-math-random',
    expect: { diagnosis: 'runtime-error', score: 10, status: 'incomplete' },
    disc: [
      replace(
        'closure',
        'sampleNoise(batchSize)',
        'tf.tensor2d(Array.from({ length: batchSize }, () => [(tf as any).env().global.Math.random()]))',
      ),
    ],
  },
  // steps that tell probes from training: right only where a fixed-state protocol would look
  {
    // right for its first three calls (as many as there are fixed states), the sign flipped after
    name: 'counts-calls',
    expect: { diagnosis: 'wrong-sign', score: 13 },
    disc: [
      beforeFunction('let discCalls = 0;'),
      atFunctionStart('discCalls++;'),
      wrap('loss', (x) => `tf.mul(discCalls <= 3 ? 1 : -1, ${x})`),
    ],
  },
  {
    // right whenever its weights were reset since its last call (a probe), the sign flipped in a run of calls
    name: 'detects-reset',
    expect: { diagnosis: 'wrong-sign', score: 13 },
    gen: [
      beforeFunction('let leftAt: number | undefined;'),
      wrap('loss', (x) => `tf.mul(leftAt !== gen.parameters()[0].dataSync()[0] ? 1 : -1, ${x})`),
      beforeResult('leftAt = gen.parameters()[0].dataSync()[0];'),
    ],
  },
];

/** A new code cell (no metadata, as Jupyter makes one) right before the seminar's cell `name`. */
function insertCellBefore(nb: Notebook, name: string, source: string): void {
  const at = nb.cells.findIndex((c) => seminarCellOf(c) === name);
  if (at < 0) throw new MutationError(`a cell before ${name}`, `the notebook has no cell ${name}`);
  nb.cells.splice(at, 0, {
    cell_type: 'code',
    source: source.split(/(?<=\n)/),
    metadata: {},
    outputs: [],
    execution_count: null,
  } as unknown as Cell);
}

function forExerciseCells(nb: Notebook, change: (cell: Cell) => void): void {
  const cells = nb.cells.filter((c) => isExercise(c));
  if (cells.length !== 2) throw new Error(`expected the notebook's 2 exercise cells, found ${cells.length}`);
  cells.forEach(change);
}

// ---------------------------------------------------------------------------------------------------
// Generation

/**
 * The notebook's exercise cell with its TODO placeholders replaced by the reference's statements — as a
 * student would fill them in: no BEGIN/END SOLUTION markers, no instructor comments.
 */
export function referenceCell(cellSource: string, solutions: string, fn: string): string {
  const region = referenceRegion(solutions, fn).filter((line) => !line.trim().startsWith('//'));
  const inlined = inlineReference(cellSource, region);
  return inlined
    .split('\n')
    .filter((line) => line.trim() !== BEGIN && line.trim() !== END)
    .join('\n');
}

const referenceCells = new Map<string, string>();

/** referenceCell, once per cell and reference (it transpiles every statement: ~0.1 s a cell). */
function cachedReferenceCell(cellSource: string, solutions: string, fn: string): string {
  const key = JSON.stringify([cellSource, solutions, fn]);
  if (!referenceCells.has(key)) referenceCells.set(key, referenceCell(cellSource, solutions, fn));
  return referenceCells.get(key)!;
}

/** One fixture's file content. */
export function buildFixture(
  fixture: Fixture,
  base: Notebook = readNotebook(NOTEBOOK),
  solutions = fs.readFileSync(SOLUTIONS, 'utf8'),
): string {
  if (fixture.raw !== undefined) return fixture.raw;
  const nb = JSON.parse(JSON.stringify(base)) as Notebook;
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
    const id = isExercise(cell);
    if (!id || fixture.unfilled) continue;
    const fn = exercise(id).functionName;
    let source = cachedReferenceCell(sourceText(cell), solutions, fn);
    for (const m of (id === 'train_disc' ? fixture.disc : fixture.gen) ?? []) {
      try {
        source = m.apply(source, fn);
      } catch (err) {
        throw new Error(`fixture ${fixture.name}, ${fn}: ${(err as Error).message}`);
      }
    }
    cell.source = source.split(/(?<=\n)/);
  }
  fixture.notebook?.(nb);
  return (fixture.bom ? '\uFEFF' : '') + JSON.stringify(nb, null, 1) + '\n';
}

let written: string | undefined;

/** A temp folder holding every fixture as <name>.ipynb, written once per process. */
export function fixturesDir(): string {
  if (written) return written;
  const dir = tempDir('gan-fixtures-');
  writeFixtures(dir);
  written = dir;
  return dir;
}

/** Writes every fixture into `dir` (made if missing); returns the files. */
export function writeFixtures(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const base = readNotebook(NOTEBOOK);
  const solutions = fs.readFileSync(SOLUTIONS, 'utf8');
  return FIXTURES.map((f) => {
    const file = path.join(dir, `${f.name}.ipynb`);
    fs.writeFileSync(file, buildFixture(f, base, solutions));
    return file;
  });
}

/** The path of one generated fixture. */
export function fixtureFile(name: string): string {
  if (!FIXTURES.some((f) => f.name === name))
    throw new Error(`no fixture named ${name}; known: ${FIXTURES.map((f) => f.name).join(', ')}`);
  return path.join(fixturesDir(), `${name}.ipynb`);
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('Usage: node dist/test/support/fixtures.js DIR   (writes the fixture submissions to DIR)\n');
    process.exit(2);
  }
  const files = writeFixtures(path.resolve(dir));
  process.stdout.write(`${files.length} fixture submissions written to ${path.resolve(dir)}\n`);
}
