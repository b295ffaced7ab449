import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { chargeObject, disputeObject, paymentIntentObject, refundObject, signedDelivery, stripeEvent, type DisputeStatus } from '../../../sandbox/simulator/stripe-terminal-events';
import { cloverApiStub, cloverDelivery, cloverId, cloverPayment } from '../../../sandbox/simulator/clover-events';
import { sumupApiStub, sumupDelivery, sumupTransaction } from '../../../sandbox/simulator/sumup-events';
import { uuidV1Like, zettleDelivery } from '../../../sandbox/simulator/zettle-events';
import { squareDisputeObject, squareEvent, squarePaymentId, squarePaymentObject, squareRefundObject } from '../../../sandbox/simulator/square-events';
import { verifiedStripeEvent } from '../../support/stripe-delivery';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { bothDialects } from '../../support/both-dialects';
import { deliveryOf, KEY as SQUARE_KEY } from '../sources/square-fixtures';
import { crmPaymentsOf } from '../../../nodes/core/crm/saas/crm-payment';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { readRecords } from '../../../nodes/core/ledger/payment-rows';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { DeliveryOrder, type Delivery, type Outcome } from './delivery-order-support';

/** A program without tiers and one whose Silver the earlier sale and the new one reach together (as in the Adyen test). */
const programs = (id: string, currency: string) => [
  parseLoyaltyProgram({ id, currency }),
  parseLoyaltyProgram({ id: `${id}-tiers`, currency, tiers: [{ name: 'Silver', minSpendMinor: 11_000, multiplier: 2 }, { name: 'Gold', minSpendMinor: 12_000, multiplier: 3 }] }),
] as const;

const at = (day: number) => new Date(Date.UTC(2025, 9, day, 10));
const seconds = (day: number) => Math.floor(at(day).getTime() / 1000);

function harness(source: string, currency: string) {
  const [program, tiered] = programs(`${source}-order`, currency);
  const order = new DeliveryOrder(source, program, tiered);
  before(() => order.open());
  after(() => order.close());
  return order;
}

/** The sale's refund rows, [amount, time], in the order compared. */
const refundRows = (r: Outcome) => r.transactions.filter((t) => t.kind === 'refund').map((t) => [t.amount_minor, t.occurred_at]);

/** A Stripe event created on `day`, signed and received as the webhook is. */
const receivedFromStripe = (type: string, object: object, day: number): Promise<PaymentEvent> =>
  verifiedStripeEvent(signedDelivery(stripeEvent(type, object, { created: seconds(day) }), TEST_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);

describe('a Stripe Terminal sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its events arrive in', () => {
  const order = harness('stripe', 'USD');
  const received = receivedFromStripe;

  /**
   * A returning shopper (an earlier chip sale of 10.00 with the same card), then a chip sale of 100.00: its
   * PaymentIntent and charge, and what `roles` names of what Stripe sends later about it.
   */
  function saleScenario(roles: readonly ('pi' | 'charge' | 'refund 25' | 'refund 40' | 'refund failed' | 'dispute' | `dispute ${DisputeStatus}`)[]) {
    return async (n: number) => {
      const card = { fingerprint: `fp_order_${n}`, last4: String(1000 + (n % 9000)), readerId: 'tmr_order', locationId: 'tml_order' };
      const earlier = await received('charge.succeeded', chargeObject({ amount: 1000, card, created: seconds(1) }), 1);
      const paymentIntentId = `pi_order_${n}`;
      const chargeId = `ch_order_${n}`;
      const sale = { amount: 10000, card, paymentIntentId, chargeId, created: seconds(3) };
      const refundId = `re_order_${n}`;
      const events: Delivery[] = [];
      for (const role of roles) {
        const event = await (() => {
          switch (role) {
            case 'pi': return received('payment_intent.succeeded', paymentIntentObject(sale), 3);
            case 'charge': return received('charge.succeeded', chargeObject(sale), 3);
            // charge.refunded carries the charge with what has been refunded so far.
            case 'refund 25': return received('charge.refunded', chargeObject({ ...sale, amountRefunded: 2500 }), 5);
            case 'refund 40': return received('charge.refunded', chargeObject({ ...sale, amountRefunded: 4000 }), 6);
            case 'refund failed': return received('refund.failed', refundObject({ amount: 1500, chargeId, paymentIntentId, refundId, status: 'failed' }), 8);
            case 'dispute': return received('charge.dispute.created', disputeObject({ amount: 10000, charge: chargeId, paymentIntentId, disputeId: `dp_order_${n}` }), 9);
            default: return received('charge.dispute.closed', disputeObject({ amount: 10000, charge: chargeId, paymentIntentId, disputeId: `dp_order_${n}`, status: role.slice('dispute '.length) as DisputeStatus }), 12);
          }
        })();
        events.push({ role, event });
      }
      return { earlier, events, pay: paymentIntentId };
    };
  }

  it('payment_intent.succeeded, charge.succeeded, a partial charge.refunded, a dispute opened and lost: all 120 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['pi', 'charge', 'refund 25', 'dispute', 'dispute lost']), 5);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.chargebackMinor, p.netMinor], [10000, 2500, 7500, 0], 'the chargeback takes back what the refund left');
    // The CRM counts a lost chargeback as money back (refunded), the refund's visit as the last.
    assert.deepEqual(natural.totals.map((t) => ({ ...t })), [{ currency: 'USD', payments: 2, gross_minor: 11000, refunded_minor: 10000, first_seen: '2025-10-01T10:00:00.000Z', last_seen: '2025-10-05T10:00:00.000Z' }]);
  });

  it('a refund of 25.00, another to 40.00 in all, and the second one failing: all 120 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['pi', 'charge', 'refund 25', 'refund 40', 'refund failed']), 5, 6000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor], [10000, 2500, 7500]);
    // Each charge.refunded holds what it added to the running total in Stripe's order, and the failure takes its refund
    // back out: 25.00, 15.00 and -15.00 whichever Stripe sent first.
    assert.deepEqual(refundRows(natural), [[2500, '2025-10-05T10:00:00.000Z'], [1500, '2025-10-06T10:00:00.000Z'], [-1500, '2025-10-08T10:00:00.000Z']]);
  });

  it('refunds of 40.00 in all, 15.00 of them failing, and a dispute lost: the sale\'s points all forfeited, the failed refund\'s too, in all 24 orders', async () => {
    // Found by order-independence.property.test.ts: a refund failing after the dispute was lost gave the points its
    // refund had taken back to the balance, where before the loss they were forfeited with the rest.
    const natural = await order.everyOrder(saleScenario(['charge', 'refund 40', 'refund failed', 'dispute lost']), 4, 8000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.chargebackMinor, p.netMinor], [10000, 2500, 7500, 0]);
    // The earlier sale's 10 points are all the shopper has; the lost sale's 100 are forfeited, whatever refunds did first.
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_held]), [[1000, 2, 10, 0]]);
  });

  it('a dispute opened and won: all 24 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['pi', 'charge', 'dispute', 'dispute won']), 4, 7000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.chargebackMinor, natural.payment.netMinor], [10000, 0, 10000]);
  });
});

for (const store of bothDialects('stripe-offline-order')) {
  describe(`a Stripe sale the reader stored offline ends the same, dated when the customer paid, whatever order its events arrive in, on ${store.dialect}`, () => {
    const [program, tiered] = programs('stripe-offline', 'USD');
    const order = new DeliveryOrder('stripe', program, tiered);
    before(() => order.open(store));
    after(() => order.close());

    /**
     * The returning shopper's sale of 100.00 collected while the reader was offline, on 2 October at 10:00, and forwarded
     * on the 3rd: the PaymentIntent event is dated then and names its charge only by id, the charge carries
     * card_present.offline.stored_at. What `roles` names of the rest comes later.
     */
    function offlineScenario(roles: readonly ('pi' | 'charge' | 'refund 25')[], { customer = false } = {}) {
      return async (n: number) => {
        const card = { fingerprint: `fp_offline_${n}`, last4: String(1000 + (n % 9000)), readerId: 'tmr_order', locationId: 'tml_order' };
        // With `customer`, the shopper is a Stripe Customer the PaymentIntent names too: every step counts the sale as
        // soon as its PaymentIntent arrives, dated at its forwarding, and moves it when the charge comes.
        const customerId = customer ? `cus_offline_${n}` : null;
        const earlier = await receivedFromStripe('charge.succeeded', chargeObject({ amount: 1000, card, created: seconds(1), customer: customerId }), 1);
        const paymentIntentId = `pi_offline_${n}`;
        const sale = { amount: 10000, card: { ...card, offlineStoredAt: seconds(2) }, paymentIntentId, chargeId: `ch_offline_${n}`, created: seconds(3), customer: customerId };
        const events: Delivery[] = [];
        for (const role of roles) {
          const event = await (() => {
            switch (role) {
              case 'pi': return receivedFromStripe('payment_intent.succeeded', paymentIntentObject(sale), 3);
              case 'charge': return receivedFromStripe('charge.succeeded', chargeObject(sale), 3);
              default: return receivedFromStripe('charge.refunded', chargeObject({ ...sale, amountRefunded: 2500 }), 5);
            }
          })();
          events.push({ role, event });
        }
        return { earlier, events, pay: paymentIntentId };
      };
    }

    for (const [customer, shoppers] of [[true, 8000], [false, 8010]] as const) {
      it(`a sale the reader stored offline is dated when the customer paid, in the ledger, its transaction, the totals, segment and loyalty, whether its PaymentIntent ${customer ? '(naming the shopper)' : '(naming no one)'} or its charge comes first`, { timeout: 120_000 }, async () => {
        const paid = '2025-10-02T10:00:00.000Z';
        const natural = await order.everyOrder(offlineScenario(['pi', 'charge'], { customer }), 2, shoppers);
        assert.equal(natural.payment.occurredAt, paid);
        assert.deepEqual(natural.transactions.map((t) => [t.kind, t.amount_minor, t.occurred_at]), [['payment', 10000, paid]]);
        // The customer's last visit is the sale as paid, not as forwarded.
        assert.deepEqual(natural.totals.map((t) => ({ ...t })), [{ currency: 'USD', payments: 2, gross_minor: 11000, refunded_minor: 0, first_seen: '2025-10-01T10:00:00.000Z', last_seen: paid }]);
        assert.deepEqual(natural.segment.map((r) => [(r as { last_seen: string }).last_seen, (r as { purchase_days: number }).purchase_days]), [[paid, 2]]);
        // Paid on a Thursday (weekday 4), forwarded on a Friday: both sales' weekdays, as each was paid.
        const weekdays = natural.counters.filter((c) => (c as { dimension: string }).dimension === 'weekday').map((c) => [(c as { item: string }).item, Number((c as { hits: number }).hits)]);
        assert.deepEqual(weekdays, [['3', 1], ['4', 1]]);
        // In both orders: segment and both programs keep the sale as paid, its points earned then, and the tier it took
        // the shopper to (Silver, at 110.00) since then.
        const sales = [`pi_offline_${shoppers}`, `pi_offline_${shoppers + 1}`];
        const timesOf = async (sql: string) => (await order.s.db.all<{ at: string }>(sql, sales)).map((r) => r.at);
        assert.deepEqual(await timesOf('SELECT occurred_at AS at FROM segment_payments WHERE payment_id IN (?, ?)'), [paid, paid]);
        assert.deepEqual(await timesOf('SELECT occurred_at AS at FROM loyalty_payments WHERE payment_id IN (?, ?)'), [paid, paid, paid, paid]);
        assert.deepEqual(await timesOf("SELECT occurred_at AS at FROM loyalty_ledger WHERE payment_id IN (?, ?) AND kind = 'earn'"), [paid, paid, paid, paid]);
        assert.deepEqual(await timesOf(`SELECT m.tier_since AS at FROM loyalty_members m JOIN loyalty_payments p ON p.program_id = m.program_id AND p.customer_id = m.customer_id
          WHERE p.payment_id IN (?, ?) AND m.tier IS NOT NULL`), [paid, paid]);
      });
    }

    it('a sale stored offline and partly refunded: all 6 orders end with the sale as paid and the refund as made', { timeout: 120_000 }, async () => {
      const natural = await order.everyOrder(offlineScenario(['pi', 'charge', 'refund 25'], { customer: true }), 3, 8100);
      assert.deepEqual(natural.transactions.map((t) => [t.kind, t.amount_minor, t.occurred_at]), [['payment', 10000, '2025-10-02T10:00:00.000Z'], ['refund', 2500, '2025-10-05T10:00:00.000Z']]);
      assert.deepEqual(natural.totals.map((t) => [(t as { first_seen: string }).first_seen, (t as { last_seen: string }).last_seen]), [['2025-10-01T10:00:00.000Z', '2025-10-05T10:00:00.000Z']]);
    });
  });
}

describe('a Square sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its events arrive in', () => {
  const order = harness('square', 'USD');
  const received = async (type: string, object: { id?: string }, day: number): Promise<PaymentEvent> => {
    const out = await receiveWebhook('square', deliveryOf(squareEvent(type, object, { createdAt: at(day).toISOString() })), { credentials: { signatureKey: SQUARE_KEY } });
    assert.equal(out.events.length, 1, JSON.stringify(out.report));
    return out.events[0]!;
  };

  function saleScenario(roles: readonly ('payment.created' | 'payment.updated' | 'refund 30' | 'refund 30 updated again' | 'refund 20' | 'dispute' | 'dispute LOST' | 'dispute WON')[]) {
    return async (n: number) => {
      const card = { fingerprint: `sq-1-order-${n}`, last4: String(1000 + (n % 9000)) };
      const earlier = await received('payment.created', squarePaymentObject({ amount: 1000, card, createdAt: at(1).toISOString() }), 1);
      const paymentId = squarePaymentId();
      const refunds = [
        { role: 'refund 30', refund: squareRefundObject({ paymentId, amount: 3000, at: at(5).toISOString() }) },
        { role: 'refund 20', refund: squareRefundObject({ paymentId, amount: 2000, at: at(6).toISOString() }) },
      ].filter((r) => roles.includes(r.role as never) || (r.role === 'refund 30' && roles.includes('refund 30 updated again')));
      const sale = { id: paymentId, amount: 10000, card, createdAt: at(3).toISOString() };
      const events: Delivery[] = [];
      for (const role of roles) {
        const event = await (() => {
          switch (role) {
            case 'payment.created': return received('payment.created', squarePaymentObject(sale), 3);
            // Square updates the payment with each refund: its refund ids and the money refunded so far.
            case 'payment.updated': return received('payment.updated', squarePaymentObject({
              ...sale, refundIds: refunds.map((r) => r.refund.id), refundedAmount: refunds.reduce((sum, r) => sum + r.refund.amount_money.amount, 0),
            }), 7);
            case 'refund 30': case 'refund 20': return received('refund.updated', refunds.find((r) => r.role === role)!.refund, role === 'refund 30' ? 5 : 6);
            // refund.updated: "A Refund was updated. Typically, the refund.status field changes" (Square's Refunds API
            // webhooks): the completed refund updated again later (its processing fee), the same refund by its id.
            case 'refund 30 updated again': return received('refund.updated', Object.assign(structuredClone(refunds.find((r) => r.role === 'refund 30')!.refund), { updated_at: at(8).toISOString() }), 8);
            case 'dispute': return received('dispute.created', squareDisputeObject({ paymentId, amount: 10000, id: `dsp-order-${n}`, at: at(9).toISOString() }), 9);
            default: return received('dispute.state.updated', squareDisputeObject({ paymentId, amount: 10000, id: `dsp-order-${n}`, state: role.slice('dispute '.length) as 'LOST', at: at(12).toISOString() }), 12);
          }
        })();
        events.push({ role, event });
      }
      return { earlier, events, pay: paymentId };
    };
  }

  it('payment.created, a refund, the payment updated with it, a dispute opened and lost: all 120 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['payment.created', 'refund 30', 'payment.updated', 'dispute', 'dispute LOST']), 5);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.chargebackMinor, p.netMinor], [10000, 3000, 7000, 0]);
  });

  it('a refund, and Square updating it again later: the customer last seen at the later report, in all 6 orders', async () => {
    // Found by order-independence.property.test.ts: heard before the sale, the report that added nothing (its row 0)
    // was no visit when the sale came, where heard after it it is one (a refund report that moves nothing still is).
    const natural = await order.everyOrder(saleScenario(['payment.created', 'refund 30', 'refund 30 updated again']), 3, 9000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor], [10000, 3000]);
    assert.deepEqual(natural.totals.map((t) => [t.refunded_minor, t.last_seen]), [[3000, '2025-10-08T10:00:00.000Z']]);
  });

  it('two refunds and the payment updated with both: all 24 orders', async () => {
    const natural = await order.everyOrder(saleScenario(['payment.created', 'refund 30', 'refund 20', 'payment.updated']), 4, 6000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor], [10000, 5000, 5000]);
  });
});

describe('a Zettle sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its purchases arrive in', () => {
  const order = harness('zettle', 'GBP');
  const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
  const received = async (scenario: 'chip' | 'partial_refund', o: Parameters<typeof zettleDelivery>[2]): Promise<PaymentEvent> => {
    const d = zettleDelivery(scenario, KEY, o);
    const request = { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://crm.example.com/webhooks/zettle', receivedAt: new Date(o!.at!.getTime() + 1500) };
    const out = await receiveWebhook('zettle', request, { credentials: { signingKey: KEY } });
    assert.equal(out.events.length, 1, JSON.stringify(out.report));
    return out.events[0]!;
  };

  /**
   * Zettle has no voids or disputes, and a refund is a purchase of its own naming the sale (refundsPurchaseUuid), with
   * the card it went back to: the sale and two partial refunds. The card is named by its masked number alone.
   */
  const saleScenario = async (n: number) => {
    // One till for every sale: each call of the simulator is a new till otherwise.
    const card = { bin: '476173', last4: String(1000 + (n % 9000)), udid: 'cdaebbfgehcbadcjcbiaccbdhdeajfbbjacdbbie' };
    const earlier = await received('chip', { amount: 1000, ...card, at: at(1) });
    const sale = uuidV1Like();
    const events: Delivery[] = [
      { role: 'sale', event: await received('chip', { amount: 10000, purchaseUuid: sale, ...card, at: at(3) }) },
      { role: 'refund 30', event: await received('partial_refund', { amount: 3000, refundsPurchaseUuid: sale, ...card, at: at(5) }) },
      { role: 'refund 20', event: await received('partial_refund', { amount: 2000, refundsPurchaseUuid: sale, ...card, at: at(6) }) },
    ];
    return { earlier, events, pay: sale };
  };

  it('a chip sale and two partial refunds: all 6 orders', async () => {
    const natural = await order.everyOrder(saleScenario, 3);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor], [10000, 5000, 5000]);
    assert.deepEqual(natural.totals.map((t) => ({ ...t })), [{ currency: 'GBP', payments: 2, gross_minor: 11000, refunded_minor: 5000, first_seen: '2025-10-01T10:00:00.000Z', last_seen: '2025-10-06T10:00:00.000Z' }]);
  });
});

describe('a Clover sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its notifications arrive in', () => {
  const order = harness('clover', 'USD');
  const AUTH = '0307e264-b33a-4913-88aa-37b10014a0b8';
  /**
   * A Clover notification names only the payment: the pack reads it from the REST API (served here by the
   * simulator's cloverApiStub) as it is when the notification arrives. Each delivery is the payment as it was when
   * Clover sent that notification (a redelivery read late would see a later state), so what is permuted is what
   * each read gives. With `store`, the trigger's store, read where the payment leaves something untold.
   */
  const received = async (payment: Record<string, unknown>, day: number, store?: SqlDatabase): Promise<PaymentEvent[]> => {
    const d = cloverDelivery('chip', AUTH, { payment });
    const request = { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://crm.example.com/webhooks/clover', receivedAt: at(day) };
    const out = await receiveWebhook('clover', request, { credentials: { authCode: AUTH, apiToken: 'merchant-token-1' }, http: cloverApiStub([d]), now: () => at(day), store });
    assert.ok(out.events.length > 0, JSON.stringify(out.report));
    return out.events;
  };

  /** The payment of `base` with refunds as Clover lists them (the simulator's refund, with its amount, time and state). */
  const withRefunds = (base: Record<string, unknown>, refunds: readonly { amount: number; day: number; id: string; voided?: boolean }[]) => {
    const shape = (cloverPayment('partial_refund', { amount: 10000 }).refunds as { elements: Record<string, unknown>[] }).elements[0]!;
    return {
      ...structuredClone(base),
      refunds: {
        elements: refunds.map((r) => ({
          ...structuredClone(shape), id: r.id, amount: r.amount, orderRef: { id: (base.order as { id: string }).id }, payment: { id: base.id },
          createdTime: at(r.day).getTime(), clientCreatedTime: at(r.day).getTime() - 800, ...(r.voided ? { voided: true, status: 'VOIDED', voidReason: 'USER_CANCEL' } : {}),
        })),
      },
      modifiedTime: at(Math.max(...refunds.map((r) => r.day))).getTime(),
    };
  };

  it('a chip sale, a refund, a second refund and that refund voided: all 24 orders', async () => {
    const natural = await order.everyOrder(async (n) => {
      const token = `clover-order-${n}`;
      const earlier = await received(cloverPayment('chip', { amount: 1000, token, at: at(1) }), 1);
      const base = cloverPayment('chip', { amount: 10000, token, at: at(3) });
      const [r1, r2] = [cloverId(), cloverId()];
      const events: Delivery[] = [
        { role: 'sale', event: await received(base, 3) },
        { role: 'refund 30', event: await received(withRefunds(base, [{ id: r1, amount: 3000, day: 5 }]), 5) },
        { role: 'refund 20', event: await received(withRefunds(base, [{ id: r1, amount: 3000, day: 5 }, { id: r2, amount: 2000, day: 6 }]), 6) },
        { role: 'refund 20 voided', event: await received(withRefunds(base, [{ id: r1, amount: 3000, day: 5 }, { id: r2, amount: 2000, day: 6, voided: true }]), 7) },
      ];
      return { earlier, events, pay: String(base.id) };
    }, 4, 4000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor], [10000, 3000, 7000]);
    // The voided refund stood before its void, whichever read came first: +20.00 and -20.00 (not 0 and 0).
    assert.deepEqual(refundRows(natural), [[3000, '2025-10-05T10:00:00.000Z'], [-2000, '2025-10-06T10:00:00.000Z'], [2000, '2025-10-06T10:00:00.000Z']]);
    assert.deepEqual(natural.totals.map((t) => t.last_seen), ['2025-10-06T10:00:00.000Z'], 'the voided refund was a visit');
  });

  it('a chip sale voided: both orders', async () => {
    const natural = await order.everyOrder(async (n) => {
      const token = `clover-void-${n}`;
      const earlier = await received(cloverPayment('chip', { amount: 1000, token, at: at(1) }), 1);
      const base = cloverPayment('chip', { amount: 10000, token, at: at(3) });
      const voided = { ...structuredClone(base), result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: at(4).getTime(), cardTransaction: { ...(base.cardTransaction as object), type: 'VOID' } };
      const events: Delivery[] = [{ role: 'sale', event: await received(base, 3) }, { role: 'void', event: await received(voided, 4) }];
      return { earlier, events, pay: String(base.id) };
    }, 2, 5000);
    // A void is no payment or visit, and gives back all the sale was (as Adyen's failed capture and SumUp's cancellation).
    assert.deepEqual(natural.totals.map((t) => [t.payments, t.gross_minor, t.refunded_minor]), [[1, 11000, 10000]]);
  });

  /** The chip sale of 100.00 of `token` on day 3, and that payment read VOIDED on day 4 (with or without its amount). */
  const voidedSale = (token: string, namesAmount: boolean) => {
    const base = cloverPayment('chip', { amount: 10000, token, at: at(3) });
    const voided: Record<string, unknown> = { ...structuredClone(base), result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: at(4).getTime(), cardTransaction: { ...(base.cardTransaction as object), type: 'VOID' } };
    if (!namesAmount) {
      // Payment.amount is optional in Clover's reference (and so is tipAmount).
      delete voided.amount;
      delete voided.tipAmount;
    }
    return { base, voided };
  };

  it('a chip sale voided, the VOIDED read naming no amount: both orders end as the void naming its amount does', async () => {
    // The void is read when its notification arrives, with the store: after the sale it is recorded at the ledger's
    // amount, before it at 0 (voidAmountFrom: sale), which the sale, arriving later, finds void.
    const heard: string[][] = [];
    const natural = await order.everyOrder(async (n) => {
      const token = `clover-void-no-amount-${n}`;
      const earlier = await received(cloverPayment('chip', { amount: 1000, token, at: at(1) }), 1);
      const { base, voided } = voidedSale(token, false);
      const events: Delivery[] = [
        { role: 'sale', event: await received(base, 3) },
        readWhenItArrives('void naming no amount', () => received(voided, 4, order.s.db), heard),
      ];
      return { earlier, events, pay: String(base.id) };
    }, 2, 7000);
    assert.deepEqual(heard, [['failure 10000 ledger'], ['failure 0 sale']], 'after its sale the void is read at the ledger\'s amount, before it at 0');
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor, natural.payment.status], [10000, 10000, 0, 'failed']);
    assert.deepEqual(natural.transactions.map((t) => [t.kind, t.amount_minor, t.customer]), [['payment', 10000, 'shopper'], ['failure', 10000, 'shopper']]);
    // The same as when the VOIDED read names its amount: ledger, CRM rows and totals, segment, loyalty.
    const namingIt = await order.everyOrder(async (n) => {
      const token = `clover-void-amount-${n}`;
      const earlier = await received(cloverPayment('chip', { amount: 1000, token, at: at(1) }), 1);
      const { base, voided } = voidedSale(token, true);
      return { earlier, events: [{ role: 'sale', event: await received(base, 3) }, { role: 'void', event: await received(voided, 4) }], pay: String(base.id) };
    }, 2, 7100);
    assert.deepEqual(natural, namingIt);
  });

  it('a VOIDED read naming no amount whose sale never comes makes no customer, no sale, no CRM payment and nothing in the totals', async () => {
    const { base, voided } = voidedSale('clover-void-no-sale', false);
    await voidWithoutSaleCountsNothing(order, 'clover', String(base.id), await received(voided, 4, order.s.db));
  });
});

describe('a SumUp sale ends the same in the ledger, the CRM, segment and loyalty, whatever order its callbacks arrive in', () => {
  const order = harness('sumup', 'EUR');
  const SECRET = 'whsec_sumup_test_secret';
  /**
   * SumUp's transaction names nothing of the cardholder but the card's last digits and type: a second sale with the
   * same card is not known for the same shopper (field matching does not link on those alone), so there is no
   * returning shopper here, and the sale makes its customer, one in every order.
   */
  /**
   * SumUp's callback names only the transaction: read from the API (the simulator's sumupApiStub) as it was then.
   * With `store`, the trigger's store, read where the transaction leaves something untold.
   */
  const received = async (transaction: Record<string, unknown>, day: number, store?: SqlDatabase): Promise<PaymentEvent[]> => {
    const d = sumupDelivery('chip', SECRET, { transaction, at: at(day) });
    const request = { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://crm.example.com/webhooks/sumup', receivedAt: at(day) };
    const out = await receiveWebhook('sumup', request, { credentials: { accessToken: 'sup_sk_test_token', signingSecret: SECRET }, http: sumupApiStub([d]), now: () => at(day), store });
    assert.ok(out.events.length > 0, JSON.stringify(out.report));
    return out.events;
  };
  /** The transaction with SumUp's events of it so far (the simulator's REFUND and CHARGE_BACK events, at their day). */
  const withEvents = (base: Record<string, unknown>, simple: string, events: readonly { scenario: 'partial_refund' | 'chargeback'; amount: number; day: number; id: number; status?: string }[]) => ({
    ...structuredClone(base),
    simple_status: simple,
    events: events.map((e) => ({
      ...(sumupTransaction(e.scenario, { amount: '100.00', refundAmount: (e.amount / 100).toFixed(2) }).events as Record<string, unknown>[])[0]!,
      id: e.id, transaction_id: base.id, amount: e.amount / 100, timestamp: at(e.day).toISOString(), ...(e.status ? { status: e.status } : {}),
    })),
  });

  it('a chip sale, a refund, a chargeback opened and taken: all 24 orders', async () => {
    const natural = await order.everyOrder(async (n) => {
      const card = { last4: String(1000 + (n % 9000)), cardType: 'VISA' as const };
      const base = sumupTransaction('chip', { amount: '100.00', ...card, at: at(3) });
      const refund = { scenario: 'partial_refund' as const, amount: 3000, day: 5, id: 9_100_000_000 + n };
      const chargeback = { scenario: 'chargeback' as const, amount: 10000, day: 9, id: 9_200_000_000 + n };
      const events: Delivery[] = [
        { role: 'sale', event: await received(base, 3) },
        { role: 'refund 30', event: await received(withEvents(base, 'REFUNDED', [refund]), 5) },
        { role: 'chargeback', event: await received(withEvents(base, 'CHARGEBACK', [refund, chargeback]), 9) },
        { role: 'chargeback taken', event: await received(withEvents(base, 'CHARGEBACK', [refund, { ...chargeback, status: 'SUCCESSFUL' }]), 12) },
      ];
      return { events, pay: String(base.id) };
    }, 4);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor], [10000, 3000]);
  });

  // A cancelled sale is no sale, so it makes no loyalty member in either order: heard after the sale, the
  // cancellation takes back the enrolment the sale made (this was the shopper's only sale) and leaves the member row
  // with nothing; heard before it, the sale never counts and no row is made. Members are compared by who is enrolled.
  const enrolledOnly = (r: Outcome) => ({
    ...r,
    loyalty: r.loyalty.filter((m) => m.enrolled_at !== null),
    tiers: r.tiers.filter((m) => m.enrolled_at !== null),
  });
  it('a chip sale cancelled (SumUp reverses it before payout): both orders', async () => {
    const natural = await order.everyOrder(async (n) => {
      const base = sumupTransaction('chip', { amount: '100.00', last4: String(1000 + (n % 9000)), at: at(3) });
      const cancelled = { ...structuredClone(base), status: 'CANCELLED', simple_status: 'CANCELLED' };
      const events: Delivery[] = [{ role: 'sale', event: await received(base, 3) }, { role: 'cancelled', event: await received(cancelled, 4) }];
      return { events, pay: String(base.id) };
    }, 2, 5000, enrolledOnly);
    assert.deepEqual(natural.totals.map((t) => [t.payments, t.gross_minor, t.refunded_minor]), [[0, 10000, 10000]], 'no payment: all of it given back');
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.enrolled_at, m.tier]), [[0, 0, 0, null, null]], 'heard in this order: no member, nothing');
    assert.deepEqual(natural.tiers.map((m) => [m.enrolled_at, m.tier]), [[null, null]]);
  });

  /** The chip sale of 100.00 of card `last4` on day 3, and that transaction read CANCELLED, less the fields `without` names. */
  const cancelledSale = (last4: string, without: readonly ('amount' | 'currency')[] = []) => {
    const base = sumupTransaction('chip', { amount: '100.00', last4, at: at(3) });
    const cancelled: Record<string, unknown> = { ...structuredClone(base), status: 'CANCELLED', simple_status: 'CANCELLED' };
    // TransactionBase.amount and TransactionBase.currency are optional in SumUp's OpenAPI.
    for (const field of without) delete cancelled[field];
    return { base, cancelled };
  };

  it('a chip sale cancelled, the CANCELLED read naming no amount: both orders end as the cancellation naming its amount does', async () => {
    // The cancellation is read when its callback arrives, with the store: after the sale it is recorded at the
    // ledger's amount, before it at 0 (voidAmountFrom: sale), which the sale, arriving later, finds void.
    const heard: string[][] = [];
    const natural = await order.everyOrder(async (n) => {
      const { base, cancelled } = cancelledSale(String(1000 + (n % 9000)), ['amount']);
      const events: Delivery[] = [
        { role: 'sale', event: await received(base, 3) },
        readWhenItArrives('cancelled naming no amount', () => received(cancelled, 4, order.s.db), heard),
      ];
      return { events, pay: String(base.id) };
    }, 2, 8000, enrolledOnly);
    assert.deepEqual(heard, [['failure 10000 ledger'], ['failure 0 sale']], 'after its sale the cancellation is read at the ledger\'s amount, before it at 0');
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor, natural.payment.status], [10000, 10000, 0, 'failed']);
    assert.deepEqual(natural.transactions.map((t) => [t.kind, t.amount_minor, t.customer]), [['failure', 10000, 'shopper'], ['payment', 10000, 'shopper']]);
    // The same as when the CANCELLED read names its amount: ledger, CRM rows and totals, segment, loyalty.
    const namingIt = await order.everyOrder(async (n) => {
      const { base, cancelled } = cancelledSale(String(1000 + (n % 9000)));
      return { events: [{ role: 'sale', event: await received(base, 3) }, { role: 'cancelled', event: await received(cancelled, 4) }], pay: String(base.id) };
    }, 2, 8100, enrolledOnly);
    assert.deepEqual(enrolledOnly(natural), enrolledOnly(namingIt));
  });

  it('a chip sale cancelled, the CANCELLED read naming no currency (with or without its amount): both orders end as the cancellation naming amount and currency does', async () => {
    // After its sale the cancellation is recorded at the ledger's amount and currency; before it at 0 in the merchant's
    // default currency (GET /v1/merchants/{merchant_code}, the simulator's EUR), which the sale, arriving later, finds
    // void and whose CRM row takes the sale's amount and currency.
    const namingBoth = await order.everyOrder(async (n) => {
      const { base, cancelled } = cancelledSale(String(1000 + (n % 9000)));
      return { events: [{ role: 'sale', event: await received(base, 3) }, { role: 'cancelled', event: await received(cancelled, 4) }], pay: String(base.id) };
    }, 2, 8200, enrolledOnly);
    assert.deepEqual([namingBoth.payment.grossMinor, namingBoth.payment.refundedMinor, namingBoth.payment.netMinor, namingBoth.payment.status], [10000, 10000, 0, 'failed']);
    assert.deepEqual(namingBoth.transactions.map((t) => [t.kind, t.amount_minor, t.currency, t.customer]), [['failure', 10000, 'EUR', 'shopper'], ['payment', 10000, 'EUR', 'shopper']]);
    assert.deepEqual(namingBoth.totals.map((t) => [t.currency, t.payments, t.gross_minor, t.refunded_minor]), [['EUR', 0, 10000, 10000]]);
    for (const [i, without] of ([['currency'], ['currency', 'amount']] as const).entries()) {
      const heard: string[][] = [];
      const natural = await order.everyOrder(async (n) => {
        const { base, cancelled } = cancelledSale(String(1000 + (n % 9000)), without);
        const events: Delivery[] = [
          { role: 'sale', event: await received(base, 3) },
          readWhenItArrives(`cancelled naming no ${without.join(' nor ')}`, () => received(cancelled, 4, order.s.db), heard),
        ];
        return { events, pay: String(base.id) };
      }, 2, 8300 + 100 * i, enrolledOnly);
      assert.deepEqual(heard, [['failure 10000 ledger'], ['failure 0 sale']], `naming no ${without.join(' nor ')}: after its sale at the ledger's amount, before it at 0`);
      assert.deepEqual(enrolledOnly(natural), enrolledOnly(namingBoth), `naming no ${without.join(' nor ')}`);
    }
  });

  it('a CANCELLED read naming no amount whose sale never comes makes no customer, no sale, no CRM payment and nothing in the totals', async () => {
    const { base, cancelled } = cancelledSale('8642', ['amount']);
    await voidWithoutSaleCountsNothing(order, 'sumup', String(base.id), await received(cancelled, 4, order.s.db));
  });
});

/**
 * A void naming no amount, heard with the store before its sale, whose sale never comes: read at 0 (voidAmountFrom
 * sale), it makes no customer, counts nothing, gives a SaaS CRM no payment, and leaves its row of nobody at 0 (as a
 * declined attempt's is).
 */
async function voidWithoutSaleCountsNothing(order: DeliveryOrder, source: string, paymentId: string, events: readonly PaymentEvent[]): Promise<void> {
  const customers = await order.customerCount();
  assert.deepEqual(events.map((e) => [e.kind, e.amount.minor, e.sale, e.metadata.voidAmountFrom]), [['failure', 0, { voided: true }, 'sale']]);
  const crm = await order.deliverAll(events);
  assert.deepEqual([crm.customerId, crm.totals], [null, []]);
  assert.equal(await order.customerCount(), customers, 'no customer made');
  const state = (await paymentState(order.s.db, source, paymentId))!;
  assert.deepEqual([state.counted, state.grossMinor, state.refundedMinor, state.netMinor, state.customerId], [false, 0, 0, 0, null]);
  const records = await readRecords(order.s.db, [{ source, paymentId }]);
  assert.equal((await crmPaymentsOf(order.s.db, records)).size, 0, 'no payment for a SaaS CRM');
  const rows = await order.s.db.all<{ kind: string; amount_minor: number; customer_id: string | null }>('SELECT kind, amount_minor, customer_id FROM transactions WHERE source = ? AND payment_id = ?', [source, paymentId]);
  assert.deepEqual(rows.map((r) => [r.kind, Number(r.amount_minor), r.customer_id]), [['failure', 0, null]]);
}

/**
 * A delivery read when it arrives (with what the store holds by then), noting for each read what it made of a void
 * naming no amount: kind, amount and where the amount came from.
 */
function readWhenItArrives(role: string, read: () => Promise<PaymentEvent[]>, heard: string[][]): Delivery {
  return {
    role,
    event: async () => {
      const out = await read();
      heard.push(out.map((e) => `${e.kind} ${e.amount.minor} ${e.metadata.voidAmountFrom}`));
      return out;
    },
  };
}
