// The seminar's "what to expect" as code: from the read-outs the dashboard takes (D(x), D(G(z)), the
// losses, the generated samples) it names the run's state and gives the seminar's advice, in Russian and
// English like the notebook. The dashboard's title, `npm start`'s last line, metrics.json and the grader's
// long runs all say what this module says.
//
// Thresholds were measured on `node dist/lib/bench/mistake-runs.js`'s
// variants (each exercise's own version of each classic mistake, 4000 iterations, seeds 42 and 7) and the
// correct run (15 000 iterations, seeds 1, 7, 42, 2024), read out every 250 iterations on the dashboard's
// sample sizes (1000 generated samples, 100 D read-outs each). The numbers each threshold rests on are
// next to it; test/seminar/verdict.test.ts replays the mistakes and the correct run.
import { REAL_MEAN, REAL_STD } from './data';
import { summarize, wasserstein1ToNormal } from './metrics';
import type { Seminar } from './models';
import { generate, pReal, realSamples } from './readout';

/** What the verdict reads: one read-out of the models. */
export interface Signs {
  /** Loop iterations done. */
  iteration: number;
  discLoss: number;
  genLoss: number;
  /** Generated samples' mean, std and 1-Wasserstein distance to N(5, 1.5²). */
  genMean: number;
  genStd: number;
  w1: number;
  /** Mean P(real) the discriminator gives real samples, D(x), and generated ones, D(G(z)). */
  dReal: number;
  dFake: number;
  /** Shares of the seminar's two spikes: D(x) > 0.9 and D(G(z)) < 0.1. */
  realSpike: number;
  fakeSpike: number;
  /** Shares within 0.1 of ½ (the equilibrium): D(x) and D(G(z)). */
  realHalf: number;
  fakeHalf: number;
  /** False when a loss, a sample or a read-out is NaN or ±∞. */
  finite: boolean;
}

/** The numbers one read-out holds (the dashboard's DashboardData has them all). */
export interface ReadoutNumbers {
  iteration: number;
  discLoss: number;
  genLoss: number;
  /** Generated samples G(z) (the dashboard reads 1000). */
  generated: ArrayLike<number>;
  /** P(real) on real samples and on generated ones (the dashboard reads 100 each). */
  onReal: ArrayLike<number>;
  onGenerated: ArrayLike<number>;
}

function share(xs: ArrayLike<number>, test: (x: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (test(xs[i])) n++;
  return xs.length ? n / xs.length : 0;
}

function allFinite(xs: ArrayLike<number>): boolean {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) return false;
  return true;
}

/** The signs of one read-out. */
export function signsOf(r: ReadoutNumbers): Signs {
  const { mean, std } = summarize(r.generated);
  const finite =
    Number.isFinite(r.discLoss) &&
    Number.isFinite(r.genLoss) &&
    allFinite(r.generated) &&
    allFinite(r.onReal) &&
    allFinite(r.onGenerated);
  const half = (p: number) => Math.abs(p - 0.5) < 0.1;
  return {
    iteration: r.iteration,
    discLoss: r.discLoss,
    genLoss: r.genLoss,
    genMean: mean,
    genStd: std,
    w1: finite ? wasserstein1ToNormal(r.generated, REAL_MEAN, REAL_STD) : NaN,
    dReal: summarize(r.onReal).mean,
    dFake: summarize(r.onGenerated).mean,
    realSpike: share(r.onReal, (p) => p > 0.9),
    fakeSpike: share(r.onGenerated, (p) => p < 0.1),
    realHalf: share(r.onReal, half),
    fakeHalf: share(r.onGenerated, half),
    finite,
  };
}

/** Reads the models now (as the dashboard does, with more samples): for a run's end state. */
export function readSigns(
  s: Seminar,
  at: { iteration: number; discLoss: number; genLoss: number },
  samples = 1000,
): Signs {
  const generated = generate(s, samples);
  return signsOf({ ...at, generated, onReal: pReal(s, realSamples(s, samples)), onGenerated: pReal(s, generated) });
}

/**
 * The thresholds, each with what it was measured on (read-outs every 250 iterations; "correct" = the
 * reference on seeds 1, 7, 42, 2024 over 15 000 iterations; mistakes = mistake-runs.js's 14 variants on seeds
 * 42 and 7 over 4000).
 */
export const THRESHOLDS = {
  /** Collapsed: the generated spread below this after `collapseFrom` iterations. Correct runs: std ≥ 0.12
   *  from iteration 500 on (seed 1 starts narrowest: 0.07 at 250, 0.12–0.13 at 500–750; the initial generator
   *  has 0.05–0.13). Collapsing mistakes: swapped-heads 0.039 at 250 → 0.01 by 1500; disc-step-updates-generator
   *  0.004–0.005 from 500. */
  collapsedStd: 0.05,
  collapseFrom: 500,
  /** Diverged: the generated mean this far from 5 (the run has left the data behind). Correct runs stay
   *  within 5.7 of 5 (their first read-out, the untrained generator: mean −0.7 … 0.4; within 1.7 from 250 on);
   *  probabilities-not-log runs to 9 → 22, wrong-sign (trainGen) to −33 by 1000, −156 by 1500. */
  runawayMean: 10,
  /** The seminar's two spikes: at least this share of D(x) > 0.9 AND of D(G(z)) < 0.1. Correct runs: D(x)
   *  spikes up to 0.94 of the read-outs at iteration 1, but D(G(z)) spikes never above 0.03 (so never both);
   *  saturating-generator-loss 0.87–0.99 / 0.89–1 for its first 1750 iterations (seed 42; seed 7: all 4000). */
  spikes: 0.8,
  /** The discriminator lost: mean D(x) below this (it calls real data fake). Correct runs: D(x) ≥ 0.3
   *  (0.31–0.40 at their lowest, around iteration 250–500); probabilities-not-log, sum-instead-of-mean,
   *  swapped-heads: D(x) ≈ 0 (below 0.01). */
  lostReal: 0.1,
  /** …or both means above this (it calls everything real: sum-instead-of-mean at 500–1000). Correct runs:
   *  D(G(z)) ≤ 0.7. */
  lostAllReal: 0.9,
  /** Converged on the dashboard's 1000 samples: W1 below this, mean and std within the tolerances,
   *  D(x), D(G(z)) within `dTolerance` of ½; once converged, 1.5× these (read-out noise). Correct runs:
   *  first converged at 5750–7750, W1 ≤ 0.29 from 8000 on, and converged throughout from 10 000 (the
   *  dashboard's read-out; npm start's 10 000-sample criterion is CONVERGED in readout.ts). */
  convergedW1: 0.3,
  meanTolerance: 0.2,
  stdTolerance: 0.2,
  dTolerance: 0.1,
  /** Stuck: W1 above `stuckW1` while mean and std froze — over the last `stuckIterations` the mean moved
   *  less than `stuckMove` and the std less than that share (|log ratio|). With D at ½ (both means within
   *  `dTolerance`) the generator won; otherwise the run stalled. Correct runs while W1 > 0.6 (up to 4500
   *  iterations) always move ≥ 0.43 per 2000 iterations (the std grows: seed 1 0.14 → 0.26 over 1000–2500,
   *  with W1 flat at 1.08–1.03 — so W1 alone cannot tell a slow start from a stuck run); below 0.3 from
   *  8000 on. With no trail (an end state seen alone) a run of `stuckAlone` iterations or more with W1 that
   *  high counts as stuck. */
  stuckW1: 0.6,
  stuckMove: 0.1,
  stuckIterations: 2000,
  stuckAlone: 10000,
  /** −log p is never negative: a loss below this (rounding allowed) has the wrong sign or no log. */
  negativeLoss: -1e-3,
  /** A loss this many times its equilibrium (2 ln 2 for D, ln 2 for G) is a sum over the batch of 128:
   *  tf.sum in trainGen gives G 72–109 (128 × 0.69 ≈ 88), in trainDisc D 900–1.2e5; correct runs peak at D 1.5,
   *  G 1.9. (A G loss that high with D(G(z)) ≈ 0 is a mean too: only read as a sum while D(G(z)) > 0.1.) */
  sumLoss: 30,
} as const;

export type VerdictState =
  | 'learning'
  | 'converged'
  | 'discriminator-won'
  | 'discriminator-lost'
  | 'generator-won'
  | 'stalled'
  | 'collapsed'
  | 'diverged';

/** States that say something is wrong (a correct run is never told one of these). */
export const WRONG_STATES: readonly VerdictState[] = [
  'discriminator-won',
  'discriminator-lost',
  'generator-won',
  'stalled',
  'collapsed',
  'diverged',
];

export interface Words {
  /** The state in a few words. */
  title: string;
  /** What to check or do: the seminar's advice where it has some. */
  advice: string;
}

export interface Verdict {
  state: VerdictState;
  /** The read-out's iteration, and the first one of the trail's unbroken run in this state. */
  iteration: number;
  since: number;
  ru: Words;
  en: Words;
  /** Extra clues, each in both languages: a negative loss, a loss at batch-size scale, D's heads reversed. */
  clues: { ru: string; en: string }[];
}

const T = THRESHOLDS;

interface Text {
  ru: Words;
  en: Words;
}

/** The words for each state. Advice quotes the seminar's "what to expect" where it speaks. */
export const STATE_TEXT: Record<VerdictState, Text> = {
  learning: {
    ru: {
      title: 'обучается',
      advice:
        'Генератор ещё догоняет: подождите, пока среднее и std подойдут к пунктиру (обычно 6 000–15 000 итераций).',
    },
    en: {
      title: 'learning',
      advice:
        'The generator is still catching up: wait for the mean and std to reach their dashed lines (usually 6,000–15,000 iterations).',
    },
  },
  converged: {
    ru: {
      title: 'сошлось',
      advice:
        'Среднее и std совпали, D ≈ 0.5 на настоящих и сгенерированных. Хвосты не совпадут: генератор из 16 нейронов почти ломаная линия (см. панель «Generator map»).',
    },
    en: {
      title: 'converged',
      advice:
        'Mean and std match and D ≈ 0.5 on real and generated data. The tails will not match: a 16-unit generator is nearly a bent line (see the "Generator map" panel).',
    },
  },
  'discriminator-won': {
    ru: {
      title: 'дискриминатор победил',
      advice:
        'Семинар: D(x) и D(G(z)) — два пика около 1 и 0: проверьте функцию потерь генератора или уменьшите скорость обучения дискриминатора.',
    },
    en: {
      title: 'the discriminator won',
      advice:
        "Seminar: D(x) and D(G(z)) are two spikes near 1 and 0: check the generator's loss, or lower the discriminator's learning rate.",
    },
  },
  'discriminator-lost': {
    ru: {
      title: 'дискриминатор не различает',
      advice:
        'D даёт настоящим и сгенерированным данным одно и то же (или считает настоящие подделкой): проверьте функцию потерь дискриминатора — tf.mean, tf.logSoftmax, знак, IS_REAL.',
    },
    en: {
      title: 'the discriminator cannot tell',
      advice:
        "D gives real and generated data the same answer (or calls real data fake): check the discriminator's loss — tf.mean, tf.logSoftmax, the sign, IS_REAL.",
    },
  },
  'generator-won': {
    ru: {
      title: 'генератор победил',
      advice:
        'Семинар: D ≈ 0.5 уже давно, а образцы всё ещё не похожи на настоящие — проверьте функцию потерь дискриминатора.',
    },
    en: {
      title: 'the generator won',
      advice: "Seminar: D has sat at 0.5 for long while the samples still look wrong — check the discriminator's loss.",
    },
  },
  stalled: {
    ru: {
      title: 'застряло',
      advice:
        'Среднее и std застыли вдали от пунктира: обучение не идёт. Проверьте обе функции потерь и varList в minimize.',
    },
    en: {
      title: 'stalled',
      advice:
        'Mean and std are frozen far from their dashed lines: training has stopped. Check both losses and the varList given to minimize.',
    },
  },
  collapsed: {
    ru: {
      title: 'коллапс генератора',
      advice:
        'Все образцы в одной точке (std → 0). Проверьте, что шаг дискриминатора двигает только его переменные (varList) и что IS_REAL/IS_FAKE на своих местах.',
    },
    en: {
      title: 'the generator collapsed',
      advice:
        "All samples sit at one point (std → 0). Check that the discriminator's step moves only its own variables (varList) and that IS_REAL/IS_FAKE are the right way round.",
    },
  },
  diverged: {
    ru: {
      title: 'расходится',
      advice:
        'Числа улетели (NaN, ∞ или образцы далеко от данных). Проверьте знаки потерь (−mean log p) и tf.mean вместо tf.sum; затем заново создайте модели (ячейка моделей) — продолжать с испорченных весов бесполезно.',
    },
    en: {
      title: 'diverged',
      advice:
        "The numbers blew up (NaN, ∞, or samples far from the data). Check the losses' signs (−mean log p) and tf.mean instead of tf.sum; then make the models again (the models cell) — broken weights do not recover.",
    },
  },
};

function clues(s: Signs): { ru: string; en: string }[] {
  const out: { ru: string; en: string }[] = [];
  const negative = (['discLoss', 'genLoss'] as const).filter((k) => s[k] < T.negativeLoss);
  for (const k of negative) {
    const who = k === 'discLoss' ? ['D', 'trainDisc'] : ['G', 'trainGen'];
    out.push({
      ru: `потеря ${who[0]} отрицательна (${s[k].toPrecision(3)}), а −log p не бывает меньше 0: в ${who[1]} не тот знак, не тот столбец или вероятность без логарифма`,
      en: `the ${who[0]} loss is negative (${s[k].toPrecision(3)}) and −log p never is: ${who[1]} has the wrong sign, the wrong column or a probability without its log`,
    });
  }
  // a huge G loss is also what a mean gives when D is sure the samples are fake (−log of a tiny D(G(z))):
  // only with D(G(z)) not near 0 does it point at a sum (measured: tf.sum in trainDisc gives G 56–358 with D(G(z)) ≈ 0)
  const huge = (['discLoss', 'genLoss'] as const).filter(
    (k) =>
      s[k] > T.sumLoss * (k === 'discLoss' ? 2 * Math.LN2 : Math.LN2) && (k === 'discLoss' || s.dFake > T.lostReal),
  );
  for (const k of huge) {
    const who = k === 'discLoss' ? ['D', 'trainDisc'] : ['G', 'trainGen'];
    out.push({
      ru: `потеря ${who[0]} ≈ ${s[k].toPrecision(3)} — в десятки раз больше равновесной (сумма по батчу из 128 даёт ×128): в ${who[1]} tf.sum вместо tf.mean?`,
      en: `the ${who[0]} loss ≈ ${s[k].toPrecision(3)} is tens of times its equilibrium (a sum over a batch of 128 gives ×128): does ${who[1]} sum over the batch (tf.sum instead of tf.mean)?`,
    });
  }
  if (s.dReal < T.lostReal && s.dFake > 1 - T.lostReal) {
    out.push({
      ru: 'D считает настоящие данные подделкой, а сгенерированные — настоящими: IS_REAL и IS_FAKE перепутаны',
      en: 'D calls real data fake and generated data real: IS_REAL and IS_FAKE are swapped',
    });
  }
  return out;
}

const withinHalf = (s: Signs, tolerance: number) =>
  Math.abs(s.dReal - 0.5) <= tolerance && Math.abs(s.dFake - 0.5) <= tolerance;

/** The converged test; `slack` widens it (1.5 once a run has converged, so noise does not flip it back). */
function isConverged(s: Signs, slack: number): boolean {
  return (
    s.w1 < T.convergedW1 * slack &&
    Math.abs(s.genMean - REAL_MEAN) <= T.meanTolerance * slack &&
    Math.abs(s.genStd - REAL_STD) <= T.stdTolerance * slack &&
    withinHalf(s, T.dTolerance * slack)
  );
}

/** Whether W1 is high and the moments froze: over the trail's last `stuckIterations`, or for a long run seen alone. */
function stuck(trail: readonly Signs[], i: number): boolean {
  const s = trail[i];
  if (!(s.w1 > T.stuckW1)) return false;
  let j = i - 1;
  while (j >= 0 && trail[j].iteration > s.iteration - T.stuckIterations) j--;
  if (j < 0) return i === 0 && s.iteration >= T.stuckAlone; // no read-out that far back
  const then = trail[j];
  return Math.abs(s.genMean - then.genMean) < T.stuckMove && Math.abs(Math.log(s.genStd / then.genStd)) < T.stuckMove;
}

/** The state of read-out i of the trail, given the state of read-out i − 1. */
function stateAt(trail: readonly Signs[], i: number, before: VerdictState | undefined): VerdictState {
  const s = trail[i];
  if (!s.finite || Math.abs(s.genMean - REAL_MEAN) > T.runawayMean) return 'diverged';
  if (s.iteration >= T.collapseFrom && s.genStd < T.collapsedStd) return 'collapsed';
  if (s.dReal < T.lostReal || (s.dReal > T.lostAllReal && s.dFake > T.lostAllReal)) return 'discriminator-lost';
  if (s.realSpike >= T.spikes && s.fakeSpike >= T.spikes) return 'discriminator-won';
  if (isConverged(s, before === 'converged' ? 1.5 : 1)) return 'converged';
  if (stuck(trail, i)) return withinHalf(s, T.dTolerance) ? 'generator-won' : 'stalled';
  return 'learning';
}

/**
 * The verdict on a run: `signs` is the latest read-out, or the whole trail of read-outs (oldest first),
 * which lets it tell since when the state holds and see a stall.
 */
export function verdict(signs: Signs | readonly Signs[]): Verdict {
  const trail = Array.isArray(signs) ? (signs as readonly Signs[]) : [signs as Signs];
  if (trail.length === 0) throw new Error('verdict: no read-out yet');
  let state: VerdictState | undefined;
  let since = 0;
  for (let i = 0; i < trail.length; i++) {
    const next = stateAt(trail, i, state);
    if (next !== state) since = trail[i].iteration;
    state = next;
  }
  const now = trail[trail.length - 1];
  const text = STATE_TEXT[state!];
  return { state: state!, iteration: now.iteration, since, ru: text.ru, en: text.en, clues: clues(now) };
}

export type Language = 'ru' | 'en';

/** One line: "Вердикт: … — совет" / "Verdict: … — advice", with the clues. */
export function verdictLine(v: Verdict, lang: Language, { advice = true, clues: withClues = true } = {}): string {
  const w = v[lang];
  const head = lang === 'ru' ? 'Вердикт' : 'Verdict';
  const since =
    v.since < v.iteration ? (lang === 'ru' ? ` (с итерации ${v.since})` : ` (since iteration ${v.since})`) : '';
  const clueText = v.clues.map((c) => c[lang]).join('; ');
  const extra =
    withClues && v.clues.length
      ? ` ${lang === 'ru' ? 'Подсказка' : 'Clue'}: ${clueText}${/[.?!]$/.test(clueText) ? '' : '.'}`
      : '';
  return `${head}: ${w.title}${since}${advice ? ` — ${w.advice}` : ''}${extra}`;
}

/** The verdict as plain JSON for metrics.json and the grader's reports. */
export function verdictJson(v: Verdict) {
  return { state: v.state, iteration: v.iteration, since: v.since, ru: v.ru, en: v.en, clues: v.clues };
}
