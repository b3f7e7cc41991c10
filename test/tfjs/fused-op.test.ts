// The fused model op (lib/tfjs/fused-chain.ts under lib/seminar/nn.ts, over lib/tfjs/fused-op.ts / lib/tfjs/fused-backend.ts) against the
// plain tfjs ops it replaces: same forward values, same gradients, same training step, no leaks.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import {
  FusedMode,
  Module,
  Seminar,
  createSeminar,
  disposeSeminar,
  getWeights,
  initBackend,
  referenceSteps,
  setFused,
  setWeights,
} from '../../lib';
import { maxWeightDiff } from '../helpers';

const TOLERANCE = 1e-5;
const BACKENDS = ['cpu', 'wasm'] as const;
const IMPLEMENTATIONS: FusedMode[] = ['js', 'backend-kernels'];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Runs `f` with the models in `mode`, restoring the previous mode. */
function inMode<T>(mode: FusedMode, f: () => T): T {
  const was = setFused(mode);
  try {
    return f();
  } finally {
    setFused(was);
  }
}

/** Values of everything a training step depends on: outputs, the losses' gradients (through gen and disc). */
function probe(s: Seminar, real: tf.Tensor2D, noise: tf.Tensor2D): Record<string, Float32Array> {
  return tf.tidy(() => {
    const out: Record<string, Float32Array> = {};
    out['gen(noise)'] = s.gen(noise).dataSync() as Float32Array;
    out['disc(real)'] = s.disc(real).dataSync() as Float32Array;
    // the reference's losses, written as students write them
    const discLoss = () => {
      const a = tf.logSoftmax(s.disc(real)).slice([0, s.IS_REAL], [-1, 1]);
      const b = tf.logSoftmax(s.disc(s.gen(noise))).slice([0, s.IS_FAKE], [-1, 1]);
      return tf.mean(tf.neg(tf.add(a, b))) as tf.Scalar;
    };
    const genLoss = () =>
      tf.mean(tf.neg(tf.logSoftmax(s.disc(s.gen(noise))).slice([0, s.IS_REAL], [-1, 1]))) as tf.Scalar;
    for (const [name, loss, vars] of [
      ['discLoss', discLoss, s.disc.parameters()],
      ['genLoss', genLoss, s.gen.parameters()], // flows back through disc into gen
    ] as const) {
      const { value, grads } = tf.variableGrads(loss, vars);
      out[name] = value.dataSync() as Float32Array;
      vars.forEach((v, i) => (out[`d${name}/d${i}`] = grads[v.name].dataSync() as Float32Array));
    }
    // the gradient w.r.t. the input, which the generator's update needs from the discriminator
    out['dDisc/dx'] = tf
      .grad((x: tf.Tensor) => tf.sum(tf.logSoftmax(s.disc(x as tf.Tensor2D))))(noise)
      .dataSync() as Float32Array;
    return out;
  });
}

/** Seminars in several states: fresh from three seeds, and one trained for a while (ELUs on both sides of 0). */
function states(): Seminar[] {
  const out = [1, 2, 3].map((seed) => createSeminar({ seed }));
  const trained = createSeminar({ seed: 4 });
  const steps = referenceSteps(trained);
  inMode('off', () => {
    for (let i = 0; i < 150; i++) {
      for (let k = 0; k < 5; k++) steps.trainDisc(128);
      steps.trainGen(128);
    }
  });
  out.push(trained);
  return out;
}

for (const backend of BACKENDS) {
  describe(`fused models on ${backend}`, () => {
    let ss: Seminar[] = [];
    let batches: [tf.Tensor2D, tf.Tensor2D][] = [];

    before(async function () {
      // cpu and wasm ship with the project: an unavailable one is a failure, never a skip
      await initBackend(backend);
      ss = states();
      batches = ss.map((s) => [tf.keep(s.sampleRealData(128)), tf.keep(s.sampleNoise(128))]);
    });

    after(async () => {
      ss.forEach(disposeSeminar);
      batches.flat().forEach((t) => t.dispose());
      await initBackend(); // later suites run on the default backend
    });

    for (const impl of IMPLEMENTATIONS) {
      it(`${impl}: forward values and gradients match the plain tfjs ops within ${TOLERANCE} (4 states)`, () => {
        ss.forEach((s, i) => {
          const [real, noise] = batches[i];
          const plain = inMode('off', () => probe(s, real, noise));
          const fused = inMode(impl, () => probe(s, real, noise));
          for (const name of Object.keys(plain)) {
            const d = maxDiff(fused[name], plain[name]);
            expect(d, `state ${i}, ${name}: max |fused − plain| = ${d}`).to.be.below(TOLERANCE);
          }
          // and the check can fail: a perturbed weight shows up in the comparison
          expect(
            maxDiff(
              plain['disc(real)'],
              plain['disc(real)'].map((v) => v + 1e-3),
            ),
          ).to.be.above(TOLERANCE);
        });
      });

      it(`${impl}: one reference trainDisc + trainGen from the same state gives the same weights`, () => {
        for (const s of ss) {
          const start = { gen: getWeights(s.gen), disc: getWeights(s.disc) };
          const after = (mode: FusedMode) => {
            setWeights(s.gen, start.gen);
            setWeights(s.disc, start.disc);
            // fixed batches: the samplers' stream would differ between the two runs otherwise
            const stub = {
              ...s,
              sampleRealData: () => batches[0][0].clone(),
              sampleNoise: () => batches[0][1].clone(),
            };
            const st = referenceSteps(stub);
            const losses = inMode(mode, () => [st.trainDisc(128), st.trainGen(128)]);
            return { gen: getWeights(s.gen), disc: getWeights(s.disc), losses };
          };
          const plain = after('off');
          const fused = after(impl);
          expect(maxWeightDiff(fused.gen, plain.gen)).to.be.below(TOLERANCE);
          expect(maxWeightDiff(fused.disc, plain.disc)).to.be.below(TOLERANCE);
          expect(maxDiff(fused.losses, plain.losses)).to.be.below(TOLERANCE);
          expect(maxWeightDiff(fused.disc, start.disc), 'the step changed the weights').to.be.above(0);
          setWeights(s.gen, start.gen);
          setWeights(s.disc, start.disc);
        }
      });

      it(`${impl}: training steps leave no tensors and no backend buffers behind`, () => {
        const s = ss[0];
        const start = { gen: getWeights(s.gen), disc: getWeights(s.disc) };
        const steps = referenceSteps(s);
        const run = () =>
          inMode(impl, () => {
            for (let i = 0; i < 3; i++) {
              for (let k = 0; k < 5; k++) steps.trainDisc(128);
              steps.trainGen(128);
              tf.tidy(() => s.gen(s.sampleNoise(64)).dataSync()); // forward only: nothing may be kept for a gradient
            }
          });
        run(); // warm-up: the optimizers' and the kernels' one-time constants
        const tensors = tf.memory().numTensors;
        const buffers = tf.engine().backend.numDataIds();
        run();
        expect(tf.memory().numTensors).to.equal(tensors);
        expect(tf.engine().backend.numDataIds()).to.equal(buffers);
        setWeights(s.gen, start.gen);
        setWeights(s.disc, start.disc);
      });
    }

    it("inputs the fused op does not take (wrong width) fail with tfjs's own message", () => {
      const s = ss[0];
      const wide = tf.zeros([4, 3]) as tf.Tensor2D;
      const message = (m: Module) => {
        try {
          tf.tidy(() => m(wide));
          return '';
        } catch (err) {
          return (err as Error).message;
        }
      };
      const plain = inMode('off', () => message(s.disc));
      expect(plain).to.match(/inner shapes/);
      expect(inMode('auto', () => message(s.disc))).to.equal(plain);
      wide.dispose();
    });
  });
}
