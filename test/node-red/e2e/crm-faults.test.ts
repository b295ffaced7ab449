import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { nodeOfType } from '../../../sandbox/run/node-red/payment-flow';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';
import { packRepo } from '../../../sandbox/run/shared/pack';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { faultScenario, hubspotFaults, runFaultScenario } from '../../support/fault-scenario';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';
import { postWebhook } from './harness/webhook';

const ROUTE = '/e2e/stripe-faults';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
/** The HubSpot client's timeout, set in the account's advanced settings so held answers are given up quickly. */
const CLIENT_TIMEOUT_MS = 1_500;
const PAYMENTS = 1_000;
const CONCURRENCY = 8;

/**
 * Issue 9's fault test on a real Node-RED 5 (the pack from its tarball): the payment flow's upsert set to HubSpot
 * (wait 1 s) with a crm-account whose base URL is a relay to HubSpot's contract mock, which answers 30 % of calls
 * 429, 502 or too late; signed Stripe deliveries with redeliveries and refunds; what is left queued is drained
 * afterwards (CRM sync's work) against the same store.
 */
describe('Node-RED 5: 1,000 payments through terminal crm upsert while HubSpot fails 30 % of calls', { timeout: 900_000 }, () => {
  const work = tempDir('tcrm-node-red-crm-faults-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  const faults = hubspotFaults(CLIENT_TIMEOUT_MS);
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let relay: NockRelay | undefined;
  let mock: HubSpotMock;
  let db: SqlDatabase;
  let url: string;

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: TOKEN, retryAfterSeconds: 1, faults });
    relay = await startNockRelay({ target: mock.baseUrl });
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    const instance = await startNodeRedWithPaymentFlow({
      engine,
      userDir: join(work.path, 'user'),
      packed,
      port: await freePort(),
      credentialSecret: 'terminal-crm-e2e',
      setup: { path: ROUTE, webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS },
    });
    ({ nodeRed, webhookUrl: url } = instance);
    const account: FlowNode = {
      id: 'e2e-hubspot-faults', type: 'crm-account', name: 'HubSpot (failing mock)', crm: 'hubspot', baseUrl: relay.url,
      settings: JSON.stringify({ timeoutMs: CLIENT_TIMEOUT_MS }), credentials: { accessToken: TOKEN },
    };
    const upsert = nodeOfType(instance.flows, 'terminal-crm-upsert');
    const flows = instance.flows.map((n) => (n.id === upsert.id ? { ...n, crm: 'hubspot', account: account.id, waitSeconds: 1 } : n));
    await deployFlows(nodeRed.baseUrl, [...flows, account]);
    // Node-RED answers the deploy before the new flows start: the trigger's route comes back a moment later.
    await waitForWebhook(url, 15_000);
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    await relay?.close();
    mock?.stop();
    await closeAllDatabases();
    work.remove();
  });

  it('every payment ends in HubSpot once with the ledger’s amounts, every customer once, and the outbox empties', { timeout: 840_000 }, async (t) => {
    const scenario = faultScenario({ payments: PAYMENTS, secret: TEST_WEBHOOK_SECRET });
    const line = await runFaultScenario({
      db,
      mock,
      faults,
      scenario,
      concurrency: CONCURRENCY,
      phaseTimeoutMs: 300_000,
      drainAdapter: crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) }),
      send: async (d) => {
        const answer = await postWebhook(url, d.body, d.headers);
        assert.equal(answer.status, 200, `${d.eventId}: ${answer.text}`);
      },
      afterPhase: async () => {
        const errors = comms!.debugMessages().filter((m) => m.name === 'what went wrong');
        assert.deepEqual(errors.map((e) => String(e.value)), [], 'the flow’s Catch node reported nothing');
      },
    });
    t.diagnostic(line);
    assert.ok(relay!.calls.some((c) => /^\/crm\/v3\/objects\/deals\/batch\/(create|upsert)$/.test(c.path)), 'Node-RED called HubSpot through the relay');
  });
});
