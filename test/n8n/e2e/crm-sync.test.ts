import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { assertFixtureSynced, assertGhostAlert, queueSyncFixture } from '../../core/outbox/support/sync-fixture';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { nodeOutputs } from './harness/execution-data';
import { listExecutions, waitForExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';
import { publish } from '../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

/**
 * CRM Sync on a real n8n 2.x, installed from the pack's tarball: a Schedule Trigger every 2 s in front of it,
 * HubSpot's contract mock reached through the nock relay as the credential's base URL.
 */
describe('n8n e2e: Schedule Trigger → CRM Sync → HubSpot', { timeout: 420_000 }, () => {
  const tmp = tempDir('tcrm-n8n-sync-e2e-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let storeCredential: { id: string; name: string };

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT });
    relay = await startNockRelay({ target: mock.baseUrl });
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest } = instance);
    storeCredential = instance.credentials.terminalCrmStore!;
    store = await openDatabase(storeUrl);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    await relay?.close();
    mock?.stop();
    tmp.remove();
  });

  const logHint = () => `\n--- n8n log ---\n${n8n?.logTail()}`;

  it('one scheduled run sends the queued rows to HubSpot and gives the dead one out on "Alerts"', async () => {
    await queueSyncFixture(store);
    const hubspot = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
      type: 'terminalHubSpotApi', name: 'HubSpot (relay to the contract mock)', data: { accessToken: PAT, baseUrl: relay.url },
    });
    const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
      name: 'CRM sync every 2 s',
      active: false,
      settings: { executionOrder: 'v1' },
      nodes: [
        { id: 'a1', name: 'Every 2 Seconds', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [0, 0], parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } } },
        {
          id: 'a2', name: 'CRM Sync', type: '@terminal-crm/n8n-nodes-terminal-crm.crmSync', typeVersion: 1, position: [220, 0],
          parameters: { crm: 'hubspot', authentication: 'accessToken', maxBatches: 0, deadlineSeconds: 20 },
          credentials: { terminalCrmStore: storeCredential, terminalHubSpotApi: { id: hubspot.id, name: hubspot.name } },
        },
      ],
      connections: { 'Every 2 Seconds': { main: [[{ node: 'CRM Sync', type: 'main', index: 0 }]] } },
    });
    await publish(rest, saved.id, saved.versionId);
    const [first] = (await waitForExecutions(rest, saved.id, 1, 60_000)).slice(-1);
    await rest.request('POST', `/workflows/${saved.id}/deactivate`, {});
    assert.equal(first!.status, 'success', logHint());

    const [result, alerts] = await nodeOutputs(rest, first!.id, 'CRM Sync');
    assert.equal(result!.length, 1);
    const summary = result![0]!;
    assert.deepEqual([summary.crm, summary.ended, summary.synced, summary.rejected, summary.retry, summary.dead, summary.waiting], ['hubspot', 'drained', 4, 0, 0, 1, 0]);
    assert.equal(alerts!.length, 1);
    assertGhostAlert(alerts![0]);
    await assertFixtureSynced(store, mock);
    // Through the relay, with n8n's credential signing each call.
    assert.ok(relay.calls.some((c) => c.path === '/crm/v3/objects/contacts/batch/upsert' && c.status === 200));
    assert.ok(mock.callsTo('/crm/v3/objects/contacts/batch/upsert').every((c) => c.authorization === `Bearer ${PAT}`));
    // Later runs find nothing due: no contact is sent twice.
    const all = await listExecutions(rest, saved.id);
    assert.ok(all.every((e) => e.status === 'success'), logHint());
    assert.equal(mock.callsTo('/crm/v3/objects/contacts/batch/upsert').length, 1);
  });
});
