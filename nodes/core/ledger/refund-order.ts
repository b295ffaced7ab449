import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { MultiRowInsert } from '../store/sql-shapes';
import type { LedgerEvent } from './ledger-event';
import { moneyOf, refundEntryAfter, refundIdOf, reportedRefundOf, utcIso, type RefundEntry } from './payment-rules';

/** What one refund event reported, as ledger_refund_reports keeps it (store schema 28). */
export interface RefundReport {
  eventId: string;
  /** The refund a per-refund report is about; null for a running total (Stripe's charge.refunded). */
  refundId: string | null;
  /** A per-refund report that takes its refund back (failed, voided, reversed). */
  reversed: boolean;
  /** A running total's total so far, or a per-refund report's own amount. */
  minor: number;
  currency: string;
  occurredAt: string;
}

/**
 * What each refund event adds to the payment's refunds reported (reportedRefundOf) when the payment's refund reports
 * are taken in the processor's order: by their time; at one time a refund standing before a report taking one back
 * (a refund stands before it is voided; Clover gives both the refund's own time); then by event id. The same reports
 * give the same amounts whatever order they arrived in, and they add up to what the ledger counts of them, as what
 * each added on arrival does (which is what the ledger keeps in ledger_events, and what a refund message tells).
 * Reports in another currency than the payment's add nothing, as the ledger sets none of them against it.
 */
export function refundAmountsInOrder(reports: readonly RefundReport[], currency: string): Map<string, number> {
  const sorted = inProcessorOrder(reports);
  const facts = { refundReportedMinor: 0, refundSumMinor: 0, refundReversedMinor: 0 };
  const entries = new Map<string, RefundEntry>();
  const out = new Map<string, number>();
  for (const r of sorted) {
    const before = reportedRefundOf(facts);
    if (r.currency === currency && r.refundId === null) facts.refundReportedMinor = Math.max(facts.refundReportedMinor, r.minor);
    else if (r.currency === currency && r.refundId !== null) {
      const step = refundEntryAfter(entries.get(r.refundId), {
        amount: { minor: r.minor, currency: r.currency }, refund: { id: r.refundId, cumulative: false, ...(r.reversed ? { reversed: true as const } : {}) },
      });
      entries.set(r.refundId, step.entry);
      facts.refundSumMinor += step.sumChange;
      facts.refundReversedMinor += step.reversedChange;
    }
    out.set(r.eventId, reportedRefundOf(facts) - before);
  }
  return out;
}

/** The reports in the processor's order, as refundAmountsInOrder takes them. */
export function inProcessorOrder(reports: readonly RefundReport[]): RefundReport[] {
  return [...reports].sort(
    (a, b) => cmp(utcIso(a.occurredAt), utcIso(b.occurredAt)) || Number(a.reversed) - Number(b.reversed) || cmp(a.eventId, b.eventId),
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const INSERT_REPORTS = new MultiRowInsert(
  'INSERT INTO ledger_refund_reports (source, payment_id, event_id, refund_id, reversed, amount_minor, currency, occurred_at)',
  8,
  'ON CONFLICT (source, payment_id, event_id) DO NOTHING',
);

/** The ledger_refund_reports row of a refund event (null for any other event). */
export function refundReportRow(e: LedgerEvent): SqlValue[] | null {
  if (e.kind !== 'refund') return null;
  const refundId = refundIdOf(e);
  const money = moneyOf(e);
  return [e.source, e.paymentId, e.eventId, refundId, refundId !== null && e.refund?.reversed === true ? 1 : 0, money.minor, money.currency, utcIso(e.occurredAt)];
}

export async function writeRefundReports(tx: SqlExecutor, rows: readonly SqlValue[][]): Promise<void> {
  await INSERT_REPORTS.run(tx, rows);
}

/**
 * What each refund event of the payment adds in the processor's order (refundAmountsInOrder), by event id, for the
 * events whose reports the ledger keeps (none recorded before store schema 28 but each per-refund refund's first).
 */
export async function refundAmountsOf(tx: Pick<SqlExecutor, 'all'>, source: string, paymentId: string, currency: string): Promise<Map<string, number>> {
  const rows = await tx.all<RefundReportRow>(
    'SELECT event_id, refund_id, reversed, amount_minor, currency, occurred_at FROM ledger_refund_reports WHERE source = ? AND payment_id = ?',
    [source, paymentId],
  );
  return refundAmountsInOrder(rows.map(refundReportOf), currency);
}

export interface RefundReportRow {
  event_id: string;
  refund_id: string | null;
  reversed: number;
  amount_minor: number;
  currency: string;
  occurred_at: string;
}

export function refundReportOf(r: RefundReportRow): RefundReport {
  return { eventId: r.event_id, refundId: r.refund_id, reversed: Number(r.reversed) === 1, minor: Number(r.amount_minor), currency: r.currency, occurredAt: r.occurred_at };
}
