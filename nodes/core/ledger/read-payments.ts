import type { Money } from '../contracts/money';
import { InputError } from '../errors';
import { isoTimeText, NO_SUCH_DAY_FIX } from '../format/iso-time-text';
import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { ledgerPaymentOf, PAYMENT_COLUMNS, readRecords, recordOfRow, type LedgerPayment, type PaymentRow } from './payment-rows';

type Reader = Pick<SqlExecutor, 'all'>;

/** One payment's current state, or undefined when the ledger has no event of it. */
export async function paymentState(db: Reader, source: string, paymentId: string): Promise<LedgerPayment | undefined> {
  const record = (await readRecords(db, [{ source, paymentId }])).get(`${source}:${paymentId}`);
  return record && ledgerPaymentOf(record);
}

/**
 * Of these payments of one source, those the ledger counts something refunded for (refundedMinor above 0, as
 * reconciliation compares it). A history lister asks it for the payments whose listing shows no refund at all, to
 * read the refunds of only those that the ledger says have one (sources/history/history-lister.ts, LedgerView).
 */
export async function refundedPaymentIds(db: Reader, source: string, paymentIds: readonly string[]): Promise<Set<string>> {
  const records = await readRecords(db, paymentIds.map((paymentId) => ({ source, paymentId })));
  return new Set([...records.values()].filter((r) => ledgerPaymentOf(r).refundedMinor > 0).map((r) => r.paymentId));
}

/**
 * Of these payments of one source, those the ledger holds a sale of (seen; not a refund that names no sale), each with
 * its gross in its currency: what a void naming no amount of its own takes back (a Clover payment read VOIDED).
 */
export async function saleAmounts(db: Reader, source: string, paymentIds: readonly string[]): Promise<Map<string, Money>> {
  const records = await readRecords(db, paymentIds.map((paymentId) => ({ source, paymentId })));
  return new Map([...records.values()].filter((r) => r.seen && !r.unreferenced).map((r) => [r.paymentId, { minor: ledgerPaymentOf(r).grossMinor, currency: r.currency }]));
}

/**
 * What a recorded refund event added to the refunds reported for its payment (its own amount, or the growth of a
 * running total), or undefined when the ledger has not recorded the event.
 */
export async function refundAddedBy(db: Reader, eventId: string): Promise<number | undefined> {
  const [row] = await db.all<{ refund_added_minor: number }>('SELECT refund_added_minor FROM ledger_events WHERE event_id = ?', [eventId]);
  return row ? Number(row.refund_added_minor) : undefined;
}

export interface PaymentFilter {
  source?: string;
  customerId?: string;
  /** Payments made at or after this time (ISO 8601). */
  since?: string;
  /** Payments made before this time (ISO 8601). */
  until?: string;
  /** Payments per page, 1–1000. */
  limit: number;
  /** `next` of the page before; absent for the first page. */
  cursor?: string | null;
}

export interface PaymentPage {
  payments: LedgerPayment[];
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  next: string | null;
}

export const MAX_PAGE = 1000;

/**
 * Payments in the order they were made (then by source and id), one page at a time. A payment whose refund or
 * dispute arrived before it is listed at the time of that first event, with `counted` false, until it is seen.
 * Pages walk the time index; a customer's payments are picked out on the way (there is no index by customer,
 * see schema.ts), so narrow a customer listing with `since` on a large store.
 */
export async function paymentsOf(db: Reader, filter: PaymentFilter): Promise<PaymentPage> {
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_PAGE) {
    throw new InputError('limit', `${String(filter.limit)} is not a page size`, `use a whole number from 1 to ${MAX_PAGE}`);
  }
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.source) { where.push('source = ?'); params.push(filter.source); }
  if (filter.customerId) { where.push('customer_id = ?'); params.push(filter.customerId); }
  const since = filter.since ? isoTime(filter.since, 'since') : undefined;
  const until = filter.until ? isoTime(filter.until, 'until') : undefined;
  // An empty window is a slip (the two swapped), not a question whose answer is "no payments".
  if (since !== undefined && until !== undefined && until <= since) {
    throw new InputError('until', `${until} is not after since (${since})`, 'give an until later than since, or leave it out for now');
  }
  if (since !== undefined) { where.push('occurred_at >= ?'); params.push(since); }
  if (until !== undefined) { where.push('occurred_at < ?'); params.push(until); }
  if (filter.cursor) {
    where.push('(occurred_at, source, payment_id) > (?, ?, ?)');
    params.push(...readCursor(filter.cursor));
  }
  const rows = await db.all<PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM ledger_payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY occurred_at, source, payment_id LIMIT ?`,
    [...params, filter.limit + 1],
  );
  const page = rows.slice(0, filter.limit).map((r) => ledgerPaymentOf(recordOfRow(r)));
  const last = page[page.length - 1];
  return { payments: page, next: rows.length > filter.limit && last ? cursorOf(last) : null };
}

/** An ISO 8601 time as the ledger writes its times (isoTimeText: ISO 8601 only, a day the calendar has). */
function isoTime(value: string, field: string): string {
  const read = isoTimeText(value);
  if (read === 'not ISO 8601') throw new InputError(field, `"${value}" is not a time`, 'give an ISO 8601 time such as 2025-03-01T00:00:00Z');
  if (read === 'no such day') throw new InputError(field, `"${value}" names a day the calendar does not have`, NO_SUCH_DAY_FIX);
  return read.toISOString();
}

function cursorOf(p: LedgerPayment): string {
  return Buffer.from(JSON.stringify([p.occurredAt, p.source, p.paymentId])).toString('base64url');
}

function readCursor(cursor: string): [string, string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string')) return v as [string, string, string];
  } catch {
    // reported below
  }
  throw new InputError('cursor', 'is not a cursor this listing gave out', 'pass the `next` of the page before unchanged, or no cursor for the first page');
}

export interface LedgerTotal {
  currency: string;
  payments: number;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  netMinor: number;
}

/**
 * Totals per currency of these payments (counted ones only): what a customer's totals are when these are the
 * payments their transactions belong to (an identity merge rebuilding them, for instance).
 */
export async function totalsOfPayments(db: Reader, payments: readonly { source: string; paymentId: string }[]): Promise<LedgerTotal[]> {
  const byCurrency = new Map<string, LedgerTotal>();
  for (const record of (await readRecords(db, payments)).values()) {
    const p = ledgerPaymentOf(record);
    if (!p.counted) continue;
    const t = byCurrency.get(p.currency) ?? { currency: p.currency, payments: 0, grossMinor: 0, refundedMinor: 0, chargebackMinor: 0, netMinor: 0 };
    t.payments += 1;
    t.grossMinor += p.grossMinor;
    t.refundedMinor += p.refundedMinor;
    t.chargebackMinor += p.chargebackMinor;
    t.netMinor += p.netMinor;
    byCurrency.set(p.currency, t);
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

/** Gives these payments of `from` to `into` (an identity merge, or its undo). Returns how many moved. */
export async function movePayments(tx: SqlExecutor, from: string, into: string, payments: readonly { source: string; paymentId: string }[]): Promise<number> {
  let moved = 0;
  for (const p of payments) {
    moved += (await tx.run('UPDATE ledger_payments SET customer_id = ? WHERE customer_id = ? AND source = ? AND payment_id = ?', [into, from, p.source, p.paymentId])).changes;
  }
  return moved;
}
