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

  it('gives the alert templates something to say within 40 steps: a sale over $500, and three declines in a row at one reader', async () => {
    const steps = shopScenario();
    const events = [];
    for (let i = 0; i < 40; i++) events.push(await verifiedStripeEvent(signedDelivery(steps.next().value!.event, 'whsec_sim'), ['whsec_sim']));
    assert.ok(events.some((e) => e.kind === 'payment' && e.amount.currency === 'USD' && e.amount.minor >= 50_000), 'a high-value sale');
    const readers = events.map((e) => `${e.kind}@${e.terminal?.readerId}`);
    const burst = readers.findIndex((r, i) => r === 'failure@tmr_sim_patio' && readers[i + 1] === r && readers[i + 2] === r);
    assert.ok(burst >= 0, `three declines in a row at the patio reader: ${readers.join(' ')}`);
    const reasons = events.slice(burst, burst + 3).map((e) => e.failure?.message);
    assert.deepEqual(reasons, ['Your card was declined.', 'Your card has expired.', 'Your card was declined.']);
  });
});
