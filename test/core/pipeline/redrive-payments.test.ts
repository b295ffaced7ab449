import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { enqueue } from '../../../nodes/core/outbox/enqueue';
import { redrivePayments, sentToCrms } from '../../../nodes/core/pipeline/redrive-payments';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-redrive-payments');

type Store = DialectStore;

for (const store of stores) describe(`redrivePayments: a payment the inbox held reaches the CRMs the store sends to on ${store.dialect}`, () => {
  let s: Store;
  const opened: Store[] = [];
  beforeEach(async () => {
    s = await store.open();
    opened.push(s);
  });
  after(async () => {
    for (const o of opened) await o.remove();
  });

  const accepted = async () => {
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'noor@example.com', card: { fingerprint: 'fp_redrive_crm' } })));
    await new SqlInbox(s.db, testKeys()).accept([event], new Date(Date.now() - 10 * 60_000));
    return event;
  };
  const outbox = () => s.db.all<{ crm: string; kind: string; external_id: string; state: string }>('SELECT crm, kind, external_id, state FROM outbox ORDER BY crm, kind');

  it('queues the redriven payment and its customer for each SaaS CRM the outbox or the links name, as CRM Upsert would have', async () => {
    // A store that sends to HubSpot (a record synced before: a link) and to Pipedrive (a record waiting).
    await s.db.run("INSERT INTO crm_links (crm, kind, external_id, crm_id, updated_at) VALUES ('hubspot', 'customer', 'cus_other', '101', '2026-12-01T00:00:00Z')");
    await s.db.transaction((tx) => enqueue(tx, 'pipedrive', [{ kind: 'customer', record: { externalId: 'cus_waiting', profile: {} } }]));
    assert.deepEqual(await sentToCrms(s.db), ['hubspot', 'pipedrive']);
    const event = await accepted();
    const report = await redrivePayments(s.db, { keys: testKeys(), olderThanMs: 0 });
    assert.equal(report.redriven.length, 1);
    const customerId = report.redriven[0]!.result.crm!.customerId!;
    const rows = (await outbox()).filter((r) => r.external_id !== 'cus_waiting');
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { crm: 'hubspot', kind: 'customer', external_id: customerId, state: 'pending' },
      { crm: 'hubspot', kind: 'payment', external_id: `stripe:${event.paymentId}`, state: 'pending' },
      { crm: 'pipedrive', kind: 'customer', external_id: customerId, state: 'pending' },
      { crm: 'pipedrive', kind: 'payment', external_id: `stripe:${event.paymentId}`, state: 'pending' },
    ]);
  });

  it('queues the redriven payment and its customer for the CRMs the settings name, though the store has sent nothing there yet', async () => {
    // An n8n whose first HubSpot payments crashed before CRM Upsert: no outbox row, no link names HubSpot.
    assert.deepEqual(await sentToCrms(s.db), []);
    const event = await accepted();
    const report = await redrivePayments(s.db, { keys: testKeys(), olderThanMs: 0, crms: ['hubspot'] });
    assert.equal(report.redriven.length, 1);
    const customerId = report.redriven[0]!.result.crm!.customerId!;
    assert.deepEqual((await outbox()).map((r) => ({ ...r })), [
      { crm: 'hubspot', kind: 'customer', external_id: customerId, state: 'pending' },
      { crm: 'hubspot', kind: 'payment', external_id: `stripe:${event.paymentId}`, state: 'pending' },
    ]);
  });

  it('queues once for a CRM both named and already sent to, and also for those the store sends to', async () => {
    await s.db.run("INSERT INTO crm_links (crm, kind, external_id, crm_id, updated_at) VALUES ('hubspot', 'customer', 'cus_other', '101', '2026-12-01T00:00:00Z')");
    const event = await accepted();
    const report = await redrivePayments(s.db, { keys: testKeys(), olderThanMs: 0, crms: ['zoho', 'hubspot', 'zoho'] });
    const customerId = report.redriven[0]!.result.crm!.customerId!;
    assert.deepEqual((await outbox()).map((r) => ({ ...r })), [
      { crm: 'hubspot', kind: 'customer', external_id: customerId, state: 'pending' },
      { crm: 'hubspot', kind: 'payment', external_id: `stripe:${event.paymentId}`, state: 'pending' },
      { crm: 'zoho', kind: 'customer', external_id: customerId, state: 'pending' },
      { crm: 'zoho', kind: 'payment', external_id: `stripe:${event.paymentId}`, state: 'pending' },
    ]);
  });

  it('refuses a CRM it has no adapter for before it takes any payment, naming the setting', async () => {
    await accepted();
    await assert.rejects(
      redrivePayments(s.db, { keys: testKeys(), olderThanMs: 0, crms: ['hubspt' as 'hubspot'] }),
      /crms: "hubspt" is not a CRM the pack has an adapter for\. Fix: choose one of: hubspot, salesforce/,
    );
    assert.deepEqual(await s.db.all('SELECT event_id FROM transactions'), []);
    assert.deepEqual(await outbox(), []);
  });

  it('queues nothing for a store that sends to no SaaS CRM', async () => {
    await accepted();
    for (const crms of [undefined, []]) {
      const report = await redrivePayments(s.db, { keys: testKeys(), olderThanMs: 0, ...(crms ? { crms } : {}) });
      assert.equal(report.redriven.length, crms ? 0 : 1);
    }
    assert.deepEqual(await outbox(), []);
  });
});
