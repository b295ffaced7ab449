import type { MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { makesCustomer, newCustomerId } from '../match/new-customer';
import { normalizeEmail } from '../match/normalize-keys';
import { trimmedStr } from '../json/json-values';
import { descriptorOfCard } from '../match/normalized-record';
import { personalCard } from '../match/personal-card';
import { ledgerEventOf, type LedgerEvent } from '../ledger/ledger-event';
import type { Crm, CustomerUpsert, TransactionOutcome } from '../contracts/crm';
import type { UpsertResult } from '../contracts/payment-message';

export { newCustomerId };

export interface PaymentToUpsert {
  event: TokenizedPaymentEvent;
  match: MatchResult;
}

/** A match that found nobody makes a customer, unless the event is one that never does (match/new-customer.ts). */
function createsCustomer(p: PaymentToUpsert): boolean {
  return p.match.customerId === null && makesCustomer(p.event, p.match.keys);
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
      // A gift card is not one of the customer's cards: whoever pays with it next is not them (match/personal-card.ts).
      const card = personalCard(event);
      customers.push({
        id: customerId,
        profile: {
          // A hint of blanks is no detail: it must neither fill in a record nor reach a CRM's name field.
          name: trimmedStr(h.name),
          // as written (lowercased), not the canonical match key: "j.doe+shop@gmail.com" stays readable
          email: normalizeEmail(h.email),
          phone: match.keys.find((k) => k.kind === 'phone')?.value,
          postalCode: trimmedStr(h.postalCode),
        },
        keys: match.keys,
        ...(card?.last4 ? { cards: [descriptorOfCard(card, event.source)] } : {}),
      });
    }
    records.push(ledgerEventOf(event, customerId));
  }
  let outcomes: TransactionOutcome[];
  if (crm.recordPayments) outcomes = await crm.recordPayments(customers, records);
  else {
    if (customers.length) await crm.upsertCustomers(customers);
    outcomes = await crm.recordTransactions(records);
  }
  return outcomes.map((o, i) => ({ ...o, customerCreated: batch[i]!.match.customerId === null && o.customerId !== null && o.outcome === 'recorded' }));
}
