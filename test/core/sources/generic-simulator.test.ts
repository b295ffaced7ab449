import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import { GENERIC_SANDBOX_CONFIG, genericDelivery, type GenericScenario } from '../../../sandbox/simulator/generic-events';
import { DODO_TEST_SECRET, MemoryInbox, assertNoPanDigits, fixture } from './generic-support';

const source = createGenericSource(GENERIC_SANDBOX_CONFIG);
const NOW = new Date('2026-03-14T10:00:00Z');
const post = (scenario: GenericScenario, options = {}, inbox?: MemoryInbox) => {
  const d = genericDelivery(scenario, DODO_TEST_SECRET, { now: NOW, ...options });
  return receiveWebhook(source, { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'http://localhost/webhooks/generic', receivedAt: NOW }, { credentials: { secret: DODO_TEST_SECRET }, inbox });
};

describe('generic simulator (Standard Webhooks deliveries)', () => {
  it('signs what the standardwebhooks verifier accepts', () => {
    const d = genericDelivery('chip', DODO_TEST_SECRET);
    assert.equal((new Webhook(DODO_TEST_SECRET).verify(d.body, d.headers) as { type: string }).type, 'payment.succeeded');
  });

  it('keeps the shape of the Dodo fixtures it imitates', () => {
    const simulated = JSON.parse(genericDelivery('chip', DODO_TEST_SECRET).body);
    const documented = fixture('dodo-payment-succeeded-chip.json');
    assert.deepEqual(Object.keys(simulated).sort(), Object.keys(documented).sort());
    assert.deepEqual(Object.keys(simulated.data).sort(), Object.keys(documented.data).sort());
  });

  for (const [scenario, kind, status, entryMode, wallet] of [
    ['chip', 'payment', 'succeeded', 'chip', undefined],
    ['contactless', 'payment', 'succeeded', 'contactless', undefined],
    ['apple_pay', 'payment', 'succeeded', 'contactless', 'apple_pay'],
    ['google_pay', 'payment', 'succeeded', 'contactless', 'google_pay'],
    ['swipe', 'payment', 'succeeded', 'swipe', undefined],
    ['fallback', 'payment', 'succeeded', 'fallback', undefined],
    ['keyed', 'payment', 'succeeded', 'keyed', undefined],
    ['decline', 'failure', 'failed', 'chip', undefined],
    ['partial_refund', 'refund', 'partially_refunded', undefined, undefined],
    ['dispute_opened', 'dispute', 'disputed', undefined, undefined],
    ['dispute_won', 'dispute', 'succeeded', undefined, undefined],
    ['dispute_lost', 'dispute', 'refunded', undefined, undefined],
  ] as const) {
    it(`produces a ${scenario} delivery the sandbox configuration turns into a ${kind} (${status})`, async () => {
      const out = await post(scenario, { paymentId: 'pay_sim_1', currency: 'EUR', amount: 2599 });
      assert.equal(out.status, 200, JSON.stringify(out.answer));
      assertNoPanDigits(out);
      const e = out.events[0]!;
      assert.equal(e.kind, kind);
      assert.equal(e.status, status);
      assert.equal(e.paymentId, 'pay_sim_1');
      assert.equal(e.card?.entryMode, entryMode);
      assert.equal(e.card?.wallet, wallet);
      assert.equal(e.amount.currency, 'EUR');
      assert.equal(e.occurredAt, NOW.toISOString());
    });
  }

  it('a processing payment is acknowledged and dropped, and a redelivered message is a duplicate', async () => {
    const processing = await post('processing');
    assert.equal(processing.status, 200);
    assert.deepEqual(processing.events, []);
    const inbox = new MemoryInbox();
    await post('chip', { messageId: 'msg_sim_1' }, inbox);
    const again = await post('chip', { messageId: 'msg_sim_1' }, inbox);
    assert.deepEqual(again.report.duplicates, ['generic:msg_sim_1']);
  });
});
