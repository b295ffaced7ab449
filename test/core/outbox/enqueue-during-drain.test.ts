import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { customer, drainWith, hubspotOutbox, outboxRows, payment, queue, T0, useNock, useStores, DIALECTS } from './support/outbox-kit';

useNock();
const openStore = useStores();

const deal = (mock: Awaited<ReturnType<typeof hubspotOutbox>>['mock'], n: number) =>
  mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:pi_${n}`).map((d) => [d.properties.amount, d.properties.terminal_crm_refunded_amount]);

/**
 * The suspected cause of the Temporal fault test's stale deal, ruled out: a refund's state queued while the sale's
 * write of the same payment is out (its answer held past the client's timeout, as the fault mock does), and a second
 * drainer running meanwhile. The outbox keeps the two states apart and in order, so HubSpot ends with the refund.
 */
for (const dialect of DIALECTS) describe(`outbox: a newer state queued while an older write of the record is out (${dialect})`, () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  afterEach(() => store.remove());

  it('HubSpot ends with the newer state, written once more at most, whatever a second drainer does meanwhile', { timeout: 20_000 }, async () => {
    store = await openStore(dialect);
    const { db } = store;
    const { mock, adapter, clock } = await hubspotOutbox({ env: { HUBSPOT_TIMEOUT_MS: '150' } });
    await queue(db, 'hubspot', [{ kind: 'customer', record: customer(1) }], T0);
    await drainWith(db, adapter, clock);

    const sale = payment(1, 1, { amount: { minor: 5000, currency: 'USD' } });
    const refunded = payment(1, 1, { amount: { minor: 5000, currency: 'USD' }, refunded: { minor: 5000, currency: 'USD' }, status: 'refunded' });
    await queue(db, 'hubspot', [{ kind: 'payment', record: sale }], clock.now());
    // HubSpot writes the sale and holds its answer past the client's timeout.
    mock.setFaults({ delay: 1, delayMs: 600 });
    const first = drainWith(db, adapter, clock, { owner: 'drainer-a' });
    const dealWrites = () => mock.callsTo('/deals/batch/').map((c) => c.path.split('/').pop());
    const calls = () => dealWrites().length;
    for (const until = Date.now() + 5_000; calls() === 0; await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > until) assert.fail('the sale’s write never reached HubSpot');
    }
    assert.deepEqual((await outboxRows(db, "kind = 'payment'")).map((r) => r.state), ['inflight']);

    await queue(db, 'hubspot', [{ kind: 'payment', record: refunded }], clock.now());
    mock.setFaults({});
    const second = await drainWith(db, adapter, clock, { owner: 'drainer-b' });
    assert.equal(second.batches, 0, 'the refund waits while the sale’s write is out: it must not go beside it');
    assert.deepEqual((await outboxRows(db, "kind = 'payment'")).map((r) => r.state), ['inflight', 'pending']);

    const a = await first;
    assert.deepEqual(a.outcomes.map((o) => [o.externalId, o.status]), [['stripe:pi_1', 'superseded'], ['stripe:pi_1', 'synced']], 'the sale’s row gives way to the refund, which goes next');
    assert.deepEqual(deal(mock, 1), [['0.00', '50.00']], 'HubSpot ends with the refund');
    assert.equal(mock.records('deals').length, 1, 'one deal');
    // The refund's create is refused (the deal is there, its answer lost), so it goes by the payment key.
    assert.deepEqual(dealWrites(), ['create', 'create', 'upsert'], 'the sale once (written, its answer lost), the refund once by its key');
    assert.deepEqual((await outboxRows(db, "kind = 'payment'")).map((r) => r.state), ['synced']);
  });
});
