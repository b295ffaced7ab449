import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import { adyenBatchDelivery, adyenDelivery, adyenNotificationItem, adyenPspReference, type AdyenScenario } from '../../../sandbox/simulator/adyen-events';
import { receivedAdyen } from '../sources/adyen-test-support';
import { DeliveryOrder } from '../pipeline/delivery-order-support';

const KEY = '7C'.repeat(32);
const program = parseLoyaltyProgram({ id: 'unreferenced-refund', currency: 'EUR' });
const tiered = parseLoyaltyProgram({ id: 'unreferenced-refund-tiers', currency: 'EUR', tiers: [{ name: 'Silver', minSpendMinor: 9_000, multiplier: 2 }] });

/** One notification as Adyen signs and sends it, through the Adyen source. */
const received = (scenario: AdyenScenario, o: Parameters<typeof adyenDelivery>[2]): Promise<PaymentEvent> => receivedAdyen(adyenDelivery(scenario, KEY, o), KEY);
const at = (day: number) => new Date(Date.UTC(2025, 10, day, 10));
/** The scheme refusing an unreferenced refund: a REFUND_FAILED under the refund's pspReference that names no payment. */
async function refundFailedNamingNoPayment(psp: string, amount: number, day: number): Promise<PaymentEvent> {
  const item = adyenNotificationItem('refund_failed', KEY, { pspReference: psp, amount, eventDate: at(day) });
  delete item.originalReference;
  (item.additionalData as Record<string, string>).hmacSignature = new HmacValidator().calculateHmac(item as never, KEY);
  return receivedAdyen(adyenBatchDelivery([item]), KEY);
}

describe('an Adyen unreferenced refund (REFUND_WITH_DATA) is money given back at once, through the ledger to the CRM, segment and loyalty', () => {
  const order = new DeliveryOrder('adyen', program, tiered);
  before(() => order.open());
  after(() => order.close());
  const db = () => order.s.db;

  /** Everything the store keeps of the refund and of the shopper. */
  async function stored(refund: string, shopper: string) {
    const { card: { token: _t, ...card }, ...payment } = (await paymentState(db(), 'adyen', refund))!;
    const rows = async (sql: string, args: unknown[]) => (await db().all<Record<string, unknown>>(sql, args as never)).map((r) => ({ ...r }));
    return {
      payment: { ...payment, card },
      refunds: await rows('SELECT refund_id, amount_minor, currency, reversed_at FROM ledger_refunds WHERE source = ? AND payment_id = ?', ['adyen', refund]),
      transactions: await rows('SELECT kind, amount_minor, customer_id, occurred_at FROM transactions WHERE source = ? AND payment_id = ?', ['adyen', refund]),
      totals: await rows('SELECT currency, payments, gross_minor, refunded_minor, first_seen, last_seen FROM customer_totals WHERE customer_id = ?', [shopper]),
      segment: await rows('SELECT payments, purchase_days, gross_minor, refunded_minor, first_seen, last_seen FROM segment_stats WHERE customer_id = ?', [shopper]),
      loyalty: await order.members(program.id, shopper),
      tiers: await order.members(tiered.id, shopper),
    };
  }

  it('to a returning shopper\'s card: their refunded total and visit, not a payment or a purchase; a repeat delivery changes nothing', async () => {
    const card = { alias: 'HUNREF000000001', last4: '4242' };
    const shopper = (await order.deliver(await received('chip', { amount: 10000, eventDate: at(1), card, shopperEmail: 'una@example.com' }))).customerId!;
    const psp = adyenPspReference();
    const refund = await received('refund_with_data', { pspReference: psp, amount: 3000, eventDate: at(9), card });
    const crm = await order.deliver(refund);
    assert.deepEqual([crm.outcome, crm.customerId], ['recorded', shopper], 'the card names the shopper');
    assert.deepEqual(crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 10000, refundedMinor: 3000, netMinor: 7000 }]);

    const first = await stored(psp, shopper);
    const p = first.payment;
    assert.deepEqual(
      [p.counted, p.unreferenced, p.customerId, p.grossMinor, p.saleMinor, p.refundedMinor, p.netMinor, p.status, p.occurredAt],
      [true, true, shopper, 0, 0, 3000, -3000, 'refunded', '2025-11-09T10:00:00.000Z'],
      'it counts at once, waiting for no sale: money given back, with no sale to set it against',
    );
    assert.deepEqual([p.card.brand, p.card.last4, p.terminal.readerId], ['visa', '4242', 'V400m-324688179']);
    assert.deepEqual(first.refunds, [{ refund_id: psp, amount_minor: 3000, currency: 'EUR', reversed_at: null }]);
    assert.deepEqual(first.transactions, [{ kind: 'refund', amount_minor: 3000, customer_id: shopper, occurred_at: '2025-11-09T10:00:00.000Z' }]);
    assert.deepEqual(first.totals, [
      { currency: 'EUR', payments: 1, gross_minor: 10000, refunded_minor: 3000, first_seen: '2025-11-01T10:00:00.000Z', last_seen: '2025-11-09T10:00:00.000Z' },
    ], 'one payment, the refund a visit');
    assert.deepEqual(first.segment.map((s) => [s.payments, s.purchase_days, s.gross_minor, s.refunded_minor]), [[1, 1, 10000, 3000]]);
    assert.deepEqual(first.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[7000, 1, 100, 100]]);
    assert.deepEqual(first.tiers.map((m) => [m.lifetime_spend_minor, m.visits, m.tier]), [[7000, 1, null]], 'spend below Silver once it is given back');

    const again = await order.deliver(refund);
    assert.deepEqual([again.outcome, again.customerId], ['duplicate', shopper]);
    assert.deepEqual(await stored(psp, shopper), first, 'a repeat delivery changes nothing');
  });

  /** What takes an unreferenced refund back: the scheme refusing it, or the merchant cancelling it while it was pending. */
  const undoings = [
    { name: 'refused by the scheme (a REFUND_FAILED naming no payment)', undo: (psp: string) => refundFailedNamingNoPayment(psp, 3000, 11) },
    { name: 'cancelled while pending (VOID_PENDING_REFUND)', undo: (psp: string) => received('void_pending_refund', { originalReference: psp, amount: 3000, eventDate: at(10) }) },
  ];
  for (const [k, { name, undo }] of undoings.entries()) {
    it(`${name}: it gives nothing back, in either order`, async () => {
      const outcomes = [];
      for (const [n, refundFirst] of [[2 + 2 * k, true], [3 + 2 * k, false]] as const) {
        const card = { alias: `HUNREF00000000${n}`, last4: '4343' };
        const shopper = (await order.deliver(await received('chip', { amount: 10000, eventDate: at(1), card, shopperEmail: `una${n}@example.com` }))).customerId!;
        const psp = adyenPspReference();
        const refund = await received('refund_with_data', { pspReference: psp, amount: 3000, eventDate: at(9), card });
        const undone = await undo(psp);
        for (const e of refundFirst ? [refund, undone] : [undone, refund]) await order.deliver(e);
        const { refunds, payment, totals, segment, loyalty } = await stored(psp, shopper);
        assert.deepEqual([payment.counted, payment.unreferenced, payment.refundedMinor, payment.netMinor, payment.status], [true, true, 0, 0, 'failed']);
        assert.deepEqual(refunds.map((r) => [r.refund_id, r.amount_minor, r.reversed_at !== null]), [[psp, 3000, true]]);
        outcomes.push({ totals: totals.map((t) => [t.payments, t.gross_minor, t.refunded_minor]), segment: segment.map((s) => [s.gross_minor, s.refunded_minor]), loyalty: loyalty.map((m) => [m.lifetime_spend_minor, m.points_balance]) });
      }
      assert.deepEqual(outcomes[0], { totals: [[1, 10000, 0]], segment: [[10000, 0]], loyalty: [[10000, 100]] }, 'the shopper keeps all they spent');
      assert.deepEqual(outcomes[1], outcomes[0], 'the same in the other order');
    });
  }

  it('to a card no one is known by, with no shopper: recorded for nobody and makes no customer, but counts, not waiting for a sale', async () => {
    const before = await order.customerCount();
    const psp = adyenPspReference();
    const event = await received('refund_with_data', { pspReference: psp, amount: 1500, eventDate: at(12), card: { alias: '' } });
    const crm = await order.deliver(event);
    assert.deepEqual([crm.outcome, crm.customerId], ['recorded', null]);
    assert.equal(await order.customerCount(), before, 'no customer made of a refund that names no one');
    const p = (await paymentState(db(), 'adyen', psp))!;
    assert.deepEqual([p.counted, p.customerId, p.refundedMinor, p.netMinor, p.status], [true, null, 1500, -1500, 'refunded']);
    const rows = await db().all<{ kind: string; amount_minor: number; customer_id: string | null }>(
      'SELECT kind, amount_minor, customer_id FROM transactions WHERE source = ? AND payment_id = ?', ['adyen', psp],
    );
    assert.deepEqual(rows.map((r) => ({ ...r })), [{ kind: 'refund', amount_minor: 1500, customer_id: null }]);
  });
});
