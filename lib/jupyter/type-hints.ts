// Plain hints for the type errors students make in the exercise cells. tslab prints TypeScript's message
// as "17:13 - Type 'number' is not assignable to type 'Tensor<Rank>'." — a position in a cell whose lines
// the front end does not number, in words about types. The kernel hooks (lib/jupyter/kernel-hooks.ts) add
// the offending line of the cell under its first error and, for the usual mistakes, what to write instead.

export interface TypeHint {
  /** TypeScript's message (the diagnostic text after "line:col - "). */
  message: RegExp;
  /** The cell's line it points at, when the hint depends on what is written there. */
  code?: RegExp;
  hint: string;
}

const TENSOR = String.raw`(?:Tensor(?:<[^>]*>|\dD)?|Scalar|Variable(?:<[^>]*>)?)`;

/** A unary minus in front of a value or a call: `-tf.mean(x)`, `= -loss`, `return -x`. */
const UNARY_MINUS = /(^|[=(,:?]|return)\s*-\s*[\w(]/;

const MINUS_HINT =
  "`-` doesn't apply to tensors (it gives a plain number): write tf.neg(x) or x.neg() — e.g. tf.neg(tf.mean(...)).";

/** A plain number where a tensor is wanted — at the line that made it, or at minimize's call for a closure returning it. */
const NUMBER_FOR_TENSOR = new RegExp(
  `Type 'number' is not assignable to type '${TENSOR}'|Argument of type '\\(\\) => number' is not assignable`,
);

/** The usual mistakes, most specific first: the first match gives the hint. */
export const TYPE_HINTS: TypeHint[] = [
  {
    message: new RegExp(`^Type 'number' is not assignable to type '${TENSOR}'`),
    code: UNARY_MINUS,
    hint: MINUS_HINT,
  },
  {
    message: /^The (left|right)-hand side of an arithmetic operation must be of type/,
    hint: "`+ - * /` don't apply to tensors: write tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b) (or a.add(b), a.mul(b), …).",
  },
  {
    message: /^Operator '[-+*/]' cannot be applied to types/,
    hint: "`+ - * /` don't apply to tensors: write tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b) (or a.add(b), a.mul(b), …).",
  },
  {
    message: new RegExp(`^Type 'number' is not assignable to type '${TENSOR}'`),
    hint: 'a tensor is needed here, and this is a plain number: compute it with tf ops on tensors (tf.mean, tf.neg, tf.add, …); `+ - * /` and Math.* give numbers.',
  },
  {
    message: /^Type 'Tensor<Rank>' is not assignable to type '(Scalar|Tensor\dD)'/,
    hint: 'tfjs types the result of tf.mean, tf.neg, tf.add, … as a plain `tf.Tensor` (any rank): declare the variable `: tf.Tensor` (minimize takes it) instead of a fixed rank.',
  },
  {
    message: new RegExp(`^Type '${TENSOR}' is not assignable to type 'number'`),
    hint: 'this is a tensor, not a number: inside minimize return the tensor itself; a number comes from tensor.dataSync()[0].',
  },
  {
    message: /^Property '(detach|item|numpy|backward|zero_grad|log_softmax)' does not exist on type/,
    hint: 'that is PyTorch: in tfjs minimize(f, true, varList) does the step (varList picks the variables that move: no detach), and a number comes from .dataSync()[0].',
  },
];

/** The hint for one diagnostic, given the cell line it points at; null for errors without a known hint. */
export function typeHint(message: string, codeLine = ''): string | null {
  return TYPE_HINTS.find((h) => h.message.test(message) && (!h.code || h.code.test(codeLine)))?.hint ?? null;
}

/** The index of the cell's first line (outside comments) with a unary minus before a value; -1 if none. */
function unaryMinusLine(cellSource: string): number {
  return cellSource.split('\n').findIndex((l) => UNARY_MINUS.test(l.replace(/\/\/.*$/, '')));
}

/** "17:13 - message" (one line of tslab's diagnostics) → its parts; null for other text. */
export function parseDiagnostic(text: string): { line: number; column: number; message: string } | null {
  const m = /^(\d+):(\d+) - ([\s\S]*)$/.exec(text.trim());
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

/**
 * What to print after a diagnostic of a cell: the cell's line it names with a caret under the column,
 * then the hint, if any — each line and each hint once per cell (`shown` remembers them). Empty when the
 * diagnostic names no line of the cell.
 */
export function explainDiagnostic(diagnostic: string, cellSource: string, shown: Set<string>): string {
  const d = parseDiagnostic(diagnostic);
  if (!d) return '';
  const code = cellSource.split('\n')[d.line - 1];
  if (code === undefined) return '';
  const out: string[] = [];
  if (!shown.has(`line ${d.line}`)) {
    shown.add(`line ${d.line}`);
    const label = `  line ${d.line} │ `;
    out.push(`${label}${code.trimEnd()}`, `${' '.repeat(label.length + Math.max(0, d.column - 1))}^`);
  }
  // a closure returning `-tf.mean(…)` without `: tf.Tensor` is reported at minimize's call, not where the
  // number was made: point at the unary minus too
  const minus = NUMBER_FOR_TENSOR.test(d.message) && !UNARY_MINUS.test(code) ? unaryMinusLine(cellSource) : -1;
  if (minus >= 0 && !shown.has(`line ${minus + 1}`)) {
    shown.add(`line ${minus + 1}`);
    const text = cellSource.split('\n')[minus];
    const label = `  line ${minus + 1} │ `;
    out.push(`${label}${text.trimEnd()}`, `${' '.repeat(label.length + text.indexOf('-'))}^`);
  }
  const hint = minus >= 0 ? MINUS_HINT : typeHint(d.message, code);
  if (hint && !shown.has(hint)) {
    shown.add(hint);
    out.push(`→ ${hint}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
