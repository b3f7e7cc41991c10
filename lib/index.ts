// Everything the notebook, the CLI, the tests and the grader import.
export * from './tfjs/backend';
export { Dashboard, DashboardOptions, DashboardStats, dashboard } from './dashboard/dashboard';
export * from './seminar/data';
export { LiveOutput } from './dashboard/live-output';
export * from './seminar/readout';
export * from './seminar/metrics';
export * from './seminar/nn';
export * from './seminar/notebook';
export * as plots from './dashboard/panels';
export * from './seminar/random';
export * from './reference';
export * from './seminar/models';
export * from './seminar/loop';
// the seminar's reading of a run: verdict(readSigns(seminar, {iteration, discLoss, genLoss})) — the grader's long runs use it too
export * from './seminar/verdict';
export { selfCheck, runSelfCheck, formatSelfCheck } from './grader/self-check';
export { StudentError } from './seminar/todo';
export { recoverEngine, engineIsClean } from './tfjs/engine-state';

// Imported by the notebook's first cell: from then on the kernel recovers TF.js after an interrupt and
// runs cells in order (a no-op outside a tslab kernel).
import { setUpKernel } from './seminar/notebook';
setUpKernel();
