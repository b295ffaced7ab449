import { createHash } from 'node:crypto';
import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm, CustomerUpsert, TransactionOutcome, TransactionRecord } from './crm';

export interface PaymentToUpsert {
  event: TokenizedPaymentEvent;
  match: MatchResult;
}

export interface UpsertResult extends TransactionOutcome {
  customerCreated: boolean;
}

/**
 * The id a new customer gets. Derived from the payment, not the event: a PaymentIntent event and its charge
 * event can arrive at once, and must create one customer between them, also when a retry replays one of them.
 */
export function newCustomerId(event: Pick<TokenizedPaymentEvent, 'source' | 'paymentId'>): string {
  return `cus_${createHash('sha256').update(`${event.source}:${event.paymentId}`).digest('base64url').slice(0, 22)}`;
}

/** A failed payment tells us about an attempt, not about a customer: it never creates one. */
function createsCustomer(p: PaymentToUpsert): boolean {
  return p.match.customerId === null && p.event.kind !== 'failure';
}

/** CRM upsert step: customers first (idempotent by id), then transactions (idempotent by event id). */
export async function upsertPayments(crm: Crm, batch: readonly PaymentToUpsert[]): Promise<UpsertResult[]> {
  const customers: CustomerUpsert[] = [];
  const records: TransactionRecord[] = [];
  for (const p of batch) {
    const { event, match } = p;
    const customerId = match.customerId ?? (createsCustomer(p) ? newCustomerId(event) : null);
    if (customerId) {
      const h = event.customerHints;
      customers.push({
        id: customerId,
        profile: {
          name: h.name,
          email: match.keys.find((k) => k.kind === 'email')?.value,
          phone: match.keys.find((k) => k.kind === 'phone')?.value,
          postalCode: h.postalCode,
        },
        keys: match.keys,
      });
    }
    records.push({
      eventId: event.id,
      customerId,
      source: event.source,
      paymentId: event.paymentId,
      kind: event.kind,
      amount: event.amount,
      refundedTotal: event.refundedTotal,
      status: event.status,
      occurredAt: event.occurredAt,
      card: event.card && {
        brand: event.card.brand,
        last4: event.card.last4,
        token: event.card.identity?.kind === 'token' ? event.card.identity.value : undefined,
        entryMode: event.card.entryMode,
        wallet: event.card.wallet,
      },
      terminal: event.terminal,
    });
  }
  if (customers.length) await crm.upsertCustomers(customers);
  const outcomes = await crm.recordTransactions(records);
  return outcomes.map((o, i) => ({ ...o, customerCreated: batch[i]!.match.customerId === null && o.customerId !== null && o.outcome === 'recorded' }));
}
