// What an exercise declares: everything the grader, the self-check, the release and the reports need to
// know about one fill-in function, in one place (one module per exercise: train-disc.ts, train-gen.ts).
import type * as tf from '@tensorflow/tfjs';
import type { Steps } from '../seminar/steps';

/** The seminar's two models, by the names the notebook gives them. */
export type ModelName = 'gen' | 'disc';
export const MODEL_TITLES: Readonly<Record<ModelName, string>> = { gen: 'generator', disc: 'discriminator' };

/** The seminar's samplers, by the batch they draw. */
export type SamplerName = 'noise' | 'real';
export const SAMPLER_FUNCTIONS: Readonly<Record<SamplerName, string>> = {
  noise: 'sampleNoise',
  real: 'sampleRealData',
};

/** A mistake the grader can name: a stable id (grades.csv, results.json), a title, the seminar's advice, a hint. */
export interface DiagnosisInfo {
  title: string;
  advice: string;
  hint: string;
  /** The failure's detail is the student's own (their error, their calls): the self-check shows it. */
  showDetail?: boolean;
}

/** What a loss-mistake detector sees: the discriminator's log-probabilities on the state's first batches. */
export interface LossInputs {
  tf: typeof tf;
  IS_FAKE: number;
  IS_REAL: number;
  /** tf.logSoftmax(disc(realData)) and tf.logSoftmax(disc(gen(noise))), [batch, 2]. */
  logpReal: tf.Tensor2D;
  logpGen: tf.Tensor2D;
  /** Column j of a [batch, 2] tensor, as the exercise text writes it (t.slice([0, j], [-1, 1])). */
  column(t: tf.Tensor2D, j: number): tf.Tensor2D;
}

/** A known wrong loss: a step that returns this value from every state made this mistake. */
export interface LossMistake {
  diagnosis: string;
  /** The mistaken loss, a scalar. */
  loss(x: LossInputs): tf.Tensor;
}

export interface Exercise {
  /** nbgrader grade_id and tag of the exercise cell; prefix of its check ids ("train_disc.update"). */
  id: string;
  /** The function the cell defines and the training loop calls. */
  functionName: keyof Steps;
  /** Calls per iteration of the seminar's training loop (trainDisc: 5, trainGen: 1). */
  callsPerIteration: number;
  /** nbgrader grade_id of the locked self-check cell after it. */
  checkCellId: string;
  /** The model the step trains, and the one it must leave untouched (PyTorch's detach). */
  trains: ModelName;
  frozen: ModelName;
  /** Named when the frozen model's weights move. */
  frozenDiagnosis: string;
  /** Samplers one step must call (with its batchSize). */
  samplers: readonly SamplerName[];
  /** Wrong losses recognised by their value, in the order they are tried. */
  lossMistakes: readonly LossMistake[];
  /**
   * Mistakes that stop the GAN learning when made in this step (the check "trains" fails with them, so
   * they cost most of the exercise): the seminar's "what to expect" and lib/bench/mistake-runs.js's runs.
   */
  stopsLearning: readonly string[];
  /** This exercise's own advice for a shared mistake, where the shared text describes another step. */
  advice?: Readonly<Record<string, string>>;
  /** Diagnoses this exercise adds to the shared ones (lib/exercises/mistakes.ts, lib/grader/diagnoses.ts). */
  diagnoses: Readonly<Record<string, DiagnosisInfo>>;
}
