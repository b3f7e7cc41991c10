// Backend selection, and the same numbers from every backend.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, createSeminar, disposeSeminar, getWeights, initBackend, referenceSteps, Weights } from '../../lib';
import { maxWeightDiff } from '../helpers';

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** One disc step and one gen step from seed 11 on `backend`; the weights and losses after them. */
async function oneStep(backend: string): Promise<{ gen: Weights; disc: Weights; losses: number[] }> {
  expect(await initBackend(backend)).to.equal(backend);
  const s = createSeminar({ seed: 11 });
  const steps = referenceSteps(s);
  const losses = [steps.trainDisc(128), steps.trainGen(128)];
  const out = { gen: getWeights(s.gen), disc: getWeights(s.disc), losses };
  disposeSeminar(s);
  return out;
}

describe('backends', () => {
  after(async () => {
    await initBackend(); // later suites run on the default backend
  });

  it('picks the fastest that loads when none is forced', async () => {
    const expected = tfjsNodeInstalled() ? 'tensorflow' : 'wasm';
    expect(await initBackend(undefined)).to.equal(expected);
    expect(tf.getBackend()).to.equal(expected);
  });

  it('GAN_BACKEND forces one, case-insensitively', async () => {
    expect(await initBackend('CPU')).to.equal('cpu');
    expect(await initBackend(' wasm ')).to.equal('wasm');
  });

  it('rejects an unknown name with the list of backends', async () => {
    let message = '';
    await initBackend('webgpu').catch((e: Error) => (message = e.message));
    expect(message).to.contain('GAN_BACKEND="webgpu" is not a backend').and.contain(BACKENDS.join(', '));
  });

  it('fails clearly when a forced backend is unavailable', async function () {
    if (tfjsNodeInstalled()) {
      expect(await initBackend('tensorflow')).to.equal('tensorflow');
      return;
    }
    let message = '';
    await initBackend('tensorflow').catch((e: Error) => (message = e.message));
    expect(message)
      .to.match(/backend "tensorflow" is unavailable/)
      .and.match(/install @tensorflow\/tfjs-node/);
  });

  it('cpu and wasm give the same one-step update within 1e-5', async () => {
    const cpu = await oneStep('cpu');
    const wasm = await oneStep('wasm');
    expect(maxWeightDiff(cpu.disc, wasm.disc)).to.be.below(1e-5);
    expect(maxWeightDiff(cpu.gen, wasm.gen)).to.be.below(1e-5);
    cpu.losses.forEach((loss, i) => expect(wasm.losses[i]).to.be.closeTo(loss, 1e-5));
    // and the step did something, so the comparison is not vacuous
    const fresh = createSeminar({ seed: 11 });
    expect(maxWeightDiff(getWeights(fresh.disc), wasm.disc)).to.be.greaterThan(1e-5);
    disposeSeminar(fresh);
  });
});

describe("the wasm backend's rethrowing process listeners (lib/tfjs/backend.ts dropRethrowingListeners)", () => {
  it('are gone after initBackend: a stray rejection does not kill a kernel whose own listeners log it', async () => {
    const { initBackend: init } = await import('../../lib/tfjs/backend');
    await init('wasm');
    const rethrowing = (event: 'uncaughtException' | 'unhandledRejection') =>
      (process.listeners(event as 'uncaughtException') as unknown[])
        .map(String)
        .filter((f) => /throw (ex|reason);/.test(f));
    expect(rethrowing('unhandledRejection')).to.deep.equal([]);
    expect(rethrowing('uncaughtException')).to.deep.equal([]);
  });
});
