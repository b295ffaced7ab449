import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotificationRequestItem } from '@adyen/api-library/lib/src/typings/notification/notificationRequestItem';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { bothDialects } from '../../support/both-dialects';
import { DeliveryOrder } from '../pipeline/delivery-order-support';
import { libraryItemReceiver } from '../sources/adyen-test-support';

/**
 * The scheme refusing an unreferenced refund (REFUND_WITH_DATA, a payment of its own under its pspReference), or its
 * money coming back to the merchant, in a REFUND_FAILED or REFUNDED_REVERSED under the refund's pspReference that
 * names an originalReference, as Adyen's REFUND_WITH_DATA example carries one and its REFUND_FAILED example names the
 * payment by it (Adyen/adyen-openapi json/Webhooks-v1.json): the refund gives nothing back, whichever payment the
 * originalReference names and in either order, and the customer's totals, segment statistics and loyalty points
 * follow. Items as @adyen/api-library types them, signed by its HmacValidator, through the Adyen source into a store
 * of each dialect.
 */
const KEY = '9A3C5E7F1B2D4F6A8C0E2A4C6E8A0C2E4A6C8E0A2C4E6A8C0E2A4C6E8A0C2E4A';
const Code = NotificationRequestItem.EventCodeEnum;
const program = parseLoyaltyProgram({ id: 'unreferenced-reversal', currency: 'EUR' });
const tiered = parseLoyaltyProgram({ id: 'unreferenced-reversal-tiers', currency: 'EUR', tiers: [{ name: 'Silver', minSpendMinor: 9_000, multiplier: 2 }] });
const at = (day: number) => `2025-11-${String(day).padStart(2, '0')}T11:00:00+01:00`;

const received = libraryItemReceiver(KEY, {
  amount: { currency: 'EUR', value: 3000 },
  merchantAccountCode: 'TerminalCrmShopNL',
  merchantReference: 'POS-2207',
  success: NotificationRequestItem.SuccessEnum.True,
});

/** Shopper n's card: its alias and last four digits. */
const cardOf = (n: number) => ({ alias: `H2207000000000${String(n).padStart(2, '0')}`, last4: String(n).padStart(4, '0') });

/** The shopper's terminal sale (AuthorisationNotificationAdditionalData), which makes them a customer by the card. */
const sale = (psp: string, n: number) => received({
  eventCode: Code.Authorisation, pspReference: psp, eventDate: at(1), paymentMethod: 'mc', amount: { currency: 'EUR', value: 10000 }, reason: `033899:${cardOf(n).last4}:03/2030`,
  additionalData: {
    alias: cardOf(n).alias, aliasType: 'Default', cardBin: '541333', cardSummary: cardOf(n).last4, expiryDate: '03/2030', paymentMethodVariant: 'mc', posEntryMode: 'CLESS_CHIP',
    shopperInteraction: 'POS', shopperEmail: `ruben${n}@example.com`, shopperReference: `shopper-${n}`, store: 'Amsterdam-01', terminalId: 'V400m-324688179',
  },
});

/** The unreferenced refund to the same card (RefundWithDataAdditionalData keys only), naming `original` as Adyen's example does. */
const refundWithData = (psp: string, n: number, original: string) => received({
  eventCode: Code.RefundWithData, pspReference: psp, originalReference: original, eventDate: at(9), paymentMethod: 'mc', reason: '',
  additionalData: {
    alias: cardOf(n).alias, aliasType: 'Default', cardBin: '541333', cardHolderName: 'Ruben Return', cardSummary: cardOf(n).last4, expiryDate: '03/2030', fundingSource: 'DEBIT',
    paymentMethodVariant: 'mc', shopperInteraction: 'POS', store: 'Amsterdam-01', terminalId: 'V400m-324688179',
  },
});

/** Its failure or reversal: the refund's pspReference, the originalReference it names, no card. */
const reversal = (code: NotificationRequestItem.EventCodeEnum, psp: string, original: string, value = 3000) => received({
  eventCode: code, pspReference: psp, originalReference: original, eventDate: at(11), paymentMethod: 'mc', amount: { currency: 'EUR', value },
  reason: code === Code.RefundFailed ? 'Refund Failed' : '',
});

for (const store of bothDialects('adyen-unreferenced-reversal')) {
  describe(`an Adyen REFUND_FAILED or REFUNDED_REVERSED of an unreferenced refund that names an originalReference, on ${store.dialect}`, () => {
    const order = new DeliveryOrder('adyen', program, tiered);
    before(() => order.open(store));
    after(() => order.close());
    const db = () => order.s.db;
    const rows = async (sql: string, args: unknown[]) => (await db().all<Record<string, unknown>>(sql, args as never)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])));

    /** Where the shopper stands everywhere the money is counted, and the refund's own payment. */
    async function outcome(refund: string, shopper: string) {
      const p = (await paymentState(db(), 'adyen', refund))!;
      return {
        refund: [p.counted, p.unreferenced, p.customerId === shopper, p.refundedMinor, p.netMinor, p.status],
        refundEntries: (await rows('SELECT refund_id, amount_minor, reversed_at FROM ledger_refunds WHERE source = ? AND payment_id = ?', ['adyen', refund]))
          .map((r) => [r.refund_id === refund, r.amount_minor, r.reversed_at !== null]),
        transactionsAddUpTo: (await rows('SELECT COALESCE(SUM(amount_minor), 0) AS n FROM transactions WHERE source = ? AND payment_id = ?', ['adyen', refund]))[0]!.n,
        totals: (await rows('SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', [shopper])).map((t) => [t.payments, t.gross_minor, t.refunded_minor]),
        segment: (await rows('SELECT payments, gross_minor, refunded_minor FROM segment_stats WHERE customer_id = ?', [shopper])).map((s) => [s.payments, s.gross_minor, s.refunded_minor]),
        loyalty: (await order.members(program.id, shopper)).map((m) => [Number(m.lifetime_spend_minor), Number(m.points_balance)]),
        tiers: (await order.members(tiered.id, shopper)).map((m) => [Number(m.lifetime_spend_minor), Number(m.points_balance), m.tier]),
      };
    }
    const kept = {
      refund: [true, true, true, 0, 0, 'failed'], refundEntries: [[true, 3000, true]], transactionsAddUpTo: 0,
      totals: [[1, 10000, 0]], segment: [[1, 10000, 0]], loyalty: [[10000, 100]], tiers: [[10000, 100, 'Silver']],
    };

    let n = 0;
    const cases = [
      { code: Code.RefundFailed, names: 'a payment of no one we know' },
      { code: Code.RefundFailed, names: 'the shopper\'s own sale' },
      { code: Code.RefundedReversed, names: 'a payment of no one we know' },
    ];
    for (const { code, names } of cases) for (const refundFirst of [true, false]) {
      it(`${code} naming ${names}, ${refundFirst ? 'after' : 'before'} the refund: the refund gives nothing back, and the payment it names is untouched`, async () => {
        {
          n += 1;
          const salePsp = `SALE${String(n).padStart(12, '0')}`;
          const refundPsp = `UNREF${String(n).padStart(11, '0')}`;
          const original = names === 'a payment of no one we know' ? `ELSEWHERE${String(n).padStart(7, '0')}` : salePsp;
          const shopper = (await order.deliver(await sale(salePsp, n))).customerId!;
          const customers = await order.customerCount();
          const refund = await refundWithData(refundPsp, n, original);
          const undone = await reversal(code, refundPsp, original);
          assert.deepEqual([refund.paymentId, undone.paymentId, undone.refund], [refundPsp, original, { id: refundPsp, cumulative: false, reversed: true }], 'each as the source reads it');
          for (const e of refundFirst ? [refund, undone] : [undone, refund]) await order.deliver(e);
          const label = refundFirst ? 'refund first' : 'failure first';
          assert.deepEqual(await outcome(refundPsp, shopper), kept, `${label}: the shopper keeps all they spent, and the refund counts nothing`);
          const s = (await paymentState(db(), 'adyen', salePsp))!;
          assert.deepEqual([s.grossMinor, s.refundedMinor, s.netMinor, s.status], [10000, 0, 10000, 'succeeded'], `${label}: the sale is as it was`);
          if (original !== salePsp && refundFirst) assert.equal(await paymentState(db(), 'adyen', original), undefined, 'no payment is made of the name');
          assert.equal(await order.customerCount(), customers, `${label}: no customer made`);
          // A redelivery of either changes nothing.
          for (const e of [refund, undone]) assert.equal((await order.deliver(e)).outcome, 'duplicate');
          assert.deepEqual(await outcome(refundPsp, shopper), kept, `${label}: after redeliveries`);
        }
      });
    }

    it('an ordinary refund of the sale and its REFUND_FAILED stay on the sale, in either order: no payment is made of the refund', async () => {
      for (const refundFirst of [true, false]) {
        n += 1;
        const salePsp = `SALE${String(n).padStart(12, '0')}`;
        const refundPsp = `REFUND${String(n).padStart(10, '0')}`;
        const shopper = (await order.deliver(await sale(salePsp, n))).customerId!;
        const refund = await received({ eventCode: Code.Refund, pspReference: refundPsp, originalReference: salePsp, eventDate: at(9), amount: { currency: 'EUR', value: 2500 } });
        const undone = await reversal(Code.RefundFailed, refundPsp, salePsp, 2500);
        const midway = refundFirst ? await order.deliver(refund) : await order.deliver(undone);
        assert.equal(midway.customerId, shopper);
        if (refundFirst) assert.equal((await paymentState(db(), 'adyen', salePsp))!.refundedMinor, 2500, 'the refund counts on the sale until it fails');
        await order.deliver(refundFirst ? undone : refund);
        const s = (await paymentState(db(), 'adyen', salePsp))!;
        assert.deepEqual([s.refundedMinor, s.netMinor, s.status, s.events], [0, 10000, 'succeeded', 3]);
        assert.equal(await paymentState(db(), 'adyen', refundPsp), undefined);
        assert.deepEqual((await rows('SELECT payment_id, reversed_at FROM ledger_refunds WHERE source = ? AND refund_id = ?', ['adyen', refundPsp])).map((r) => [r.payment_id, r.reversed_at !== null]), [[salePsp, true]]);
        assert.deepEqual((await rows('SELECT refunded_minor FROM customer_totals WHERE customer_id = ?', [shopper])).map((t) => t.refunded_minor), [0]);
      }
    });
  });
}
