// The reference solutions train the seminar's GAN to N(5, 1.5²) from a fixed seed.
import { expect } from 'chai';
import {
  REAL_MEAN,
  REAL_STD,
  Readout,
  createSeminar,
  disposeSeminar,
  initBackend,
  quality,
  referenceSteps,
  train,
} from '../../lib';

const SEED = 42;
const ITERATIONS = 15000;

describe('convergence of the reference (default backend, seed 42, 15000 iterations)', () => {
  let start: ReturnType<typeof quality>;
  let final: Readout;
  const trace: Readout[] = [];

  before(async function () {
    const backend = await initBackend();
    const s = createSeminar({ seed: SEED });
    start = quality(s, 10000);
    final = train(s, {
      iterations: ITERATIONS,
      steps: referenceSteps(s),
      every: 2500,
      readoutSamples: 10000,
      onReadout: (r) => trace.push(r),
    });
    const row = (r: Readout) =>
      `${r.iteration}: mean ${r.genMean.toFixed(3)} std ${r.genStd.toFixed(3)} W1 ${r.w1.toFixed(3)} D(x) ${r.dReal.toFixed(3)} D(G(z)) ${r.dFake.toFixed(3)}`;
    console.log(
      `      ${backend}, ${final.itPerSec.toFixed(0)} it/s\n${trace.map((r) => `      ${row(r)}`).join('\n')}`,
    );
    disposeSeminar(s);
  });

  it('starts far from the target', () => {
    expect(start.w1).to.be.greaterThan(2);
  });

  it('matches the target mean and standard deviation', () => {
    expect(final.genMean).to.be.closeTo(REAL_MEAN, 0.15);
    expect(final.genStd).to.be.closeTo(REAL_STD, 0.15);
  });

  it('brings the 1-Wasserstein distance to N(5, 1.5²) below 0.3', () => {
    // 0.3 is what this architecture reaches (PyTorch too: ≈ 0.19–0.24 from 10k iterations on); a uniform
    // with the right mean and std scores 0.23, so mean/std above carry most of the meaning.
    expect(final.w1).to.be.below(0.3);
  });

  it('leaves the discriminator undecided on real data: D(x) ≈ 0.5', () => {
    expect(final.dReal).to.be.closeTo(0.5, 0.1);
    expect(final.dFake).to.be.closeTo(0.5, 0.1);
  });
});
