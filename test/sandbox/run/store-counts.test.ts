import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { matchStep, openCrm, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { RecordedEvents } from '../../../sandbox/run/store-counts';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { verifiedStripeEvent } from '../../support/stripe-delivery';
import { tempStore, testKeys } from '../../support/temp-store';

describe('events recorded per engine', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
  });
  after(() => s.remove());

  /** Through the steps every face runs: tokenize, match, CRM upsert into the store. */
  const record = async (event: PaymentEvent) => {
    const crm = await openCrm({ storeUrl: s.url });
    await upsertStep([await matchStep(tokenizeStep(event, testKeys()), crm)], crm);
  };
  const stripe = (type: 'payment_intent.succeeded' | 'charge.succeeded', n: number) => {
    const spec = { amount: 1200 + n, email: `r${n}@example.com`, paymentIntentId: `pi_count_${n}`, chargeId: `ch_count_${n}` };
    const e = stripeEvent(type, type === 'charge.succeeded' ? chargeObject(spec) : paymentIntentObject(spec));
    return verifiedStripeEvent(signedDelivery(e, 'whsec_count'), ['whsec_count']);
  };

  it('counts the events posted to each engine that the store has recorded, each once, an enriching charge included', async () => {
    const [pi1, ch1, pi2, other] = await Promise.all([stripe('payment_intent.succeeded', 1), stripe('charge.succeeded', 1), stripe('payment_intent.succeeded', 2), stripe('payment_intent.succeeded', 3)]);
    const r = new RecordedEvents();
    r.expect('n8n', [pi1.id, ch1.id]);
    r.expect('temporal', [pi2.id]);
    await record(pi1);
    await record(pi2);
    await record(other);
    assert.deepEqual(await r.counts(s.url, ['n8n', 'temporal', 'node-red']), { n8n: 1, temporal: 1, 'node-red': 0 });
    // The charge only enriches its PaymentIntent's payment, and is recorded all the same.
    await record(ch1);
    // A later delivery naming a recorded event again (Clover's refund update names the payment) is not counted twice.
    r.expect('n8n', [pi1.id]);
    const [a, b] = await Promise.all([r.counts(s.url, ['n8n']), r.counts(s.url, ['n8n'])]);
    assert.deepEqual([a, b], [{ n8n: 2 }, { n8n: 2 }]);
    assert.equal(r.expected('n8n'), 2);
  });
});
