// The seminar's training loop as a function, of the steps it is given (its shape: SEMINAR in ./steps.ts).
// The notebook writes the same loop out in full.
import { Quality, quality } from './readout';
import type { Seminar } from './models';
import { SEMINAR, Steps } from './steps';

export { SEMINAR };

export interface TrainOptions {
  iterations: number;
  batchSize?: number;
  discSteps?: number;
  /** Read out every this many iterations (and after the last one). */
  every?: number;
  /** Samples per read-out. */
  readoutSamples?: number;
  /** The steps to run: the reference's (`referenceSteps(seminar)`, lib/reference) or a student's. */
  steps: Steps;
  onReadout?: (r: Readout) => void;
}

export interface Readout extends Quality {
  iteration: number;
  iterations: number;
  discLoss: number;
  genLoss: number;
  seconds: number;
  itPerSec: number;
}

export interface AsyncTrainOptions extends TrainOptions {
  /** Asked after every read-out (the loop lets the event loop run there): true stops the loop early. */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  /** The last read-out: at the end, or where the loop stopped. */
  last: Readout;
  /** True when shouldStop() ended the loop before `iterations`. */
  stopped: boolean;
}

/** The loop itself: runs the steps, yielding a read-out every `every` iterations; returns the last one. */
function* loop(s: Seminar, options: TrainOptions): Generator<Readout, Readout> {
  const {
    iterations,
    batchSize = SEMINAR.batchSize,
    discSteps = SEMINAR.discSteps,
    every = SEMINAR.every,
    readoutSamples = 1000,
    steps,
    onReadout,
  } = options;
  const start = performance.now();
  let discLoss = NaN;
  let genLoss = NaN;
  const read = (iteration: number): Readout => {
    const seconds = (performance.now() - start) / 1000;
    const r = {
      iteration,
      iterations,
      discLoss,
      genLoss,
      seconds,
      itPerSec: iteration / seconds,
      ...quality(s, readoutSamples),
    };
    onReadout?.(r);
    return r;
  };
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < discSteps; k++) discLoss = steps.trainDisc(batchSize);
    genLoss = steps.trainGen(batchSize);
    if ((i + 1) % every === 0 && i + 1 < iterations) yield read(i + 1);
  }
  return read(iterations);
}

/**
 * The same loop, letting the event loop run after each read-out (a signal handler — Ctrl-C — gets its
 * turn there) and stopping when `shouldStop()` says so. Same steps, same numbers as train().
 */
export async function trainAsync(s: Seminar, options: AsyncTrainOptions): Promise<TrainResult> {
  const { shouldStop = () => false } = options;
  const run = loop(s, options);
  for (;;) {
    const next = run.next();
    if (next.done) return { last: next.value, stopped: false };
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (shouldStop()) return { last: next.value, stopped: true };
  }
}

/** Runs the loop synchronously; returns the last read-out. */
export function train(s: Seminar, options: TrainOptions): Readout {
  const run = loop(s, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}
