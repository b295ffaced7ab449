import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { chargeObject, disputeObject, paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../../support/temp-store';

type Store = Awaited<ReturnType<typeof tempStore>>;

/**
 * Disputes through the steps every face runs (tokenize → match → upsert, then Segment and Loyalty): the CRM's
 * totals, the segment statistics and the loyalty ledger must agree on what a lost dispute took back.
 */
describe('disputes in the local CRM, the segment statistics and the loyalty ledger', () => {
  let s: Store;
  const keys = testKeys();
  const program = parseLoyaltyProgram({ id: 'disputes', currency: 'USD' });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  async function deliver(type: string, object: object, id: string) {
    const tokenized = tokenizeStep(normalizeStripeEvent(stripeEvent(type, object, { id, created: 1_750_000_000 })), keys);
    const [recorded] = await upsertStep([await matchStep(tokenized, s.crm)], s.crm);
    const segmented = await segmentStep(recorded, { db: s.db });
    const rewarded = await loyaltyStep(recorded, { db: s.db, program });
    return { crm: recorded!.crm!, segment: segmented.segment, loyalty: rewarded.loyalty };
  }

  const ana = { email: 'ana@example.com', card: { fingerprint: 'fp_ana_disputes' } };

  it('a lost dispute lowers net spend once, the same in CRM totals and segment statistics; points go with it', async () => {
    const sale1 = { ...ana, amount: 5000, paymentIntentId: 'pi_cb_1', chargeId: 'ch_cb_1' };
    const sale2 = { ...ana, amount: 3000, paymentIntentId: 'pi_cb_2', chargeId: 'ch_cb_2' };
    const first = await deliver('payment_intent.succeeded', paymentIntentObject(sale1), 'evt_cb_pi1');
    await deliver('charge.succeeded', chargeObject(sale1), 'evt_cb_ch1');
    await deliver('charge.succeeded', chargeObject(sale2), 'evt_cb_ch2');
    await deliver('charge.refunded', chargeObject({ ...sale2, amountRefunded: 1000 }), 'evt_cb_rf2');
    const customerId = first.crm.customerId!;

    const open = await deliver('charge.dispute.created', disputeObject({ amount: 5000, charge: 'ch_cb_1', paymentIntentId: 'pi_cb_1', disputeId: 'dp_cb_1' }), 'evt_cb_dp_open');
    assert.equal(open.crm.customerId, customerId, 'tied to the sale\'s customer by its PaymentIntent');
    assert.deepEqual(open.crm.totals.map((t) => t.netMinor), [7000], 'an open dispute takes nothing off yet');
    assert.equal(open.loyalty.member!.pointsHeld, 50);

    const lost = disputeObject({ amount: 5000, charge: 'ch_cb_1', paymentIntentId: 'pi_cb_1', disputeId: 'dp_cb_1', status: 'lost' });
    const closed = await deliver('charge.dispute.closed', lost, 'evt_cb_dp_lost');
    // A second event saying "lost" (another event id) must not take the money back twice.
    const again = await deliver('charge.dispute.closed', lost, 'evt_cb_dp_lost_again');
    for (const r of [closed, again]) {
      assert.deepEqual(r.crm.totals, [{ currency: 'USD', payments: 2, grossMinor: 8000, refundedMinor: 6000, netMinor: 2000 }]);
    }
    assert.equal(again.segment.stats!.netMinor, 2000);
    assert.equal(again.segment.stats!.chargebackMinor, 5000);
    assert.deepEqual({ balance: again.loyalty.member!.pointsBalance, held: again.loyalty.member!.pointsHeld }, { balance: 20, held: 0 });
    const row = await s.db.get<{ customer_id: string; amount_minor: number; status: string }>('SELECT customer_id, amount_minor, status FROM transactions WHERE event_id = ?', ['stripe:evt_cb_dp_lost']);
    assert.deepEqual({ ...row }, { customer_id: customerId, amount_minor: 5000, status: 'refunded' });
  });

  it('a won dispute changes no totals', async () => {
    const sale = { ...ana, amount: 1200, paymentIntentId: 'pi_cb_3', chargeId: 'ch_cb_3' };
    await deliver('charge.succeeded', chargeObject(sale), 'evt_cb_ch3');
    await deliver('charge.dispute.created', disputeObject({ amount: 1200, charge: 'ch_cb_3', paymentIntentId: 'pi_cb_3', disputeId: 'dp_cb_3' }), 'evt_cb_dp3_open');
    const won = await deliver('charge.dispute.closed', disputeObject({ amount: 1200, charge: 'ch_cb_3', paymentIntentId: 'pi_cb_3', disputeId: 'dp_cb_3', status: 'won' }), 'evt_cb_dp3_won');
    assert.deepEqual(won.crm.totals.map((t) => t.netMinor), [3200]);
    assert.equal(won.segment.stats!.netMinor, 3200);
    assert.equal(won.loyalty.member!.pointsHeld, 0);
  });

  it('a dispute of a sale the pack never recorded (an online one) is kept without a customer and creates none', async () => {
    const before = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers');
    const r = await deliver('charge.dispute.created', disputeObject({ amount: 900, charge: 'ch_online', paymentIntentId: 'pi_online' }), 'evt_cb_online');
    assert.equal(r.crm.customerId, null);
    assert.equal(r.crm.outcome, 'recorded');
    assert.equal(r.segment.outcome, 'skipped');
    assert.equal(r.loyalty.outcome, 'skipped');
    assert.deepEqual(await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'), before);
  });

  it('nor does a refund the processor reports reversed, of a sale the pack never recorded', async () => {
    const before = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers');
    const refund = normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ amount: 900, amountRefunded: 900, paymentIntentId: 'pi_online_refunded' }), { id: 'evt_rf_online' }));
    // As a processor reports a refund that failed (Adyen's REFUND_FAILED, SumUp's FAILED): by the refund's id, with nothing of the buyer.
    const reversal = { ...refund, id: 'stripe:evt_rf_online_failed', customerHints: {}, card: undefined, refund: { id: 're_online', cumulative: false, reversed: true as const } };
    const [recorded] = await upsertStep([await matchStep(tokenizeStep(reversal, keys), s.crm)], s.crm);
    assert.deepEqual([recorded!.crm!.customerId, recorded!.crm!.outcome], [null, 'recorded']);
    assert.deepEqual(await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'), before);
  });
});
