// Grading checks for trainDisc. Plain `mocha` runs them against the reference; the grader
// (lib/grader/run-checks.ts) runs the same specs against a submission's observations.
import * as judge from '../../lib/grader/judge';
import { check } from './check';

describe('grading: trainDisc (train_disc)', function () {
  check('train_disc.runs', judge.runs);
  check('train_disc.update', judge.update);
  check('train_disc.generator-untouched', judge.untouched);
  check('train_disc.loss', judge.loss);
  check('train_disc.no-leak', judge.noLeak);
  check('train_disc.samplers', judge.samplers);
});
