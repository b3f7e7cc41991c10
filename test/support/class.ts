// A class of submissions as an instructor meets them (issue #22): what a careful instructor would give
// each, and the verdict the student's own self-check must agree with. Built like the grader's fixtures
// (test/support/fixtures.ts: the reference's cells, then mutations), graded by test/grader/class.test.ts.
// `node dist/test/support/class.js DIR` writes the notebooks to DIR.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiagnosisId } from '../../lib/grader/diagnoses';
import { Fixture, atFunctionStart, beforeFunction, buildFixture, replace, set } from './fixtures';

/** What a careful instructor gives one submission: per exercise, the score range and the mistake named. */
export interface ClassCase extends Fixture {
  /** Per exercise id: [lowest, highest] points of 10 and the diagnosis named (none: full marks). */
  grade: Record<'train_disc' | 'train_gen', { points: [number, number]; diagnosis?: DiagnosisId; variant?: true }>;
  status?: 'complete' | 'incomplete' | 'unreadable';
  /** Why: what the grade is based on. */
  why: string;
}

const FULL = { points: [10, 10] as [number, number] };

export const CLASS: readonly ClassCase[] = [
  { name: 'anna', expect: { full: true }, why: "the seminar's solution", grade: { train_disc: FULL, train_gen: FULL } },
  {
    name: 'boris-adam',
    expect: { diagnosis: 'changes-optimizer' },
    why: "Adam in place of the seminar's SGD: not the exercise (the optimizer is given), never a variant",
    disc: [
      beforeFunction('const adam = tf.train.adam(1e-2);'),
      replace('function', 'discOpt.minimize(', 'adam.minimize('),
    ],
    grade: { train_disc: { points: [5, 8], diagnosis: 'changes-optimizer' }, train_gen: FULL },
  },
  {
    name: 'vera-adam-every-call',
    expect: { diagnosis: 'changes-optimizer' },
    why: 'a new Adam on every call: the optimizer changed (and its state starts afresh each step)',
    gen: [replace('function', 'genOpt.minimize(', 'tf.train.adam(1e-3).minimize(')],
    grade: { train_disc: FULL, train_gen: { points: [2, 7], diagnosis: 'changes-optimizer' } },
    // a fresh Adam each call steps every weight by about ±lr (a sign step): where the loop with it ends depends on
    // the start — from the self-check's first public start std 1.91 against the reference's 1.51, from the fixture
    // course's private starts 1.46 / 1.43. The grader judges the self-check's starts too, so both fail "trains"
  },
  {
    name: 'gleb-other-optimizer',
    expect: { diagnosis: 'changes-optimizer' },
    why: "the generator stepped through the discriminator's optimizer: SGD at 10× the learning rate",
    gen: [replace('function', 'genOpt.minimize(', 'discOpt.minimize(')],
    // another optimizer is changes-optimizer, never a variant: the update check fails. Whether it trains is decided
    // by where the notebook's loop with it ends: there it ends where the reference ends (from the grader's private
    // starts and from the self-check's public ones: mean 4.93/5.00 against the reference's 4.96/4.99, std
    // 1.43/1.45 against 1.51/1.50), so "trains" rightly passes — 7.5 by the grader and the self-check
    grade: { train_disc: FULL, train_gen: { points: [7.5, 7.5], diagnosis: 'changes-optimizer' } },
  },
  {
    name: 'darya-prob-fake-term',
    expect: { diagnosis: 'probabilities-not-log' },
    why: 'probabilities instead of log-probabilities in the fake term only',
    disc: [replace('closure', 'tf.logSoftmax(disc(genData))', 'tf.softmax(disc(genData))')],
    grade: { train_disc: { points: [5, 8], diagnosis: 'probabilities-not-log' }, train_gen: FULL },
  },
  {
    name: 'egor-no-varlist',
    expect: { diagnosis: 'disc-step-updates-generator' },
    why: 'no varList in trainDisc: the generator collapses to a point (the notebook says so): most of the exercise lost',
    disc: [set('varList', '')],
    grade: { train_disc: { points: [1, 5], diagnosis: 'disc-step-updates-generator' }, train_gen: FULL },
  },
  {
    name: 'zhanna-wrong-sign',
    expect: { diagnosis: 'wrong-sign' },
    why: "the sign of the discriminator's loss flipped: NaN, nothing learns",
    disc: [replace('loss', 'tf.mean(tf.neg(', 'tf.mean((')],
    grade: { train_disc: { points: [1, 4], diagnosis: 'wrong-sign' }, train_gen: FULL },
  },
  {
    name: 'zoya-literal-batch-disc',
    expect: { diagnosis: 'ignores-batch-size' },
    why: 'sampleRealData(128) in trainDisc: it throws at every other batch size (shapes do not broadcast), so nothing of it can be judged — named ignores-batch-size, not runtime-error; the instructor may override',
    status: 'incomplete',
    disc: [replace('closure', 'sampleRealData(batchSize)', 'sampleRealData(128)')],
    grade: { train_disc: { points: [0, 0], diagnosis: 'ignores-batch-size' }, train_gen: FULL },
  },
  {
    name: 'igor-literal-batch-gen',
    expect: { diagnosis: 'ignores-batch-size' },
    why: 'sampleNoise(128) in trainGen',
    gen: [replace('closure', 'sampleNoise(batchSize)', 'sampleNoise(128)')],
    grade: { train_disc: FULL, train_gen: { points: [5, 9], diagnosis: 'ignores-batch-size' } },
  },
  {
    name: 'kira-sum-gen',
    expect: { diagnosis: 'sum-instead-of-mean' },
    why: "a sum in trainGen: converges in the notebook (a larger step), still not the seminar's loss",
    gen: [replace('loss', 'tf.mean(', 'tf.sum(')],
    grade: { train_disc: FULL, train_gen: { points: [4, 8], diagnosis: 'sum-instead-of-mean' } },
  },
  {
    name: 'lev-sum-disc',
    expect: { diagnosis: 'sum-instead-of-mean' },
    why: 'a sum in trainDisc: the discriminator wins, the generator runs off',
    disc: [replace('loss', 'tf.mean(', 'tf.sum(')],
    grade: { train_disc: { points: [1, 4], diagnosis: 'sum-instead-of-mean' }, train_gen: FULL },
  },
  {
    name: 'mila-leak',
    expect: { diagnosis: 'tensor-leak' },
    why: 'a tensor made outside tf.tidy on every call: a small mistake (its extra sampler call shifts the batches, so the update is judged, and flagged, as a variant)',
    disc: [atFunctionStart('const extra = sampleRealData(batchSize); // made outside tf.tidy, never disposed')],
    grade: { train_disc: { points: [8, 9.5], diagnosis: 'tensor-leak', variant: true }, train_gen: FULL },
  },
  {
    name: 'nikita-unfilled',
    expect: { diagnosis: 'not-implemented', score: 0 },
    unfilled: true,
    status: 'incomplete',
    why: 'nothing filled in',
    grade: {
      train_disc: { points: [0, 0], diagnosis: 'not-implemented' },
      train_gen: { points: [0, 0], diagnosis: 'not-implemented' },
    },
  },
  {
    name: 'olga-crashes',
    expect: { diagnosis: 'runtime-error', score: 0 },
    status: 'incomplete',
    why: 'every step throws',
    disc: [atFunctionStart("throw new Error('not yet');")],
    gen: [atFunctionStart("throw new Error('not yet');")],
    grade: {
      train_disc: { points: [0, 0], diagnosis: 'runtime-error' },
      train_gen: { points: [0, 0], diagnosis: 'runtime-error' },
    },
  },
  {
    name: 'pavel-half-loss',
    expect: { diagnosis: 'valid-variant' as DiagnosisId },
    why: 'the loss × 0.5 in trainGen: a valid variant (same minimum, half the step); credited, flagged for a look',
    gen: [replace('loss', 'tf.mean(tf.neg(logpGenIsReal))', 'tf.mul(0.5, tf.mean(tf.neg(logpGenIsReal)))')],
    grade: { train_disc: FULL, train_gen: { points: [10, 10], variant: true } },
  },
];

/**
 * Writes the class into `dir`: <name>.ipynb each, plus two copies of lev's notebook for the similarity
 * report — rita's byte for byte, sasha's with comments and spacing changed in the exercise cell.
 */
export function writeClass(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = CLASS.map((c) => {
    const file = path.join(dir, `${c.name}.ipynb`);
    fs.writeFileSync(file, buildFixture(c));
    return file;
  });
  const copy = path.join(dir, 'rita-copy-of-lev.ipynb');
  fs.copyFileSync(path.join(dir, 'lev-sum-disc.ipynb'), copy);
  const disguised = path.join(dir, 'sasha-disguised-copy.ipynb');
  const nb = JSON.parse(fs.readFileSync(path.join(dir, 'lev-sum-disc.ipynb'), 'utf8')) as {
    cells: { source: string[] }[];
  };
  for (const cell of nb.cells) {
    const text = cell.source.join('');
    if (text.includes('function trainDisc'))
      cell.source = [`// my own solution\n${text.replace(/\/\/ [^\n]*/g, '// mine').replace(/ {2}/g, '    ')}`];
  }
  fs.writeFileSync(disguised, JSON.stringify(nb, null, 2));
  return [...files, copy, disguised];
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('Usage: node dist/test/support/class.js DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${writeClass(path.resolve(dir)).length} notebooks written to ${path.resolve(dir)}\n`);
}
