import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimBatch } from '../../../nodes/core/outbox/claim';
import { enqueue } from '../../../nodes/core/outbox/enqueue';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { customer, outboxRows, payment, queue, T0, DIALECTS, useStores } from './support/outbox-kit';

const openStore = useStores();

for (const dialect of DIALECTS) describe(`outbox: queuing (${dialect})`, () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  let db: SqlDatabase;
  before(async () => {
    store = await openStore(dialect);
    db = store.db;
  });
  after(() => store.remove());

  it('keeps one pending row per record: a newer state replaces the older one, which never goes out', async () => {
    const first = await queue(db, 'hubspot', [{ kind: 'payment', record: payment(1, 1) }], T0);
    const [second] = await db.transaction((tx) =>
      enqueue(tx, 'hubspot', [{ kind: 'payment', record: payment(1, 1, { refunded: { minor: 1000, currency: 'USD' }, status: 'partially_refunded' }) }], new Date(T0 + 1_000)),
    );
    assert.equal(second!.id, first[0]);
    assert.equal(second!.coalesced, true);
    const rows = await outboxRows(db, "external_id = 'stripe:pi_1'");
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0]!.payload).refunded, { minor: 1000, currency: 'USD' });
    assert.equal(rows[0]!.state, 'pending');
    // The same record in another CRM is another row.
    await queue(db, 'salesforce', [{ kind: 'payment', record: payment(1, 1) }], T0);
    assert.equal((await outboxRows(db, "external_id = 'stripe:pi_1'")).length, 2);
  });

  it('merges field updates for one customer, since each step sends only its own fields', async () => {
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_7', fields: { terminal_crm_segment: 'New', terminal_crm_rfm: '111' } } }], T0);
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_7', fields: { loyalty_tier: 'Gold', terminal_crm_segment: 'Champions' } } }], T0 + 1);
    const rows = await outboxRows(db, "kind = 'fields' AND external_id = 'cus_7'");
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0]!.payload).fields, { terminal_crm_segment: 'Champions', terminal_crm_rfm: '111', loyalty_tier: 'Gold' });
  });

  it('queues a new row while an older write of the record is in flight, and claims it only once that one is done', async () => {
    await queue(db, 'hubspot', [{ kind: 'customer', record: customer(20) }], T0);
    const claimed = await claimBatch(db, { crm: 'hubspot', kind: 'customer', owner: 'a', now: T0 + 10, leaseMs: 60_000, limit: 10 });
    assert.deepEqual(claimed.map((c) => c.externalId), ['cus_20']);
    const [later] = await queue(db, 'hubspot', [{ kind: 'customer', record: customer(20, { city: 'Berkeley' }) }], T0 + 20);
    assert.notEqual(later, claimed[0]!.id);
    assert.deepEqual((await outboxRows(db, "external_id = 'cus_20'")).map((r) => r.state), ['inflight', 'pending']);
    const meanwhile = await claimBatch(db, { crm: 'hubspot', kind: 'customer', owner: 'b', now: T0 + 30, leaseMs: 60_000, limit: 10 });
    assert.deepEqual(meanwhile, [], 'the newer state waits: it must not be written before, or beside, the older');
  });

  it('holds a payment back while its customer’s upsert waits, and lets it go once the customer is settled', async () => {
    await queue(db, 'zoho', [{ kind: 'payment', record: payment(30, 30) }, { kind: 'customer', record: customer(30) }], T0);
    const payments = () => claimBatch(db, { crm: 'zoho', kind: 'payment', owner: 'a', now: T0 + 10, leaseMs: 60_000, limit: 10 });
    assert.deepEqual(await payments(), []);
    const [c] = await claimBatch(db, { crm: 'zoho', kind: 'customer', owner: 'a', now: T0 + 10, leaseMs: 60_000, limit: 10 });
    assert.deepEqual(await payments(), [], 'nor while the customer is in flight');
    await db.run("UPDATE outbox SET state = 'synced' WHERE id = ?", [c!.id]);
    assert.deepEqual((await payments()).map((p) => p.externalId), ['stripe:pi_30']);
  });

  it('refuses an item without the ids the CRM keys it by, naming the field', async () => {
    await assert.rejects(
      db.transaction((tx) => enqueue(tx, 'hubspot', [{ kind: 'customer', record: customer(1) }, { kind: 'payment', record: payment(2, 2, { customerExternalId: '' }) }])),
      /items\[1\]\.record\.customerExternalId: is empty\. Fix: give the pack's customer id/,
    );
    assert.equal((await outboxRows(db, "external_id = 'stripe:pi_2'")).length, 0, 'the transaction wrote nothing');
  });
});
