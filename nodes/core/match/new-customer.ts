import { createHash } from 'node:crypto';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';

/**
 * The id a new customer gets. Derived from the payment, not the event: a PaymentIntent event and its charge
 * event can arrive at once, and must create one customer between them, also when a retry replays one of them.
 */
export function newCustomerId(event: Pick<TokenizedPaymentEvent, 'source' | 'paymentId'>): string {
  return `cus_${createHash('sha256').update(`${event.source}:${event.paymentId}`).digest('base64url').slice(0, 22)}`;
}

/**
 * Whether recording this event with no customer matched makes one. A failed payment tells about an attempt, not
 * about a customer: it never creates one. Nor does a dispute: it is about a sale, and usually names only that
 * sale, so it belongs to the sale's customer or, for a sale this pack never recorded (an online one), to nobody.
 * Nor does a refund the processor reports reversed (refund.reversed): it gave nobody anything, and names only the
 * refund and its sale (a Stripe refund event cannot even say whether the sale was card-present). Nor does a capture
 * of a sale (sale.captureId on a payment: Adyen's CAPTURE): it carries no card, terminal or shopper, and can arrive
 * before its authorisation, which does; it belongs to the sale's customer, as the ledger counts it with the sale.
 */
export function makesCustomer(event: Pick<TokenizedPaymentEvent, 'kind' | 'refund' | 'sale'>): boolean {
  const capture = event.kind === 'payment' && event.sale?.captureId !== undefined;
  return event.kind !== 'failure' && event.kind !== 'dispute' && event.refund?.reversed !== true && !capture;
}
