// Step "size up": a submission too big to grade becomes that student's row (`too-large`, naming the
// limit) before anything heavy reads, parses or type-checks it, so one file never costs the batch its
// memory or time. The seminar's notebook: ~30 code cells, ~15 KB of code, ~60 KB on disk (a few MB once
// the dashboard's PNGs are saved in it); the limits leave room for a student's scratch work.
import * as fs from 'node:fs';

export interface Limits {
  /** Bytes of the .ipynb file, outputs included (checked before the file is read). */
  maxFileBytes: number;
  /** Code cells in the notebook. */
  maxCodeCells: number;
  /** Characters of code over all code cells (what is parsed and type-checked). */
  maxCodeChars: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxCodeCells: 500,
  maxCodeChars: 512 * 1024,
};

export interface TooLarge {
  /** Which limit, for the row's message ("the file is 80.0 MB; the grader reads at most 64.0 MB"). */
  limit: keyof Limits;
  message: string;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The file's size against maxFileBytes (a file that cannot be stat'ed is left to the reader's message). */
export function fileTooLarge(file: string, limits: Limits): TooLarge | undefined {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  if (size <= limits.maxFileBytes) return undefined;
  return {
    limit: 'maxFileBytes',
    message: `the file is ${mb(size)}; the grader reads notebooks up to ${mb(limits.maxFileBytes)}. Clear the outputs (Edit → Clear All Outputs), save and submit again.`,
  };
}

/** The notebook's code cells and code size against the limits. */
export function codeTooLarge(code: readonly string[], limits: Limits): TooLarge | undefined {
  if (code.length > limits.maxCodeCells) {
    return {
      limit: 'maxCodeCells',
      message: `the notebook has ${code.length} code cells; the grader takes at most ${limits.maxCodeCells}. Delete scratch cells you do not need and submit again.`,
    };
  }
  const chars = code.reduce((a, c) => a + c.length, 0);
  if (chars > limits.maxCodeChars) {
    return {
      limit: 'maxCodeChars',
      message: `the notebook holds ${chars} characters of code; the grader takes at most ${limits.maxCodeChars}. Delete scratch cells or generated code you do not need and submit again.`,
    };
  }
  return undefined;
}
