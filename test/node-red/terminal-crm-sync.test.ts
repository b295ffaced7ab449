import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import registerCrmAccount from '../../nodes/node-red/crm-account';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerSync from '../../nodes/node-red/terminal-crm-sync';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { enqueue } from '../../nodes/core/outbox/enqueue';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { ZohoMock } from '../core/crm/saas/mocks/zoho-mock';
import { assertFixtureSynced, assertGhostAlert, assertGhostAlertMessage, queueSyncFixture } from '../core/outbox/support/sync-fixture';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed } from './support/fake-red';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('Node-RED: terminal CRM sync', { timeout: 20_000 }, () => {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  before(async () => {
    nock = (await import('nock')).default;
    nock.disableNetConnect();
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerCrmAccount, registerSync]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    red.create('crm-account', { id: 'hs', crm: 'hubspot' }, { accessToken: PAT });
    red.create('crm-account', { id: 'hs_revoked', crm: 'hubspot' }, { accessToken: 'pat-na1-revoked' });
  });
  after(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
    await s.remove();
  });

  it('a refused credential goes to done(err) naming the account and the fix; the rows wait', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT });
    try {
      await queueSyncFixture(s.db);
      const node = red.create('terminal-crm-sync', { id: 'sync_revoked', account: 'hs_revoked', store: 'store', deadline: '5' });
      const { sent, error } = await node.receive(Date.now());
      assert.equal(sent, undefined);
      assert.match(String(error?.message), /^CRM account: hubspot refused: .*\. Fix: check the hubspot credential, then run again; the records wait/);
      assert.equal(node.statuses.at(-1)?.fill, 'red');
      const waiting = await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending' AND attempts = 0");
      assert.equal(Number(waiting?.n), 4);
    } finally {
      mock.stop();
    }
  });

  it('sends the summary on output 1 and one message per dead record on output 2, worded for a mail', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT });
    try {
      const node = red.create('terminal-crm-sync', { id: 'sync', account: 'hs', store: 'store', maxBatches: '', deadline: '' });
      const { sent, error } = await node.receive(Date.now(), { topic: 'tick' });
      assert.equal(error, undefined, error?.message);
      const [result, alerts] = sent as unknown as [NodeMessage, NodeMessage[]];
      const summary = result.payload as Record<string, unknown>;
      assert.deepEqual([summary.synced, summary.dead, summary.waiting, result.topic], [4, 1, 0, 'tick']);
      assert.equal(alerts.length, 1);
      const alert = alerts[0]!.payload as Record<string, unknown>;
      assertGhostAlert(alert);
      // Worded for terminal send message, which sends payload.message as it is.
      assertGhostAlertMessage(alert.message, String(alert.reason));
      await assertFixtureSynced(s.db, mock);
      assert.deepEqual(node.statuses.at(-1), { fill: 'yellow', shape: 'dot', text: 'hubspot: 4 synced, 0 rejected, 0 to retry, 1 dead' });
    } finally {
      mock.stop();
    }
  });

  it('warns what the CRM\'s adapter fell back on, and carries it in the summary: Zoho dating deals by UTC days', async () => {
    const creds = { clientId: '1000.CLIENTID', clientSecret: 'secret', refreshToken: '1000.refresh.token' };
    const mock = new ZohoMock({ ...creds, scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'] }).start();
    await s.db.transaction((tx) =>
      enqueue(tx, 'zoho', [
        { kind: 'customer', record: { externalId: 'cus_zoho_1', profile: { givenName: 'Ana', familyName: 'Diaz', email: 'ana.zoho@example.com' } } },
        {
          kind: 'payment',
          record: { externalId: 'stripe:pi_zoho_1', customerExternalId: 'cus_zoho_1', source: 'stripe', paymentId: 'pi_zoho_1', amount: { minor: 4599, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded', occurredAt: '2026-03-02T01:30:00Z' },
        },
      ]),
    );
    red.create('crm-account', { id: 'zoho', crm: 'zoho', dataCenter: 'us' }, creds);
    const node = red.create('terminal-crm-sync', { id: 'sync_zoho', account: 'zoho', store: 'store' });
    const { sent, error } = await node.receive(Date.now());
    assert.equal(error, undefined, error?.message);
    const summary = (sent as unknown as [NodeMessage])[0].payload as { synced: number; notes?: string[] };
    assert.equal(summary.synced, 2);
    assert.equal(mock.records('Deals').length, 1);
    assert.equal(summary.notes?.length, 1);
    assert.deepEqual(node.warnings, [`CRM sync zoho: ${summary.notes![0]}`]);
    assert.match(String(node.warnings[0]), /UTC day.*OAUTH_SCOPE_MISMATCH/);
  });

  it('names the field of a bad setting or a missing account', async () => {
    const bad = await red.create('terminal-crm-sync', { id: 'sync_bad', account: 'hs', store: 'store', deadline: 'soon' }).receive(1);
    assert.match(String(bad.error?.message), /^Deadline: "soon" is not a deadline\. Fix: give seconds from 1 to 3600/);
    const none = await red.create('terminal-crm-sync', { id: 'sync_none', store: 'store' }).receive(1);
    assert.match(String(none.error?.message), /^CRM account: none is selected/);
  });
});
