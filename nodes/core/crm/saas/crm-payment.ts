import type { CrmPayment } from './crm-adapter';
import { ledgerPaymentOf, type LedgerPayment } from '../../ledger/payment-rows';
import type { PaymentRecord } from '../../ledger/payment-rules';
import { refundedTimesOf } from '../../ledger/refunded-at';
import type { SqlExecutor } from '../../store/sql-database';

/**
 * A payment's current state as a CRM record (the outbox sends it; a later state of the same payment replaces it in
 * the CRM, keyed by "<source>:<paymentId>"). Refunded is everything that went back to the cardholder: refunds and
 * chargebacks. Null while the payment has not been seen (only its refund or dispute has) or belongs to nobody.
 * `refundedAt`: when a refunded payment became so (ledger/refunded-at.ts; crmPaymentsOf reads it).
 */
export function crmPaymentOf(p: LedgerPayment, refundedAt?: string): CrmPayment | null {
  if (!p.counted || !p.customerId) return null;
  const card = { brand: p.card.brand ?? undefined, last4: p.card.last4 ?? undefined, entryMode: p.card.entryMode ?? undefined, wallet: p.card.wallet ?? undefined };
  const terminal = { readerId: p.terminal.readerId ?? undefined, locationId: p.terminal.locationId ?? undefined };
  return {
    externalId: p.key,
    customerExternalId: p.customerId,
    source: p.source,
    paymentId: p.paymentId,
    amount: { minor: p.grossMinor, currency: p.currency },
    refunded: { minor: p.refundedMinor + p.chargebackMinor, currency: p.currency },
    status: p.status,
    occurredAt: p.occurredAt,
    ...(p.status === 'refunded' && refundedAt ? { refundedAt } : {}),
    ...(Object.values(card).some((v) => v !== undefined) ? { card } : {}),
    ...(Object.values(terminal).some((v) => v !== undefined) ? { terminal } : {}),
  };
}

/** The CRM records of these ledger payments (as read, by key), with each refunded one's refund time; by key. */
export async function crmPaymentsOf(db: Pick<SqlExecutor, 'all'>, records: ReadonlyMap<string, PaymentRecord>): Promise<Map<string, CrmPayment>> {
  const payments = [...records.values()].map(ledgerPaymentOf);
  const refundedAt = await refundedTimesOf(db, payments.filter((p) => p.counted && p.customerId));
  const out = new Map<string, CrmPayment>();
  for (const p of payments) {
    const record = crmPaymentOf(p, refundedAt.get(p.key));
    if (record) out.set(p.key, record);
  }
  return out;
}
