// lib/tfjs/tape.ts: Engine.gradients with the cheaper tape walk gives tfjs's own results bit for bit —
// training runs on wasm and cpu, tf.grads / tf.valueAndGrads / variableGrads with gradients summed over
// several paths, inputs that lead nowhere, higher-order gradients — and tfjs's own errors, without tensor
// growth; GAN_FAST_TAPE=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib';
import { bits, expectOnOffSwitch, expectSameTraining, itTrainsTheSameOnBothBackends } from '../support/training';
import { fastTapeInstalled, setFastTape, setInPlaceSums } from '../../lib/tfjs/tape';

type Outcome = { values: number[][]; left: number } | { error: string; left: number };

/** `f`'s tensors as bit patterns (or its error), and how many tensors it left behind. */
function outcome(f: () => (tf.Tensor | null | undefined)[]): Outcome {
  const before = tf.memory().numTensors;
  let result: Outcome = { error: 'not run', left: 0 };
  tf.tidy(() => {
    try {
      result = { values: f().map((t) => (t ? bits(t.dataSync()) : [])), left: 0 };
    } catch (err) {
      result = { error: (err as Error).message, left: 0 };
    }
  });
  result.left = tf.memory().numTensors - before;
  return result;
}

/** The same outcome with tfjs's walk and with ours, which must have been the one used. */
function expectSame(name: string, f: () => (tf.Tensor | null | undefined)[]): Outcome {
  setFastTape(false);
  const plain = outcome(f);
  setFastTape(true);
  let calls = 0;
  const engine = tf.engine() as unknown as { gradients: (...args: unknown[]) => unknown };
  const ours = engine.gradients;
  engine.gradients = function (this: unknown, ...args: unknown[]) {
    calls++;
    return ours.apply(this, args);
  };
  try {
    const fast = outcome(f);
    expect(calls, `${name}: ran through lib/tfjs/tape.ts`).to.be.greaterThan(0);
    expect(fast, name).to.deep.equal(plain);
  } finally {
    engine.gradients = ours;
  }
  return plain;
}

describe("tfjs's gradient tape walked without its bookkeeping (lib/tfjs/tape.ts)", () => {
  itTrainsTheSameOnBothBackends({ set: setFastTape, installed: fastTapeInstalled, seed: 13 });

  it('tf.grads, tf.valueAndGrads and variableGrads: paths that join, inputs that lead nowhere, several outputs, dy given', async () => {
    await initBackend('wasm');
    const a = tf.tensor2d([
      [0.5, -1.25],
      [2, 3],
    ]);
    const b = tf.tensor2d([
      [1, 2],
      [-3, 0.75],
    ]);
    const v = tf.variable(tf.tensor1d([0.1, -0.2]), true, 'tape-test-v');
    const frozen = tf.variable(tf.tensor1d([3, 4]), false, 'tape-test-frozen');
    // a reaches y by three paths (summed in the tape's order), b by one; c is not used at all
    const f = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.add(tf.mul(tf.matMul(x, y), tf.exp(x)), tf.sin(tf.add(x, c.mul(0)))));
    expectSame('tf.grads', () => tf.grads(f)([a, b, tf.zerosLike(a)]));
    expectSame('tf.valueAndGrads with dy', () => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
        tf.mul(tf.logSoftmax(x), tf.split(y, 2, 1)[0]),
      )(
        [a, b],
        tf.tensor2d([
          [1, -1],
          [0.5, 2],
        ]),
      );
      return [value, ...grads];
    });
    expectSame('variableGrads (a frozen variable, and a variable with no path to y)', () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.mul(v, frozen))), [v, frozen]);
      return [value, grads[v.name], grads[frozen.name]];
    });
    expectSame('an input whose only use is through an int op (no gradient flows)', () =>
      tf.grads((x: tf.Tensor) => tf.sum(tf.add(tf.cast(tf.argMax(x, 1), 'float32'), tf.sum(x))))([a]),
    );
    tf.dispose([a, b, v, frozen]);
  });

  it('a higher-order gradient keeps the outer tape (the same numbers, a real second derivative)', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const plain = expectSame('second order', () => [
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.square(u), u)))(t))))(x),
    ]);
    expect(plain).to.deep.equal({ values: [bits([4.5, -36, 288])], left: 0 }); // d/dx Σ (3x²)² = 36x³
    x.dispose();
  });

  it("tfjs's own errors: no path from x to y, a gradient of the wrong shape or dtype, a missing gradient, y not a tensor, no xs", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const wrongShape = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.mul(args[0] as tf.Tensor, 2),
      gradFunc: () => [tf.ones([2])],
    }));
    const intGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.mul(args[0] as tf.Tensor, 2),
      gradFunc: () => [tf.ones([3], 'int32')],
    }));
    const messages = [
      expectSame('no path', () => tf.grads(() => tf.sum(tf.ones([2])))([x])),
      expectSame('wrong shape', () => tf.grads((t: tf.Tensor) => tf.sum(wrongShape(t) as tf.Tensor))([x])),
      expectSame('int gradient', () => tf.grads((t: tf.Tensor) => tf.sum(intGrad(t) as tf.Tensor))([x])),
      expectSame('no gradient for a kernel', () =>
        tf.grads((t: tf.Tensor) => tf.sum(tf.floorDiv(t, tf.scalar(2))))([x]),
      ),
      expectSame('y not a tensor', () => tf.grads((() => 3) as unknown as (t: tf.Tensor) => tf.Tensor)([x])),
      expectSame('no xs', () => tf.grads(() => tf.sum(x))([])),
      expectSame('dy not float32', () => tf.grads((t: tf.Tensor) => tf.mul(t, 2))([x], tf.ones([3], 'int32'))),
    ].map((o) => ('error' in o ? o.error : 'no error'));
    expect(messages[0]).to.match(/Cannot compute gradient of y=f\(x\) with respect to x/);
    expect(messages[1]).to.match(/has shape '2', which does not match the shape of the input '3'/);
    expect(messages[2]).to.match(/must have 'float32' dtype, but has 'int32'/);
    expect(messages[4]).to.match(/The result y returned by f\(\) must be a tensor/);
    expect(messages[5]).to.match(/received an empty list of xs/);
    expect(messages[6]).to.match(/dy must have 'float32' dtype/);
    x.dispose();
  });

  describe('gradients of a tensor used twice, summed in place on wasm', () => {
    before(async () => {
      await initBackend('wasm');
      setFastTape(true);
    });
    after(() => setInPlaceSums(true));

    /** `f` run with the in-place sums off, then on: the outcomes, and how often the Add kernel ran in each. */
    function offAndOn(f: () => tf.Tensor[]): { off: Outcome; on: Outcome; adds: [number, number] } {
      const add = tf.getKernel('Add', 'wasm')!;
      const kernelFunc = add.kernelFunc;
      let adds = 0;
      add.kernelFunc = (args) => {
        adds++;
        return kernelFunc(args);
      };
      try {
        setInPlaceSums(false);
        const off = outcome(f);
        const addsOff = adds;
        adds = 0;
        setInPlaceSums(true);
        const on = outcome(f);
        return { off, on, adds: [addsOff, adds] };
      } finally {
        add.kernelFunc = kernelFunc;
      }
    }

    it('a training run gives the same losses and weights bit for bit, without tensor or buffer growth', () => {
      expectSameTraining(setInPlaceSums, 17, 20);
    });

    it('sums the two paths of a parameter without an Add kernel, with the same bits', () => {
      const p = tf.variable(tf.tensor1d([0.5, -2, 3]));
      const x1 = tf.tensor1d([1, 2, 3]);
      const x2 = tf.tensor1d([-1, 0.5, 4]);
      const loss = () => tf.add(tf.sum(tf.mul(p, x1)), tf.sum(tf.square(tf.mul(p, x2)))) as tf.Scalar;
      const { off, on, adds } = offAndOn(() => [tf.variableGrads(loss, [p]).grads[p.name]]);
      expect(on).to.deep.equal(off);
      expect(adds[1], 'one Add fewer: the sum was written in place').to.equal(adds[0] - 1);
      tf.dispose([p, x1, x2]);
    });

    it('leaves alone a gradient that is also another input’s (a customGrad returning one tensor twice): tfjs’s outcome', () => {
      const p = tf.variable(tf.tensor1d([0.5, -2]));
      const q = tf.variable(tf.tensor1d([1, 4]));
      const both = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [a, b] = args as tf.Tensor[];
        return {
          value: tf.add(a, b),
          gradFunc: (dy: tf.Tensor) => {
            const g = tf.mul(dy, 1);
            return [g, g];
          },
        };
      });
      // walked backwards: both(p, q) gives p and q the same tensor, then mul(p, 3) adds 3 to p's alone
      const loss = () => tf.add(tf.sum(tf.mul(p, 3)), tf.sum(both(p, q) as tf.Tensor)) as tf.Scalar;
      const { off, on } = offAndOn(() => {
        const { grads } = tf.variableGrads(loss, [p, q]);
        return [grads[p.name], grads[q.name]];
      });
      // tfjs's walk disposes the shared tensor when it sums p's gradients, so q's is gone: tfjs's error, not
      // q's gradient silently summed with p's
      expect(on).to.deep.equal(off);
      expect('error' in off && off.error).to.equal('Tensor is disposed.');
      tf.dispose([p, q]);
    });

    it('leaves alone a gradient made before the walk (a customGrad returning an outer tensor): tfjs’s outcome', () => {
      const p = tf.variable(tf.tensor1d([0.5, -2]));
      let outer = tf.tensor1d([7, 8]);
      const keepOuter = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.mul(args[0] as tf.Tensor, 2),
        gradFunc: () => [outer],
      }));
      const loss = () => tf.add(tf.sum(tf.mul(p, 3)), tf.sum(keepOuter(p) as tf.Tensor)) as tf.Scalar;
      const { off, on } = offAndOn(() => {
        outer = tf.tensor1d([7, 8]); // made before the gradient walk
        const out = [tf.variableGrads(loss, [p]).grads[p.name]];
        // tfjs's walk disposes the outer tensor when it sums p's gradients; it is never written over
        return outer.isDisposed ? out : [...out, outer];
      });
      expect(on).to.deep.equal(off);
      tf.dispose([p]);
    });
  });

  it("can be switched off (tfjs's Engine.gradients back), and GAN_FAST_TAPE is checked", () => {
    const engine = tf.engine() as unknown as { gradients: unknown };
    setFastTape(true);
    const fast = engine.gradients;
    expect(setFastTape(false)).to.equal(false);
    expect(fastTapeInstalled()).to.equal(false);
    expect(engine.gradients).to.not.equal(fast);
    expect(setFastTape(true)).to.equal(true);
    expect(engine.gradients).to.equal(fast);
    expectOnOffSwitch('fastTape');
  });
});
