import type { PaymentMessage } from '../../../../nodes/core/contracts/payment-message';

/**
 * Messages as they leave CRM Upsert (the PaymentEvent with `match` and `crm` added), built directly so a test
 * controls every field: customer, payment, kind, time, card and terminal.
 */
export interface MessageSpec {
  customerId: string | null;
  paymentId: string;
  eventId?: string;
  kind?: 'payment' | 'refund' | 'dispute' | 'failure';
  status?: PaymentMessage['status'];
  amountMinor: number;
  refundedTotalMinor?: number;
  /** A refund reported per refund (its id), or its reversal. */
  refund?: PaymentMessage['refund'];
  /** The processor says the sale moved no money after all (true), or money moved for it again (false). */
  sale?: PaymentMessage['sale'];
  currency?: string;
  at: string;
  entryMode?: 'chip' | 'contactless' | 'swipe' | 'keyed' | 'unknown';
  brand?: string;
  wallet?: string;
  locationId?: string;
  metadata?: Record<string, string>;
  lineItems?: { category: string; amountMinor?: number; quantity?: number }[];
}

let counter = 0;

export function message(s: MessageSpec): PaymentMessage & { lineItems?: MessageSpec['lineItems'] } {
  const kind = s.kind ?? 'payment';
  const currency = (s.currency ?? 'usd').toLowerCase();
  const status = s.status ?? (kind === 'refund' ? 'partially_refunded' : kind === 'dispute' ? 'disputed' : kind === 'failure' ? 'failed' : 'succeeded');
  return {
    schemaVersion: 1,
    id: s.eventId ?? `evt_test_${++counter}_${s.paymentId}`,
    source: 'stripe',
    type: kind === 'refund' ? 'charge.refunded' : kind === 'dispute' ? 'charge.dispute.created' : 'charge.succeeded',
    kind,
    paymentId: s.paymentId,
    amount: { minor: s.amountMinor, currency: currency.toUpperCase() },
    ...(kind === 'refund' ? { refundedTotal: { minor: s.refundedTotalMinor ?? s.amountMinor, currency: currency.toUpperCase() } } : {}),
    ...(s.refund ? { refund: s.refund } : {}),
    ...(s.sale ? { sale: s.sale } : {}),
    status,
    occurredAt: new Date(s.at).toISOString(),
    livemode: false,
    ...(s.entryMode || s.brand || s.wallet
      ? { card: { entryMode: s.entryMode ?? 'unknown', ...(s.brand ? { brand: s.brand } : {}), ...(s.wallet ? { wallet: s.wallet } : {}) } }
      : {}),
    ...(s.locationId ? { terminal: { locationId: s.locationId } } : {}),
    customerHints: {},
    metadata: s.metadata ?? {},
    match: { customerId: s.customerId, confidence: 1, matchedOn: [], decision: 'link', explanation: 'test', keys: [] },
    crm: { eventId: 'x', outcome: 'recorded', customerId: s.customerId, totals: [], customerCreated: false },
    ...(s.lineItems ? { lineItems: s.lineItems } : {}),
  } as PaymentMessage & { lineItems?: MessageSpec['lineItems'] };
}
