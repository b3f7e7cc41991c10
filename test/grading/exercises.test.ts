// The grading checks, one `it` per check id (lib/grader/checks.ts). Plain `mocha` runs them against
// the reference; the grader (lib/grader/run-checks.ts) and the notebook's self-check run these same
// specs against a submission's observations.
import * as judge from '../../lib/grader/judge';
import { check } from './check';

const EXERCISES = [
  { ex: 'train_disc', fn: 'trainDisc', frozen: 'generator' },
  { ex: 'train_gen', fn: 'trainGen', frozen: 'discriminator' },
];

for (const { ex, fn, frozen } of EXERCISES) {
  describe(`grading: ${fn} (${ex})`, function () {
    check(`${ex}.runs`, judge.runs);
    check(`${ex}.update`, judge.update);
    check(`${ex}.${frozen}-untouched`, judge.untouched);
    check(`${ex}.loss`, judge.loss);
    check(`${ex}.no-leak`, judge.noLeak);
    check(`${ex}.samplers`, judge.samplers);
  });
}
