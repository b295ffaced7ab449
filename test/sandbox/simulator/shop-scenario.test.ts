import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifiedStripeEvent } from '../../support/stripe-delivery';
import { shopScenario } from '../../../sandbox/simulator/shop-scenario';
import { signedDelivery } from '../../../sandbox/simulator/stripe-terminal-events';

describe('sandbox shop scenario', () => {
  it('produces every kind of terminal event the pack handles, each accepted by the Stripe source', async () => {
    const steps = shopScenario();
    const seen = new Map<string, number>();
    const modes = new Set<string>();
    const sales = new Set<string>();
    const disputes: string[] = [];
    for (let i = 0; i < 80; i++) {
      const { event } = steps.next().value!;
      const d = signedDelivery(event, 'whsec_sim');
      const out = { event: await verifiedStripeEvent(d, ['whsec_sim']) };
      seen.set(out.event.kind, (seen.get(out.event.kind) ?? 0) + 1);
      if (out.event.card) modes.add(out.event.card.wallet ?? out.event.card.entryMode);
      if (out.event.kind === 'payment') sales.add(out.event.paymentId);
      if (out.event.kind === 'dispute') {
        assert.ok(sales.has(out.event.paymentId), 'a dispute is about an earlier sale of the day');
        disputes.push(`${out.event.paymentId} ${out.event.status}`);
      }
    }
    assert.deepEqual([...seen.keys()].sort(), ['dispute', 'failure', 'payment', 'refund']);
    assert.deepEqual([...modes].sort(), ['apple_pay', 'chip', 'contactless', 'swipe']);
    // Each dispute opens, then closes a few sales later: won, then lost.
    const [first, second] = [disputes[0]!.split(' ')[0], disputes[2]?.split(' ')[0]];
    assert.deepEqual(disputes.slice(0, 4), [`${first} disputed`, `${first} succeeded`, `${second} disputed`, `${second} refunded`]);
  });
});
