import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flushNow } from '../../../nodes/core/outbox/flush-now';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { customer, customers, drainWith, hubspotOutbox, outboxRows, payment, queue, T0, DIALECTS, storeForEachTest, useStores, useNock } from './support/outbox-kit';

useNock();

const openStore = useStores();

for (const dialect of DIALECTS) describe(`outbox flushNow (CRM Upsert: the CRM’s answer while the flow runs) (${dialect})`, () => {
  let db: SqlDatabase;
  storeForEachTest(openStore, dialect, (opened) => (db = opened));

  it('answers per item: synced with the CRM id, rejected with the CRM’s message', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    const r = await flushNow(
      { db, adapter, now: clock.now, sleep: clock.sleep },
      [{ kind: 'customer', record: customer(1) }, { kind: 'customer', record: customer(2, { email: 'nope' }) }, { kind: 'payment', record: payment(1, 1) }],
      { deadlineMs: 5_000 },
    );
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    assert.deepEqual(
      r.items.map(({ outboxId: _, ...rest }) => rest),
      [
        { kind: 'customer', externalId: 'cus_1', status: 'synced', crmId: contact.id },
        { kind: 'customer', externalId: 'cus_2', status: 'rejected', reason: 'Email address nope is invalid (field email)' },
        { kind: 'payment', externalId: 'stripe:pi_1', status: 'synced', crmId: deal.id },
      ],
    );
  });

  it('answers queued, with the reason and the next attempt, what the CRM’s rate limit held past the deadline — and the next drain sends it', async () => {
    // Room for two requests (the pack elsewhere takes eight of ten): the account's details (read before the first
    // batch) and the contact's upsert take them, the deal's create is answered 429.
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { burst: { max: 10, intervalMs: 10_000 }, othersInWindow: 8, retryAfterSeconds: 30 } });
    const started = clock.now();
    const r = await flushNow({ db, adapter, now: clock.now, sleep: clock.sleep }, [{ kind: 'customer', record: customer(1) }, { kind: 'payment', record: payment(1, 1) }], { deadlineMs: 5_000 });
    assert.equal(r.items[0]!.status, 'synced');
    const queued = r.items[1]!;
    assert.ok(queued.status === 'queued', JSON.stringify(queued));
    assert.equal(queued.reason, 'hubspot: You have reached your ten_secondly_rolling limit.');
    const limited = mock.calls.find((c) => c.status === 429)!;
    assert.equal(queued.nextAttemptAt, new Date(limited.at + 30_000).toISOString(), 'when HubSpot’s Retry-After ends');
    assert.ok(clock.now() - started < 5_000, 'it did not wait out the 30 s');
    assert.equal(mock.records('deals').length, 0, 'the deal was refused');

    clock.advance(30_000);
    const later = await drainWith(db, adapter, clock);
    assert.equal(later.counts.synced, 1);
    assert.equal(mock.records('deals').length, 1);
    assert.equal(mock.associations.size, 1);
  });

  it('answers queued for a payment whose customer’s upsert is waiting to be retried', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', customers(5), T0);
    await db.run("UPDATE outbox SET next_attempt_at = ?, attempts = 1, last_error = 'hubspot: 502' WHERE external_id = 'cus_5'", [new Date(T0 + 60_000).toISOString()]);
    const r = await flushNow({ db, adapter, now: clock.now, sleep: clock.sleep }, [{ kind: 'payment', record: payment(5, 5) }], { deadlineMs: 2_000 });
    assert.deepEqual(r.items.map((i) => [i.status, i.status === 'queued' && i.reason]), [['queued', 'waits for customer cus_5 to reach hubspot first, or for its turn']]);
    assert.equal(mock.calls.length, 0);
    assert.deepEqual((await outboxRows(db)).map((x) => [x.kind, x.state]), [['customer', 'pending'], ['payment', 'pending']]);
  });
});
