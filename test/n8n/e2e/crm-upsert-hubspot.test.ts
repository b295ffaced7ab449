import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { drain } from '../../../nodes/core/outbox/drain';
import type { CrmSync } from '../../../nodes/core/contracts/payment-message';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { publish } from '../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { nodeOutputs } from './harness/execution-data';
import { waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

interface WorkflowBody {
  versionId: string;
  nodes: Array<{ name: string; type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
  connections: unknown;
}

/**
 * CRM Upsert writing to HubSpot on a real n8n 2.x (the pack installed from its tarball): the shipped payment
 * workflow with its CRM Upsert set to HubSpot, the HubSpot credential's base URL pointing at a relay to the
 * HubSpot contract mock in this process, signed Stripe deliveries to the production webhook.
 */
describe('n8n e2e: Terminal Payment Trigger → … → CRM Upsert (HubSpot) through the outbox', { timeout: 420_000 }, () => {
  const tmp = tempDir('tcrm-n8n-upsert-hubspot-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let workflowId = '';
  let webhookUrl = '';
  let executions = 0;

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1 });
    relay = await startNockRelay({ target: mock.baseUrl });
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest, workflowId, webhookUrl } = instance);
    store = await openDatabase(storeUrl);

    // What an operator does in the editor: a HubSpot credential, CRM Upsert set to HubSpot with it, publish.
    const hubspot = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
      type: 'terminalHubSpotApi', name: 'HubSpot (relay to the contract mock)', data: { accessToken: PAT, baseUrl: relay.url },
    });
    const wf = await rest.request<WorkflowBody>('GET', `/workflows/${workflowId}`);
    const nodes = wf.nodes.map((n) =>
      n.type.endsWith('.crmUpsert')
        ? { ...n, parameters: { ...n.parameters, crm: 'hubspot', authentication: 'accessToken', waitSeconds: 5 }, credentials: { ...n.credentials, terminalHubSpotApi: { id: hubspot.id, name: hubspot.name } } }
        : n,
    );
    assert.equal(nodes.filter((n) => n.type.endsWith('.crmUpsert')).length, 1);
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

  const logHint = () => `\n--- n8n log ---\n${n8n?.logTail()}`;
  /** Delivers a signed charge and returns what CRM Upsert put out for it. */
  const deliver = async (event: ReturnType<typeof stripeEvent>) => {
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const res = await fetch(webhookUrl, { method: 'POST', headers, body });
    assert.equal(res.status, 200, await res.text());
    const [run] = await waitForExecutions(rest, workflowId, ++executions, 60_000);
    assert.equal(run!.status, 'success', logHint());
    const [items] = await nodeOutputs(rest, run!.id, 'CRM Upsert');
    assert.equal(items!.length, 1);
    return items![0]!.crm as { outcome: string; customerId: string; sync: CrmSync };
  };

  it('records the payment in the store and says it is synced, with the deal HubSpot holds', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'n8n-ana@example.com', name: 'Ana Diaz', paymentIntentId: 'pi_n8n_1' }));
    const crm = await deliver(event);
    assert.equal(crm.outcome, 'recorded');
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_n8n_1');
    const contact = mock.recordBy('contacts', 'terminal_crm_id', crm.customerId);
    assert.equal(deal.length, 1);
    assert.equal(contact.length, 1);
    assert.equal(contact[0]!.properties.email, 'n8n-ana@example.com');
    assert.deepEqual([crm.sync.status, crm.sync.status === 'synced' && crm.sync.crmId], ['synced', deal[0]!.id]);
    assert.ok(await store.get('SELECT 1 FROM transactions WHERE event_id = ?', [`stripe:${event.id}`]), 'the store has it');
    // Through the relay, with n8n's credential signing each call.
    assert.ok(relay.calls.some((c) => c.path === '/crm/v3/objects/contacts/batch/upsert' && c.status === 200));
    assert.ok(mock.callsTo('/crm/v3/objects/contacts/batch/upsert').every((c) => c.authorization === `Bearer ${PAT}`));
  });

  it('says queued, with HubSpot’s reason and the next attempt, while HubSpot answers 429; a later drain sends it once', async () => {
    mock.setFaults({ rate429: 1 });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1500, email: 'n8n-ben@example.com', paymentIntentId: 'pi_n8n_2' }));
    const crm = await deliver(event);
    assert.equal(crm.sync.status, 'queued', JSON.stringify(crm.sync));
    assert.match(crm.sync.status === 'queued' ? crm.sync.reason : '', /ten_secondly_rolling/i);
    assert.ok(crm.sync.status === 'queued' && crm.sync.nextAttemptAt, 'with the time of the next attempt');
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_n8n_2').length, 0);

    mock.setFaults({});
    // CRM Sync's work, from this process against the same store, with the clock past every retry time.
    const adapter = crmAdapterFromEnv('hubspot', { HUBSPOT_ACCESS_TOKEN: PAT });
    const run = await drain({ db: store, adapter, now: () => Date.now() + 10 * 60_000, deadlineMs: 20_000 });
    assert.equal(run.counts.synced, 2, JSON.stringify(run.counts));
    assert.equal(mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_n8n_2').length, 1);
    assert.equal(mock.recordBy('contacts', 'email', 'n8n-ben@example.com').length, 1);
    assert.equal(mock.records('deals').length, 2);
  });
});
