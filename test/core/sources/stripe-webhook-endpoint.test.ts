import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { deleteStripeEndpoint, registerStripeEndpoint, stripeEndpointIsCurrent } from '../../../nodes/core/sources/stripe-webhook-endpoint';

const STRIPE = 'https://api.stripe.com';
const URL_ = 'https://n8n.example.com/webhook/abc/webhook';
const EVENTS = ['charge.succeeded', 'charge.refunded'];

describe('Stripe webhook endpoint registration', () => {
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
  const endpoint = (id: string, extra: object = {}) => ({
    id, object: 'webhook_endpoint', url: URL_, enabled_events: EVENTS, status: 'enabled', metadata: { created_by: 'terminal-crm' }, ...extra,
  });

  it('refuses to register without events or without a key, before calling Stripe', async () => {
    await assert.rejects(registerStripeEndpoint('sk_test_1', URL_, [], 'd'), /^InputError: events: /);
    await assert.rejects(registerStripeEndpoint(' ', URL_, EVENTS, 'd'), (e) => e instanceof InputError && e.field === 'secretKey');
  });

  it('returns the new endpoint with its signing secret', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [], has_more: false, url: '/v1/webhook_endpoints' })
      .post('/v1/webhook_endpoints').reply(200, endpoint('we_1', { secret: 'whsec_1' }));
    assert.deepEqual(await registerStripeEndpoint('sk_test_1', URL_, EVENTS, 'd'), { id: 'we_1', url: URL_, secret: 'whsec_1', events: EVENTS });
  });

  it('tells current, changed and deleted endpoints apart', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints/we_1').reply(200, endpoint('we_1'))
      .get('/v1/webhook_endpoints/we_1').reply(200, endpoint('we_1', { enabled_events: ['charge.succeeded'] }))
      .get('/v1/webhook_endpoints/we_1').reply(200, endpoint('we_1', { status: 'disabled' }))
      .get('/v1/webhook_endpoints/we_1').reply(404, { error: { type: 'invalid_request_error', message: 'No such webhook endpoint' } });
    assert.equal(await stripeEndpointIsCurrent('sk_test_1', 'we_1', URL_, EVENTS), true);
    assert.equal(await stripeEndpointIsCurrent('sk_test_1', 'we_1', URL_, EVENTS), false);
    assert.equal(await stripeEndpointIsCurrent('sk_test_1', 'we_1', URL_, EVENTS), false);
    assert.equal(await stripeEndpointIsCurrent('sk_test_1', 'we_1', URL_, EVENTS), false);
  });

  it('counts an already deleted endpoint as deleted, and explains a key without permission', async () => {
    nock(STRIPE).delete('/v1/webhook_endpoints/we_1').reply(404, { error: { type: 'invalid_request_error', message: 'No such webhook endpoint' } })
      .delete('/v1/webhook_endpoints/we_2').reply(403, { error: { type: 'invalid_request_error', message: 'The provided key does not have the required permissions' } });
    assert.equal(await deleteStripeEndpoint('rk_test_1', 'we_1'), 'already-gone');
    await assert.rejects(deleteStripeEndpoint('rk_test_1', 'we_2'), /^InputError: secretKey: the API key may not manage webhook endpoints \(deleting the webhook endpoint\)\. Fix: /);
  });
});
