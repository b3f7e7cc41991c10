// What each classic mistake (the grader's diagnoses, lib/exercises/*.ts) does to a training run: the
// numbers behind the notebook's "What to expect" cell. Not a test (it takes minutes); run it with
//   node dist/lib/bench/mistake-runs.js [options]   (--help lists them)
// (--trails: every read-out's verdict signs, lib/seminar/verdict.ts, whose thresholds were measured on them)
// Each mistake is the reference (lib/reference/) with the one thing changed that the fixture changes in
// the exercise cell (test/support/fixtures.ts), the other exercise correct, so the run needs no notebook.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DISC_LR,
  REAL_MEAN,
  REAL_STD,
  Seminar,
  createSeminar,
  disposeSeminar,
  generate,
  initBackend,
  pReal,
  realSamples,
  referenceSteps,
  summarize,
  wasserstein1ToNormal,
} from '..';
import { Dashboard } from '../dashboard/dashboard';
import { renderPng } from '../dashboard/render';
import { SEMINAR, Steps } from '../seminar/steps';
import { Signs, verdict } from '../seminar/verdict';
import { UsageError, Values, command, intOption, runScript } from '../cli/options';

export interface Variant {
  /** trainDisc: tf.sum instead of tf.mean; no tf.neg; IS_REAL/IS_FAKE swapped; tf.softmax for tf.logSoftmax; no varList; two steps per call. */
  discSum?: boolean;
  discNoNeg?: boolean;
  discSwapped?: boolean;
  discSoftmax?: boolean;
  discAllVars?: boolean;
  discTwice?: boolean;
  /** trainGen: log p(fake | G(z)) minimised (saturating); no varList; tf.sum; its learning rate raised to the discriminator's;
   *  no tf.neg; IS_REAL/IS_FAKE swapped; tf.softmax for tf.logSoftmax (each exercise's own variant of the shared mistakes). */
  genSaturating?: boolean;
  genAllVars?: boolean;
  genSum?: boolean;
  genFasterLr?: boolean;
  genNoNeg?: boolean;
  genSwapped?: boolean;
  genSoftmax?: boolean;
}

/** The diagnoses the grader names, each with the mistake as its fixture writes it. */
export const MISTAKES: Record<string, Variant> = {
  correct: {},
  'sum-instead-of-mean': { discSum: true },
  'sum-instead-of-mean (trainGen)': { genSum: true },
  'wrong-sign': { discNoNeg: true },
  'swapped-heads': { discSwapped: true },
  'saturating-generator-loss': { genSaturating: true },
  'probabilities-not-log': { discSoftmax: true },
  'disc-step-updates-generator': { discAllVars: true },
  'gen-step-updates-discriminator': { genAllVars: true },
  'extra-optimizer-steps': { discTwice: true },
  'changes-optimizer': { genFasterLr: true },
  'wrong-sign (trainGen)': { genNoNeg: true },
  'swapped-heads (trainGen)': { genSwapped: true },
  'probabilities-not-log (trainGen)': { genSoftmax: true },
};

/**
 * The seminar as one step sees it with a mistake made: the same reference code (lib/reference/) run on a
 * tf whose mean is a sum, whose neg does nothing, whose logSoftmax is a softmax; with the heads swapped;
 * or with an optimizer that ignores its varList. No second copy of the reference.
 */
function mistaken(
  s: Seminar,
  m: { sum?: boolean; noNeg?: boolean; swapped?: boolean; softmax?: boolean; allVars?: boolean },
): Seminar {
  const tf = {
    ...s.tf,
    mean: m.sum ? s.tf.sum : s.tf.mean,
    neg: m.noNeg ? <T>(x: T) => x : s.tf.neg,
    logSoftmax: m.softmax ? s.tf.softmax : s.tf.logSoftmax,
  } as typeof s.tf;
  const ignoringVarList = (opt: Seminar['genOpt']): Seminar['genOpt'] => {
    const o = Object.create(opt) as Seminar['genOpt'];
    o.minimize = (f, returnCost) => opt.minimize(f, returnCost);
    return o;
  };
  return {
    ...s,
    tf,
    ...(m.swapped ? { IS_FAKE: s.IS_REAL, IS_REAL: s.IS_FAKE } : {}),
    ...(m.allVars ? { genOpt: ignoringVarList(s.genOpt), discOpt: ignoringVarList(s.discOpt) } : {}),
  };
}

/** The reference steps with the variant's mistakes made: each exercise's in its own step, the other step correct. */
export function mistakenSteps(s: Seminar, v: Variant): Steps {
  const disc = referenceSteps(
    mistaken(s, {
      sum: v.discSum,
      noNeg: v.discNoNeg,
      swapped: v.discSwapped,
      softmax: v.discSoftmax,
      allVars: v.discAllVars,
    }),
  ).trainDisc;
  // the saturating loss minimises log p(fake | G(z)): the reference's term with the heads swapped and no neg
  // (the saturating loss and a wrong sign together would be the correct loss again: each variant is one mistake)
  const gen = referenceSteps(
    mistaken(s, {
      sum: v.genSum,
      swapped: v.genSaturating !== v.genSwapped,
      noNeg: v.genSaturating !== v.genNoNeg,
      softmax: v.genSoftmax,
      allVars: v.genAllVars,
    }),
  ).trainGen;
  return {
    trainDisc: v.discTwice ? (batchSize) => (disc(batchSize), disc(batchSize)) : disc,
    trainGen: v.genFasterLr
      ? (batchSize) => {
          s.genOpt.setLearningRate(DISC_LR);
          return gen(batchSize);
        }
      : gen,
  };
}

function quantile(sorted: Float32Array, p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[i];
}

export interface Measured {
  name: string;
  iterations: number;
  /** Over the read-outs every 250 iterations after the first 1000: the losses' range. */
  discLoss: { min: number; max: number; last: number };
  genLoss: { min: number; max: number; last: number };
  /** At the end, on 10 000 samples. */
  genMean: number;
  genStd: number;
  w1: number;
  p1: number;
  p99: number;
  /** Mean P(real) the discriminator gives real and generated samples, and the share of each within 0.1 of 0 / 0.5 / 1. */
  dReal: number;
  dFake: number;
  dRealNear: [number, number, number];
  dFakeNear: [number, number, number];
  /** Generated mean at each read-out of 1000, 2000, ... iterations. */
  meanTrail: number[];
  /** The first read-out whose losses were not finite numbers, if any. */
  firstNonFinite?: number;
  /** The verdict's states along the run (lib/seminar/verdict.ts): "state from iteration", in order. */
  verdicts: string[];
  /** The verdict's read-outs (every 250 iterations). */
  signs: Signs[];
  seconds: number;
}

const near = (ps: Float32Array): [number, number, number] => {
  let lo = 0;
  let mid = 0;
  let hi = 0;
  for (const p of ps) {
    if (p < 0.1) lo++;
    else if (p > 0.9) hi++;
    else if (Math.abs(p - 0.5) < 0.1) mid++;
  }
  return [lo / ps.length, mid / ps.length, hi / ps.length];
};

export async function measure(
  name: string,
  v: Variant,
  iterations: number,
  seed: number,
  pngDir?: string,
): Promise<Measured> {
  const s = createSeminar({ seed });
  const steps = mistakenSteps(s, v);
  const dash = new Dashboard(s, { iterations, output: null });
  const dl: number[] = [];
  const gl: number[] = [];
  const meanTrail: number[] = [];
  const t = performance.now();
  let discLoss = NaN;
  let genLoss = NaN;
  let firstNonFinite: number | undefined;
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < SEMINAR.discSteps; k++) discLoss = steps.trainDisc(SEMINAR.batchSize);
    genLoss = steps.trainGen(SEMINAR.batchSize);
    if (i % SEMINAR.every === 0 || i === iterations - 1) {
      const d = dash.read(i + 1, discLoss, genLoss);
      if (firstNonFinite === undefined && !(Number.isFinite(discLoss) && Number.isFinite(genLoss)))
        firstNonFinite = i + 1;
      if (i >= 1000) {
        dl.push(discLoss);
        gl.push(genLoss);
      }
      if (i % 1000 === 0 && i > 0) meanTrail.push(Number(summarize(d.generated).mean.toFixed(2)));
    }
  }
  const seconds = (performance.now() - t) / 1000;
  if (pngDir) {
    fs.mkdirSync(pngDir, { recursive: true });
    fs.writeFileSync(path.join(pngDir, `${name.replace(/[^\w-]+/g, '_')}.png`), await renderPng(dash.spec()));
  }
  const fake = generate(s, 10000);
  const sorted = Float32Array.from(fake).sort();
  const { mean, std } = summarize(fake);
  const onReal = pReal(s, realSamples(s, 1000));
  const onFake = pReal(s, fake.subarray(0, 1000));
  const range = (xs: number[], last: number) => ({ min: Math.min(...xs), max: Math.max(...xs), last });
  const verdicts: string[] = [];
  dash.signs.forEach((_, i) => {
    const v = verdict(dash.signs.slice(0, i + 1));
    if (v.since === v.iteration) verdicts.push(`${v.state} ${v.iteration}`);
  });
  const result: Measured = {
    name,
    iterations,
    discLoss: range(dl, discLoss),
    genLoss: range(gl, genLoss),
    genMean: mean,
    genStd: std,
    w1: wasserstein1ToNormal(fake, REAL_MEAN, REAL_STD),
    p1: quantile(sorted, 0.01),
    p99: quantile(sorted, 0.99),
    dReal: summarize(onReal).mean,
    dFake: summarize(onFake).mean,
    dRealNear: near(onReal),
    dFakeNear: near(onFake),
    meanTrail,
    firstNonFinite,
    verdicts,
    signs: dash.signs,
    seconds,
  };
  dash.close();
  disposeSeminar(s);
  return result;
}

const g = (x: number) => (Math.abs(x) >= 1000 ? x.toExponential(1) : x.toPrecision(3));

export function row(m: Measured): string {
  const pct = (xs: [number, number, number]) => xs.map((x) => `${Math.round(100 * x)}%`).join('/');
  return (
    `| ${m.name} | ${m.iterations} | ${g(m.discLoss.min)} … ${g(m.discLoss.max)} | ${g(m.genLoss.min)} … ${g(m.genLoss.max)} | ` +
    `${g(m.dReal)} (${pct(m.dRealNear)}) | ${g(m.dFake)} (${pct(m.dFakeNear)}) | ${g(m.genMean)} | ${g(m.genStd)} | ${g(m.w1)} | ${g(m.p1)} / ${g(m.p99)} | ${m.meanTrail.join(' ')} | ${m.verdicts.join(' → ')} |${m.firstNonFinite ? ` NaN from ${m.firstNonFinite}` : ''}`
  );
}

export const HEADER =
  '| run | iterations | D loss (after 1000) | G loss (after 1000) | D(x) mean (near 0/0.5/1) | D(G(z)) mean (near 0/0.5/1) | gen mean | gen std | W1 | 1st / 99th pct |' +
  ' gen mean every 1000 | verdict from iteration |\n|---|---|---|---|---|---|---|---|---|---|---|---|';

const MISTAKES_OPTIONS = {
  iterations: { type: 'string', arg: 'N', description: 'iterations per run (default 4000)' },
  seed: { type: 'string', arg: 'N', description: 'random seed (default 42)' },
  only: { type: 'string', arg: 'LIST', description: 'comma-separated mistakes to run (default: all of MISTAKES)' },
  json: { type: 'string', arg: 'FILE', description: "write each run's numbers as JSON to FILE" },
  png: { type: 'string', arg: 'DIR', description: "write each run's dashboard as a PNG into DIR" },
  trails: {
    type: 'string',
    arg: 'FILE',
    description: "write every read-out's verdict signs to FILE (test/data/verdict-trails.json is one)",
  },
} as const;

export const MISTAKES_COMMAND = command({
  name: 'mistake-runs',
  invocation: 'node dist/lib/bench/mistake-runs.js',
  summary: 'what each classic mistake does to a training run',
  synopsis: '[options]',
  about: `Trains the reference with one mistake put in at a time (the grader's diagnoses) and prints a row of
read-outs per run: the numbers behind the notebook's "What to expect" cell. Takes minutes.`,
  options: MISTAKES_OPTIONS,
  run: measureAll,
});

async function measureAll(values: Values<typeof MISTAKES_OPTIONS>): Promise<number> {
  const iterations = intOption(values.iterations, 'iterations', 4000);
  const seed = intOption(values.seed, 'seed', 42);
  const names = values.only ? values.only.split(',') : Object.keys(MISTAKES);
  for (const n of names)
    if (!MISTAKES[n]) throw new UsageError(`unknown mistake "${n}": one of ${Object.keys(MISTAKES).join(', ')}`);
  await initBackend();
  console.log(HEADER);
  const results: Measured[] = [];
  for (const n of names) {
    const m = await measure(n, MISTAKES[n], iterations, seed, values.png);
    results.push(m);
    console.log(row(m));
  }
  if (values.json)
    fs.writeFileSync(
      values.json,
      `${JSON.stringify(
        results.map(({ signs, ...m }) => m),
        null,
        1,
      )}\n`,
    );
  if (values.trails)
    fs.writeFileSync(
      values.trails,
      `${JSON.stringify(results.map(({ name, iterations, signs }) => ({ name, seed, iterations, signs })))}\n`,
    );
  return 0;
}

if (require.main === module) runScript(MISTAKES_COMMAND);
