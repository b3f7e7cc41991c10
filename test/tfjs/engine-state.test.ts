// lib/tfjs/engine-state.ts: what Kernel > Interrupt leaves behind (a step stopped where TF.js's own
// finally blocks never run), rebuilt by hand, and recovered. The live-kernel version is in
// test/notebooks/kernel.test.ts.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { createSeminar, disposeSeminar, initBackend, referenceSteps } from '../../lib';
import {
  engineIsClean,
  engineLeftovers,
  freeingLeftovers,
  recoverEngine,
  recoveryNote,
} from '../../lib/tfjs/engine-state';

interface EngineInternals {
  startScope(name?: string): void;
  startTape(): void;
  disposeTensor(t: tf.Tensor): void;
  state: { kernelDepth: number; gradientDepth: number; scopeStack: unknown[] };
}
const engine = () => tf.engine() as unknown as EngineInternals;

describe('TF.js engine recovery after an interrupt', () => {
  before(async () => {
    await initBackend();
  });

  it('a clean engine needs nothing', () => {
    expect(engineIsClean()).to.equal(true);
    expect(recoverEngine()).to.equal(null);
  });

  it('a step stopped inside minimize: scopes closed, tape off, what they made freed; training works again', () => {
    const s = createSeminar({ seed: 3 });
    const steps = referenceSteps(s);
    steps.trainDisc(16);
    const tensors = tf.memory().numTensors;
    // what minimize looks like mid-forward: tidy scope, gradient tape, a kernel running
    const e = engine();
    e.startScope('tidy');
    e.startTape();
    e.startScope('forward');
    tf.logSoftmax(s.disc(s.gen(s.sampleNoise(16))));
    e.state.kernelDepth++;
    expect(engineLeftovers()).to.deep.equal({ openScopes: 2, gradientDepth: 1, kernelDepth: 1 });
    // the symptom of the issue: nothing is recorded while the stale tape is on
    const r = recoverEngine();
    expect(r).to.include({ openScopes: 2, gradientDepth: 1, kernelDepth: 1, completedAssigns: 0 });
    expect(r!.freed).to.be.greaterThan(0);
    expect(r!.lost).to.deep.equal([]);
    expect(recoveryNote(r!)).to.match(/reset .*2 open scope\(s\) closed/);
    expect(engineIsClean()).to.equal(true);
    expect(tf.memory().numTensors).to.equal(tensors);
    expect(steps.trainDisc(16)).to.be.a('number').and.satisfy(Number.isFinite);
    expect(steps.trainGen(16)).to.be.a('number').and.satisfy(Number.isFinite);
    expect(tf.memory().numTensors).to.equal(tensors);
    disposeSeminar(s);
  });

  it('an update cut short inside Variable.assign keeps the new value (the variable is not freed with the scope)', () => {
    const init = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(init);
    init.dispose();
    const e = engine();
    e.startScope('tidy');
    const next = tf.add(v, 10);
    // assign(next) stopped before its last line (incRef): the old value freed, the data shared, no reference taken
    e.disposeTensor(v);
    (v as unknown as { dataId: object }).dataId = next.dataId;
    const r = recoverEngine();
    expect(r).to.include({ completedAssigns: 1 });
    expect(r!.lost).to.deep.equal([]);
    expect(Array.from(v.dataSync())).to.deep.equal([11, 12, 13]);
    v.dispose();
  });

  it('an update cut short one line earlier lost the value: the note says to re-run the models cell', () => {
    const init = tf.tensor1d([1, 2]);
    const v = tf.variable(init, true, 'lost_weight');
    init.dispose(); // as after a first update: the variable alone holds its data
    const e = engine();
    e.startScope('tidy');
    tf.add(v, 1);
    e.disposeTensor(v); // the old value freed, the variable not yet pointed at the new one
    const r = recoverEngine();
    expect(r!.lost).to.deep.equal(['lost_weight']);
    expect(recoveryNote(r!)).to.contain('re-run the «Models» cell');
    v.dispose();
    expect(engineIsClean()).to.equal(true);
  });

  it("freeingLeftovers: a leaking step's tensors and a new Adam's slot variables per call are freed after the stretch; the models' weights and what came before stay", async () => {
    const s = createSeminar({ seed: 3 });
    const steps = referenceSteps(s);
    steps.trainGen(16); // first calls build the fast paths' caches: those are not the stretch's
    const before = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const kept: tf.Tensor[] = [];
    const reached = await freeingLeftovers(async () => {
      for (let i = 0; i < 5; i++) {
        kept.push(s.sampleNoise(16)); // made outside any tidy, never disposed
        const adam = tf.train.adam(1e-3); // a new optimizer on every call (issue #22's vera)
        adam.minimize(
          () => tf.neg(tf.mean(tf.logSoftmax(s.disc(s.gen(s.sampleNoise(16)))))),
          false,
          s.gen.parameters(),
        );
      }
      expect(tf.memory().numTensors, 'leaking inside the stretch').to.be.above(before + 5);
      await Promise.resolve(); // the stretch may await (the child runs the notebook's cells)
      return s.gen(tf.ones([1, 1])).dataSync()[0];
    });
    expect(Number.isFinite(reached)).to.equal(true);
    expect(tf.memory().numTensors).to.equal(before);
    expect(Object.keys(tf.engine().registeredVariables)).to.have.length(variables);
    expect(kept.every((t) => t.isDisposed)).to.equal(true);
    steps.trainGen(16); // the models still train
    expect(engineIsClean()).to.equal(true);
    disposeSeminar(s);
  });

  it('freeingLeftovers after a stretch cut short and recovered (recoverEngine closed its scope): no error, leftovers freed', async () => {
    const before = tf.memory().numTensors;
    await freeingLeftovers(async () => {
      tf.ones([3]);
      engine().startScope('tidy'); // an interrupted step
      tf.ones([2]);
      recoverEngine();
    });
    expect(tf.memory().numTensors).to.equal(before);
    expect(engineIsClean()).to.equal(true);
  });
});
