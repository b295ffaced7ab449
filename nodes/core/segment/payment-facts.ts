import { disputePhase, type TokenizedPaymentEvent } from '../contracts/payment-event';
import { InputError } from '../errors';
import { readTokenizedEvent } from '../steps/payment-message';

/**
 * What the Segment and Loyalty steps need from a message that has been through CRM Upsert: whose payment it was,
 * and what happened to it. Every event of one payment (a PaymentIntent and its charge, later refunds and
 * disputes) shares `paymentKey`, which is what keeps a payment counted once however its events arrive.
 *
 * Disputes, by the PaymentEvent's status: "disputed" (or "pending") opens one, "succeeded" closes it in the
 * merchant's favour, "refunded" closes it lost (the money went back to the cardholder).
 */
export type PaymentChange =
  | { kind: 'payment' }
  | { kind: 'refund'; refundedTotalMinor: number }
  | { kind: 'dispute'; phase: 'open' | 'won' | 'lost' }
  | { kind: 'failure' };

export interface LineItem {
  category: string;
  amountMinor?: number;
  quantity?: number;
}

export interface PaymentFacts {
  eventId: string;
  customerId: string | null;
  source: string;
  paymentId: string;
  paymentKey: string;
  change: PaymentChange;
  amountMinor: number;
  currency: string;
  occurredAt: string;
  atMs: number;
  entryMode?: string;
  /** Wallet when there is one (apple_pay…), else the card brand. */
  method?: string;
  locationId?: string;
  lineItems: LineItem[];
}

// The status convention lives with the contract, so the CRM and these steps read a dispute the same way.
export { disputePhase };

/**
 * Line items are optional: a `lineItems` array on the message ([{category, amountMinor?, quantity?}], added by a
 * POS integration or a flow), else the payment's metadata `category` / `categories` (comma-separated).
 */
function lineItemsOf(payload: unknown, event: TokenizedPaymentEvent): LineItem[] {
  const raw = (payload as { lineItems?: unknown } | null)?.lineItems;
  if (Array.isArray(raw)) {
    return raw
      .filter((i): i is Record<string, unknown> => !!i && typeof i === 'object' && typeof (i as { category?: unknown }).category === 'string')
      .map((i) => ({
        category: String(i.category).trim().toLowerCase(),
        amountMinor: Number.isInteger(i.amountMinor) ? (i.amountMinor as number) : undefined,
        quantity: Number.isInteger(i.quantity) ? (i.quantity as number) : undefined,
      }))
      .filter((i) => i.category !== '');
  }
  const fromMetadata = event.metadata.categories ?? event.metadata.category;
  if (!fromMetadata) return [];
  return fromMetadata.split(',').map((c) => ({ category: c.trim().toLowerCase() })).filter((c) => c.category !== '');
}

export function readPaymentFacts(payload: unknown, step: string): PaymentFacts {
  const event = readTokenizedEvent(payload, step);
  const crm = (payload as { crm?: { customerId?: unknown } } | null)?.crm;
  if (!crm || typeof crm !== 'object') {
    throw new InputError('crm', `${step} received a payment without a CRM result`, `put a CRM Upsert step before ${step}`);
  }
  const customerId = typeof crm.customerId === 'string' && crm.customerId !== '' ? crm.customerId : null;
  const change: PaymentChange =
    event.kind === 'payment'
      ? { kind: 'payment' }
      : event.kind === 'refund'
        ? { kind: 'refund', refundedTotalMinor: (event.refundedTotal ?? event.amount).minor }
        : event.kind === 'dispute'
          ? { kind: 'dispute', phase: disputePhase(event.status) }
          : { kind: 'failure' };
  const atMs = Date.parse(event.occurredAt);
  return {
    eventId: event.id,
    customerId,
    source: event.source,
    paymentId: event.paymentId,
    paymentKey: `${event.source}:${event.paymentId}`,
    change,
    amountMinor: event.amount.minor,
    currency: (event.kind === 'refund' ? event.refundedTotal?.currency : undefined) ?? event.amount.currency,
    occurredAt: new Date(atMs).toISOString(),
    atMs,
    entryMode: event.card?.entryMode,
    method: event.card?.wallet ?? event.card?.brand,
    locationId: event.terminal?.locationId ?? event.terminal?.readerId,
    lineItems: lineItemsOf(payload, event),
  };
}
