import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import registerAccount from '../../nodes/node-red/stripe-terminal-account';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerTrigger from '../../nodes/node-red/terminal-trigger';
import { countRoutes } from '../../nodes/node-red/shared/http-route';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { fakeRed, serveFakeRed, type FakeNode } from './support/fake-red';

describe('terminal payment trigger (in a stand-in for Node-RED)', () => {
  let red: ReturnType<typeof fakeRed>;
  let trigger: FakeNode;
  const served = serveFakeRed(() => red.server);

  beforeEach(() => {
    red = fakeRed();
    registerAccount(red.RED);
    registerTrigger(red.RED);
    red.create('stripe-terminal-account', { id: 'acct' }, { webhookSecrets: `whsec_old, ${TEST_WEBHOOK_SECRET}` });
    trigger = red.create('terminal-trigger', { id: 'trig', account: 'acct', path: 'hooks/stripe/' });
  });

  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(`${served.base()}${path}`, { method: 'POST', body, headers });
    return { status: res.status, text: await res.text() };
  };

  it('listens on one POST route, and a redeploy replaces it instead of adding another', () => {
    assert.equal(countRoutes(red.RED.httpNode, '/hooks/stripe'), 1);
    trigger.close();
    assert.equal(countRoutes(red.RED.httpNode, '/hooks/stripe'), 0);
    trigger = red.create('terminal-trigger', { id: 'trig', account: 'acct', path: '/hooks/stripe' });
    assert.equal(countRoutes(red.RED.httpNode, '/hooks/stripe'), 1);
  });

  it('verifies the bytes Stripe signed even though the editor API parses JSON in front of it', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 4200 }));
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const answer = await post('/hooks/stripe', d.body, d.headers);
    assert.deepEqual({ ...answer, text: JSON.parse(answer.text) }, { status: 200, text: { received: true, accepted: [`stripe:${event.id}`] } });
    assert.equal(trigger.sent.length, 1);
    assert.deepEqual([(trigger.sent[0]!.payload as { id: string }).id, trigger.sent[0]!.topic], [`stripe:${event.id}`, 'charge.succeeded']);
    assert.equal(trigger.lastStatus(), `payment stripe:${event.id}`);
  });

  it('answers a bad signature with 400 and the reason, and starts no flow', async () => {
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 4200 })), TEST_WEBHOOK_SECRET);
    const answer = await post('/hooks/stripe', d.body.replace('4200', '42'), d.headers);
    assert.equal(answer.status, 400);
    assert.match((JSON.parse(answer.text) as { rejected: string }).rejected, /signature/i);
    assert.equal(trigger.sent.length, 0);
    assert.match(trigger.lastStatus()!, /^rejected: /);
  });

  it('acknowledges event types it does not process with 200, and starts no flow', async () => {
    const d = signedDelivery(stripeEvent('terminal.reader.action_succeeded', { id: 'tmr_1', object: 'terminal.reader' }), TEST_WEBHOOK_SECRET);
    const answer = await post('/hooks/stripe', d.body, d.headers);
    assert.equal(answer.status, 200);
    assert.match((JSON.parse(answer.text) as { ignored: string[] }).ignored[0]!, /terminal\.reader\.action_succeeded/);
    assert.equal(trigger.sent.length, 0);
  });

  it('answers 500 with the fix when no signing secret is set, so Stripe retries after it is fixed', async () => {
    red.create('stripe-terminal-account', { id: 'empty' }, {});
    const bare = red.create('terminal-trigger', { id: 'bare', account: 'empty', path: '/bare' });
    assert.match(bare.lastStatus()!, /^Stripe account → Signing secret: /);
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 1 })), TEST_WEBHOOK_SECRET);
    const answer = await post('/bare', d.body, d.headers);
    assert.equal(answer.status, 500);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /^Stripe account → Signing secret: no Stripe webhook signing secret is configured.*Fix: open the Stripe account configuration, fill in Signing secret and deploy$/);
    assert.equal(bare.sent.length, 0);
  });

  it('a Terminals choice it does not know is named at deploy and answered 500 with the fix, not checked as a signed webhook', { timeout: 10_000 }, async () => {
    const odd = red.create('terminal-trigger', { id: 'odd', source: 'paypal', signedWebhookAccount: 'acct', path: '/odd' });
    assert.match(odd.lastStatus()!, /^Terminals: "paypal" is not a processor this node knows/);
    assert.match(String(odd.errors[0]), /Fix: open this node, pick a processor under Terminals and deploy \(this version knows stripe, square/);
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 1 })), TEST_WEBHOOK_SECRET);
    const answer = await post('/odd', d.body, d.headers);
    assert.equal(answer.status, 500);
    assert.match(answer.text, /^Terminals: "paypal" is not a processor this node knows\. Fix: /);
    assert.equal(odd.sent.length, 0);
    odd.close();
  });

  it('stops answering once closed', async () => {
    trigger.close();
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 1 })), TEST_WEBHOOK_SECRET);
    assert.equal((await post('/hooks/stripe', d.body, d.headers)).status, 404);
  });

  it('finds its path below a changed httpNodeRoot', async () => {
    red = fakeRed('/api/');
    registerAccount(red.RED);
    registerTrigger(red.RED);
    red.create('stripe-terminal-account', { id: 'acct' }, { webhookSecrets: TEST_WEBHOOK_SECRET });
    const below = red.create('terminal-trigger', { id: 'api', account: 'acct', path: '/hooks/stripe' });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 10 }));
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await post('/api/hooks/stripe', d.body, d.headers)).status, 200);
    assert.equal((below.sent[0]!.payload as { id: string }).id, `stripe:${event.id}`);
  });

  it('with a store selected, keeps each event in the inbox and answers a replay 200 without starting a flow', async () => {
    const s = await tempStore();
    try {
      registerStore(red.RED);
      red.create('terminal-crm-store', { id: 'store', storeUrl: s.url }, { tokenKeys: TEST_TOKEN_KEYS });
      const kept = red.create('terminal-trigger', { id: 'kept', account: 'acct', store: 'store', path: '/kept' });
      const event = stripeEvent('charge.succeeded', chargeObject({ amount: 77, card: { fingerprint: 'fp_inbox_nr' } }));
      const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
      assert.equal((await post('/kept', d.body, d.headers)).status, 200);
      const again = await post('/kept', d.body, d.headers);
      assert.deepEqual(JSON.parse(again.text), { received: true, duplicates: [`stripe:${event.id}`] });
      assert.equal(kept.sent.length, 1);
      assert.equal(kept.lastStatus(), `duplicate stripe:${event.id}`);
      const rows = await s.db.all<{ payload: string }>('SELECT payload FROM inbox_events WHERE event_id = ?', [`stripe:${event.id}`]);
      assert.equal(rows.length, 1);
      assert.doesNotMatch(rows[0]!.payload, /fp_inbox_nr/, 'the inbox keeps the tokenized event');
      assert.match(rows[0]!.payload, /ctok_k1_/);
    } finally {
      await s.remove();
    }
  });
  it('two flows on one store (two example flows deployed side by side) each start once for the same event, and not again on a replay', async () => {
    const s = await tempStore();
    try {
      registerStore(red.RED);
      red.create('terminal-crm-store', { id: 'store', storeUrl: s.url }, { tokenKeys: TEST_TOKEN_KEYS });
      const thankYou = red.create('terminal-trigger', { id: 'thanks', account: 'acct', store: 'store', path: '/thank-you' });
      const refunds = red.create('terminal-trigger', { id: 'refunds', account: 'acct', store: 'store', path: '/refund-sync' });
      const event = stripeEvent('charge.succeeded', chargeObject({ amount: 4200 }));
      const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
      for (const path of ['/thank-you', '/refund-sync', '/thank-you', '/refund-sync']) assert.equal((await post(path, d.body, d.headers)).status, 200);
      assert.deepEqual([thankYou.sent.length, refunds.sent.length], [1, 1]);
      assert.deepEqual([thankYou.lastStatus(), refunds.lastStatus()], [`duplicate stripe:${event.id}`, `duplicate stripe:${event.id}`]);
      const consumers = await s.db.all<{ consumer: string }>('SELECT consumer FROM inbox_consumers ORDER BY consumer');
      assert.deepEqual(consumers.map((r) => r.consumer), ['node-red:refunds', 'node-red:thanks']);
    } finally {
      await s.remove();
    }
  });
});
