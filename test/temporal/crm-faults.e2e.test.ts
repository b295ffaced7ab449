import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import type { PaymentSagaResult } from '../../workflows/payment-saga';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { faultScenario, hubspotFaults, runFaultScenario } from '../support/fault-scenario';
import { startNockRelay, type NockRelay } from '../support/nock-relay-server';
import { stripeRequest } from '../support/stripe-delivery';
import { tempStore, testKeys, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
const CLIENT_TIMEOUT_MS = 1_500;
/**
 * Issue 9 asks for 1,000 payments through each engine. Measured here on 2026-12-03 (dev server with SQLite
 * persistence, 2 CPUs, quiet): 1,000 payments (1,228 deliveries: 108 redelivered, 69 partial and 51 full refunds)
 * took 121 s, phases 19 + 79 + 13 + 5 s, with 8 sagas at a time. On 2026-12-02 at load average 16, 300 payments
 * took 155 s (2.2 events a second): a phase may take minutes on a loaded machine, so its deadline is long and an
 * engine that stops finishing events fails the test within a minute instead (waitForEngine).
 */
const PAYMENTS = 1_000;
const CONCURRENCY = 8;

/**
 * Issue 9's fault test on a real Temporal dev server: each signed delivery verified and kept by the core's webhook
 * receiver (the inbox drops redeliveries), its event handed to the payment's saga by signal-with-start; the worker's
 * saga records it and sends it to HubSpot through the outbox for at most 1 s (TERMINAL_CRM_CRM=hubspot,
 * HUBSPOT_BASE_URL the relay to the contract mock failing 30 % of calls). What is left queued is drained
 * afterwards (the CRM Sync schedule's work) against the same store.
 */
describe(`Temporal: ${PAYMENTS} payments through the payment saga while HubSpot fails 30 % of calls`, { timeout: 1_260_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let mock: HubSpotMock;
  let relay: NockRelay;
  const faults = hubspotFaults(CLIENT_TIMEOUT_MS);
  const taskQueue = `crm-faults-e2e-${randomUUID()}`;

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    // Through the Rust connection: nock (loaded by the relay) hangs Node's http2, which grpc-js rides on.
    client = new Client({ connection: server.env.nativeConnection });
    mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1, faults });
    relay = await startNockRelay({ target: mock.baseUrl });
    const settings = { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' as const };
    const env = { HUBSPOT_ACCESS_TOKEN: PAT, HUBSPOT_BASE_URL: relay.url, HUBSPOT_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) };
    const activities = { ...createActivities(settings), ...createSagaActivities({ ...settings, crm: 'hubspot', env, crmWaitMs: 1_000 }) };
    worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    running = worker.run();
  });
  after(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await server?.stop();
    await s?.remove();
    await relay?.close();
    mock?.stop();
  });

  it('every payment ends in HubSpot once with the ledger’s amounts, every customer once, and the outbox empties', { timeout: 1_200_000 }, async (t) => {
    const scenario = faultScenario({ payments: PAYMENTS, secret: TEST_WEBHOOK_SECRET });
    const inbox = new SqlInbox(s.db, testKeys());
    const line = await runFaultScenario({
      db: s.db,
      mock,
      faults,
      scenario,
      concurrency: CONCURRENCY,
      phaseTimeoutMs: 600_000,
      drainAdapter: crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: PAT, HUBSPOT_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) }),
      // A delivery is done when its saga has applied it: at most CONCURRENCY sagas run at once, so the dev server
      // (SQLite persistence, on a machine shared with other suites) is not flooded with a thousand starts.
      send: async (d) => {
        const out = await receiveWebhook('stripe', stripeRequest(d), { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] }, inbox });
        assert.equal(out.status, 200, `${d.eventId}: ${out.rejected ?? out.misconfigured}`);
        for (const event of out.events) {
          const handle = await startPaymentSaga(client, event, { taskQueue });
          const result = await resultWithin<PaymentSagaResult>(handle as WorkflowHandle & { result(): Promise<PaymentSagaResult> }, 60_000);
          assert.deepEqual(result.events.filter((e) => e.failure || e.outcome === 'compensated'), [], `${handle.workflowId} applied its events`);
        }
      },
    });
    t.diagnostic(line);
    assert.ok(relay.calls.some((c) => /^\/crm\/v3\/objects\/deals\/batch\/(create|upsert)$/.test(c.path)), 'the worker called HubSpot through the relay');
  });
});
