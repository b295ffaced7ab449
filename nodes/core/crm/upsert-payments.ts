import { createHash } from 'node:crypto';
import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { normalizeEmail } from '../match/normalize-keys';
import { descriptorOfCard } from '../match/normalized-record';
import { ledgerEventOf, type LedgerEvent } from '../ledger/ledger-event';
import type { Crm, CustomerUpsert, TransactionOutcome } from './crm';

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

/**
 * A failed payment tells us about an attempt, not about a customer: it never creates one. Nor does a dispute: it
 * is about a sale, and usually names only that sale, so it belongs to the sale's customer or, for a sale this
 * pack never recorded (an online one), to nobody.
 */
function createsCustomer(p: PaymentToUpsert): boolean {
  return p.match.customerId === null && p.event.kind !== 'failure' && p.event.kind !== 'dispute';
}

/** CRM upsert step: customers first (idempotent by id), then transactions (idempotent by event id). */
export async function upsertPayments(crm: Crm, batch: readonly PaymentToUpsert[]): Promise<UpsertResult[]> {
  const customers: CustomerUpsert[] = [];
  const records: LedgerEvent[] = [];
  for (const p of batch) {
    const { event, match } = p;
    const customerId = match.customerId ?? (createsCustomer(p) ? newCustomerId(event) : null);
    if (customerId) {
      const h = event.customerHints;
      customers.push({
        id: customerId,
        profile: {
          name: h.name,
          // as written (lowercased), not the canonical match key: "j.doe+shop@gmail.com" stays readable
          email: normalizeEmail(h.email),
          phone: match.keys.find((k) => k.kind === 'phone')?.value,
          postalCode: h.postalCode,
        },
        keys: match.keys,
        ...(event.card?.last4 ? { cards: [descriptorOfCard(event.card, event.source)] } : {}),
      });
    }
    records.push(ledgerEventOf(event, customerId));
  }
  if (customers.length) await crm.upsertCustomers(customers);
  const outcomes = await crm.recordTransactions(records);
  return outcomes.map((o, i) => ({ ...o, customerCreated: batch[i]!.match.customerId === null && o.customerId !== null && o.outcome === 'recorded' }));
}
