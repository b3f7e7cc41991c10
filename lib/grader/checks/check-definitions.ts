// The grading checks, defined once: each runs for every exercise of the registry (lib/exercises/index.ts)
// as one mocha `it` (checks.spec.ts), in the grader, the notebook's self-check, the student bundle and
// `npm test` (against the reference). A check reads as: what it compares, against what, with which
// tolerance, and which diagnosis a failure names. To add one: append a CheckDefinition here.
import { AssertionError, expect } from 'chai';
import { MODEL_TITLES } from '../../exercises/exercise';
import type { Exercise } from '../../exercises/exercise';
import type { CheckContext } from './check-context';
import { expectWeightsClose } from './check-context';
import { FROZEN_TOL, TOL, behaviour, lossesMatch, needsBehaviour, samplerProblem } from './judge';
import { optimizerProblem } from './optimizer-use';
import { precise } from '../words';
import { PROTOCOL } from './states';
import { SEMINAR } from '../../seminar/loop';

export interface CheckDefinition {
  /** The id after the exercise's ("train_disc.update"); stable: grades.csv and results.json use it. */
  id: (ex: Exercise) => string;
  /** What the gradebook and the self-check table call it. */
  name: (ex: Exercise) => string;
  /**
   * Default weight, as points of 10 per exercise (the course can change it: lib/course/course.json
   * "weights"). Severity-weighted: "trains" — no mistake that stops the GAN learning — carries most.
   */
  points: number;
  /** Hidden from students until grades are published (Gradescope "after_published"); default false. */
  hidden?: boolean;
  /** Passes by returning; fails by a chai assertion (diagnosis: c.failureNames) or c.fail(diagnosis, why). */
  run(c: CheckContext): void;
}

/** A step whose calls would take the seminar's full run over an hour, and this many times the reference's time, gets a note (never points: timings vary). */
const SLOW_HOURS = 1;
const SLOW_RATIO = 5;

export const CHECK_DEFINITIONS: readonly CheckDefinition[] = [
  {
    id: () => 'runs',
    name: (ex) => `${ex.functionName} runs and returns the loss as a number`,
    points: 0.5,
    run(c) {
      const calls = c.calls();
      c.failureNames('returns-non-number');
      for (const st of calls) {
        expect(
          st.returnedType,
          `what ${c.ex.functionName} returned at ${st.state} (a tensor? return loss.dataSync()[0])`,
        ).to.equal('number');
        expect(st.returned, `the loss returned at ${st.state} (NaN or Infinity is no loss)`).to.be.a('number');
      }
      c.passes(`ran ${calls.length} times and returned numbers`);
      // each call's time over a fixed workload timed next to it: the grader's and the child's loads cancel
      const mine = c.observation().leak;
      const ref = c.session.reference[c.ex.id].leak;
      if (mine.msPerCall && mine.baselineMs && ref.msPerCall && ref.baselineMs) {
        const ratio = mine.msPerCall / mine.baselineMs / (ref.msPerCall / ref.baselineMs);
        const hours = (ratio * ref.msPerCall * c.ex.callsPerIteration * SEMINAR.iterations) / 3.6e6;
        if (hours > SLOW_HOURS && ratio > SLOW_RATIO) {
          c.note(
            `one call takes about ${ratio.toFixed(0)}× as long as the reference's: the seminar's ${SEMINAR.iterations} iterations would spend about ${hours.toFixed(1)} h in ${c.ex.functionName}`,
          );
        }
      }
    },
  },
  {
    id: () => 'update',
    name: (ex) => `one step updates the ${MODEL_TITLES[ex.trains]} like the reference`,
    points: 2.5,
    run(c) {
      const steps = c.steps();
      const model = c.ex.trains;
      // the seminar's optimizer, one update per call, learning rates untouched: another optimizer is never a variant
      const optimizers = optimizerProblem(c.ex, c.calls(), c.reference(0).optimizers);
      if (optimizers) c.fail(optimizers.diagnosis, optimizers.message);
      c.unlessValidVariant(() => {
        steps.forEach((st, i) =>
          expectWeightsClose(
            st[model],
            c.reference(i)[model],
            TOL,
            `the ${MODEL_TITLES[model]}'s weights after ${st.state}`,
          ),
        );
      });
      c.passes(`matches the reference to ${TOL} at ${steps.length} steps`);
    },
  },
  {
    id: () => 'trains',
    name: () => 'the step trains the GAN (no mistake that stops it learning)',
    points: 4,
    run(c) {
      const steps = c.steps();
      const moved = c.calls().find((st) => !(st.frozenMoved <= FROZEN_TOL));
      if (moved && c.ex.stopsLearning.includes(c.ex.frozenDiagnosis)) {
        c.fail(
          c.ex.frozenDiagnosis,
          `the ${MODEL_TITLES[c.ex.frozen]}'s weights moved by up to ${precise(moved.frozenMoved * 100)} % in one call`,
        );
      }
      const mistake = c.knownMistake();
      if (mistake && c.ex.stopsLearning.includes(mistake))
        c.fail(mistake, `the step makes this mistake at all ${steps.length} steps compared`);
      if (needsBehaviour(c.session, c.ex)) {
        // no exact match and no loss mistake that tells: where the notebook's loop with it ends decides
        const b = behaviour(c.session, c.ex);
        if (b.unconfirmed) c.fail('unconfirmed-variant', b.message);
        if (!b.accepted) c.fail(mistake ?? 'wrong-update', `it does not train the GAN: ${b.message}`);
        c.passes(`trains the GAN — ${b.message}`);
        return;
      }
      c.passes(mistake ? `its mistake (${mistake}) does not stop the GAN learning` : 'trains like the reference');
    },
  },
  {
    id: (ex) => `${MODEL_TITLES[ex.frozen]}-untouched`,
    name: (ex) => `the ${MODEL_TITLES[ex.frozen]} is left untouched`,
    points: 1.5,
    run(c) {
      const model = c.ex.frozen;
      c.failureNames(c.ex.frozenDiagnosis);
      for (const st of c.calls())
        expect(
          st.frozenMoved,
          `the largest relative change of the ${MODEL_TITLES[model]}'s weights in ${st.state}`,
        ).to.be.at.most(FROZEN_TOL);
      c.passes(`the ${MODEL_TITLES[model]} kept its weights`);
    },
  },
  {
    id: () => 'loss',
    name: () => 'the returned loss equals the reference loss',
    points: 0.5,
    run(c) {
      const steps = c.steps();
      c.failureNames('returns-non-number');
      for (const st of steps) expect(st.returned, `the loss returned at ${st.state}`).to.be.a('number');
      c.unlessValidVariant(
        () => {
          if (lossesMatch(c.session, c.ex, steps)) return;
          const i = Math.max(
            0,
            steps.findIndex(
              (st, j) =>
                st.returned === null ||
                Math.abs(st.returned - (c.reference(j).returned ?? NaN)) >
                  TOL * (1 + Math.abs(c.reference(j).returned ?? 0)),
            ),
          );
          throw new AssertionError(
            `the loss returned at ${steps[i].state} was ${precise(steps[i].returned)} where the reference's is ${precise(c.reference(i).returned)}`,
          );
        },
        { ifUpdateMatches: 'wrong-loss-value' },
      );
      c.passes('equals the reference loss');
    },
  },
  {
    id: () => 'no-leak',
    name: () => 'no tensors leak from call to call',
    points: 0.5,
    run(c) {
      const { leak } = c.observation();
      if (leak.failure) c.fail(leak.failure.kind, `during ${leak.steps} steps: ${leak.failure.message}`);
      c.failureNames('tensor-leak');
      expect(leak.steps, 'steps the leak probe ran').to.be.at.least(PROTOCOL.leakSteps);
      if (leak.growth > 0)
        c.fail(
          'tensor-leak',
          `tf.memory().numTensors grew by ${leak.growth} over ${leak.steps} calls (about ${precise(leak.growth / leak.steps)} tensor${leak.growth === leak.steps ? '' : 's'} kept per call)`,
        );
      c.passes(`tf.memory().numTensors unchanged over ${leak.steps} steps`);
    },
  },
  {
    id: () => 'samplers',
    name: () => 'data comes from sampleRealData / sampleNoise with batchSize',
    points: 0.5,
    run(c) {
      const problem = samplerProblem(c.ex, c.calls());
      if (problem) c.fail(problem.diagnosis, problem.message);
      c.passes("uses the seminar's samplers with batchSize");
    },
  },
];

/** A check's full id: "<exercise>.<id>". */
export const checkId = (ex: Exercise, def: CheckDefinition): string => `${ex.id}.${def.id(ex)}`;
