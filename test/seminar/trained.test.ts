// A training run started from trained or broken weights says so, and how to start fresh
// (lib/seminar/trained.ts brokenWeights, lib/jupyter/cell-helpers.ts sayWhereTrainingStarts via chooseSteps).
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { StudentError, chooseSteps, createSeminar, disposeSeminar, initBackend } from '../../lib';
import { BLOWN_UP, brokenWeights } from '../../lib/seminar/trained';
import type { Seminar } from '../../lib/seminar/models';
import { referenceSteps } from '../../lib/reference';
import { NOTEBOOK, readNotebook, sourceOf } from '../support/jupyter';

function printed(run: () => void): string {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    run();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

/** Sets the generator's last bias (its output's offset) to `value`. */
function shiftGenerator(s: Seminar, value: number): void {
  const bias = s.gen.parameters().at(-1)!;
  bias.assign(tf.fill(bias.shape, value));
}

describe('a training run from trained or broken weights', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('fresh weights: no word about where it starts', () => {
    const s = createSeminar({ seed: 3 });
    expect(printed(() => chooseSteps(false, s, referenceSteps(s)))).to.not.match(/Carrying on|broken/);
    disposeSeminar(s);
  });

  it('trained weights: says it carries on from iteration N and how to start fresh', () => {
    const s = createSeminar({ seed: 3 });
    const steps = chooseSteps(false, s, referenceSteps(s));
    for (let i = 0; i < 3; i++) steps.trainGen(16);
    const text = printed(() => chooseSteps(false, s, steps));
    expect(text).to.match(/Carrying on from iteration 3 .*run the «Models» cell .* again, then this cell/);
    disposeSeminar(s);
  });

  it('blown-up or NaN weights: stops with why and how to start fresh (also in solution mode)', () => {
    const s = createSeminar({ seed: 3 });
    shiftGenerator(s, -4e16);
    expect(brokenWeights(s.gen, s.disc)).to.match(/reach -4\.00e\+16/);
    for (const solutions of [false, true]) {
      expect(() => chooseSteps(solutions, s, referenceSteps(s))).to.throw(
        StudentError,
        /weights are broken \(the generator's samples reach -4\.00e\+16.*Start fresh: run the «Models» cell .* again/,
      );
    }
    const disc = s.disc.parameters()[0];
    shiftGenerator(s, 0);
    disc.assign(tf.fill(disc.shape, NaN));
    expect(() => chooseSteps(false, s, referenceSteps(s))).to.throw(StudentError, /a weight is NaN/);
    disposeSeminar(s);
  });

  it('weights off target but finite (a run with tf.sum: mean ≈ 20) still train', () => {
    const s = createSeminar({ seed: 3 });
    shiftGenerator(s, 20);
    expect(brokenWeights(s.gen, s.disc)).to.equal(null);
    shiftGenerator(s, BLOWN_UP * 2);
    expect(brokenWeights(s.gen, s.disc)).to.not.equal(null);
    disposeSeminar(s);
  });

  it('the check makes no tensor and draws nothing from the seeded stream', () => {
    const s = createSeminar({ seed: 3 });
    const unchecked = tf.tidy(() => [...s.sampleNoise(4).dataSync()]);
    disposeSeminar(s);
    const t = createSeminar({ seed: 3 });
    const before = tf.memory().numTensors;
    brokenWeights(t.gen, t.disc);
    expect(tf.memory().numTensors).to.equal(before);
    expect(tf.tidy(() => [...t.sampleNoise(4).dataSync()])).to.deep.equal(unchecked);
    disposeSeminar(t);
  });

  it("the Training cell's text says how to start fresh", () => {
    const nb = readNotebook(NOTEBOOK);
    const loop = nb.cells.findIndex((c) => c.metadata?.seminar?.cell === 'training_loop');
    const text = sourceOf(nb.cells[loop - 1]);
    expect(text)
      .to.match(/Start fresh:/)
      .and.match(/Run the «Models» cell again \(new weights\), then this one/)
      .and.match(/blew up/);
  });
});
