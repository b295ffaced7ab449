import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { crmSyncLimits, crmSyncStatusText, runCrmSync } from '../../../nodes/core/outbox/sync-run';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { fakeClock } from '../crm/saas/hubspot-kit';
import { hubspotOutbox, sqliteStore, useNock } from './support/outbox-kit';
import { assertFixtureSynced, assertGhostAlert, queueSyncFixture } from './support/sync-fixture';

describe('CRM Sync run (the core every face calls)', { timeout: 20_000 }, () => {
  useNock();
  let store: Awaited<ReturnType<typeof sqliteStore>>;
  let db: SqlDatabase;
  before(async () => {
    store = await sqliteStore();
    db = store.db;
  });
  after(() => store.remove());

  it('sends what waits, answers the counts and one alert per record given up on', async () => {
    await queueSyncFixture(db);
    const { mock, adapter, clock } = await hubspotOutbox({ clock: fakeClock(Date.now()) });
    const { summary, alerts } = await runCrmSync(db, adapter, crmSyncLimits({}), 'CRM account', { now: clock.now, sleep: clock.sleep });
    await assertFixtureSynced(db, mock);
    assert.deepEqual([summary.crm, summary.ended, summary.synced, summary.rejected, summary.retry, summary.dead, summary.waiting], ['hubspot', 'drained', 4, 0, 0, 1, 0]);
    assert.equal(alerts.length, 1);
    assertGhostAlert(alerts[0] as unknown as Record<string, unknown>);
    assert.equal(crmSyncStatusText(summary), 'hubspot: 4 synced, 0 rejected, 0 to retry, 1 dead');
  });

  it('fails naming the account when the CRM refuses the credential, and the records wait without losing an attempt', async () => {
    await db.run('DELETE FROM outbox');
    await queueSyncFixture(db);
    const { adapter, clock } = await hubspotOutbox({ env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-revoked' }, clock: fakeClock(Date.now()) });
    await assert.rejects(runCrmSync(db, adapter, crmSyncLimits({}), 'CRM account', { now: clock.now, sleep: clock.sleep }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^CRM account: hubspot refused: .*\. Fix: check the hubspot credential, then run again; the records wait/);
      return true;
    });
    const rows = await db.all<{ state: string; attempts: number }>("SELECT state, attempts FROM outbox WHERE external_id = 'cus_sync_1'");
    assert.deepEqual(rows.map((r) => [r.state, Number(r.attempts)]), [['pending', 0]]);
  });

  it('reads the limits as a form gives them, naming the field on a bad one', () => {
    assert.deepEqual(crmSyncLimits({ maxBatches: '', deadlineSeconds: '' }), { deadlineMs: 50_000 });
    assert.deepEqual(crmSyncLimits({ maxBatches: 3, deadlineSeconds: '12.5' }), { maxBatches: 3, deadlineMs: 12_500 });
    assert.throws(() => crmSyncLimits({ maxBatches: '2.5' }, { maxBatches: 'Max Batches', deadlineSeconds: 'Deadline' }), /^InputError: Max Batches: "2.5" is not a number of batches/);
    assert.throws(() => crmSyncLimits({ deadlineSeconds: 99_999 }, { maxBatches: 'Max Batches', deadlineSeconds: 'Deadline' }), /Deadline: "99999" is not a deadline\. Fix: give seconds from 1 to 3600/);
  });
});
