// The exercise cells' placeholder. Its own module: the grader's sandbox child loads it, and must load
// nothing that reaches the reference.
import { inspect } from 'node:util';

/**
 * An error meant for the student: tslab prints a cell's error with console.error, and this prints as its
 * message alone — no stack through TF.js (the placeholder throws inside minimize's tf.tidy, whose
 * rethrow Node would show as `tf-core.node.js:… throw ex;` with a dozen TF.js frames).
 */
export class StudentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudentError';
    // Deno's kernel shows an error's stack as its traceback: the one line, without TF.js's frames
    Object.defineProperty(this, 'stack', { get: () => `${this.name}: ${this.message}`, configurable: true });
  }
  [inspect.custom](): string {
    return this.message;
  }
}

export class NotImplementedError extends StudentError {
  constructor(
    readonly what: string,
    readonly functionName: string | undefined,
  ) {
    const where = functionName ? `${functionName}: ` : '';
    super(
      `${where}TODO('${what}') — not implemented: ${what}; replace TODO('${what}') in the exercise cell` +
        `${functionName ? ` of ${functionName}` : ''} with your code, run that cell, then this one again.`,
    );
    this.name = 'NotImplementedError';
  }
}

/** A message from TODO(): the grader's and the self-check's "not-implemented". */
export const NOT_IMPLEMENTED = /^(?:(?:[\w$]+: )?TODO\(.*?\) — )?not implemented: /;

/** The nearest named function up the stack outside node_modules and this lib: the exercise TODO() sits in. */
function callerName(): string | undefined {
  const saved = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 40;
    Error.prepareStackTrace = (_, frames) => frames;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, TODO);
    for (const f of holder.stack ?? []) {
      const file = f.getFileName() ?? '';
      const name = f.getFunctionName();
      if (/^node:|node_modules|[\\/]dist[\\/]lib[\\/]|[\\/]lib[\\/]seminar[\\/]/.test(file)) continue;
      if (name && /^[A-Za-z_$][\w$]*$/.test(name)) return name;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = saved;
    Error.stackTraceLimit = limit;
  }
}

/**
 * A placeholder for code the student writes. It type-checks as any value, so the exercise cell
 * compiles, and throws a message naming the function and the missing piece when it runs.
 */
export function TODO(what: string): never {
  throw new NotImplementedError(what, callerName());
}
