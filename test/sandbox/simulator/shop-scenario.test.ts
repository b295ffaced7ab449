import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { shopScenario } from '../../../sandbox/simulator/shop-scenario';
import { signedDelivery } from '../../../sandbox/simulator/stripe-terminal-events';

describe('sandbox shop scenario', () => {
  it('produces every kind of terminal event the pack handles, each accepted by the Stripe source', () => {
    const steps = shopScenario();
    const seen = new Map<string, number>();
    const modes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const { event } = steps.next().value!;
      const d = signedDelivery(event, 'whsec_sim');
      const out = receiveWebhook('stripe', { rawBody: d.body, headers: d.headers }, ['whsec_sim']);
      assert.ok(out.accepted, JSON.stringify(out));
      seen.set(out.event.kind, (seen.get(out.event.kind) ?? 0) + 1);
      if (out.event.card) modes.add(out.event.card.wallet ?? out.event.card.entryMode);
    }
    assert.deepEqual([...seen.keys()].sort(), ['failure', 'payment', 'refund']);
    assert.deepEqual([...modes].sort(), ['apple_pay', 'chip', 'contactless', 'swipe']);
  });
});
