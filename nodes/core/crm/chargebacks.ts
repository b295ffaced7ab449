import { disputePhase } from '../contracts/payment-event';
import type { SqlExecutor } from '../store/sql-database';
import type { TransactionRecord } from './crm';

/**
 * What a dispute event takes off the customer's totals. A lost dispute is money returned to the cardholder, so it
 * counts as refunded: once per payment, the disputed amount up to the payment's own. That is the rule the segment
 * statistics follow (stats-repository.ts), so the CRM's net spend and the Segment step's agree. Opening a dispute
 * and winning it move no money for good and change nothing. Call it before the event's own row is written.
 *
 * A dispute that arrives before its payment is recorded belongs to no customer yet (see upsert-payments.ts) and
 * changes no totals: disputes come weeks after the sale, so that is a sale this pack never saw.
 */
export async function chargedBackMinor(tx: SqlExecutor, r: TransactionRecord): Promise<number> {
  if (r.kind !== 'dispute' || disputePhase(r.status) !== 'lost') return 0;
  const earlier = await tx.get(
    "SELECT 1 AS one FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'dispute' AND status = 'refunded' LIMIT 1",
    [r.source, r.paymentId],
  );
  if (earlier) return 0;
  const payment = await tx.get<{ amount_minor: number; currency: string }>(
    "SELECT amount_minor, currency FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'payment'",
    [r.source, r.paymentId],
  );
  if (!payment || payment.currency !== r.amount.currency) return 0;
  return Math.max(0, Math.min(r.amount.minor, Number(payment.amount_minor)));
}
