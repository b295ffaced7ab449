import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifiedStripeEvent } from '../../support/stripe-delivery';
import { onTill } from '../../../sandbox/simulator/tills';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';

describe('onTill: an engine’s own copy of a simulated event', () => {
  const spec = { amount: 1200, email: 'ana@example.com', card: { fingerprint: 'sim_fp_ana' }, paymentIntentId: 'pi_sim_1_0', chargeId: 'ch_sim_1_0', metadata: { reader_id: 'tmr_sim_counter' } };

  it('gives the event, payment, charge and reader ids the till’s suffix and leaves the customer and card alone', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject(spec));
    const copy = onTill(event, 'n8n');
    assert.equal(copy.id, `${event.id}_n8n`);
    const d = signedDelivery(copy, 'whsec_t');
    const received = await verifiedStripeEvent(d, ['whsec_t']);
    assert.equal(received.id, `stripe:${event.id}_n8n`);
    assert.equal(received.paymentId, 'pi_sim_1_0_n8n');
    assert.equal(received.terminal?.readerId, 'tmr_sim_counter_n8n');
    assert.equal(received.customerHints.email, 'ana@example.com');
    assert.equal(JSON.stringify(event).includes('_n8n'), false, 'the original is not changed');
  });

  it('keeps a PaymentIntent and its charge on the same payment within one till, apart across tills', async () => {
    const pi = onTill(stripeEvent('payment_intent.succeeded', paymentIntentObject(spec)), 'temporal');
    const ch = onTill(stripeEvent('charge.succeeded', chargeObject(spec)), 'temporal');
    const other = onTill(stripeEvent('charge.succeeded', chargeObject(spec)), 'nodered');
    const paymentOf = async (e: object) => (await verifiedStripeEvent(signedDelivery(e, 'whsec_t'), ['whsec_t'])).paymentId;
    assert.equal(await paymentOf(pi), await paymentOf(ch));
    assert.notEqual(await paymentOf(ch), await paymentOf(other));
  });
});
