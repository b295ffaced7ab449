import type { CrmPayment } from './crm-adapter';
import type { LedgerPayment } from '../../ledger/payment-rows';

/**
 * A payment's current state as a CRM record (the outbox sends it; a later state of the same payment replaces it in
 * the CRM, keyed by "<source>:<paymentId>"). Refunded is everything that went back to the cardholder: refunds and
 * chargebacks. Null while the payment has not been seen (only its refund or dispute has) or belongs to nobody.
 */
export function crmPaymentOf(p: LedgerPayment): CrmPayment | null {
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
    ...(Object.values(card).some((v) => v !== undefined) ? { card } : {}),
    ...(Object.values(terminal).some((v) => v !== undefined) ? { terminal } : {}),
  };
}
