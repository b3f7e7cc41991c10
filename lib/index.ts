// Everything the notebook, the CLI, the tests and the grader import.
export * from './tfjs/backend';
export { Dashboard, DashboardOptions, DashboardStats, dashboard } from './dashboard/dashboard';
export * from './seminar/data';
export { LiveOutput } from './dashboard/live-output';
export * from './seminar/readout';
export * from './seminar/metrics';
export * from './seminar/nn';
export { setFused, type FusedMode } from './tfjs/fused-chain';
export * from './jupyter/cell-helpers';
export * as plots from './dashboard/panels';
export * from './seminar/random';
export * from './reference';
export * from './seminar/models';
export * from './seminar/loop';
// the seminar's reading of a run: verdict(readSigns(seminar, {iteration, discLoss, genLoss})) — the grader's long runs use it too
export * from './seminar/verdict';

// The self-check loads the grader (chai, ajv) when a check cell first runs, not with the notebook's first cell.
import type * as SelfCheck from './grader/self-check/self-check';
const grader = (): typeof SelfCheck => require('./grader/self-check/self-check');
export const selfCheck: typeof SelfCheck.selfCheck = (...args) => grader().selfCheck(...args);
export const runSelfCheck: typeof SelfCheck.runSelfCheck = (...args) => grader().runSelfCheck(...args);
export const formatSelfCheck: typeof SelfCheck.formatSelfCheck = (...args) => grader().formatSelfCheck(...args);
export { StudentError } from './seminar/todo';
export { recoverEngine, engineIsClean } from './tfjs/engine-state';

export { initBackend, setUpKernel } from './jupyter/first-cell';

// Imported by the notebook's first cell: from then on the kernel recovers TF.js after an interrupt and
// runs cells in order (a no-op outside a tslab kernel).
import { setUpKernel } from './jupyter/first-cell';
setUpKernel();
// tfjs's optimizers take the seminar's loss in any of its natural forms (types only)
import './tfjs/optimizer-types';
