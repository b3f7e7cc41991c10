// Where things are, in one place: the project folder (every compiled file runs from dist/) and the notebook.
import * as path from 'node:path';

/** The project folder: this file runs as dist/lib/paths.js. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The notebook's file name (a Gradescope submission, nbgrader's source folder). */
export const NOTEBOOK_NAME = 'gan_1d.ipynb';
/** The notebook, relative to the project folder (and to a student bundle's). */
export const NOTEBOOK_PATH = `notebooks/${NOTEBOOK_NAME}`;
/** The instructor's notebook in this project. */
export const NOTEBOOK_FILE = path.join(ROOT, NOTEBOOK_PATH);

/** The reference solutions, relative to the project folder: the one file a student release leaves out. */
export const SOLUTIONS_PATH = 'lib/reference/solutions.ts';
