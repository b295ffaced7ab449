import type { EventKind, TokenizedPaymentEvent } from '../contracts/payment-event';
import { InputError } from '../errors';
import { ledgerEventOf, paymentKeyOf, type LedgerEvent } from './ledger-event';
import { linkedCustomerId, readTokenizedEvent } from '../contracts/payment-message';

/**
 * What the Segment and Loyalty steps need from a message that has been through CRM Upsert: whose payment it was,
 * the event as the payment ledger records it, and the line items. What the event changed in the payment's money
 * is the ledger's to say (ledger/payment-rules.ts): these steps record the event there (a no-op when CRM Upsert
 * already did) and count what the ledger reports. Every event of one payment shares `paymentKey`.
 */
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
  kind: EventKind;
  amountMinor: number;
  currency: string;
  occurredAt: string;
  atMs: number;
  lineItems: LineItem[];
  /** The event as the payment ledger records it. */
  ledgerEvent: LedgerEvent;
}

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
  // Segment and Loyalty skip a payment linked to nobody, whatever a flow left in its place.
  const customerId = linkedCustomerId(crm) ?? null;
  const atMs = Date.parse(event.occurredAt);
  return {
    eventId: event.id,
    customerId,
    source: event.source,
    paymentId: event.paymentId,
    paymentKey: paymentKeyOf(event),
    kind: event.kind,
    amountMinor: event.amount.minor,
    currency: (event.kind === 'refund' ? event.refundedTotal?.currency : undefined) ?? event.amount.currency,
    occurredAt: new Date(atMs).toISOString(),
    atMs,
    lineItems: lineItemsOf(payload, event),
    ledgerEvent: ledgerEventOf(event, customerId),
  };
}
