// The lib's speed-ups under the student's plain tfjs, one entry each: its switch (lib/config.ts; =0 keeps
// tfjs's or wasm's own, for comparison), the backends it changes, and how it is put in and taken out.
// initBackend installs them from here, the bench's --baseline rows switch them off by these switches, and the
// tests walk this list. Every one is bit-for-bit undoable (lib/tfjs/README.md).
import { SWITCHES, config } from '../config';
import { fastKernelCallsInstalled, setFastKernelCalls } from './kernel-calls';
import { fastScopesInstalled, setFastScopes } from './scope';
import { fastTapeInstalled, setFastTape } from './tape';
import { logSoftmaxKernelInstalled, setLogSoftmaxKernel } from './log-softmax';
import { meanGradKernelInstalled, setMeanGradKernel } from './mean-grad';
import { setSgdKernel, sgdKernelInstalled } from './sgd-kernel';
import { setSmallKernels, smallKernelsInstalled } from './small-kernels';

export type SpeedUpBackend = 'wasm' | 'cpu' | 'tensorflow';
/** The switches that are speed-ups (the other GAN_* switches choose things, they do not speed them up). */
export type SpeedUpSwitch =
  | 'fused'
  | 'smallKernels'
  | 'lossKernels'
  | 'simd'
  | 'sgdKernel'
  | 'logSoftmaxKernel'
  | 'meanGradKernel'
  | 'fastTape'
  | 'fastScopes'
  | 'fastKernelCalls';

export interface SpeedUp {
  /** Its switch in lib/config.ts. */
  switch: SpeedUpSwitch;
  /** Where it lives. */
  file: string;
  /** The backends it changes anything on. */
  backends: readonly SpeedUpBackend[];
  /**
   * initBackend's hook: puts it in place (on) or puts tfjs's own back (off). Absent for the ones read where
   * they act, at each call (the fused op, the SIMD kernels, the loss kernels inside the small kernels).
   */
  install?: (on: boolean) => void;
  /** Whether it is in place now (for the tests). */
  installed?: () => boolean;
}

const EVERY: readonly SpeedUpBackend[] = ['wasm', 'cpu', 'tensorflow'];

/** In the order initBackend installs them. */
export const SPEED_UPS: readonly SpeedUp[] = [
  {
    switch: 'fused',
    file: 'lib/tfjs/fused-chain.ts, lib/tfjs/fused-op.ts, lib/tfjs/fused-backend.ts',
    backends: EVERY,
  },
  { switch: 'simd', file: 'lib/tfjs/simd/', backends: ['wasm'] },
  {
    switch: 'smallKernels',
    file: 'lib/tfjs/small-kernels.ts',
    backends: ['wasm'],
    install: (on) => setSmallKernels(on),
    installed: smallKernelsInstalled,
  },
  { switch: 'lossKernels', file: 'lib/tfjs/small-kernels.ts', backends: ['wasm'] },
  {
    switch: 'sgdKernel',
    file: 'lib/tfjs/sgd-kernel.ts',
    backends: ['wasm', 'cpu'],
    install: (on) => setSgdKernel(on),
    installed: sgdKernelInstalled,
  },
  {
    switch: 'logSoftmaxKernel',
    file: 'lib/tfjs/log-softmax.ts',
    backends: ['wasm', 'cpu'],
    install: (on) => setLogSoftmaxKernel(on),
    installed: logSoftmaxKernelInstalled,
  },
  {
    switch: 'meanGradKernel',
    file: 'lib/tfjs/mean-grad.ts',
    backends: ['wasm', 'cpu'],
    install: (on) => setMeanGradKernel(on),
    installed: meanGradKernelInstalled,
  },
  {
    switch: 'fastTape',
    file: 'lib/tfjs/tape.ts',
    backends: EVERY,
    install: (on) => setFastTape(on),
    installed: fastTapeInstalled,
  },
  {
    switch: 'fastScopes',
    file: 'lib/tfjs/scope.ts',
    backends: EVERY,
    install: (on) => setFastScopes(on),
    installed: fastScopesInstalled,
  },
  {
    switch: 'fastKernelCalls',
    file: 'lib/tfjs/kernel-calls.ts',
    backends: EVERY,
    install: (on) => setFastKernelCalls(on),
    installed: fastKernelCallsInstalled,
  },
];

/** Whether a speed-up's switch leaves it on (GAN_FUSED counts as on unless it is 0/off). */
export function speedUpWanted(s: SpeedUp): boolean {
  const value: unknown = config[s.switch]();
  return value !== false && value !== 'off';
}

/** initBackend's step: each speed-up with a hook in place where it applies and is wanted, else tfjs's own. */
export function installSpeedUps(backend: string): void {
  for (const s of SPEED_UPS) s.install?.((s.backends as readonly string[]).includes(backend) && speedUpWanted(s));
}

/** The environment that switches `which` speed-ups off in a child process (the bench's baselines). */
export function speedUpsOff(which: readonly SpeedUpSwitch[]): Record<string, string> {
  return Object.fromEntries(which.map((key) => [SWITCHES[key].name, '0']));
}
