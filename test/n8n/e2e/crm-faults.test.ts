import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { publish } from '../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { faultScenario, hubspotFaults, runFaultScenario } from '../../support/fault-scenario';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
/** The credential's Timeout (ms): n8n gives up on a held answer then, and the execution goes on (records stay queued). */
const CLIENT_TIMEOUT_MS = 1_500;
/**
 * Issue 9 asks for 1,000 payments through each engine. Measured here on 2026-12-03 (2 CPUs, quiet): 1,000 payments
 * (1,228 deliveries) took 95 s, phases 15 + 62 + 11 + 6 s, with 12 deliveries at once (plus about 18 s to pack and
 * start n8n); with n8n's default expression engine and 4 executions at once, 231-241 s. On 2026-12-02 at load
 * average 8 to 11, 300 payments took 151 s (2.3 events a second): a phase may take minutes on a loaded machine, so
 * its deadline is long, and an n8n that stops finishing events fails the test within a minute instead
 * (waitForEngine).
 */
const PAYMENTS = 1_000;
const CONCURRENCY = 12;
/**
 * N8N_CONCURRENCY_PRODUCTION_LIMIT is what n8n documents for many production executions at once on one instance
 * ("Control concurrency"): executions over the limit wait in n8n's queue, in order, instead of all writing to n8n's
 * SQLite at once (unlimited, while held answers still kept executions 30 s, they timed out on n8n's own write lock:
 * LockAcquireTimeoutError).
 * N8N_EXPRESSION_ENGINE=legacy: n8n 2.x's default engine (vm) builds a V8 isolate for every webhook request and
 * execution of a workflow whose trigger is not n8n's own Webhook node, expressions or not: 131 ms to answer a
 * payment here against 14 ms with the legacy engine, n8n's CPU, not the pack's (README, "n8n at volume"). This test
 * is about the pack under CRM faults over 1,228 executions, so it runs the engine n8n documents as the opt-out;
 * every other n8n test runs n8n's default.
 */
const N8N_ENV = { N8N_CONCURRENCY_PRODUCTION_LIMIT: '8', N8N_EXPRESSION_ENGINE: 'legacy' };

interface WorkflowBody {
  versionId: string;
  nodes: Array<{ name: string; type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
  connections: unknown;
}

/**
 * Issue 9's fault test on a real n8n 2.x (the pack from its tarball): the shipped payment workflow with CRM Upsert
 * set to HubSpot (Wait for CRM 1 s), the credential's base URL a relay to HubSpot's contract mock, which answers
 * 30 % of calls 429, 502 or too late; signed Stripe deliveries with redeliveries and refunds to the production
 * webhook; what is left queued is drained afterwards (CRM Sync's work) against the same store.
 */
describe(`n8n e2e: ${PAYMENTS} payments through CRM Upsert while HubSpot fails 30 % of calls`, { timeout: 1_260_000 }, () => {
  const tmp = tempDir('tcrm-n8n-crm-faults-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  const faults = hubspotFaults(CLIENT_TIMEOUT_MS);
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let webhookUrl = '';

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1, faults });
    relay = await startNockRelay({ target: mock.baseUrl });
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS, env: N8N_ENV });
    let workflowId: string;
    ({ n8n, rest, workflowId, webhookUrl } = instance);
    store = await openDatabase(storeUrl);
    const hubspot = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
      type: 'terminalHubSpotApi',
      name: 'HubSpot (relay to the failing contract mock)',
      data: { accessToken: PAT, baseUrl: relay.url, timeoutMs: CLIENT_TIMEOUT_MS },
    });
    const wf = await rest.request<WorkflowBody>('GET', `/workflows/${workflowId}`);
    const nodes = wf.nodes.map((n) =>
      n.type.endsWith('.crmUpsert')
        ? { ...n, parameters: { ...n.parameters, crm: 'hubspot', authentication: 'accessToken', waitSeconds: 1 }, credentials: { ...n.credentials, terminalHubSpotApi: { id: hubspot.id, name: hubspot.name } } }
        : n,
    );
    const saved = await rest.request<{ versionId: string }>('PATCH', `/workflows/${workflowId}`, { nodes, connections: wf.connections, versionId: wf.versionId });
    await publish(rest, workflowId, saved.versionId);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    await relay?.close();
    mock?.stop();
    tmp.remove();
  });

  it('every payment ends in HubSpot once with the ledger’s amounts, every customer once, and the outbox empties', { timeout: 1_200_000 }, async (t) => {
    const scenario = faultScenario({ payments: PAYMENTS, secret: TEST_WEBHOOK_SECRET });
    const line = await runFaultScenario({
      db: store,
      mock,
      faults,
      scenario,
      concurrency: CONCURRENCY,
      phaseTimeoutMs: 600_000,
      drainAdapter: crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: PAT, HUBSPOT_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) }),
      send: async (d) => {
        const res = await fetch(webhookUrl, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(60_000) });
        assert.equal(res.status, 200, `${d.eventId}: ${await res.text()}\n--- n8n log ---\n${n8n?.logTail()}`);
      },
    });
    t.diagnostic(line);
    // n8n's own calls went through the relay, signed by its credential.
    assert.ok(relay.calls.some((c) => /^\/crm\/v3\/objects\/deals\/batch\/(create|upsert)$/.test(c.path)));
    assert.ok(mock.callsTo('/crm/v3/objects/').every((c) => c.authorization === `Bearer ${PAT}`));
  });
});
