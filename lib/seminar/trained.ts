// How many loop iterations a notebook's models have really been trained, across runs of the training
// cell: after Kernel > Interrupt the weights carry on, so the dashboard of the next run continues from
// here instead of restarting at 1. Counted per generator (a re-run models cell starts again at 0) by the
// steps chooseSteps hands the loop — the self-checks' steps from fixed states do not count.
import type { Module } from './nn';
import type { Signs } from './verdict';

/** One read-out of the training loop, as the dashboard plots it. */
export interface HistoryPoint {
  /** Iterations done. */
  iteration: number;
  discLoss: number;
  genLoss: number;
  genMean: number;
  genStd: number;
}

export interface TrainedRecord {
  /** Generator steps taken by the training loop (= loop iterations). */
  iterations: number;
  /** The dashboard's history so far, continued by the next run's dashboard. */
  history: HistoryPoint[];
  /** The verdict's read-outs so far (lib/seminar/verdict.ts), continued like the history. */
  signs?: Signs[];
}

const records = new WeakMap<Module, TrainedRecord>();

export function trainedRecord(gen: Module): TrainedRecord {
  let r = records.get(gen);
  if (!r) records.set(gen, (r = { iterations: 0, history: [], signs: [] }));
  return r;
}
