// A compile error as tslab prints it. Apart from compile.ts so that what only shows errors (the notebook's
// self-check, reports) does not load the TypeScript compiler.

export interface CompileError {
  line: number;
  column: number;
  message: string;
}

/** "3:7 - Cannot find name 'foo'." — the way tslab prints it. */
export function formatCompileError(e: CompileError): string {
  return `${e.line}:${e.column} - ${e.message}`;
}
