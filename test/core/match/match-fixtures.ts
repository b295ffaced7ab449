import type { TokenizedPaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { CustomerProfile, CustomerUpsert } from '../../../nodes/core/contracts/crm';
import type { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { upsertPayments } from '../../../nodes/core/crm/upsert-payments';
import type { MatchConfig } from '../../../nodes/core/match/match-config';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { chargeObject, stripeEvent, type ChargeSpec } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';

let serial = 0;

/** A tokenized card-present charge. Every card gets its own last four digits unless the spec sets them. */
export function payment(spec: Partial<ChargeSpec> & { card?: ChargeSpec['card'] }): TokenizedPaymentEvent {
  serial++;
  const card = { last4: String(1000 + (serial % 9000)), fingerprint: `fp_${serial}`, ...spec.card };
  const charge = chargeObject({ amount: 1000, ...spec, card });
  return tokenize(normalizeStripeEvent(stripeEvent('charge.succeeded', charge)), testKeys());
}

/** Customers as a CRM import would write them: profile fields plus the keys found in them. */
export async function seedCustomers(crm: LocalSqlCrm, customers: readonly (CustomerProfile & { id: string; keys?: CustomerUpsert['keys']; cards?: CustomerUpsert['cards'] })[]): Promise<void> {
  await crm.upsertCustomers(
    customers.map(({ id, keys, cards, ...profile }) => ({
      id,
      profile,
      keys: [...(keys ?? []), ...(profile.email ? [{ kind: 'email' as const, value: profile.email.toLowerCase() }] : [])],
      ...(cards ? { cards } : {}),
    })),
  );
}

/** Thirty people who resemble nobody in the tests, so the index is not trivially small. */
export function strangers(): (CustomerProfile & { id: string })[] {
  const given = ['Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wade', 'Xena'];
  const family = ['Abbott', 'Baird', 'Cortez'];
  return given.flatMap((g, i) => family.map((f, j) => ({
    id: `cus_stranger_${i}_${j}`, givenName: g, familyName: f, email: `${g}.${f}@example.org`.toLowerCase(), postalCode: String(30000 + i * 10 + j),
  })));
}

/** Match, then record the payment as the CRM Upsert step does; returns both results. */
export async function matchAndRecord(crm: LocalSqlCrm, event: TokenizedPaymentEvent, config: MatchConfig = {}) {
  const match = await matchCustomer(event, { crm }, config);
  const [upsert] = await upsertPayments(crm, [{ event, match }]);
  return { match, upsert: upsert! };
}
