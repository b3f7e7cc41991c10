// Failures in words a student can act on: numbers at a precision that shows the difference (never
// 0.00000 for 3e-7), and chai's "expected 216 to be at most +0" turned into a sentence.

/** A number with 6 significant digits, tiny or huge ones in exponent form; null/NaN as such. */
export function precise(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'no number';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '−Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e7) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}

const value = (text: string): string => {
  const n = Number(text.replace(/^\+/, ''));
  return text.trim() !== '' && Number.isFinite(n) ? precise(n) : text.replace(/^'(.*)'$/, '$1');
};

/** chai's assertion message as a sentence: "<what>: <value> (at most <limit> allowed)". Other text is kept. */
export function inWords(message: string): string {
  const m = /^(.*?):? ?expected (.+?) to (be at most|be at least|equal|be above|be below|be a|be an) (.+)$/s.exec(
    message,
  );
  if (!m) return message;
  const [, what, actual, op, expected] = m;
  const subject = what ? `${what}: ` : '';
  switch (op) {
    case 'be at most':
      return `${subject}${value(actual)}, more than the ${value(expected)} allowed`;
    case 'be at least':
      return `${subject}${value(actual)}, fewer than the ${value(expected)} needed`;
    case 'be above':
      return `${subject}${value(actual)}, not above ${value(expected)}`;
    case 'be below':
      return `${subject}${value(actual)}, not below ${value(expected)}`;
    case 'be a':
    case 'be an':
      return `${subject}${value(actual)} instead of a ${value(expected)}`;
    default:
      return `${subject}${value(actual)} where ${value(expected)} was expected`;
  }
}
