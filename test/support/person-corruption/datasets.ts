import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corrupt, type Corruption } from './corrupt';
import { DEFAULT_LIMITS, FIELD_KEYS, type CorruptionLimits, type FieldKey } from './error-model';
import { makePeople, zipf, type Person } from './population';
import { Random } from './random';

/** The CSV columns, FEBRL's shape with the street number and name in one street address, plus e-mail. */
export const COLUMNS = ['rec_id', 'true_id', 'given_name', 'surname', 'street_address', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'email', 'phone_number'] as const;
export type Row = Record<(typeof COLUMNS)[number], string>;

export interface LabelledRecord {
  row: Row;
  /** Undefined for an original. */
  corruption?: Corruption;
  original: Person;
}

/** A phone number as people type it: national digits, spaced, or international. Formatting is not an error. */
function renderPhone(rng: Random, digits: string): string {
  if (!digits) return '';
  const mobile = digits.startsWith('04');
  switch (rng.int(0, 2)) {
    case 0: return digits;
    case 1: return mobile ? `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}` : `(${digits.slice(0, 2)}) ${digits.slice(2, 6)} ${digits.slice(6)}`;
    default: return `+61 ${digits.slice(1, mobile ? 4 : 2)} ${digits.slice(mobile ? 4 : 2, mobile ? 7 : 6)} ${digits.slice(mobile ? 7 : 6)}`;
  }
}

function render(rng: Random, recId: string, trueId: string, v: Record<FieldKey, string>): Row {
  return {
    rec_id: recId,
    true_id: trueId,
    given_name: v.given_name,
    surname: v.surname,
    street_address: [v.street_number, v.address_1].filter(Boolean).join(' '),
    address_2: v.address_2,
    suburb: v.suburb,
    postcode: v.postcode,
    state: v.state,
    date_of_birth: v.date_of_birth,
    email: v.email,
    // a corrupted phone may have lost or gained a digit: render only clean-length numbers in spaced forms
    phone_number: /^0\d{9}$/.test(v.phone_number) ? renderPhone(rng, v.phone_number) : v.phone_number,
  };
}

const clean = (p: Person) => Object.fromEntries(FIELD_KEYS.map((f) => [f, p[f]])) as Record<FieldKey, string>;

export interface LinkSetOptions {
  seed: number | string;
  /** People in file A; B holds one corrupted copy of each (FEBRL4's shape). Default 5,000. */
  size?: number;
  limits?: CorruptionLimits;
}

export interface LinkSet {
  a: LabelledRecord[];
  b: LabelledRecord[];
  /** Pairs (a, b) that are one person. */
  truePairs: number;
}

/**
 * Two files of one population: A the originals, B a corrupted copy of each, shuffled, under ids that say nothing
 * of the truth (FEBRL's own rec-N-org/rec-N-dup ids would).
 */
export function linkSet(options: LinkSetOptions): LinkSet {
  const size = options.size ?? 5000;
  const rng = new Random(`link:${options.seed}`);
  const people = makePeople(rng, size);
  const a = people.map((p, i) => ({ row: render(rng, `a${String(i).padStart(5, '0')}`, p.trueId, clean(p)), original: p }));
  const dups = rng.shuffle(people.map((p) => ({ p, ...corrupt(rng, p, options.limits ?? DEFAULT_LIMITS) })));
  const b = dups.map(({ p, values, corruption }, i) => ({ row: render(rng, `b${String(i).padStart(5, '0')}`, p.trueId, values), corruption, original: p }));
  return { a, b, truePairs: size };
}

export interface DedupSetOptions {
  seed: number | string;
  /** Records in the file, originals and duplicates together. Default 5,000. */
  records?: number;
  /** Of which duplicates. Default 2,000. */
  duplicates?: number;
  /** FEBRL max_duplicate_per_record; the number per original follows FEBRL's zipf option. Default 5. */
  maxPerOriginal?: number;
  limits?: CorruptionLimits;
}

export interface DedupSet {
  records: LabelledRecord[];
  /** Pairs of records that are one person. */
  truePairs: number;
}

/** One file with `duplicates` corrupted copies spread over some of the originals, shuffled. */
export function dedupSet(options: DedupSetOptions): DedupSet {
  const total = options.records ?? 5000;
  const duplicates = options.duplicates ?? 2000;
  const maxPer = options.maxPerOriginal ?? 5;
  const rng = new Random(`dedup:${options.seed}`);
  const people = makePeople(rng, total - duplicates);
  const copies = new Array<number>(people.length).fill(0);
  const weights = zipf(maxPer);
  const order = rng.shuffle(people.map((_, i) => i));
  let left = duplicates;
  for (const i of order) {
    if (left === 0) break;
    const k = Math.min(left, 1 + rng.weighted(weights));
    copies[i] = k;
    left -= k;
  }
  if (left > 0) throw new Error(`dedupSet: ${duplicates} duplicates do not fit ${people.length} originals with at most ${maxPer} each`);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const pending: { p: Person; values: Record<FieldKey, string>; corruption?: Corruption }[] = [];
  let truePairs = 0;
  people.forEach((p, i) => {
    pending.push({ p, values: clean(p) });
    for (let k = 0; k < copies[i]!; k++) pending.push({ p, ...corrupt(rng, p, limits) });
    truePairs += ((copies[i]! + 1) * copies[i]!) / 2;
  });
  rng.shuffle(pending);
  const records = pending.map(({ p, values, corruption }, i) => ({ row: render(rng, `r${String(i).padStart(5, '0')}`, p.trueId, values), original: p, ...(corruption ? { corruption } : {}) }));
  return { records, truePairs };
}

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function toCsv(records: readonly LabelledRecord[]): string {
  return `${COLUMNS.join(',')}\n${records.map((r) => COLUMNS.map((c) => quote(r.row[c])).join(',')).join('\n')}\n`;
}

/** Writes a.csv and b.csv (the link set) or dedup.csv into `dir`; returns the paths. */
export function writeLinkSet(dir: string, set: LinkSet): { a: string; b: string } {
  const paths = { a: join(dir, 'a.csv'), b: join(dir, 'b.csv') };
  writeFileSync(paths.a, toCsv(set.a));
  writeFileSync(paths.b, toCsv(set.b));
  return paths;
}

export function writeDedupSet(dir: string, set: DedupSet): string {
  const path = join(dir, 'dedup.csv');
  writeFileSync(path, toCsv(set.records));
  return path;
}
