import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { zettleSource } from '../../../nodes/core/sources/zettle';
import { zettleDelivery } from '../../../sandbox/simulator/zettle-events';
import { nockOffline } from '../../support/nock-offline';
import page1 from './fixtures/zettle/purchases-page-1.json';
import saleFixture from './fixtures/zettle/purchase-sale.json';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

const OAUTH = 'https://oauth.zettle.com';
const PURCHASE_API = 'https://purchase.izettle.com';
const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
/** The client ID of set-up-authorisation-assertion-grant.md's example. */
const CLIENT_ID = '6adde977-c34d-4de1-99b2-f6ed3e65431a';
const ctx = { http: axiosTransport(), now: () => new Date('2021-04-19T13:10:00Z') };
/** An API key is a JWT the merchant creates at my.zettle.com; each test its own, so no token is shared between tests. */
const apiKey = () => `eyJraWQiOiIwIiwidHlwIjoiSldUIiwiYWxnIjoiUlMyNTYifQ.${Buffer.from(randomUUID()).toString('base64url')}.c2lnbmF0dXJl`;
const credentialsOf = (key: string) => zettleSource.credentials.parse({ signingKey: KEY, apiKey: key, clientId: CLIENT_ID });

/** The assertion grant's token request, as the guide's curl sends it (form-encoded), answered as the guide shows. */
function tokenEndpoint(key: string, token: string, expiresIn = 7200) {
  return nock(OAUTH)
    .post('/token', (body: Record<string, string>) =>
      body.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && body.client_id === CLIENT_ID && body.assertion === key)
    .matchHeader('content-type', /application\/x-www-form-urlencoded/)
    .reply(200, { access_token: token, expires_in: expiresIn });
}

const listOnce = (credentials: ReturnType<typeof credentialsOf>) => zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx);

describe('Zettle source: an API key exchanged for access tokens (assertion grant)', () => {
  nockOffline();
  before(() => nock.cleanAll());

  it('asks for a token once and reads purchases with it until it nears its end', async () => {
    const key = apiKey();
    const oauth = tokenEndpoint(key, 'tok-1');
    const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer tok-1' } }).get('/purchases/v2').query(true).times(2).reply(200, { ...page1, purchases: [saleFixture] });
    assert.equal((await listOnce(credentialsOf(key))).events.length, 1);
    assert.equal((await listOnce(credentialsOf(key))).events.length, 1, 'the second poll (a new source, as each poll makes) with the same token');
    assert.ok(oauth.isDone() && api.isDone());
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('asks again once the token nears its end (a minute before Zettle\'s 7200 seconds)', async () => {
    const key = apiKey();
    const oauth = tokenEndpoint(key, 'short-1', 30).post('/token').reply(200, { access_token: 'short-2', expires_in: 7200 });
    nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer short-1' } }).get('/purchases/v2').query(true).reply(200, { purchases: [] });
    nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer short-2' } }).get('/purchases/v2').query(true).reply(200, { purchases: [] });
    await listOnce(credentialsOf(key));
    await listOnce(credentialsOf(key));
    assert.ok(oauth.isDone(), 'a second token request');
  });

  it('gets a new token when Zettle refuses the one it holds, and reads with it', async () => {
    const key = apiKey();
    const oauth = tokenEndpoint(key, 'revoked').post('/token').reply(200, { access_token: 'fresh', expires_in: 7200 });
    nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer revoked' } }).get('/purchases/v2').query(true).reply(401, { error: 'invalid_token' });
    nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer fresh' } }).get('/purchases/v2').query(true).reply(200, { ...page1, purchases: [saleFixture] });
    assert.equal((await listOnce(credentialsOf(key))).events.length, 1);
    assert.ok(oauth.isDone());
  });

  it('names the API key and the client ID, with the fix, when Zettle answers invalid_grant (revoked by the merchant)', async () => {
    const key = apiKey();
    nock(OAUTH).post('/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid API key' });
    await assert.rejects(listOnce(credentialsOf(key)), (e: Error) => {
      assert.match(e.message, /^apiKey: Zettle did not issue an access token for the API key \(Invalid API key\)/);
      assert.match(e.message, /Fix: ask the merchant for a new API key with READ:PURCHASE at my\.zettle\.com.*"apiKey", "clientId" in the credential/);
      return true;
    });
  });

  it('names the API key when even a new token is refused (the key lacks READ:PURCHASE)', async () => {
    const key = apiKey();
    tokenEndpoint(key, 'a').post('/token').reply(200, { access_token: 'b', expires_in: 7200 });
    nock(PURCHASE_API).get('/purchases/v2').query(true).times(2).reply(401, { error: 'invalid_token' });
    await assert.rejects(listOnce(credentialsOf(key)), /^InputError: apiKey: Zettle refused the access token its API key gave \(HTTP 401\) when listing purchases/);
  });

  it('takes a busy or failing token endpoint for a retry, not for a bad key', async () => {
    nock(OAUTH).post('/token').reply(503, 'Service Unavailable');
    await assert.rejects(listOnce(credentialsOf(apiKey())), /^ZettleApiError: Zettle OAuth API answered 503 getting an access token for the API key/);
  });

  it('refuses an API key without the client ID of its app, naming clientId', () => {
    assert.throws(() => zettleSource.credentials.parse({ signingKey: KEY, apiKey: apiKey() }), /clientId[\s\S]*client ID of the app it was created for/);
  });

  it('reads a refund\'s sale with the token the API key gives, so the webhook counts it against the sale', async () => {
    const key = apiKey();
    const sale = '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970';
    const delivery = zettleDelivery('partial_refund', KEY, { refundsPurchaseUuid: sale, amount: 1000, currency: 'GBP' });
    tokenEndpoint(key, 'webhook-token');
    const read = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer webhook-token' } })
      .get(`/purchase/v2/${sale}`)
      .reply(200, { ...saleFixture, purchaseUUID1: sale, currency: 'GBP', refundedByPurchaseUUIDs1: [] });
    const out = await receiveWebhook(zettleSource, { rawBody: Buffer.from(delivery.body), headers: delivery.headers, method: 'POST', url: 'https://crm.example.com/webhooks/zettle', receivedAt: new Date() }, {
      credentials: { signingKey: KEY, apiKey: key, clientId: CLIENT_ID },
      http: axiosTransport(),
    });
    assert.equal(out.status, 200, JSON.stringify(out));
    assert.ok(read.isDone(), 'the sale was read with the token');
    assert.deepEqual(out.events.map((e) => [e.kind, e.paymentId]), [['refund', sale]]);
  });
});
