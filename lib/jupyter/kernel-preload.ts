// Preloaded into the project's tslab kernel (`npm run kernel:install` puts `--require` of this file into
// the kernelspec): installs lib/jupyter/kernel-hooks.ts before the first cell, so Run All is ordered from
// the first cell on and a cell run before the notebook's first cell says which cell to run first.
import { PRELOADED, patchTslabWhenLoaded, quietTslabWatchers } from './kernel-hooks';

(globalThis as Record<symbol, unknown>)[PRELOADED] = true;
quietTslabWatchers(); // before tslab makes its type checker: no rebuild from a file changing on disk
patchTslabWhenLoaded();
