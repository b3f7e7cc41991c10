// Everything the notebook, the CLI, the tests and the grader import.
export * from './backend';
export * from './data';
export * from './evaluate';
export * from './metrics';
export * from './nn';
export * from './notebook';
export * from './random';
export * from './reference';
export * from './seminar';
export * from './train';
