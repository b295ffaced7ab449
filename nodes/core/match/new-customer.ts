import { hash } from 'node:crypto';
import type { MatchKey } from '../contracts/customer';
import { isReportOnSale, type TokenizedPaymentEvent } from '../contracts/payment-event';

/**
 * The id a new customer gets. Derived from the payment, not the event: a PaymentIntent event and its charge
 * event can arrive at once, and must create one customer between them, also when a retry replays one of them.
 */
export function newCustomerId(event: Pick<TokenizedPaymentEvent, 'source' | 'paymentId'>): string {
  // The one-shot hash: the same digest without a Hash object per call (Match Customer and CRM Upsert ask per payment).
  return `cus_${hash('sha256', `${event.source}:${event.paymentId}`, 'base64url').slice(0, 22)}`;
}

/**
 * Whether recording this event with no customer matched makes one. A failed payment tells about an attempt, not
 * about a customer: it never creates one. Nor does a dispute: it is about a sale, and usually names only that
 * sale, so it belongs to the sale's customer or, for a sale this pack never recorded (an online one), to nobody.
 * Nor does a refund the processor reports reversed (refund.reversed): it gave nobody anything, and names only the
 * refund and its sale (a Stripe refund event cannot even say whether the sale was card-present). Nor does a capture
 * of a sale (sale.captureId on a payment: Adyen's CAPTURE): it carries no card, terminal or shopper, and can arrive
 * before its authorisation, which does; it belongs to the sale's customer, as the ledger counts it with the sale.
 * Nor does a refund that carries nothing to know a customer by (no card token, processor customer id, email or
 * phone among `keys`, the match's normalized keys: an Adyen REFUND names only its sale): one heard before its sale
 * would make a customer of the payment's id alone, and the sale, when it comes with the card and the shopper, would
 * count for that customer (a payment's customer is the first its events were tied to) instead of the one they
 * are. Left with nobody, the refund counts with its sale, for the sale's customer.
 * Nor, for the same reason, does a sale that carries no card and nothing to know a customer by: Stripe's
 * payment_intent.succeeded names its charge only by id (latest_charge, API versions since 2022-11-15), so it has no
 * card, and on a terminal usually no email; heard before charge.succeeded (Stripe promises no order) it made a
 * customer of the payment id alone, and the sale, its refunds and disputes counted for them and not for the
 * returning shopper the charge's card names. Left with nobody, the sale counts for whom its charge names (the
 * ledger gives a payment's customer all it counted: ledger/record-events.ts). A sale with a card (SumUp's names only
 * its last digits and brand) still makes one.
 */
export function makesCustomer(event: Pick<TokenizedPaymentEvent, 'kind' | 'refund' | 'sale' | 'card'>, keys: readonly Pick<MatchKey, 'kind'>[]): boolean {
  const anonymous = !keys.some((k) => k.kind !== 'paymentId');
  const anonymousRefund = event.kind === 'refund' && anonymous;
  const anonymousSale = event.kind === 'payment' && anonymous && !event.card;
  return event.kind !== 'failure' && event.kind !== 'dispute' && event.refund?.reversed !== true && !isReportOnSale(event) && !anonymousRefund && !anonymousSale;
}
