// What the notebook's first cells set up in a kernel, and nothing outside one (the CLI, the tests and the
// grader import the lower layers and get neither): in tslab, the before-cell hooks; in Deno's kernel, the
// one-line banner and the helper threads (./deno.ts) before the backend is chosen.
import { inTslabCell } from '../host';
import { BackendName, initBackend as chooseBackend } from '../tfjs/backend';
import { recoverEngineAndSay } from '../tfjs/engine-state';
import { interruptible, startDenoHelper } from './deno';
import {
  NOT_PRELOADED_NOTE,
  beforeEachCell,
  hooksInstalled,
  patchTslab,
  preloaded,
  quietTslabWatchers,
} from './kernel-hooks';

/**
 * In a running tslab cell (the notebook's first cell imports the lib): every later cell first recovers
 * TF.js if an interrupt stopped it mid-step, and cells run one after another as in ipykernel
 * (./kernel-hooks.ts). Elsewhere it changes nothing. Returns whether the hooks are on.
 */
export function setUpKernel(): boolean {
  if (!inTslabCell()) return false;
  beforeEachCell('tfjs-recovery', (print) => recoverEngineAndSay(print));
  if (!preloaded()) quietTslabWatchers(); // the preload did it before the type checker was made
  const wasPatched = hooksInstalled();
  const on = patchTslab();
  // a kernel without the preload (registered by `npx tslab install`): said once, in the first cell
  if (on && !wasPatched && !preloaded()) console.log(NOT_PRELOADED_NOTE);
  return on;
}

/** `gan.initBackend()`: the fastest backend available (GAN_BACKEND forces one); in Deno's kernel, also the banner. */
export async function initBackend(requested?: string): Promise<BackendName> {
  startDenoHelper(); // Deno's kernel only, once: the banner, Kernel > Interrupt, output, type checks (./deno.ts)
  // interruptible: in Deno's kernel, Kernel > Interrupt during this await ends the cell
  return interruptible(chooseBackend(requested));
}
