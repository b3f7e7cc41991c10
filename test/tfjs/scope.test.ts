// lib/tfjs/scope.ts: the cheaper Engine.endScope keeps tfjs's semantics —
// what a tidy frees and returns, kept tensors, nested tidies, a result made in an outer scope, a
// disposed result, non-tensor results — and a training run is bit-identical without tensor growth;
// GAN_FAST_SCOPES=0 keeps tfjs's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { expectOnOffSwitch, itTrainsTheSameOnBothBackends } from '../support/training';
import { fastScopesInstalled, setFastScopes } from '../../lib/tfjs/scope';

/** What a run of `f` leaves: tensor count change, which of its tensors are disposed, the scope depth after. */
function effects(f: (made: tf.Tensor[]) => unknown): {
  left: number;
  disposed: boolean[];
  depth: number;
  error?: string;
} {
  const before = tf.memory().numTensors;
  const made: tf.Tensor[] = [];
  let error: string | undefined;
  try {
    f(made);
  } catch (err) {
    error = (err as Error).message;
  }
  const out = {
    left: tf.memory().numTensors - before,
    disposed: made.map((t) => t.isDisposed),
    depth: (tf.engine() as unknown as { state: { scopeStack: unknown[] } }).state.scopeStack.length,
    ...(error ? { error } : {}),
  };
  tf.dispose(made);
  return out;
}

function expectSameEffects(name: string, f: (made: tf.Tensor[]) => unknown): void {
  setFastScopes(false);
  const plain = effects(f);
  setFastScopes(true);
  expect(effects(f), name).to.deep.equal(plain);
}

describe("tfjs's end of a scope without its per-scope allocations (lib/tfjs/scope.ts)", () => {
  itTrainsTheSameOnBothBackends({ set: setFastScopes, installed: fastScopesInstalled, seed: 14 });

  it('tidy frees what it made but returns, keeps tf.keep-ed tensors, nests, and leaves outer tensors alone', () => {
    const keep = (made: tf.Tensor[], t: tf.Tensor) => {
      made.push(t);
      return t;
    };
    expectSameEffects('one result, the rest freed', (made) =>
      keep(
        made,
        tf.tidy(() => {
          keep(made, tf.ones([3]));
          return keep(made, tf.add(keep(made, tf.ones([3])), 1));
        }),
      ),
    );
    expectSameEffects('a kept tensor survives', (made) =>
      tf.tidy(() => {
        keep(made, tf.keep(tf.ones([2])));
        return keep(made, tf.zeros([1]));
      }),
    );
    expectSameEffects('nested tidies hand the result up', (made) =>
      tf.tidy(() =>
        tf.tidy(() =>
          keep(
            made,
            tf.tidy(() => keep(made, tf.ones([2])).mul(2)),
          ),
        ),
      ),
    );
    const outer = tf.ones([4]);
    expectSameEffects('returning a tensor from an outer scope', (made) =>
      tf.tidy(() => {
        keep(made, tf.ones([1]));
        return outer;
      }),
    );
    expect(outer.isDisposed, 'the outer tensor is not freed').to.equal(false);
    outer.dispose();
    expectSameEffects('returning a tensor disposed inside', (made) =>
      tf.tidy(() => {
        const t = keep(made, tf.ones([2]));
        t.dispose();
        return t;
      }),
    );
    expectSameEffects('a number, an array, an object of tensors', (made) => [
      tf.tidy(() => keep(made, tf.ones([2])).dataSync()[0]),
      tf.tidy(() => [keep(made, tf.ones([1])), keep(made, tf.zeros([1]))]),
      tf.tidy(() => ({ a: keep(made, tf.ones([1])), b: [keep(made, tf.zeros([2]))] })),
      tf.tidy(() => {
        const t = keep(made, tf.ones([1]));
        keep(made, tf.ones([3]));
        return { value: t, grads: [t, keep(made, tf.zeros([2]))], step: 3 }; // a tensor twice, a number
      }),
      // more than a few tensors (looked up by id in a Set), some of them kept
      tf.tidy(() =>
        Array.from({ length: 12 }, (_, i) => keep(made, i % 3 === 0 ? tf.keep(tf.ones([i + 1])) : tf.ones([i + 1]))),
      ),
      tf.tidy(() => {
        Array.from({ length: 12 }, (_, i) => keep(made, tf.ones([i + 1])));
        return { list: Array.from({ length: 10 }, () => keep(made, tf.zeros([1]))) };
      }),
    ]);
    expectSameEffects('a throw inside', (made) =>
      tf.tidy(() => {
        keep(made, tf.ones([2]));
        throw new Error('inside');
      }),
    );
  });

  it("can be switched off (tfjs's Engine.endScope back), and GAN_FAST_SCOPES is checked", () => {
    const engine = tf.engine() as unknown as { endScope: unknown };
    setFastScopes(true);
    const fast = engine.endScope;
    expect(setFastScopes(false)).to.equal(false);
    expect(fastScopesInstalled()).to.equal(false);
    expect(engine.endScope).to.not.equal(fast);
    expect(setFastScopes(true)).to.equal(true);
    expect(engine.endScope).to.equal(fast);
    expectOnOffSwitch('fastScopes');
  });
});
