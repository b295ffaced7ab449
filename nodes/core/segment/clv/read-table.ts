import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../errors';
import { parseJson } from '../../config/parse-json';

/**
 * Rows of a CSV (header line, comma-separated, RFC 4180 quoting) or JSONL (one JSON object per line) file, as
 * records of strings, streamed so a file of millions of transactions never sits in memory whole.
 */
export type TableFormat = 'csv' | 'jsonl';

export function formatOf(path: string, explicit?: string): TableFormat {
  const f = explicit ?? (/\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv');
  if (f !== 'csv' && f !== 'jsonl') throw new InputError('--format', `"${f}" is not a format this command reads`, 'use csv or jsonl');
  return f;
}

/** Splits one CSV line; a quoted field may hold commas and doubled quotes (no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      out.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  out.push(field);
  return out;
}

export async function* readTable(path: string, format: TableFormat): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: string[] | null = null;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (format === 'jsonl') {
      const value = parseJson(line);
      if (value instanceof Error) throw new InputError(`${path} line ${n}`, `is not valid JSON (${value.message})`, 'write one JSON object per line');
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${path} line ${n}`, 'is not a JSON object', 'write one JSON object per line');
      yield { line: n, row: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)])) };
    } else if (!header) {
      header = splitCsvLine(line).map((h) => h.trim());
    } else {
      const cells = splitCsvLine(line);
      const row: Record<string, string> = {};
      header.forEach((h, i) => (row[h] = (cells[i] ?? '').trim()));
      yield { line: n, row };
    }
  }
}

/** Epoch ms from ISO 8601 (date-only is UTC midnight), YYYYMMDD, or epoch seconds / milliseconds. */
export function parseWhen(text: string): number {
  const t = text.trim();
  if (/^\d{8}$/.test(t)) return Date.parse(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T00:00:00Z`);
  if (/^\d{9,13}(\.\d+)?$/.test(t)) {
    const v = Number(t);
    return v < 1e11 ? v * 1000 : v;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return Date.parse(`${t}T00:00:00Z`);
  return Date.parse(t);
}
