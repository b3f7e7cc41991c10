// lib/seminar/todo.ts: the placeholder's error names the exercise function and prints without stack frames
// (tslab prints a cell's error with console.error, i.e. util.inspect).
import { expect } from 'chai';
import { inspect } from 'node:util';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { TODO, createSeminar, disposeSeminar, initBackend } from '../../lib';
import { NOT_IMPLEMENTED, NotImplementedError } from '../../lib/seminar/todo';
import { classifyError } from '../../lib/grader/sandbox/observe';

describe('TODO placeholders', () => {
  before(async () => {
    await initBackend();
  });

  it('inside minimize (thrown through TF.js), the error names the function and the placeholder, and prints as that line alone', () => {
    const s = createSeminar({ seed: 1 });
    // the notebook's cells run as vm code, as tslab runs them
    const cell = `(function (tf, TODO, genOpt, gen) {
      function trainGen(batchSize) {
        return tf.tidy(() => genOpt.minimize(() => { const noise = TODO('sample noise'); return gen(noise).mean(); }, true, gen.parameters()));
      }
      return trainGen;
    })`;
    const trainGen = vm.runInThisContext(cell)(tf, TODO, s.genOpt, s.gen) as (n: number) => number;
    let caught: unknown;
    try {
      trainGen(8);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(NotImplementedError);
    const printed = inspect(caught);
    expect(printed).to.match(
      /^trainGen: TODO\('sample noise'\) — not implemented: sample noise; replace TODO\('sample noise'\) in the exercise cell of trainGen/,
    );
    expect(printed).to.not.match(/\n|tf-core|\bat /);
    expect(classifyError(caught).kind).to.equal('not-implemented');
    expect(tf.engine().state.scopeStack).to.have.length(0); // TF.js's finally blocks ran: a thrown error is not an interrupt
    disposeSeminar(s);
  });

  it('called outside any named function it still says what is missing', () => {
    expect(() => TODO('generator loss')).to.throw(
      /^TODO\('generator loss'\) — not implemented: generator loss; replace/,
    );
    expect(NOT_IMPLEMENTED.test('not implemented: x — replace TODO')).to.equal(true); // the older message (released bundles)
  });
});
