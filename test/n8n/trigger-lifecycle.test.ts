import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { triggerHarness } from './support/trigger-contexts';

const STRIPE = 'https://api.stripe.com';
const ALL_EVENTS = [...STRIPE_HANDLED_EVENT_TYPES];

/** Publish/unpublish of the trigger (webhookMethods) against a Stripe API played by nock. */
describe('n8n: Terminal Payment Trigger registering its Stripe endpoint (n8n-core HookContext)', () => {
  // nock 15 is an ES module; this file compiles to CommonJS.
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  before(async () => {
    nock = (await import('nock')).default;
  });
  after(() => nock.restore());
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const endpoint = (id: string, url: string, extra: object = {}) => ({
    id, object: 'webhook_endpoint', url, enabled_events: ALL_EVENTS, status: 'enabled', metadata: { created_by: 'terminal-crm' },
    api_version: null, application: null, created: 1, description: null, livemode: false, ...extra,
  });

  it('with only a signing secret, registers nothing and calls no API', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { signingSecret: 'whsec_pasted', secretKey: '' });
    assert.equal(await trigger.lifecycle('checkExists'), true);
    assert.equal(await trigger.lifecycle('create'), true);
    assert.equal(await trigger.lifecycle('delete'), true);
    assert.deepEqual(trigger.staticData(), {});
  });

  it('with a secret key, creates the endpoint, keeps its secret, verifies with it, and deletes it', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { secretKey: 'sk_test_123', signingSecret: '' });
    const url = trigger.webhookUrl();
    assert.equal(await trigger.lifecycle('checkExists'), false, 'nothing registered yet');

    let createdWith: Record<string, string> = {};
    const api = nock(STRIPE)
      .get('/v1/webhook_endpoints').query(true)
      .reply(200, { object: 'list', url: '/v1/webhook_endpoints', has_more: false, data: [endpoint('we_stale', url), endpoint('we_other', url, { metadata: {} })] })
      .delete('/v1/webhook_endpoints/we_stale').reply(200, { id: 'we_stale', object: 'webhook_endpoint', deleted: true })
      .post('/v1/webhook_endpoints', (body: Record<string, string>) => ((createdWith = { ...body }), true))
      .matchHeader('authorization', 'Bearer sk_test_123')
      .reply(200, endpoint('we_new', url, { secret: 'whsec_from_stripe' }));
    assert.equal(await trigger.lifecycle('create'), true);
    assert.ok(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`);
    assert.equal(createdWith.url, url);
    assert.deepEqual(ALL_EVENTS.map((_, i) => createdWith[`enabled_events[${i}]`]), ALL_EVENTS);
    assert.equal(createdWith['metadata[created_by]'], 'terminal-crm');
    assert.deepEqual(trigger.staticData(), { endpointId: 'we_new', endpointUrl: url, endpointSecret: 'whsec_from_stripe' });

    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 100 }));
    const { body, headers } = signedDelivery(event, 'whsec_from_stripe');
    assert.equal((await trigger.deliver(body, headers)).response.statusCode, 200);

    nock(STRIPE).get('/v1/webhook_endpoints/we_new').reply(200, endpoint('we_new', url));
    assert.equal(await trigger.lifecycle('checkExists'), true);

    nock(STRIPE).delete('/v1/webhook_endpoints/we_new').reply(200, { id: 'we_new', object: 'webhook_endpoint', deleted: true });
    assert.equal(await trigger.lifecycle('delete'), true);
    assert.deepEqual(trigger.staticData(), {});
  });

  it('re-registers when the endpoint was deleted in the Dashboard', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { secretKey: 'sk_test_123' });
    Object.assign(trigger.staticData(), { endpointId: 'we_gone', endpointUrl: trigger.webhookUrl(), endpointSecret: 'whsec_old' });
    nock(STRIPE).get('/v1/webhook_endpoints/we_gone').reply(404, { error: { type: 'invalid_request_error', message: 'No such webhook endpoint' } });
    assert.equal(await trigger.lifecycle('checkExists'), false);
    assert.deepEqual(trigger.staticData(), {});
  });

  it('refuses a key Stripe rejects, naming the field as the credential labels it, with the fix', async () => {
    const trigger = triggerHarness({ source: 'stripe', events: ALL_EVENTS }, { secretKey: 'sk_test_wrong' });
    nock(STRIPE).get('/v1/webhook_endpoints').query(true)
      .reply(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_*rong' } });
    await assert.rejects(trigger.lifecycle('create'), (e: Error) => {
      assert.equal(e.name, 'NodeOperationError');
      assert.equal(
        e.message,
        'Stripe Terminal API → Secret API Key: Stripe refused the API key while registering the webhook endpoint. ' +
          'Fix: paste a valid secret key (sk_live_…/sk_test_…) from Stripe Dashboard → Developers → API keys; open the Stripe Terminal API credential and fill in Secret API Key',
      );
      return true;
    });
    assert.deepEqual(trigger.staticData(), {});
  });
});
