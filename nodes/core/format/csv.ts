/**
 * CSV as shops, CRMs and spreadsheets export it: RFC 4180 quoting (a quoted field may hold the separator, doubled
 * quotes and line breaks), a byte-order mark ignored, and the separator — comma, semicolon or tab, as spreadsheets
 * in many locales write it — read from the header line.
 */

/** The separator a header line uses: the most frequent of comma, semicolon and tab outside quotes (comma on a tie). */
export function csvSeparatorOf(headerLine: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [s, n] of counts) if (n > counts.get(best)!) best = s;
  return best;
}

/** Rows of cells; blank lines are left out. */
export function parseCsv(text: string, separator = csvSeparatorOf(text.slice(0, text.search(/\r?\n|$/)))): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
