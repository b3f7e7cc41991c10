// The seminar's primitives: samplers, models, the reference steps.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import {
  IS_FAKE,
  IS_REAL,
  REAL_MEAN,
  REAL_STD,
  Seminar,
  createSeminar,
  disposeSeminar,
  getWeights,
  initBackend,
  referenceSteps,
  sampleNoise,
  sampleRealData,
  seed,
  setWeights,
  summarize,
} from '../../lib';
import { maxWeightDiff, snapshot, tensorsLeft } from '../helpers';

describe('seminar primitives', () => {
  before(async () => {
    await initBackend();
  });

  describe('samplers', () => {
    it('sampleNoise gives [n, 1] uniform values in [0, 1)', () => {
      seed(1);
      const t = sampleNoise(20000);
      expect(t.shape).to.deep.equal([20000, 1]);
      const xs = t.dataSync();
      t.dispose();
      expect(Math.min(...xs)).to.be.at.least(0);
      expect(Math.max(...xs)).to.be.below(1);
      const { mean, std } = summarize(xs);
      expect(mean).to.be.closeTo(0.5, 0.01);
      expect(std).to.be.closeTo(Math.sqrt(1 / 12), 0.01);
    });

    it('sampleRealData gives [n, 1] samples of N(5, 1.5²)', () => {
      seed(2);
      const t = sampleRealData(20000);
      expect(t.shape).to.deep.equal([20000, 1]);
      const { mean, std } = summarize(t.dataSync());
      t.dispose();
      expect(mean).to.be.closeTo(REAL_MEAN, 0.04);
      expect(std).to.be.closeTo(REAL_STD, 0.04);
    });

    it('is reproducible from a seed and differs between seeds', () => {
      const draw = (s: number) => {
        seed(s);
        return tf.tidy(() => Array.from(tf.concat([sampleNoise(5), sampleRealData(5)]).dataSync()));
      };
      expect(draw(7)).to.deep.equal(draw(7));
      expect(draw(7)).to.not.deep.equal(draw(8));
    });

    it('rejects a bad batch size with a message naming it', () => {
      expect(() => sampleNoise(0)).to.throw(/sampleNoise\(batchSize\).*positive integer.*0/);
      expect(() => sampleRealData(2.5)).to.throw(/sampleRealData\(batchSize\).*2\.5/);
    });

    it('labels the discriminator outputs like the seminar', () => {
      expect([IS_FAKE, IS_REAL]).to.deep.equal([0, 1]);
    });
  });

  describe('models', () => {
    let s: Seminar;
    beforeEach(() => {
      s = createSeminar({ seed: 3 });
    });
    afterEach(() => disposeSeminar(s));

    it('generator is 1 → 16 → ELU → 1 and disc is 1 → 64 → ELU → 2 logits', () => {
      const shapes = (names: [string, tf.Variable][]) => names.map(([n, v]) => `${n}:${v.shape.join('x')}`);
      expect(shapes(s.gen.namedParameters())).to.deep.equal([
        '0.weight:1x16',
        '0.bias:16',
        '2.weight:16x1',
        '2.bias:1',
      ]);
      expect(shapes(s.disc.namedParameters())).to.deep.equal([
        '0.weight:1x64',
        '0.bias:64',
        '2.weight:64x2',
        '2.bias:2',
      ]);
      tf.tidy(() => {
        expect(s.gen(s.sampleNoise(7)).shape).to.deep.equal([7, 1]);
        const logits = s.disc(s.sampleRealData(7));
        expect(logits.shape).to.deep.equal([7, 2]);
        // logits, not probabilities: some fall outside [0, 1] for inputs far from the data
        const far = s.disc(tf.tensor2d([[-50], [50]])).dataSync();
        expect(Array.from(far).some((v) => v < 0 || v > 1)).to.equal(true);
      });
    });

    it('initialises like torch.nn.Linear: U(±1/√fan_in)', () => {
      const w = getWeights(s.disc);
      expect(Math.max(...w['2.weight'].values.map(Math.abs))).to.be.at.most(1 / Math.sqrt(64));
      expect(Math.max(...w['0.weight'].values.map(Math.abs))).to.be.at.most(1);
      expect(summarize(w['2.weight'].values).std).to.be.closeTo(1 / Math.sqrt(64) / Math.sqrt(3), 0.03);
    });

    it('creating and disposing a seminar leaves no tensors behind', () => {
      const before = tf.memory().numTensors;
      disposeSeminar(createSeminar({ seed: 4 }));
      expect(tf.memory().numTensors).to.equal(before);
    });

    it('rejects input that is not [batch, features]', () => {
      expect(() => s.gen(tf.tensor1d([1, 2]) as unknown as tf.Tensor2D)).to.throw(/\[batch, features\].*\[2\]/);
    });

    it('setWeights restores a snapshot and names a mismatch', () => {
      const before = getWeights(s.gen);
      const steps = referenceSteps(s);
      steps.trainGen(16);
      expect(maxWeightDiff(before, getWeights(s.gen))).to.be.greaterThan(0);
      setWeights(s.gen, before);
      expect(maxWeightDiff(before, getWeights(s.gen))).to.equal(0);
      expect(() => setWeights(s.gen, { ...before, '0.bias': { shape: [3], values: [1, 2, 3] } })).to.throw(
        /"0.bias".*shape/,
      );
    });
  });

  describe('reference steps', () => {
    let s: Seminar;
    beforeEach(() => {
      s = createSeminar({ seed: 4 });
    });
    afterEach(() => disposeSeminar(s));

    it('the disc step moves the discriminator and leaves the generator untouched', () => {
      const gen0 = snapshot(s.gen);
      const disc0 = snapshot(s.disc);
      referenceSteps(s).trainDisc(128);
      expect(maxWeightDiff(gen0, snapshot(s.gen))).to.equal(0);
      expect(maxWeightDiff(disc0, snapshot(s.disc))).to.be.greaterThan(1e-6);
    });

    it('the gen step moves the generator and leaves the discriminator untouched', () => {
      const gen0 = snapshot(s.gen);
      const disc0 = snapshot(s.disc);
      referenceSteps(s).trainGen(128);
      expect(maxWeightDiff(disc0, snapshot(s.disc))).to.equal(0);
      expect(maxWeightDiff(gen0, snapshot(s.gen))).to.be.greaterThan(1e-7);
    });

    it('returns the seminar losses as plain numbers, computed before the update', () => {
      // Recompute both losses by hand from the same samples (reseeding replays them).
      const expected = (which: 'disc' | 'gen'): number =>
        tf.tidy(() => {
          seed(99);
          if (which === 'disc') {
            const real = tf.logSoftmax(s.disc(sampleRealData(64))).slice([0, IS_REAL], [-1, 1]);
            const fake = tf.logSoftmax(s.disc(s.gen(sampleNoise(64)))).slice([0, IS_FAKE], [-1, 1]);
            return -tf.mean(tf.add(real, fake)).dataSync()[0];
          }
          return -tf.mean(tf.logSoftmax(s.disc(s.gen(sampleNoise(64)))).slice([0, IS_REAL], [-1, 1])).dataSync()[0];
        });
      const steps = referenceSteps(s);
      const wantDisc = expected('disc');
      seed(99);
      const gotDisc = steps.trainDisc(64);
      expect(gotDisc).to.be.a('number');
      expect(gotDisc).to.be.closeTo(wantDisc, 1e-6);
      const wantGen = expected('gen');
      seed(99);
      expect(steps.trainGen(64)).to.be.closeTo(wantGen, 1e-6);
    });

    it('leaves no tensors behind across many steps', () => {
      const steps = referenceSteps(s);
      steps.trainDisc(128); // warm-up: backends may cache constants on first use
      steps.trainGen(128);
      const left = tensorsLeft(() => {
        for (let i = 0; i < 20; i++) {
          for (let k = 0; k < 5; k++) steps.trainDisc(128);
          steps.trainGen(128);
        }
      });
      expect(left).to.equal(0);
    });
  });
});
