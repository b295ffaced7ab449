import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

describe('a workflow whose activity is broken fails its test within the deadline (real dev server)', { timeout: 90_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
  });
  after(async () => {
    await server?.stop();
    await s?.remove();
  });

  it('names the pending activity, its attempt and its last failure instead of waiting out three days of retries', async () => {
    const taskQueue = `broken-${randomUUID()}`;
    const activities = {
      ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: null }),
      match: () => Promise.reject(new Error('CRM unreachable (simulated)')),
    };
    const worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 990 })));
    const started = Date.now();
    await worker.runUntil(async () => {
      const handle = await startPaymentWorkflow(server.env.client, event, { taskQueue });
      await assert.rejects(resultWithin(handle, 3_000), /did not finish within 3000 ms; activity match at attempt \d+, last failure: CRM unreachable \(simulated\)/);
      await handle.terminate('test over');
    });
    assert.ok(Date.now() - started < 10_000, `failed in ${Date.now() - started} ms`);
  });
});
