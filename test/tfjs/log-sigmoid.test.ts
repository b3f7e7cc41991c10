// lib/tfjs/log-sigmoid.ts: tf.logSigmoid trains. In plain tfjs 4.22 its gradient reads an input minimize
// has already disposed ("Cannot read properties of undefined (reading 'backend')" on the first step).
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { createSeminar, disposeSeminar, initBackend } from '../../lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logSigmoidFixed } from '../../lib/tfjs/log-sigmoid';
import { NOTEBOOK, readNotebook, seminarCell, sourceOf } from '../support/jupyter';
import { tempDir } from '../support/tmp';

describe('tf.logSigmoid trains (lib/tfjs/log-sigmoid.ts)', () => {
  after(async () => {
    await initBackend('wasm');
  });

  for (const backend of ['wasm', 'cpu']) {
    describe(backend, () => {
      before(async () => {
        await initBackend(backend);
      });

      it('initBackend puts it in place', () => {
        expect(logSigmoidFixed()).to.equal(true);
      });

      it("a discriminator step written with logSigmoid(lReal − lFake) gives the log-softmax step's loss and weights", () => {
        const step = (useSigmoid: boolean): { loss: number; weights: number[] } => {
          const s = createSeminar({ seed: 7 });
          const before = tf.memory().numTensors;
          const loss = tf.tidy(
            () =>
              s.discOpt
                .minimize(
                  () => {
                    const logpReal = (x: tf.Tensor2D): tf.Tensor => {
                      const l = s.disc(x);
                      return useSigmoid
                        ? tf.logSigmoid(tf.sub(l.slice([0, s.IS_REAL], [-1, 1]), l.slice([0, s.IS_FAKE], [-1, 1])))
                        : tf.logSoftmax(l).slice([0, s.IS_REAL], [-1, 1]);
                    };
                    const logpFake = (x: tf.Tensor2D): tf.Tensor => {
                      const l = s.disc(x);
                      // the method form, x.logSigmoid(), for the other half
                      return useSigmoid
                        ? l
                            .slice([0, s.IS_FAKE], [-1, 1])
                            .sub(l.slice([0, s.IS_REAL], [-1, 1]))
                            .logSigmoid()
                        : tf.logSoftmax(l).slice([0, s.IS_FAKE], [-1, 1]);
                    };
                    return tf.neg(tf.mean(tf.add(logpReal(s.sampleRealData(64)), logpFake(s.gen(s.sampleNoise(64))))));
                  },
                  true,
                  s.disc.parameters(),
                )!
                .dataSync()[0],
          );
          const weights = s.disc.parameters().flatMap((p) => [...p.dataSync()]);
          expect(tf.memory().numTensors, 'no tensor left behind').to.equal(before);
          disposeSeminar(s);
          return { loss, weights };
        };
        const reference = step(false);
        const sigmoid = step(true);
        expect(sigmoid.loss).to.be.closeTo(reference.loss, 1e-5);
        sigmoid.weights.forEach((w, k) => expect(w, `weight ${k}`).to.be.closeTo(reference.weights[k], 1e-5));
      });

      it('its value and gradient at edge values: −softplus(−x) and sigmoid(−x)', () => {
        const xs = [-100, -5, -0.5, 0, 0.5, 5, 100];
        const before = tf.memory().numTensors;
        const v = tf.tidy(() => tf.logSigmoid(tf.tensor1d(xs)).arraySync() as number[]);
        xs.forEach((xi, k) => expect(v[k]).to.be.closeTo(-Math.log1p(Math.exp(-xi)), 1e-5 * Math.max(1, Math.abs(xi))));
        const g = tf.tidy(
          () =>
            tf
              .grad((t: tf.Tensor) => tf.logSigmoid(t))(tf.tensor1d(xs))
              .arraySync() as number[],
        );
        xs.forEach((xi, k) => expect(g[k]).to.be.closeTo(1 / (1 + Math.exp(xi)), 1e-6));
        expect(tf.memory().numTensors).to.equal(before);
      });
    });
  }

  it("the grader's sandbox child grades both exercises written with logSigmoid 20/20", async function () {
    this.timeout(600_000);
    const nb = readNotebook(NOTEBOOK);
    const fill = (name: string, pairs: [string, string][]) => {
      const cell = seminarCell(nb, name);
      cell.source = pairs.reduce((src, [todo, code]) => src.replace(`TODO('${todo}')`, code), sourceOf(cell));
    };
    const logpRealOf = (x: string) =>
      `tf.logSigmoid(tf.sub(disc(${x}).slice([0, IS_REAL], [-1, 1]), disc(${x}).slice([0, IS_FAKE], [-1, 1])))`;
    fill('train_disc', [
      ['sample noise', 'sampleNoise(batchSize)'],
      ['generate data given noise', 'gen(noise)'],
      [
        'compute logp for 0th',
        'tf.logSigmoid(tf.sub(disc(genData).slice([0, IS_FAKE], [-1, 1]), disc(genData).slice([0, IS_REAL], [-1, 1])))',
      ],
      ['compute loss', 'tf.neg(tf.mean(tf.add(logpRealIsReal, logpGenIsFake)))'],
    ]);
    fill('train_gen', [
      ['sample noise', 'sampleNoise(batchSize)'],
      ['generate data given noise', 'gen(noise)'],
      ['compute logp gen is REAL', logpRealOf('genData')],
      ['generator loss', 'tf.neg(tf.mean(logpGenIsReal))'],
    ]);
    const file = path.join(tempDir('gan-logsigmoid-'), 'student.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    const { gradeNotebook } = await import('../../lib/grader');
    const r = await gradeNotebook(file);
    expect(r.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.message}`)).to.deep.equal([]);
    expect(r.score).to.equal(r.maxScore);
  });
});
