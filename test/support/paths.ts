// Where the tests find the project's files. The project folder, the notebook and the reference have their
// one home in lib/paths.ts; the built command line the tests run is named here.
import * as path from 'node:path';
import { ROOT } from '../../lib/paths';

export { NOTEBOOK_FILE, NOTEBOOK_PATH, ROOT, SOLUTIONS_PATH } from '../../lib/paths';

/** The built `gan-seminar` command (package.json's bin). */
export const CLI = path.join(ROOT, 'dist', 'lib', 'cli.js');
