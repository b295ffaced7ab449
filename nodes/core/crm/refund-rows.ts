import { paymentKeyOf, type LedgerEvent } from '../ledger/ledger-event';
import type { RecordedEvent } from '../ledger/record-events';
import { refundAmountsOf } from '../ledger/refund-order';
import type { SqlExecutor, SqlValue } from '../store/sql-database';

/**
 * A refund's transaction holds what its event adds to the payment's refunds in the processor's order (ledger
 * refund-order.ts), so the rows are the same whatever order the events arrived in: Stripe's charge.refunded of 25.00
 * and then 40.00 in all are 25.00 and 15.00 even when the 40.00 came first, and a Clover refund read after its void
 * is +20.00 and the void -20.00. A refund after everything else its payment had is what it added on arrival
 * (RecordedEvent.refundAddedMinor), so only a refund heard behind another of its payment's events
 * (RecordedEvent.refundBehind), or a sale that made its payment count in another currency than the refunds heard
 * before it were added in (RecordedEvent.currencyWas: each adds what it adds in the sale's currency), reads its
 * payment's reports, and sets this batch's rows (`rows`: TRANSACTION_COLUMNS
 * without recorded_at; event_id 0, source 2, payment_id 3, kind 4, amount_minor 5) and the stored ones that differ.
 */
export async function orderRefundRows(tx: SqlExecutor, records: readonly LedgerEvent[], recorded: readonly RecordedEvent[], rows: readonly SqlValue[][]): Promise<void> {
  const payments = new Map<string, { r: LedgerEvent; currency: string }>();
  for (const [i, r] of records.entries()) {
    // A sale that made its payment count in another currency than its refunds heard before it were added in.
    if (recorded[i]!.refundBehind || recorded[i]!.currencyWas !== undefined) payments.set(paymentKeyOf(r), { r, currency: recorded[i]!.payment.currency });
  }
  for (const { r, currency } of payments.values()) {
    const amounts = await refundAmountsOf(tx, r.source, r.paymentId, currency);
    const fresh = rows.filter((row) => row[2] === r.source && row[3] === r.paymentId && row[4] === 'refund');
    const stored = await tx.all<{ event_id: string; amount_minor: number }>(
      "SELECT event_id, amount_minor FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'refund'",
      [r.source, r.paymentId],
    );
    // A refund recorded before the ledger kept its reports (store schema 28) cannot be placed: the payment's rows stay
    // what each added on arrival, which add up to the same.
    if (![...fresh.map((row) => String(row[0])), ...stored.map((s) => s.event_id)].every((id) => amounts.has(id))) continue;
    for (const row of fresh) row[5] = amounts.get(String(row[0]))!;
    for (const s of stored) {
      const amount = amounts.get(s.event_id)!;
      if (Number(s.amount_minor) !== amount) await tx.run('UPDATE transactions SET amount_minor = ? WHERE event_id = ?', [amount, s.event_id]);
    }
  }
}
