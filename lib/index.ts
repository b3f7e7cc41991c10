// Everything the notebook, the CLI, the tests and the grader import.
export * from './backend';
export { Dashboard, DashboardOptions, DashboardStats, dashboard } from './dashboard';
export * from './data';
export { LiveOutput } from './display';
export * from './evaluate';
export * from './metrics';
export * from './nn';
export * from './notebook';
export * as plots from './plots';
export * from './random';
export * from './reference';
export * from './seminar';
export * from './train';
export { selfCheck, runSelfCheck, formatSelfCheck } from './check';
