/**
 * The longest value a CRM takes in its standard fields, and the fitting of a record to them before it is sent.
 * A CRM refuses the whole record when one standard field is too long (Salesforce STRING_TOO_LONG, Dataverse "…exceeded
 * the maximum allowed length…", Zoho INVALID_DATA), which an operator cannot fix: the customer's name is what it is.
 * So a text (a name, an address line, a city, a deal name) is cut to the limit, and a value a cut would make wrong (an
 * email, a phone number, a postal code) is left out of the write; the rest of the record goes, and a note says what.
 *
 * Each adapter declares its CRM's limits in its settings file, keyed by the CRM's field name: a field the operator
 * mapped to a column of their own has no known limit and is sent as it is.
 */

import type { CrmItemResult } from './crm-adapter';

/** `whole`: a cut would corrupt the value, so a value over the limit is left out instead. */
export interface FieldLimit {
  max: number;
  whole?: true;
}
export type FieldLimits = Readonly<Record<string, FieldLimit>>;

/** A text field: cut to `max`. */
export const textUpTo = (max: number): FieldLimit => ({ max });
/** A value a cut would corrupt (email, phone, postal code): left out beyond `max`. */
export const wholeUpTo = (max: number): FieldLimit => ({ max, whole: true });

const graphemes = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/**
 * The longest start of `value` whose length (UTF-16 code units, what JavaScript's and the CRMs' string lengths count;
 * never fewer than code points) is at most `max`, ending between two graphemes: an emoji, a surrogate pair or a letter
 * with its combining mark is kept whole or left out whole. Trailing blanks of the cut are dropped.
 */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = '';
  const pieces = graphemes ? Array.from(graphemes.segment(value), (s) => s.segment) : Array.from(value);
  for (const piece of pieces) {
    if (out.length + piece.length > max) break;
    out += piece;
  }
  return out.trimEnd();
}

/**
 * Fits `record` (as it is about to be sent) to `limits`, in place. Field names are matched without regard to case
 * (Salesforce's are case-insensitive; Dataverse's logical names are lower case). Returns one note per changed field.
 */
export function fitRecord(record: Record<string, unknown>, limits: FieldLimits, crm: string): string[] {
  const byName = new Map(Object.entries(limits).map(([name, limit]) => [name.toLowerCase(), limit]));
  const notes: string[] = [];
  for (const [field, value] of Object.entries(record)) {
    if (typeof value !== 'string') continue;
    const limit = byName.get(field.toLowerCase());
    if (!limit || value.length <= limit.max) continue;
    if (limit.whole) {
      delete record[field];
      notes.push(`${field} left out: ${value.length} characters, over the ${limit.max} ${crm} takes, and cutting it would make it wrong; correct it in ${crm} by hand`);
    } else {
      record[field] = cutText(value, limit.max);
      notes.push(`${field} cut to ${limit.max} characters, the most ${crm} takes (the pack keeps it whole)`);
    }
  }
  return notes;
}

/** At most this many notes are kept between two readings (a long batch of long names says so once, then counts). */
const KEPT = 20;

/**
 * One adapter call's fitting (RecordFitter.call): fits each record as the fitter does, and remembers what it changed
 * record by record for that call's results, which are then told it on their own.
 */
export interface Fitting {
  /** The record fitted to the limits (the same object), what was changed noted under `externalId`. */
  fit<R extends Record<string, unknown>>(externalId: string, record: R, limits?: FieldLimits): R;
  /**
   * The call's results, each written one (synced) carrying the notes of what was fitted in the record it wrote
   * (`notes`, absent when nothing was): CRM Upsert's output tells each item its own. A record refused or to retry
   * gets none: it is fitted, and noted, again when it goes.
   */
  noted<T extends CrmItemResult>(results: readonly T[]): T[];
}

/**
 * An adapter's fitting: fits each record before it is sent and keeps what it changed, record by record, for the
 * adapter's `notes()` (the drain's notes). `take` empties it. An adapter call that fits through `call()` also hands
 * each written record's notes back with its result.
 */
export class RecordFitter {
  private readonly kept: string[] = [];
  private readonly seen = new Set<string>();
  private over = 0;

  constructor(
    private readonly crm: string,
    private readonly limits: FieldLimits,
  ) {}

  /** The record fitted to the limits (the same object), what was changed noted under `externalId`. */
  fit<R extends Record<string, unknown>>(externalId: string, record: R, limits: FieldLimits = this.limits): R {
    return this.call().fit(externalId, record, limits);
  }

  /**
   * A fitting for one adapter call: its notes go to `notes()` as `fit`'s do, and to the call's own results. Each call
   * has its own, so calls under way at once (the drain sends several batches together) never mix their records'.
   */
  call(): Fitting {
    const byRecord = new Map<string, string[]>();
    return {
      fit: (externalId, record, limits = this.limits) => {
        const notes = fitRecord(record, limits, this.crm);
        this.keep(externalId, notes);
        if (notes.length) byRecord.set(externalId, [...new Set([...(byRecord.get(externalId) ?? []), ...notes])]);
        return record;
      },
      noted: (results) =>
        results.map((r) => {
          const notes = r.status === 'synced' ? byRecord.get(r.externalId) : undefined;
          return notes ? { ...r, notes: notes.map((n) => `${r.externalId}: ${n}`) } : r;
        }),
    };
  }

  private keep(externalId: string, notes: readonly string[]): void {
    for (const note of notes) {
      const line = `${externalId}: ${note}`;
      if (this.seen.has(line)) continue;
      // Bounded whoever reads it: a long-lived adapter whose notes nobody takes holds twenty lines and a count.
      if (this.kept.length < KEPT) {
        this.seen.add(line);
        this.kept.push(line);
      } else this.over++;
    }
  }

  /** What was fitted since the last call, and how many more notes there were beyond those shown. */
  take(): string[] {
    const out = [...this.kept, ...(this.over ? [`… and ${this.over} more field(s) fitted to ${this.crm}'s lengths`] : [])];
    this.kept.length = 0;
    this.seen.clear();
    this.over = 0;
    return out;
  }
}
