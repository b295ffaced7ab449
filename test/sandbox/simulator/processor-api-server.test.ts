import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createSource } from '../../../nodes/core/sources/registry';
import { cloverDelivery } from '../../../sandbox/simulator/clover-events';
import { startProcessorApiServer, type ProcessorApiServer } from '../../../sandbox/simulator/processor-api-server';
import { sumupDelivery } from '../../../sandbox/simulator/sumup-events';

describe('the simulated Clover and SumUp APIs', () => {
  let api: ProcessorApiServer;
  before(async () => {
    api = await startProcessorApiServer({ cloverApiToken: 'clover-token', sumupAccessToken: 'sumup-token' });
  });
  after(() => api.close());

  it('let the Clover and SumUp sources fetch a notified payment over HTTP with the configured token', async () => {
    const clover = cloverDelivery('contactless', 'auth-code', { amount: 875 });
    api.clover.add(clover);
    const c = await receiveWebhook(createSource('clover'), { rawBody: Buffer.from(clover.body), headers: clover.headers, method: 'POST', url: 'http://127.0.0.1/clover', receivedAt: new Date() }, {
      credentials: { authCode: 'auth-code', apiToken: 'clover-token', baseUrl: api.cloverBaseUrl },
      http: axiosTransport(),
    });
    assert.deepEqual(c.events.map((e) => [e.id, e.amount.minor, e.livemode]), [[`clover:${clover.paymentId}`, 875, false]]);

    const sumup = sumupDelivery('chip', 'sumup-secret', { amount: '12.50' });
    api.sumup.add(sumup);
    const s = await receiveWebhook(createSource('sumup'), { rawBody: Buffer.from(sumup.body), headers: sumup.headers, method: 'POST', url: 'http://127.0.0.1/sumup', receivedAt: new Date() }, {
      credentials: { accessToken: 'sumup-token', signingSecret: 'sumup-secret', baseUrl: api.sumupBaseUrl },
      http: axiosTransport(),
    });
    assert.deepEqual(s.events.map((e) => [e.id, e.amount.minor]), [[`sumup:${String(sumup.transaction.id)}`, 1250]]);
    assert.deepEqual(api.served, { clover: 1, sumup: 1 });
  });

  it('refuse a wrong token as the APIs do (401) and answer 404 for what they do not have', async () => {
    const wrong = await fetch(`${api.cloverBaseUrl}/v3/merchants/M1/payments/P1`, { headers: { authorization: 'Bearer nope' } });
    assert.deepEqual([wrong.status, await wrong.json()], [401, { message: '401 Unauthorized' }]);
    const missing = await fetch(`${api.sumupBaseUrl}/v2.1/merchants/M1/transactions?client_transaction_id=x`, { headers: { authorization: 'Bearer sumup-token' } });
    assert.equal(missing.status, 404);
    const elsewhere = await fetch(api.cloverBaseUrl.replace('/sandbox/clover', '/v3/merchants/M1/payments/P1'));
    assert.equal(elsewhere.status, 404);
  });
});
