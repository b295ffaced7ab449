import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { drain } from '../../../nodes/core/outbox/drain';
import type { CrmSync } from '../../../nodes/core/contracts/payment-message';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { nodeOfType } from '../../../sandbox/run/node-red/payment-flow';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';
import { packRepo } from '../../../sandbox/run/shared/pack';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';
import { postWebhook } from './harness/webhook';

const ROUTE = '/e2e/stripe-hubspot';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

/**
 * terminal crm upsert writing to HubSpot on a real Node-RED 5 (the pack installed from its tarball): the flow's
 * upsert node set to HubSpot with a crm-account whose base URL is a relay to the HubSpot contract mock in this
 * process, so the engine's axios calls meet HubSpot's documented behaviour.
 */
describe('Node-RED 5: terminal crm upsert into HubSpot through the outbox', { timeout: 420_000 }, () => {
  const work = tempDir('tcrm-node-red-hubspot-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let relay: NockRelay | undefined;
  let mock: HubSpotMock;
  let db: SqlDatabase;
  let url: string;
  let upsertId: string;

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: TOKEN, retryAfterSeconds: 1 });
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
    // What an operator does in the editor: a HubSpot account (its base URL is a setting), and the upsert set to it.
    const account: FlowNode = { id: 'e2e-hubspot-account', type: 'crm-account', name: 'HubSpot (mock)', crm: 'hubspot', baseUrl: relay.url, credentials: { accessToken: TOKEN } };
    const upsert = nodeOfType(instance.flows, 'terminal-crm-upsert');
    upsertId = upsert.id;
    const flows = instance.flows.map((n) => (n.id === upsert.id ? { ...n, crm: 'hubspot', account: account.id, waitSeconds: 5 } : n));
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

  const recorded = (eventId: string) =>
    comms!.waitFor(`the "recorded" debug message for ${eventId}`, () => {
      const errors = comms!.debugMessages().filter((m) => m.name === 'what went wrong');
      if (errors.length) throw new Error(`the flow's Catch node reported: ${errors.map((e) => String(e.value)).join('; ')}`);
      const hit = comms!.debugMessages().find((m) => m.name === 'recorded' && (m.value as { eventId?: string }).eventId === eventId);
      return hit ? (hit.value as { outcome: string; customerId: string; sync: CrmSync }) : undefined;
    }, 30_000);
  const deliver = async (event: ReturnType<typeof stripeEvent>) => {
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const answer = await postWebhook(url, d.body, d.headers);
    assert.equal(answer.status, 200, answer.text);
    return recorded(`stripe:${event.id}`);
  };

  it('records the payment in the store and answers synced with the deal HubSpot holds; the status counts it', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'nr-ana@example.com', name: 'Ana Diaz', paymentIntentId: 'pi_nr_1' }));
    const crm = await deliver(event);
    assert.equal(crm.outcome, 'recorded');
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_nr_1');
    const contact = mock.recordBy('contacts', 'terminal_crm_id', crm.customerId);
    assert.equal(deal.length, 1);
    assert.equal(contact.length, 1);
    assert.equal(contact[0]!.properties.email, 'nr-ana@example.com');
    assert.equal(deal[0]!.properties.amount, '42.00');
    assert.deepEqual([crm.sync.status, crm.sync.status === 'synced' && crm.sync.crmId], ['synced', deal[0]!.id]);
    assert.ok(await db.get('SELECT 1 FROM transactions WHERE event_id = ?', [`stripe:${event.id}`]), 'the store has it');
    await comms!.waitFor('the upsert status to count it', () => (comms!.statusOf(upsertId) === 'hubspot: 1 synced' ? true : undefined));
    assert.ok(relay!.calls.some((c) => c.path === '/crm/v3/objects/contacts/batch/upsert'), 'Node-RED called HubSpot through the relay');
  });

  it('answers queued with HubSpot’s reason and the next attempt while HubSpot answers 429; a later drain sends it once', async () => {
    mock.setFaults({ rate429: 1 });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1500, email: 'nr-ben@example.com', paymentIntentId: 'pi_nr_2' }));
    const crm = await deliver(event);
    assert.equal(crm.sync.status, 'queued', JSON.stringify(crm.sync));
    assert.match(crm.sync.status === 'queued' ? crm.sync.reason : '', /ten_secondly_rolling/i);
    assert.ok(crm.sync.status === 'queued' && crm.sync.nextAttemptAt && Date.parse(crm.sync.nextAttemptAt) > Date.now() - 60_000);
    await comms!.waitFor('the upsert status to show it queued', () => (comms!.statusOf(upsertId) === 'hubspot: 1 queued' ? true : undefined));
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_nr_2').length, 0);

    mock.setFaults({});
    // CRM Sync's work, from this process against the same store; the clock moved past every retry time.
    const later = () => Date.now() + 10 * 60_000;
    const adapter = crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: TOKEN });
    const run = await drain({ db, adapter, now: later, deadlineMs: 20_000 });
    assert.equal(run.counts.synced, 2, JSON.stringify(run.counts));
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_nr_2').length, 1);
    assert.equal(mock.recordBy('contacts', 'email', 'nr-ben@example.com').length, 1);
    assert.equal(mock.records('deals').length, 2);
  });
});
