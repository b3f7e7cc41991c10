// The reference solutions, loaded on demand. The student release ships the lib without
// lib/reference/solutions.ts; everything else must still load there, and asking for the reference must say why
// it is missing instead of failing with "Cannot find module".
import type { Seminar } from '../seminar/models';
import type { Steps } from '../seminar/steps';

export type { Step, Steps } from '../seminar/steps';

/** What the student release says when something asks for the reference. */
export const NOT_IN_RELEASE = 'reference solutions are not part of the student release';

interface ReferenceModule {
  referenceSteps(seminar: Seminar): Steps;
}

function load(): ReferenceModule | undefined {
  try {
    return require('./solutions') as ReferenceModule;
  } catch (err) {
    // Only "this very file is absent" means a student release; any other failure is a real bug.
    const missing =
      err instanceof Error &&
      'code' in err &&
      err.code === 'MODULE_NOT_FOUND' &&
      /[\\/'"]solutions['"]/.test(err.message.split('\n')[0]);
    if (missing) return undefined;
    throw err;
  }
}

/** True in the instructor's repository, false in a student release. */
export function hasReference(): boolean {
  return load() !== undefined;
}

/** The reference `trainDisc` / `trainGen` (lib/reference/solutions.ts), bound to a seminar's globals like the notebook's cells. */
export function referenceSteps(seminar: Seminar): Steps {
  const reference = load();
  if (!reference) {
    throw new Error(
      `${NOT_IN_RELEASE}: solution mode (GAN_SOLUTIONS=1, gan.solutionMode(true)) and the reference steps run only ` +
        "in the instructor's repository. Fill in trainDisc and trainGen, then run `npm run check` to check them.",
    );
  }
  return reference.referenceSteps(seminar);
}
