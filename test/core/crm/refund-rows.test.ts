import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { tempStore } from '../../support/temp-store';
import { cumulativeRefund, ownRefund, payment } from '../ledger/support/events';

type Store = Awaited<ReturnType<typeof tempStore>>;

/**
 * A refund's transaction row holds what it adds to its payment's refunds in the sale's currency (refund-rows.ts), also
 * when a refund in another currency was heard first: until the sale arrives, the payment is in the currency it was
 * first heard in, and the sale fixing another one (RecordedEvent.currencyWas) sets each earlier refund's row to what it
 * adds in the sale's. The order-independence property test found the rows differing by order.
 */
describe('refund rows: in the sale\'s currency whichever currency the payment was first heard in', () => {
  let s: Store;
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  const eur = (minor: number) => ({ amount: { minor, currency: 'EUR' }, refundedTotal: { minor, currency: 'EUR' } });
  const rows = async (paymentId: string) => (await s.db.all<{ kind: string; amount_minor: number; currency: string }>(
    'SELECT kind, amount_minor, currency FROM transactions WHERE source = ? AND payment_id = ? ORDER BY occurred_at, kind', ['stripe', paymentId],
  )).map((r) => [r.kind, Number(r.amount_minor), r.currency]);

  it('a USD running total, a EUR refund, then the EUR sale: the same rows as when the sale came first', { timeout: 30_000 }, async () => {
    const facts = (p: string): LedgerEvent[] => [
      payment(p, 10_000, '2025-03-01T10:00:00.000Z', { customerId: null, ...eur(10_000) }),
      cumulativeRefund(p, 2000, '2025-03-02T10:00:00.000Z', { customerId: null }),
      ownRefund(p, `re_${p}`, 3000, '2025-03-03T10:00:00.000Z', { customerId: null, ...eur(3000) }),
    ];
    const [sale, usd, own] = facts('pi_rows_sale_first');
    for (const e of [sale!, usd!, own!]) await s.crm.recordTransactions([e]);
    const [sale2, usd2, own2] = facts('pi_rows_refunds_first');
    for (const e of [usd2!, own2!, sale2!]) await s.crm.recordTransactions([e]);
    const expected = [['payment', 10_000, 'EUR'], ['refund', 0, 'USD'], ['refund', 3000, 'EUR']];
    assert.deepEqual(await rows('pi_rows_sale_first'), expected, 'sale first');
    assert.deepEqual(await rows('pi_rows_refunds_first'), expected, 'refunds first: the USD total adds nothing to a EUR sale, the EUR refund its amount');
  });
});
