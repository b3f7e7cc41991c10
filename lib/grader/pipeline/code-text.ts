// A cell's code without its comments and the insides of its strings, for the text searches that find
// cells in a notebook without metadata (lib/grader/pipeline/extract.ts): a commented-out draft or a string that
// mentions `trainDisc(` defines and calls nothing. Offsets are kept (blanked, not removed).
import * as ts from 'typescript';

export function codeOnly(source: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, source);
  const out = source.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();
    switch (token) {
      case ts.SyntaxKind.SingleLineCommentTrivia:
      case ts.SyntaxKind.MultiLineCommentTrivia:
        blank(start, end);
        break;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.RegularExpressionLiteral:
        blank(start + 1, end - 1);
        break;
      case ts.SyntaxKind.TemplateHead:
        // `text ${ … } text`: the texts are blanked, the expressions scanned as code
        blank(start + 1, end - 2);
        for (let depth = 0; ;) {
          const t = scanner.scan();
          if (t === ts.SyntaxKind.EndOfFileToken) break;
          if (t === ts.SyntaxKind.OpenBraceToken) depth++;
          if (t === ts.SyntaxKind.CloseBraceToken) {
            if (depth > 0) {
              depth--;
              continue;
            }
            const rest = scanner.reScanTemplateToken(false);
            const s = scanner.getTokenStart();
            const e = scanner.getTokenEnd();
            if (rest === ts.SyntaxKind.TemplateTail) {
              blank(s + 1, e - 1);
              break;
            }
            blank(s + 1, e - 2);
          }
        }
        break;
      case ts.SyntaxKind.SlashToken:
      case ts.SyntaxKind.SlashEqualsToken:
        // a regular expression where a division cannot be (the scanner alone cannot tell): leave it as code
        break;
    }
  }
  return out.join('');
}
