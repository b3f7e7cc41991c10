// Grading checks for trainGen. Plain `mocha` runs them against the reference; the grader
// (lib/grader/run-checks.ts) runs the same specs against a submission's observations.
import * as judge from '../../lib/grader/judge';
import { check } from './check';

describe('grading: trainGen (train_gen)', function () {
  check('train_gen.runs', judge.runs);
  check('train_gen.update', judge.update);
  check('train_gen.discriminator-untouched', judge.untouched);
  check('train_gen.loss', judge.loss);
  check('train_gen.no-leak', judge.noLeak);
  check('train_gen.samplers', judge.samplers);
});
