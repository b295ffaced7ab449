import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { localIdForCrmRecord } from '../../nodes/core/crm/saas/customer-refresh';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createCrmSyncActivities } from '../../temporal/activities/crm-sync-activities';
import { crmSyncScheduleId, ensureCrmSyncSchedules } from '../../temporal/crm-sync-schedule';
import { createPaymentWorker } from '../../temporal/payment-worker';
import type { crmSync, CrmSyncResult } from '../../workflows/crm-sync';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { assertFixtureSynced, assertGhostAlert, queueSyncFixture } from '../core/outbox/support/sync-fixture';
import { startNockRelay, type NockRelay } from '../support/nock-relay-server';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin, settledWithin } from './support/result-within';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('CRM sync on a real Temporal dev server', { timeout: 180_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let mock: HubSpotMock;
  let relay: NockRelay;
  const taskQueue = `crm-sync-e2e-${randomUUID()}`;

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    // Through the Rust connection: nock (loaded by the relay) hangs Node's http2, which grpc-js rides on.
    client = new Client({ connection: server.env.nativeConnection });
    mock = await HubSpotMock.start({ privateAppToken: PAT });
    relay = await startNockRelay({ target: mock.baseUrl });
    const settings = { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' as const };
    // The worker's environment, as an operator sets it for HubSpot: the base URL is the relay to the contract mock.
    const env = { HUBSPOT_ACCESS_TOKEN: PAT, HUBSPOT_BASE_URL: relay.url };
    const activities = { ...createActivities(settings), ...createCrmSyncActivities({ ...settings, env }) };
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

  it('a scheduled run sends the queued rows to HubSpot, alerts on the dead one, and copies customers sales added in HubSpot', async () => {
    await queueSyncFixture(s.db);
    const fromSales = mock.seed('contacts', { email: 'walk.in@example.com', firstname: 'Walk', lastname: 'In', phone: '+14155550199' });
    // Yearly, so only the test's own trigger runs it.
    const changes = await ensureCrmSyncSchedules(client, { taskQueue, crms: ['hubspot'], cron: '0 0 1 1 *' });
    assert.deepEqual(changes, { hubspot: 'created', salesforce: 'absent', dynamics: 'absent', pipedrive: 'absent', zoho: 'absent' });
    const schedule = client.schedule.getHandle(crmSyncScheduleId('hubspot'));
    await schedule.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 300 && !workflowId; i++) {
      workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(workflowId?.startsWith('terminal-crm-sync-hubspot'), 'the schedule started a run');
    const result = await resultWithin<CrmSyncResult>(client.workflow.getHandle<typeof crmSync>(workflowId!));

    const d = result.drain;
    assert.deepEqual([d.crm, d.ended, d.synced, d.rejected, d.retry, d.dead, d.waiting], ['hubspot', 'drained', 4, 0, 0, 1, 0]);
    assert.equal(d.alerts.length, 1);
    assertGhostAlert(d.alerts[0] as unknown as Record<string, unknown>);
    await assertFixtureSynced(s.db, mock);
    assert.ok(relay.calls.some((c) => c.path === '/crm/v3/objects/contacts/batch/upsert' && c.status === 200), 'through the relay');

    // The refresh ran after the drain: HubSpot's contacts, the walk-in among them, are in the store's copy.
    assert.equal(result.refresh.caughtUp, true);
    assert.ok(result.refresh.received >= 3);
    const walkIn = localIdForCrmRecord('hubspot', fromSales.id);
    const row = await s.db.get<{ email: string }>('SELECT email FROM customers WHERE id = ?', [walkIn]);
    assert.equal(row?.email, 'walk.in@example.com');
    const link = await s.db.get<{ crm_id: string }>("SELECT crm_id FROM crm_links WHERE crm = 'hubspot' AND kind = 'customer' AND external_id = ?", [walkIn]);
    assert.equal(link?.crm_id, fromSales.id);

    // The operator's default, every minute, overlap SKIP; then HubSpot is no longer listed and its schedule goes.
    assert.equal((await ensureCrmSyncSchedules(client, { taskQueue, crms: ['hubspot'], cron: '@every 1m' })).hubspot, 'updated');
    const described = await schedule.describe();
    assert.deepEqual(described.spec.intervals?.map((i) => i.every), [60_000]);
    assert.equal(described.policies.overlap, 'SKIP');
    assert.equal((await ensureCrmSyncSchedules(client, { taskQueue, crms: [], cron: '@every 1m' })).hubspot, 'removed');
  });

  it('a credential HubSpot refuses fails the run at once with the fix, and the rows wait', async () => {
    await s.db.run('DELETE FROM outbox');
    await queueSyncFixture(s.db);
    const queue = `${taskQueue}-revoked`;
    const settings = { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' as const };
    const revoked = await createPaymentWorker({
      connection: server.env.nativeConnection,
      taskQueue: queue,
      activities: { ...createActivities(settings), ...createCrmSyncActivities({ ...settings, env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-revoked', HUBSPOT_BASE_URL: relay.url } }) },
    });
    await revoked.runUntil(async () => {
      const handle = await client.workflow.start<typeof crmSync>('crmSync', { workflowId: `crm-sync-revoked-${randomUUID()}`, taskQueue: queue, args: [{ crm: 'hubspot' }] });
      const { error } = await settledWithin(handle);
      assert.ok(error, 'the run failed');
      // WorkflowFailedError → ActivityFailure → the activity's ApplicationFailure.
      const cause = (error as { cause?: { cause?: { message?: string; nonRetryable?: boolean } } }).cause?.cause;
      assert.match(String(cause?.message), /^HUBSPOT_ACCESS_TOKEN \/ HUBSPOT_CLIENT_ID \/ .*: hubspot refused: .*Fix: check the hubspot credential, then run again/);
      assert.equal(cause?.nonRetryable, true);
    });
    const rows = await s.db.all<{ state: string; attempts: number }>("SELECT state, attempts FROM outbox WHERE external_id LIKE 'cus_sync_%'");
    assert.deepEqual(rows.map((r) => [r.state, Number(r.attempts)]), [['pending', 0], ['pending', 0]]);
  });
});
