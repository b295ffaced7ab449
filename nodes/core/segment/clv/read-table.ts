import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../errors';
import { parseJson } from '../../config/parse-json';
import { csvSeparatorOf, parseCsv } from '../../format/csv';

/** One line's cells (a field quoted across lines is not read: a transactions file has none). */
const cellsOf = (line: string, separator: string): string[] => parseCsv(line, separator)[0] ?? [];

/**
 * Rows of a CSV (header line; comma-, semicolon- or tab-separated, whichever the header uses most; RFC 4180
 * quoting), JSONL (one JSON object per line) or columns file (columns separated by blanks, how the CDNOW data and
 * other research sets are published: each column named by its position 1, 2, 3…, and by its header too when the
 * first line is one — no cell of it a number), as records of strings, streamed so a file of millions of
 * transactions never sits in memory whole.
 */
export type TableFormat = 'csv' | 'jsonl' | 'columns';

const FORMATS: readonly string[] = ['csv', 'jsonl', 'columns'];

export function formatOf(path: string, explicit?: string): TableFormat {
  const f = explicit ?? (/\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv');
  if (!FORMATS.includes(f)) throw new InputError('--format', `"${f}" is not a format this command reads`, 'use csv, jsonl or columns');
  return f as TableFormat;
}

/** The file opened before the first row is asked for: a wrong path is named as the operator's to fix, not a stream's ENOENT. */
function openTable(path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    return fd;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw new InputError('<file>', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'check the path: a transactions file (CSV, JSONL or columns)');
  }
}

export async function* readTable(path: string, format: TableFormat): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', fd: openTable(path) }), crlfDelay: Infinity });
  let header: string[] | null = null;
  let delimiter = ',';
  let seenData = false;
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
    } else if (format === 'columns') {
      const cells = line.trim().split(/\s+/);
      if (!seenData && !header && cells.every((c) => Number.isNaN(Number(c)))) {
        header = cells;
        continue;
      }
      seenData = true;
      const row: Record<string, string> = {};
      cells.forEach((cell, i) => {
        row[String(i + 1)] = cell;
        if (header?.[i] !== undefined) row[header[i]!] = cell;
      });
      yield { line: n, row };
    } else if (!header) {
      delimiter = csvSeparatorOf(line);
      header = cellsOf(line, delimiter).map((h) => h.trim());
    } else {
      const cells = cellsOf(line, delimiter);
      const row: Record<string, string> = {};
      header.forEach((h, i) => (row[h] = (cells[i] ?? '').trim()));
      yield { line: n, row };
    }
  }
}

const DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** Epoch ms of a wall-clock time read as UTC, or NaN when the date is not in the calendar (2/29/2011). */
function utcWallClock(y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, ms = 0): number {
  const at = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const back = new Date(at);
  const exists = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && sec < 60;
  return exists ? at : Number.NaN;
}

/**
 * Epoch ms from an exported sale's time: ISO 8601 (with its zone; without one, and a date alone, as UTC, so a
 * purchase day never depends on the machine's time zone), "2009-12-01 07:45:00" (Online Retail II), 2025/03/01,
 * "12/1/2010 8:26" (month first, as UCI's Online Retail writes it), YYYYMMDD, or epoch seconds / milliseconds.
 * NaN for anything else, a date the calendar lacks included.
 */
export function parseWhen(text: string): number {
  const t = text.trim();
  if (/^\d{8}$/.test(t)) return utcWallClock(Number(t.slice(0, 4)), Number(t.slice(4, 6)), Number(t.slice(6, 8)));
  if (/^\d{9,13}(\.\d+)?$/.test(t)) {
    const v = Number(t);
    return v < 1e11 ? v * 1000 : v;
  }
  const iso = DATE_TIME.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, sec, frac] = iso;
    return utcWallClock(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), frac ? Math.round(Number(frac) * 1000) : 0);
  }
  const us = US_DATE_TIME.exec(t);
  if (us) {
    const [, mo, d, y, h, mi, sec] = us;
    return utcWallClock(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0));
  }
  // Anything else must say its zone (2025-03-01T10:00:00+01:00, …Z): a time without one would be read in the
  // machine's zone by Date.parse.
  return /(Z|[+-]\d{2}:?\d{2})$/i.test(t) && /^\d{4}-\d{2}-\d{2}[T ]/.test(t) ? Date.parse(t) : Number.NaN;
}
