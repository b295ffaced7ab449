import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { onTill } from '../../../sandbox/run/tills';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';

describe('onTill: an engine’s own copy of a simulated event', () => {
  const spec = { amount: 1200, email: 'ana@example.com', card: { fingerprint: 'sim_fp_ana' }, paymentIntentId: 'pi_sim_1_0', chargeId: 'ch_sim_1_0', metadata: { reader_id: 'tmr_sim_counter' } };

  it('gives the event, payment, charge and reader ids the till’s suffix and leaves the customer and card alone', () => {
    const event = stripeEvent('charge.succeeded', chargeObject(spec));
    const copy = onTill(event, 'n8n');
    assert.equal(copy.id, `${event.id}_n8n`);
    const d = signedDelivery(copy, 'whsec_t');
    const out = receiveWebhook('stripe', { rawBody: d.body, headers: d.headers }, ['whsec_t']);
    assert.ok(out.accepted, JSON.stringify(out));
    assert.equal(out.event.id, `${event.id}_n8n`);
    assert.equal(out.event.paymentId, 'pi_sim_1_0_n8n');
    assert.equal(out.event.terminal?.readerId, 'tmr_sim_counter_n8n');
    assert.equal(out.event.customerHints.email, 'ana@example.com');
    assert.equal(JSON.stringify(event).includes('_n8n'), false, 'the original is not changed');
  });

  it('keeps a PaymentIntent and its charge on the same payment within one till, apart across tills', () => {
    const pi = onTill(stripeEvent('payment_intent.succeeded', paymentIntentObject(spec)), 'temporal');
    const ch = onTill(stripeEvent('charge.succeeded', chargeObject(spec)), 'temporal');
    const other = onTill(stripeEvent('charge.succeeded', chargeObject(spec)), 'nodered');
    const paymentOf = (e: object) => {
      const d = signedDelivery(e, 'whsec_t');
      const out = receiveWebhook('stripe', { rawBody: d.body, headers: d.headers }, ['whsec_t']);
      assert.ok(out.accepted);
      return out.event.paymentId;
    };
    assert.equal(paymentOf(pi), paymentOf(ch));
    assert.notEqual(paymentOf(ch), paymentOf(other));
  });
});
