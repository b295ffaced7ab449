import type { Money } from '../contracts/money';
import { disputeAmountStated, type EventKind, type PaymentEvent } from '../contracts/payment-event';

/**
 * One event as the ledger records it: the PaymentEvent's money, card and terminal descriptors, and the customer the
 * match step tied it to. No card data (a token at most), so it is safe to keep and to show.
 */
export interface LedgerEvent {
  /** "<source>:<processor's id>": the ledger records each once. */
  eventId: string;
  customerId: string | null;
  source: PaymentEvent['source'];
  paymentId: string;
  kind: EventKind;
  amount: Money;
  refundedTotal?: Money;
  refund?: PaymentEvent['refund'];
  /** Whether the sale moved money, when the processor said so after the fact (PaymentEvent.sale). */
  sale?: PaymentEvent['sale'];
  status: PaymentEvent['status'];
  /** The sale stored on the reader while offline, dated when the customer paid (PaymentEvent.storedOffline). */
  storedOffline?: true;
  /**
   * false: a dispute report whose processor stated no amount (contracts DISPUTE_AMOUNT_UNSTATED), `amount` being the
   * payment's total; an amount another report of the dispute stated stands over it (payment-rules.ts).
   */
  disputeAmountStated?: false;
  occurredAt: string;
  card?: { brand?: string; last4?: string; token?: string; entryMode?: string; wallet?: string };
  terminal?: { readerId?: string; locationId?: string };
}

/** The ledger's view of a (tokenized) PaymentEvent: the card keeps its descriptors and our token, never the processor's fingerprint. */
export function ledgerEventOf(event: PaymentEvent, customerId: string | null): LedgerEvent {
  return {
    eventId: event.id,
    customerId,
    source: event.source,
    paymentId: event.paymentId,
    kind: event.kind,
    amount: event.amount,
    ...(event.refundedTotal ? { refundedTotal: event.refundedTotal } : {}),
    ...(event.refund ? { refund: event.refund } : {}),
    ...(event.sale ? { sale: event.sale } : {}),
    status: event.status,
    ...(event.storedOffline ? { storedOffline: true as const } : {}),
    ...(disputeAmountStated(event) ? {} : { disputeAmountStated: false as const }),
    occurredAt: event.occurredAt,
    card: event.card && {
      brand: event.card.brand,
      last4: event.card.last4,
      token: event.card.identity?.kind === 'token' ? event.card.identity.value : undefined,
      entryMode: event.card.entryMode,
      wallet: event.card.wallet,
    },
    terminal: event.terminal,
  };
}

/** "<source>:<paymentId>": a payment's key across the store (entry keys, CRM external ids, lock keys). */
export function paymentKeyOf(p: { source: string; paymentId: string }): string {
  return `${p.source}:${p.paymentId}`;
}
