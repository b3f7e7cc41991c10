// CSV as spreadsheets read it: RFC 4180 quoting, UTF-8 with a byte-order mark (Excel and LibreOffice's
// default import then read Cyrillic names right), a cell a spreadsheet would run as a formula kept as text.

export function csvField(s: string): string {
  const text = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: header and rows, with the byte-order mark and CRLF line ends (RFC 4180). */
export function csvDocument(header: string[], rows: string[][]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Rows of a CSV text (byte-order mark, quotes, CRLF handled); the first row is the header. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** A CSV file as objects keyed by its (trimmed, lower-case) header; `required` columns must be there. */
export function readTable(text: string, file: string, required: string[]): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  const keys = (header ?? []).map((h) => h.trim().toLowerCase());
  const missing = required.filter((k) => !keys.includes(k));
  if (missing.length > 0)
    throw new Error(
      `${file}: needs the column(s) ${missing.join(', ')} in its first row (found: ${keys.join(', ') || 'nothing'})`,
    );
  return rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? '').trim()])));
}
