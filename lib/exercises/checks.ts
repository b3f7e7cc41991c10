// The grading checks, defined once: each runs for every exercise of the registry (lib/exercises/index.ts)
// as one mocha `it` (checks.spec.ts), in the grader, the notebook's self-check, the student bundle and
// `npm test` (against the reference). A check reads as: what it compares, against what, with which
// tolerance, and which diagnosis a failure names. To add one: append a CheckDefinition here.
import { expect } from 'chai';
import { MODEL_TITLES } from './exercise';
import type { Exercise } from './exercise';
import type { CheckContext } from '../grader/check-context';
import { expectWeightsClose } from '../grader/check-context';
import { FROZEN_TOL, TOL, lossesMatch, samplerProblem } from '../grader/judge';
import { PROTOCOL } from '../grader/states';
import { SEMINAR } from '../seminar/loop';

export interface CheckDefinition {
  /** The id after the exercise's ("train_disc.update"); stable: grades.csv and results.json use it. */
  id: (ex: Exercise) => string;
  /** What the gradebook and the self-check table call it. */
  name: (ex: Exercise) => string;
  /** Points of the default 10 per exercise. */
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
    points: 1,
    run(c) {
      const calls = c.calls();
      c.failureNames('returns-non-number');
      for (const st of calls) {
        expect(st.returnedType, `what ${c.ex.functionName} returned at ${st.state} (a tensor? return loss.dataSync()[0])`).to.equal('number');
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
          c.note(`one call takes about ${ratio.toFixed(0)}× as long as the reference's: the seminar's ${SEMINAR.iterations} iterations would spend about ${hours.toFixed(1)} h in ${c.ex.functionName}`);
        }
      }
    },
  },
  {
    id: () => 'update',
    name: (ex) => `one step updates the ${MODEL_TITLES[ex.trains]} like the reference`,
    points: 4,
    run(c) {
      const steps = c.steps();
      const model = c.ex.trains;
      const ref = c.reference(0).optimizers; // the reference's one update, and the seminar's learning rates
      if (ref) {
        for (const st of c.calls()) {
          const mine = st.optimizers;
          if (!mine) continue; // a runtime that cannot see the optimizers
          c.failureNames('extra-optimizer-steps'); // fewer updates than the reference's show as a wrong update below
          expect(mine[model].steps, `updates the ${MODEL_TITLES[model]}'s optimizer applied in one call (${st.state})`).to.be.at.most(ref[model].steps);
          c.failureNames('changes-optimizer'); // by the call itself: another step's change is that step's
          for (const m of ['gen', 'disc'] as const) expect(mine[m].learningRate, `the ${MODEL_TITLES[m]}'s learning rate after ${st.state} (it was ${mine[m].learningRateBefore})`).to.equal(mine[m].learningRateBefore);
        }
      }
      c.unlessValidVariant(() => {
        steps.forEach((st, i) => expectWeightsClose(st[model], c.reference(i)[model], TOL, `the ${MODEL_TITLES[model]}'s weights after ${st.state}`));
      });
      c.passes(`matches the reference to ${TOL} at ${steps.length} steps`);
    },
  },
  {
    id: (ex) => `${MODEL_TITLES[ex.frozen]}-untouched`,
    name: (ex) => `the ${MODEL_TITLES[ex.frozen]} is left untouched`,
    points: 2,
    run(c) {
      const model = c.ex.frozen;
      c.failureNames(c.ex.frozenDiagnosis);
      for (const st of c.calls()) expect(st.frozenMoved, `the largest relative change of the ${MODEL_TITLES[model]}'s weights in ${st.state}`).to.be.at.most(FROZEN_TOL);
      c.passes(`the ${MODEL_TITLES[model]} kept its weights`);
    },
  },
  {
    id: () => 'loss',
    name: () => 'the returned loss equals the reference loss',
    points: 1,
    run(c) {
      const steps = c.steps();
      c.failureNames('returns-non-number');
      for (const st of steps) expect(st.returned, `the loss returned at ${st.state}`).to.be.a('number');
      c.unlessValidVariant(
        () => {
          const shown = `returned ${steps[0].returned?.toFixed(5)}, the reference ${c.reference(0).returned?.toFixed(5)} (${steps[0].state})`;
          expect(lossesMatch(c.session, c.ex, steps), `${shown}: equal to ${TOL} (relative) at every step`).to.equal(true);
        },
        { ifUpdateMatches: 'wrong-loss-value' },
      );
      c.passes('equals the reference loss');
    },
  },
  {
    id: () => 'no-leak',
    name: () => `no tensors leak over ${PROTOCOL.leakSteps} steps`,
    points: 1,
    run(c) {
      const { leak } = c.observation();
      if (leak.failure) c.fail(leak.failure.kind, `during ${leak.steps} steps: ${leak.failure.message}`);
      c.failureNames('tensor-leak');
      expect(leak.steps, 'steps the leak probe ran').to.be.at.least(PROTOCOL.leakSteps);
      expect(leak.growth, `tensors gained over ${leak.steps} steps (tf.memory().numTensors)`).to.be.at.most(0);
      c.passes(`tf.memory().numTensors unchanged over ${leak.steps} steps`);
    },
  },
  {
    id: () => 'samplers',
    name: () => 'data comes from sampleRealData / sampleNoise with batchSize',
    points: 1,
    run(c) {
      const problem = samplerProblem(c.ex, c.calls());
      if (problem) c.fail(problem.diagnosis, problem.message);
      c.passes("uses the seminar's samplers with batchSize");
    },
  },
];

/** A check's full id: "<exercise>.<id>". */
export const checkId = (ex: Exercise, def: CheckDefinition): string => `${ex.id}.${def.id(ex)}`;
