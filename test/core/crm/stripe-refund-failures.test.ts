import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runBackfill } from '../../../nodes/core/backfill';
import { totalsOf } from '../../../nodes/core/crm/local-sql-crm';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { chargeObject, refundObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { nock, serveStripeRefunds, STRIPE_KEY } from '../backfill/history-mocks';
import { stripeRequest } from '../../support/stripe-delivery';
import { tempStore, testKeys, TEST_WEBHOOK_SECRET } from '../../support/temp-store';

type Store = Awaited<ReturnType<typeof tempStore>>;

/**
 * Stripe refunds that fail after charge.refunded counted them, through what every face runs: the signed delivery
 * verified as Stripe signs it (stripe-node's generateTestHeaderString), then tokenize → match → upsert, Segment and
 * Loyalty. The customer's totals, the ledger, the segment statistics and the points must all give the money back.
 */
describe('Stripe refunds that fail, in the CRM totals, the ledger, the segment statistics and the loyalty ledger', () => {
  let s: Store;
  const keys = testKeys();
  const program = parseLoyaltyProgram({ id: 'refund-failures', currency: 'USD' });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  /** One Stripe event as Stripe delivers it, through the steps; null when the trigger acknowledged and dropped it. */
  async function deliver(type: string, object: object, id: string) {
    const out = await receiveWebhook('stripe', stripeRequest(signedDelivery(stripeEvent(type, object, { id, created: 1_750_000_000 }), TEST_WEBHOOK_SECRET)), {
      credentials: { signingSecret: [TEST_WEBHOOK_SECRET] },
    });
    assert.equal(out.status, 200, JSON.stringify(out));
    if (out.events.length === 0) return null;
    const [recorded] = await upsertStep([await matchStep(tokenizeStep(out.events[0]!, keys), s.crm)], s.crm);
    const segmented = await segmentStep(recorded, { db: s.db });
    const rewarded = await loyaltyStep(recorded, { db: s.db, program });
    return { crm: recorded!.crm!, segment: segmented.segment, loyalty: rewarded.loyalty };
  }

  const sale = { amount: 5000, email: 'rita@example.com', card: { fingerprint: 'fp_rita_refunds' }, paymentIntentId: 'pi_rf_1', chargeId: 'ch_rf_1' };

  it('a refund counted by charge.refunded and then reported failed is given back once: totals, ledger, statistics and points', async () => {
    const paid = await deliver('charge.succeeded', chargeObject(sale), 'evt_rf_sale');
    const customerId = paid!.crm.customerId!;
    await deliver('charge.refunded', chargeObject({ ...sale, amountRefunded: 1000 }), 'evt_rf_refund_1');
    const both = await deliver('charge.refunded', chargeObject({ ...sale, amountRefunded: 3000 }), 'evt_rf_refund_2');
    assert.deepEqual(both!.crm.totals, [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 3000, netMinor: 2000 }]);
    assert.equal(both!.loyalty.member!.pointsBalance, 20);

    // The second refund (20.00) fails at the card issuer: Stripe tells it by charge.refund.updated and by refund.failed.
    const failed = refundObject({ amount: 2000, refundId: 're_rf_2', chargeId: 'ch_rf_1', paymentIntentId: 'pi_rf_1', status: 'failed' });
    const back = await deliver('charge.refund.updated', failed, 'evt_rf_failed');
    const again = await deliver('refund.failed', failed, 'evt_rf_failed_too');
    for (const r of [back!, again!]) {
      assert.equal(r.crm.customerId, customerId, 'the failure is the sale\'s customer\'s');
      assert.deepEqual(r.crm.totals, [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 1000, netMinor: 4000 }]);
    }
    assert.deepEqual(await totalsOf(s.db, customerId), [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 1000, netMinor: 4000 }]);
    const state = (await paymentState(s.db, 'stripe', 'pi_rf_1'))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [1000, 4000, 'partially_refunded']);
    assert.equal(again!.segment.stats!.netMinor, 4000);
    assert.equal(again!.loyalty.member!.pointsBalance, 40, 'the points the failed refund took back are the member\'s again');
  });

  it('a refund reported failed before charge.refunded counted it never counts', async () => {
    const early = { ...sale, amount: 2500, paymentIntentId: 'pi_rf_2', chargeId: 'ch_rf_2' };
    const paid = await deliver('charge.succeeded', chargeObject(early), 'evt_rf2_sale');
    await deliver('refund.failed', refundObject({ amount: 2500, refundId: 're_rf2', chargeId: 'ch_rf_2', paymentIntentId: 'pi_rf_2', status: 'failed' }), 'evt_rf2_failed');
    const late = await deliver('charge.refunded', chargeObject({ ...early, amountRefunded: 2500 }), 'evt_rf2_refund');
    const row = (await totalsOf(s.db, paid!.crm.customerId!))[0]!;
    assert.deepEqual(late!.crm.totals, [row]);
    const state = (await paymentState(s.db, 'stripe', 'pi_rf_2'))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [0, 2500, 'succeeded']);
  });

  it('a backfill after the webhook told the failure reads it again and counts it no more, nor does a backfill run again', async () => {
    const third = { ...sale, amount: 4000, paymentIntentId: 'pi_rf_3', chargeId: 'ch_rf_3', created: 1_750_000_000 };
    const paid = await deliver('charge.succeeded', chargeObject(third), 'evt_rf3_sale');
    await deliver('charge.refunded', chargeObject({ ...third, amountRefunded: 3000 }), 'evt_rf3_refund');
    const failed = refundObject({ amount: 2000, refundId: 're_rf3_b', chargeId: 'ch_rf_3', paymentIntentId: 'pi_rf_3', status: 'failed', created: 1_750_000_600 });
    await deliver('refund.failed', failed, 'evt_rf3_failed');
    const customerId = paid!.crm.customerId!;
    const told = await totalsOf(s.db, customerId);
    assert.equal((await paymentState(s.db, 'stripe', 'pi_rf_3'))!.refundedMinor, 1000);

    // Stripe lists the charge with its two refunds, the 20.00 one failed, newest first.
    const listed = chargeObject({ ...third, amountRefunded: 3000 });
    const refunds = [failed, refundObject({ amount: 1000, refundId: 're_rf3_a', chargeId: 'ch_rf_3', paymentIntentId: 'pi_rf_3', status: 'succeeded', created: 1_750_000_300 })];
    nock.disableNetConnect();
    const runs: [number, number][] = [];
    const requests = nock('https://api.stripe.com');
    try {
      for (const restart of [false, true]) {
        requests.get('/v1/charges').query(true).reply(200, { object: 'list', url: '/v1/charges', data: [listed], has_more: false });
        serveStripeRefunds(listed, refunds, 1, requests);
        const done = await runBackfill({
          source: 'stripe', credentials: { secretKey: STRIPE_KEY }, store: s.db, keys, since: new Date('2025-06-01T00:00:00Z'), until: new Date('2025-07-01T00:00:00Z'), limit: 10, http: axiosTransport(),
        }, { restart });
        runs.push([done.listed, done.duplicates]);
      }
    } finally {
      nock.enableNetConnect();
    }
    const unasked = requests.pendingMocks();
    nock.cleanAll();
    assert.deepEqual(await totalsOf(s.db, customerId), told, 'the customer\'s totals moved');
    const state = (await paymentState(s.db, 'stripe', 'pi_rf_3'))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [1000, 3000, 'partially_refunded']);
    // The backfill reads the failure under the id the webhook's event got (the refund's): the same event, kept once.
    const refundEvents = await s.db.all<{ event_id: string; refunded_minor: number }>(
      "SELECT event_id, refunded_minor FROM ledger_events WHERE source = 'stripe' AND payment_id = 'pi_rf_3' AND kind = 'refund' ORDER BY event_id",
    );
    assert.deepEqual(refundEvents.map((e) => [e.event_id, Number(e.refunded_minor)]), [
      ['stripe:charge:ch_rf_3:refunded:3000', 0],
      ['stripe:evt_rf3_refund', 3000],
      ['stripe:refund:re_rf3_b:failed', -2000],
    ]);
    const kept = await s.db.all<{ refund_id: string; reversed_at: string | null }>("SELECT refund_id, reversed_at FROM ledger_refunds WHERE source = 'stripe' AND payment_id = 'pi_rf_3'");
    assert.deepEqual(kept.map((r) => [r.refund_id, r.reversed_at !== null]), [['re_rf3_b', true]]);
    // The sale, the running total and the failed refund, the last a duplicate of the webhook's; read again, all three.
    assert.deepEqual(runs, [[3, 1], [3, 3]]);
    assert.deepEqual(unasked, [], 'the charges and their refunds, twice');
  });

  it('a failed refund of a sale the pack never recorded (an online one) changes no totals and makes no customer', async () => {
    const customers = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers');
    const r = await deliver('refund.failed', refundObject({ amount: 900, paymentIntentId: 'pi_rf_online', status: 'failed' }), 'evt_rf_online');
    assert.deepEqual([r!.crm.customerId, r!.crm.outcome, r!.segment.outcome, r!.loyalty.outcome], [null, 'recorded', 'skipped', 'skipped']);
    assert.deepEqual(await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'), customers);
    assert.equal((await paymentState(s.db, 'stripe', 'pi_rf_online'))!.counted, false);
  });
});
