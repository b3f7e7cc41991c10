// The exercise cells' placeholder. Its own module: the grader's sandbox child loads it, and must load
// nothing that reaches the reference.

/**
 * A placeholder for code the student writes. It type-checks as any value, so the exercise cell
 * compiles, and throws a message naming the missing piece when it runs.
 */
export function TODO(what: string): never {
  throw new Error(`not implemented: ${what} — replace TODO('${what}') in the exercise cell with your code`);
}
