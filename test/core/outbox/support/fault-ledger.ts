import type { CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import type { OutboxItem } from '../../../../nodes/core/outbox/types';
import { mulberry32 } from '../../crm/saas/mocks/hubspot-mock';
import { customer } from './outbox-kit';

/**
 * What the ledger would hand the outbox over a busy day, seeded: 150 customers, 1,000 terminal payments, the same
 * payment delivered again (a processor retry), partial refunds and, later, full refunds of some of them. Three
 * rounds, so some records change while they still wait (coalesced) and some after they reached the CRM.
 */
export function faultLedger(seed = 42) {
  const rng = mulberry32(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const customers = Array.from({ length: 150 }, (_, i) => customer(i + 1));
  const state = new Map<string, CrmPayment>();
  const payments: CrmPayment[] = Array.from({ length: 1000 }, (_, i) => {
    const p: CrmPayment = {
      externalId: `stripe:pi_fault_${i + 1}`,
      customerExternalId: pick(customers).externalId,
      source: 'stripe',
      paymentId: `pi_fault_${i + 1}`,
      amount: { minor: 100 + Math.floor(rng() * 19_900), currency: 'USD' },
      refunded: { minor: 0, currency: 'USD' },
      status: 'succeeded',
      occurredAt: new Date(Date.parse('2025-03-01T08:00:00Z') + i * 30_000).toISOString(),
      card: { brand: 'visa', last4: '4242', entryMode: 'contactless' },
    };
    state.set(p.externalId, p);
    return p;
  });
  const item = (p: CrmPayment): OutboxItem => ({ kind: 'payment', record: p });
  const again = (n: number, among: readonly CrmPayment[]) => Array.from({ length: n }, () => item(state.get(pick(among).externalId)!));
  const refund = (n: number, among: readonly CrmPayment[], full: boolean) =>
    Array.from({ length: n }, () => {
      const p = state.get(pick(among).externalId)!;
      const refunded = full ? p.amount.minor : Math.max(p.refunded.minor, Math.floor(p.amount.minor / 2));
      const next: CrmPayment = { ...p, refunded: { minor: refunded, currency: 'USD' }, status: refunded === p.amount.minor ? 'refunded' : 'partially_refunded' };
      state.set(p.externalId, next);
      return item(next);
    });

  const rounds: OutboxItem[][] = [];
  rounds.push([...customers.map((record): OutboxItem => ({ kind: 'customer', record })), ...payments.slice(0, 500).map(item)]);
  rounds.push([...payments.slice(500).map(item), ...again(120, payments.slice(0, 500)), ...refund(150, payments, false)]);
  rounds.push([...refund(60, payments, true), ...again(80, payments)]);

  /** Net amount per customer once everything is in, in minor units. */
  const netByCustomer = new Map<string, number>();
  for (const p of state.values()) netByCustomer.set(p.customerExternalId, (netByCustomer.get(p.customerExternalId) ?? 0) + p.amount.minor - p.refunded.minor);
  return { customers, rounds, final: state, netByCustomer };
}
