import { InputError } from '../errors';
import type { MatchRecord } from '../contracts/match-record';
import { parseCsv } from '../format/csv';

/** The record fields a customer file can map its columns to. */
export const RECORD_FIELDS = [
  'givenName', 'familyName', 'name', 'email', 'phone', 'street', 'city', 'postalCode', 'region', 'country', 'dateOfBirth',
  'idNumber', 'processorCustomerId', 'cardToken', 'cardBin', 'cardLast4', 'cardExpiry',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/** Column names CRM and POS exports commonly use for each field, compared without case, spaces or punctuation. */
const ALIASES: Record<RecordField, readonly string[]> = {
  givenName: ['givenname', 'firstname', 'first', 'forename', 'vorname', 'prenom'],
  familyName: ['familyname', 'lastname', 'last', 'surname', 'nachname', 'nom'],
  name: ['name', 'fullname', 'customername', 'contactname', 'cardholdername'],
  email: ['email', 'emailaddress', 'mail'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilephone', 'cell', 'tel', 'telephone'],
  street: ['street', 'address', 'address1', 'addressline1', 'streetaddress', 'line1'],
  city: ['city', 'town', 'locality'],
  postalCode: ['postalcode', 'zip', 'zipcode', 'postcode', 'plz'],
  region: ['region', 'state', 'province', 'county'],
  country: ['country', 'countrycode'],
  dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday'],
  // not a customer or member number: in one system's export that is each record's own, so it is mapped only when
  // asked (--columns idNumber=member_no)
  idNumber: ['idnumber', 'nationalid', 'taxid', 'ssn', 'socsecid', 'socialsecuritynumber'],
  processorCustomerId: ['processorcustomerid', 'stripecustomerid', 'squarecustomerid', 'customerid'],
  cardToken: ['cardtoken'],
  cardBin: ['cardbin', 'bin', 'iin'],
  cardLast4: ['cardlast4', 'last4', 'lastfour'],
  cardExpiry: ['cardexpiry', 'expiry', 'expirationdate', 'exp'],
};

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export type ColumnMapping = Partial<Record<RecordField, string>>;

/**
 * "givenName=first_name,postalCode=zip" (or the same as a JSON object) as a mapping from field to column.
 * Unknown field names are refused with the list of the known ones.
 */
export function parseColumnMapping(spec: string | Record<string, unknown>, field = '--columns'): ColumnMapping {
  const entries = typeof spec === 'string'
    ? spec.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new InputError(field, `"${p}" is not field=column`, 'write it as givenName=first_name');
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
      })
    : Object.entries(spec).map(([k, v]) => [k, String(v)] as const);
  const out: ColumnMapping = {};
  for (const [k, column] of entries) {
    if (!(RECORD_FIELDS as readonly string[]).includes(k)) {
      throw new InputError(field, `"${k}" is not a customer field`, `use one of: ${RECORD_FIELDS.join(', ')}`);
    }
    out[k as RecordField] = column;
  }
  return out;
}

/** Explicit mappings first; every other field is looked for under its usual column names. */
export function resolveColumns(headers: readonly string[], explicit: ColumnMapping = {}, lenient = false): ColumnMapping {
  const out: ColumnMapping = {};
  const byKey = new Map(headers.map((h) => [squash(h), h]));
  for (const f of RECORD_FIELDS) {
    const wanted = explicit[f];
    if (wanted !== undefined && (!lenient || headers.includes(wanted))) {
      if (!headers.includes(wanted)) throw new InputError('--columns', `the file has no column "${wanted}" (for ${f})`, `use one of its columns: ${headers.join(', ')}`);
      out[f] = wanted;
      continue;
    }
    for (const alias of ALIASES[f]) {
      const h = byKey.get(alias);
      if (h !== undefined && !Object.values(out).includes(h)) {
        out[f] = h;
        break;
      }
    }
  }
  return out;
}

function expiry(value: string): { expMonth?: number; expYear?: number } {
  const m = /^(\d{1,2})\s*[/-]\s*(\d{2}|\d{4})$/.exec(value.trim());
  if (!m) return {};
  const month = Number(m[1]);
  const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  return month >= 1 && month <= 12 ? { expMonth: month, expYear: year } : {};
}

/** One record from a row (or a JSON object), through the column mapping. */
export function recordFromRow(get: (column: string) => string | undefined, columns: ColumnMapping, id: string): MatchRecord {
  const v = (f: RecordField) => {
    const col = columns[f];
    const raw = col === undefined ? undefined : get(col)?.trim();
    return raw ? raw : undefined;
  };
  const keys: NonNullable<MatchRecord['keys']>[number][] = [];
  const pid = v('processorCustomerId');
  if (pid) keys.push({ kind: 'processorCustomerId', value: pid.includes(':') ? pid : `import:${pid}` });
  const token = v('cardToken');
  if (token) keys.push({ kind: 'cardToken', value: token });
  const last4 = v('cardLast4')?.replace(/\D/g, '').slice(-4);
  const bin = v('cardBin')?.replace(/\D/g, '').slice(0, 6);
  return {
    id,
    givenName: v('givenName'), familyName: v('familyName'), name: v('name'), email: v('email'), phone: v('phone'),
    street: v('street'), city: v('city'), postalCode: v('postalCode'), region: v('region'), country: v('country'), dateOfBirth: v('dateOfBirth'),
    ...(v('idNumber') ? { idNumber: v('idNumber') } : {}),
    keys,
    cards: last4 && last4.length === 4 ? [{ last4, ...(bin && bin.length === 6 ? { bin } : {}), ...expiry(v('cardExpiry') ?? '') }] : [],
  };
}

export interface RecordFile {
  records: MatchRecord[];
  columns: ColumnMapping;
  headers: string[];
}

/**
 * Reads a customer file: CSV (with a header row) or JSONL (one object per line). `idColumn` names the column
 * holding the record id; without it, ids are row numbers (2 = the first row under the header, as a
 * spreadsheet shows it).
 */
export function readRecordFile(
  text: string,
  format: 'csv' | 'jsonl',
  options: { idColumn?: string; idFlag?: string; columns?: ColumnMapping; where?: string; lenient?: boolean } = {},
): RecordFile {
  const where = options.where ?? 'file';
  if (format === 'jsonl') {
    const objects = text.split(/\r?\n/).map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l).map(([l, line]) => {
      try {
        const o = JSON.parse(l) as unknown;
        if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
        return [o as Record<string, unknown>, line] as const;
      } catch {
        throw new InputError(where, `line ${line} is not a JSON object`, 'give one JSON object per line (JSONL), or a CSV file');
      }
    });
    const headers = [...new Set(objects.flatMap(([o]) => Object.keys(o)))];
    const columns = resolveColumns(headers, options.columns, options.lenient);
    checkId(headers, options.idColumn, where, options.idFlag);
    const records = objects.map(([o, line]) => {
      const get = (c: string) => (o[c] === undefined || o[c] === null ? undefined : String(o[c]));
      return recordFromRow(get, columns, (options.idColumn ? get(options.idColumn) : undefined) ?? `line ${line}`);
    });
    return { records, columns, headers };
  }
  const rows = parseCsv(text);
  if (rows.length === 0) throw new InputError(where, 'the file is empty', 'export the customers with a header row');
  const headers = rows[0]!.map((h) => h.trim());
  const columns = resolveColumns(headers, options.columns, options.lenient);
  checkId(headers, options.idColumn, where, options.idFlag);
  const idIndex = options.idColumn ? headers.indexOf(options.idColumn) : -1;
  const index = new Map(headers.map((h, i) => [h, i]));
  const records = rows.slice(1).map((row, r) => {
    const get = (c: string) => row[index.get(c) ?? -1];
    return recordFromRow(get, columns, (idIndex >= 0 ? row[idIndex]?.trim() : undefined) || `row ${r + 2}`);
  });
  return { records, columns, headers };
}

function checkId(headers: readonly string[], idColumn: string | undefined, where: string, flag = '--id'): void {
  if (idColumn !== undefined && !headers.includes(idColumn)) {
    throw new InputError(flag, `${where} has no column "${idColumn}"`, `use one of its columns: ${headers.join(', ')}${flag === '--id' ? ' (--against-id names the id column of the second file)' : ''}`);
  }
}
