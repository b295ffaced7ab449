import { paymentKeyOf } from './ledger-event';
import type { LedgerPayment } from './payment-rows';
import { uncollectedOf } from './payment-rules';
import { inProcessorOrder, refundAmountsInOrder, refundReportOf, type RefundReport, type RefundReportRow } from './refund-order';
import type { SqlExecutor } from '../store/sql-database';
import { InListQuery } from '../store/sql-shapes';

/**
 * When a payment refunded in full became so, at the processor's time: a CRM closes its deal as lost then, not when the
 * write reached it (a backfill of a year's refunds would show every deal lost today). That is the refund report that
 * brought the refunds up to what was left to give back (so the latest of several refunds that add up to it; after a
 * refund taken back, the one that made it whole again), or the lost dispute's report when a chargeback gave back the
 * rest, whichever came later. Null when the payment is not refunded, or the ledger has not the reports to say
 * (refunds recorded before store schema 28 left only each per-refund refund's first report; disputes before schema 30
 * have no time).
 */
export function refundedAtOf(p: LedgerPayment, reports: readonly RefundReport[]): string | null {
  if (p.status !== 'refunded') return null;
  const chargeback = p.disputePhase === 'lost' && p.chargebackMinor > 0;
  // What the refunds had to reach: all of the sale but what its captures never took and what a lost dispute took back;
  // a refund of no sale (unreferenced) is refunded by any refund that stands.
  const owed = p.unreferenced ? 1 : p.grossMinor - p.captureFailedMinor - uncollectedOf(p) - (chargeback ? p.disputedMinor : 0);
  if (owed <= 0) return chargeback ? p.disputeAt : null;
  const added = refundAmountsInOrder(reports, p.currency);
  let refunded = 0;
  let reachedAt: string | null = null;
  for (const r of inProcessorOrder(reports)) {
    const before = refunded;
    refunded += added.get(r.eventId) ?? 0;
    if (refunded < owed) reachedAt = null;
    else if (before < owed) reachedAt = new Date(r.occurredAt).toISOString();
  }
  if (reachedAt === null || !chargeback) return reachedAt;
  return p.disputeAt === null ? null : [reachedAt, new Date(p.disputeAt).toISOString()].sort()[1]!;
}

const READ_REPORTS = new InListQuery(
  'SELECT source, payment_id, event_id, refund_id, reversed, amount_minor, currency, occurred_at FROM ledger_refund_reports WHERE (source, payment_id) IN (VALUES ',
  2,
  ')',
);

/** refundedAtOf for each of these payments that is refunded and whose time the ledger can say, by payment key. */
export async function refundedTimesOf(db: Pick<SqlExecutor, 'all'>, payments: readonly LedgerPayment[]): Promise<Map<string, string>> {
  const refunded = payments.filter((p) => p.status === 'refunded');
  const out = new Map<string, string>();
  if (refunded.length === 0) return out;
  const reports = new Map<string, RefundReport[]>();
  const rows = await READ_REPORTS.all<RefundReportRow & { source: string; payment_id: string }>(db, refunded.map((p) => [p.source, p.paymentId]));
  for (const row of rows) {
    const key = paymentKeyOf({ source: row.source, paymentId: row.payment_id });
    reports.set(key, [...(reports.get(key) ?? []), refundReportOf(row)]);
  }
  for (const p of refunded) {
    const at = refundedAtOf(p, reports.get(p.key) ?? []);
    if (at !== null) out.set(p.key, at);
  }
  return out;
}
