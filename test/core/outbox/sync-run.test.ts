import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { crmSyncLimits, crmSyncStatusText, runCrmSync } from '../../../nodes/core/outbox/sync-run';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { enqueue } from '../../../nodes/core/outbox/enqueue';
import { fakeClock } from '../crm/saas/hubspot-kit';
import { ZohoMock } from '../crm/saas/mocks/zoho-mock';
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
    assert.equal('notes' in summary, false, 'nothing to note');
  });

  it("says in the summary what the adapter fell back on: Zoho's deals dated by UTC days for want of the org's time zone", async () => {
    const creds = { clientId: '1000.CLIENTID', clientSecret: 'secret', refreshToken: '1000.refresh.token' };
    const mock = new ZohoMock({ ...creds, scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'], orgTimeZone: 'America/Los_Angeles' }).start();
    const adapter = crmAdapterFromEnv('zoho', { ZOHO_CLIENT_ID: creds.clientId, ZOHO_CLIENT_SECRET: creds.clientSecret, ZOHO_REFRESH_TOKEN: creds.refreshToken });
    await db.transaction((tx) =>
      enqueue(tx, 'zoho', [
        { kind: 'customer', record: { externalId: 'cus_zoho_1', profile: { givenName: 'Ana', familyName: 'Diaz', email: 'ana.zoho@example.com' } } },
        {
          kind: 'payment',
          record: { externalId: 'stripe:pi_zoho_1', customerExternalId: 'cus_zoho_1', source: 'stripe', paymentId: 'pi_zoho_1', amount: { minor: 4599, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded', occurredAt: '2026-03-02T01:30:00Z' },
        },
      ]),
    );
    const { summary } = await runCrmSync(db, adapter, crmSyncLimits({}), 'CRM account');
    assert.deepEqual([summary.crm, summary.synced, summary.waiting], ['zoho', 2, 0]);
    assert.equal(mock.where('Deals', 'Terminal_Payment_Key', 'stripe:pi_zoho_1')[0]?.Closing_Date, '2026-03-02');
    assert.equal(summary.notes?.length, 1);
    assert.match(summary.notes![0]!, /^Closing_Date is the UTC day of each payment.*OAUTH_SCOPE_MISMATCH.*ZohoCRM\.org\.READ.*the Zoho account's Time Zone field.*or ZOHO_TIME_ZONE/);
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
