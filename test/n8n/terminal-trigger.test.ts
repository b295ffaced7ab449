import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { triggerHarness } from './support/trigger-contexts';

const ALL_EVENTS = [...STRIPE_HANDLED_EVENT_TYPES];

describe('n8n: Terminal Payment Trigger receiving deliveries (n8n-core WebhookContext)', () => {
  const withSecret = () => triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: TEST_WEBHOOK_SECRET, secretKey: '' });
  const charge = (type = 'charge.succeeded') => stripeEvent(type, chargeObject({ amount: 2500, email: 'ada@example.com', card: { fingerprint: 'fp_1' } }));

  it('answers 200 and emits the PaymentEvent for a correctly signed card-present charge', async () => {
    const event = charge();
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const { response, result } = await withSecret().deliver(body, headers);
    assert.deepEqual(response, { statusCode: 200, contentType: 'application/json', body: { received: true, accepted: [`stripe:${event.id}`] } });
    assert.equal(result.noWebhookResponse, true);
    const [[item]] = result.workflowData!;
    assert.equal(item!.json.id, `stripe:${event.id}`);
    assert.equal(item!.json.kind, 'payment');
    assert.deepEqual(item!.json.amount, { minor: 2500, currency: 'USD' });
    assert.equal((item!.json.customerHints as { email: string }).email, 'ada@example.com');
  });

  it('refuses a Public URL option that is no URL, naming it, and takes one with a query as typed', async () => {
    const { body, headers } = signedDelivery(charge(), TEST_WEBHOOK_SECRET);
    const withPublicUrl = (publicUrl: string) => triggerHarness({ source: 'stripe', events: ALL_EVENTS, options: { publicUrl } }, { signingSecret: TEST_WEBHOOK_SECRET, secretKey: '' });
    await assert.rejects(withPublicUrl('hooks.example.com/webhook/x').deliver(body, headers), /Public URL: "hooks\.example\.com\/webhook\/x" is not a usable URL: it has no scheme/);
    await assert.rejects(withPublicUrl('https://hooks.example.com/webhook/x#frag').deliver(body, headers), /Public URL: .* has a fragment/);
    const { response } = await withPublicUrl(' https://hooks.example.com/webhook/x?shop=1 ').deliver(body, headers);
    assert.equal(response.statusCode, 200);
  });

  it('answers 400 with the reason and emits nothing when the body was changed after signing', async () => {
    const { body, headers } = signedDelivery(charge(), TEST_WEBHOOK_SECRET);
    const { response, result } = await withSecret().deliver(body.replace('2500', '1'), headers);
    assert.equal(response.statusCode, 400);
    assert.match(String((response.body as { rejected: string }).rejected), /signature/i);
    assert.equal(result.workflowData, undefined);
  });

  it('answers 400 when the Stripe-Signature header is missing', async () => {
    const { body } = signedDelivery(charge(), TEST_WEBHOOK_SECRET);
    const { response, result } = await withSecret().deliver(body, { 'content-type': 'application/json' });
    assert.deepEqual(response, { statusCode: 400, contentType: 'application/json', body: { received: false, rejected: 'the Stripe-Signature header is missing' } });
    assert.equal(result.workflowData, undefined);
  });

  it('answers 200 and emits nothing for an event type the pack does not process', async () => {
    const { body, headers } = signedDelivery(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }), TEST_WEBHOOK_SECRET);
    const { response, result } = await withSecret().deliver(body, headers);
    assert.equal(response.statusCode, 200);
    assert.match(String((response.body as { ignored: string }).ignored), /customer\.created/);
    assert.equal(result.workflowData, undefined);
  });

  it('answers 200 and emits nothing for a processed type that is not selected in the trigger', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ['charge.refunded'] }, { signingSecret: TEST_WEBHOOK_SECRET });
    const { body, headers } = signedDelivery(charge('charge.succeeded'), TEST_WEBHOOK_SECRET);
    const { response, result } = await trigger.deliver(body, headers);
    assert.deepEqual(response, { statusCode: 200, contentType: 'application/json', body: { received: true, ignored: ['Event type "charge.succeeded" is not selected in this trigger'] } });
    assert.equal(result.workflowData, undefined);
  });

  it('answers 500 with the fix when the credential has no signing secret and no endpoint was registered', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: '', secretKey: '' });
    const { body, headers } = signedDelivery(charge(), TEST_WEBHOOK_SECRET);
    const { response, result } = await trigger.deliver(body, headers);
    assert.equal(response.statusCode, 500);
    assert.match(String((response.body as { error: string }).error), /^Stripe Terminal API → Webhook Signing Secret: no Stripe webhook signing secret is configured.*Fix: open the Stripe Terminal API credential and fill in Webhook Signing Secret$/);
    assert.equal(result.workflowData, undefined);
  });

  it('accepts the secret of the endpoint it registered itself, kept in the static data', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: '', secretKey: 'sk_test_x' });
    Object.assign(trigger.staticData(), { endpointId: 'we_1', endpointUrl: trigger.webhookUrl(), endpointSecret: 'whsec_registered' });
    const { body, headers } = signedDelivery(charge(), 'whsec_registered');
    const { response } = await trigger.deliver(body, headers);
    assert.equal(response.statusCode, 200);
  });

  it('keeps each verified event in the store and answers a replay 200 without starting the workflow again', async () => {
    const s = await tempStore();
    try {
      const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: TEST_WEBHOOK_SECRET }, { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
      const event = charge();
      const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
      const first = await trigger.deliver(body, headers);
      const replay = await trigger.deliver(body, headers);
      assert.equal(first.result.workflowData?.[0]?.length, 1);
      assert.deepEqual([replay.response.statusCode, replay.response.body, replay.result.workflowData], [200, { received: true, duplicates: [`stripe:${event.id}`] }, undefined]);
      const rows = await s.db.all<{ event_id: string; payload: string }>('SELECT event_id, payload FROM inbox_events');
      assert.deepEqual(rows.map((r) => r.event_id), [`stripe:${event.id}`]);
      assert.doesNotMatch(rows[0]!.payload, /fp_1/, 'the inbox keeps the tokenized event, not the processor fingerprint');
    } finally {
      await s.remove();
    }
  });
  it('starts each workflow on the store once for the same event (Stripe posts it to both endpoints), and neither again on a replay', async () => {
    const s = await tempStore();
    try {
      const storeCredential = { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' };
      const thankYou = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: TEST_WEBHOOK_SECRET }, storeCredential, 'wf-thank-you');
      const highValue = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: TEST_WEBHOOK_SECRET }, storeCredential, 'wf-high-value');
      const event = charge();
      const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
      const started = async (t: typeof thankYou) => (await t.deliver(body, headers)).result.workflowData?.[0]?.length ?? 0;
      assert.deepEqual([await started(thankYou), await started(highValue)], [1, 1]);
      assert.deepEqual([await started(thankYou), await started(highValue)], [0, 0], 'a replay to either endpoint starts nothing');
      const kept = await s.db.all<{ consumer: string }>('SELECT consumer FROM inbox_consumers WHERE event_id = ? ORDER BY consumer', [`stripe:${event.id}`]);
      assert.deepEqual(kept.map((r) => r.consumer), ['n8n:wf-high-value:trigger', 'n8n:wf-thank-you:trigger']);
      assert.equal((await s.db.all('SELECT event_id FROM inbox_events')).length, 1, 'the store keeps the event once');
    } finally {
      await s.remove();
    }
  });
});
