import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, getFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { nodeOfType } from '../../../sandbox/run/node-red/payment-flow';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { packRepo } from '../../../sandbox/run/shared/pack';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { assertFixtureSynced, assertGhostAlert, queueSyncFixture } from '../../core/outbox/support/sync-fixture';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

/**
 * terminal CRM sync on a real Node-RED 5, installed from the pack's tarball: an inject node repeating every 2 s in
 * front of it, a crm-account for HubSpot whose base URL is the nock relay to HubSpot's contract mock.
 */
describe('Node-RED 5: inject → terminal CRM sync → HubSpot', { timeout: 420_000 }, () => {
  const work = tempDir('tcrm-node-red-sync-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let db: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let storeId = '';

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT });
    relay = await startNockRelay({ target: mock.baseUrl });
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    const instance = await startNodeRedWithPaymentFlow({
      engine,
      userDir: join(work.path, 'user'),
      packed,
      port: await freePort(),
      credentialSecret: 'terminal-crm-e2e',
      setup: { path: '/e2e/stripe', webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS },
    });
    nodeRed = instance.nodeRed;
    storeId = nodeOfType(instance.flows, 'terminal-crm-store').id;
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    await closeAllDatabases();
    await relay?.close();
    mock?.stop();
    work.remove();
  });

  it('one run sends the queued rows to HubSpot and the dead one leaves on the alerts output', async () => {
    await queueSyncFixture(db);
    const tab = 'tab_crm_sync';
    const sync: FlowNode[] = [
      { id: tab, type: 'tab', label: 'CRM sync' },
      { id: 'hubspot_account', type: 'crm-account', name: 'HubSpot (relay)', crm: 'hubspot', baseUrl: relay.url, credentials: { accessToken: PAT } },
      { id: 'every_2s', type: 'inject', z: tab, name: 'every 2 s', repeat: '2', once: true, onceDelay: 0.5, props: [{ p: 'payload' }], payload: '', payloadType: 'date', wires: [['crm_sync']] },
      { id: 'crm_sync', type: 'terminal-crm-sync', z: tab, name: '', account: 'hubspot_account', store: storeId, maxBatches: 0, deadline: 20, wires: [['sync_result'], ['sync_alerts']] },
      { id: 'sync_result', type: 'debug', z: tab, name: 'sync result', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
      { id: 'sync_alerts', type: 'debug', z: tab, name: 'sync alert', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
    ];
    await deployFlows(nodeRed!.baseUrl, [...(await getFlows(nodeRed!.baseUrl)), ...sync]);

    const [first] = await comms!.waitFor('the first "sync result"', () => {
      const found = comms!.debugMessages().filter((m) => m.name === 'sync result');
      return found.length ? found.map((m) => m.value as Record<string, unknown>) : undefined;
    }, 30_000);
    // Stop the repeats: later runs find nothing due.
    await deployFlows(nodeRed!.baseUrl, (await getFlows(nodeRed!.baseUrl)).filter((n) => n.id !== 'every_2s'));

    assert.deepEqual([first!.crm, first!.ended, first!.synced, first!.rejected, first!.retry, first!.dead, first!.waiting], ['hubspot', 'drained', 4, 0, 0, 1, 0]);
    const alerts = comms!.debugMessages().filter((m) => m.name === 'sync alert').map((m) => m.value as Record<string, unknown>);
    assert.equal(alerts.length, 1);
    assertGhostAlert(alerts[0]);
    await assertFixtureSynced(db, mock);
    assert.match(comms!.events.filter((e) => e.topic === 'status/crm_sync').map((e) => String(e.data.text)).join('\n'), /hubspot: 4 synced, 0 rejected, 0 to retry, 1 dead/);
    assert.ok(relay.calls.some((c) => c.path === '/crm/v3/objects/contacts/batch/upsert' && c.status === 200));
    assert.equal(mock.callsTo('/crm/v3/objects/contacts/batch/upsert').length, 1, 'no contact sent twice');
  });
});
