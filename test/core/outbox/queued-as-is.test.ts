import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { queuedAsItIs } from '../../../nodes/core/outbox/queued-as-is';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { upsertToCrmStep, type SaasCrmTarget } from '../../../nodes/core/steps/upsert-to-crm';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { customer, drainWith, hubspotOutbox, payment, queue, T0, useNock, useStores, DIALECTS } from './support/outbox-kit';

useNock();
const openStore = useStores();

for (const dialect of DIALECTS) describe(`outbox: is a record queued as it is now? (${dialect})`, () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  afterEach(() => store.remove());

  it('yes only when the record’s newest row, whatever its state, holds exactly this state', async () => {
    store = await openStore(dialect);
    const { db } = store;
    const h = await hubspotOutbox();
    const sale = payment(1, 1);
    const refunded = payment(1, 1, { refunded: { minor: 1000, currency: 'USD' }, status: 'partially_refunded' });
    await queue(db, 'hubspot', [{ kind: 'customer', record: customer(1) }, { kind: 'payment', record: sale }], T0);
    const ask = () => queuedAsItIs(db, 'hubspot', [{ kind: 'payment', record: sale }, { kind: 'payment', record: refunded }, { kind: 'customer', record: customer(1) }, { kind: 'customer', record: customer(2) }]);
    assert.deepEqual(await ask(), [true, false, true, false], 'waiting: the sale and the customer as queued; the refund and customer 2 never were');
    await drainWith(db, h.adapter, h.clock);
    assert.deepEqual(await ask(), [true, false, true, false], 'synced: the same');
    await queue(db, 'hubspot', [{ kind: 'payment', record: refunded }], h.clock.now());
    assert.deepEqual(await ask(), [false, true, true, false], 'the newest row has the refund: the sale is an older state now');
    assert.deepEqual(await queuedAsItIs(db, 'zoho', [{ kind: 'payment', record: refunded }]), [false], 'another CRM’s rows do not count');
  });
});

/**
 * The Temporal saga records an event in one activity (upsert) and sends it to the CRM in the next (sagaCrmSync,
 * which runs CRM Upsert's sync over the recorded message, so the event reads as a duplicate there). A refund then
 * found its payment's sale already synced and was never queued: HubSpot kept the amount before the refund (the
 * Temporal fault test's failure). A flow that stopped between recording and queuing, then ran again, lost it the
 * same way.
 */
for (const dialect of DIALECTS) describe(`CRM Upsert over an event already recorded in the store (${dialect})`, () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  afterEach(() => store.remove());

  it('a refund recorded by one step and sent by the next reaches HubSpot; sending it once more changes nothing', async () => {
    store = await openStore(dialect);
    const { db } = store;
    const crm = new LocalSqlCrm(db);
    const h = await hubspotOutbox();
    const target: SaasCrmTarget = { crm: 'hubspot', adapter: () => h.adapter, waitMs: 5_000, drain: { now: h.clock.now, sleep: h.clock.sleep, random: () => 0.5, concurrency: 1 } };
    const charge = { amount: 5000, email: 'cy@example.com', chargeId: 'ch_saga', paymentIntentId: 'pi_saga' };
    const recorded = async (over: object, type: string) => {
      const [event] = [normalizeStripeEvent(stripeEvent(type, chargeObject({ ...charge, ...over })))].flat();
      return (await upsertStep([await matchStep(tokenizeStep(event!, testKeys()), crm)], crm))[0]!;
    };
    const deal = () => h.mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_saga').map((d) => [d.properties.amount, d.properties.terminal_crm_refunded_amount]);

    const [sale] = await upsertToCrmStep([await recorded({}, 'charge.succeeded')], db, target);
    assert.equal(sale!.crm!.sync!.status, 'synced');
    assert.deepEqual(deal(), [['50.00', '0.00']]);

    const [refund] = await upsertToCrmStep([await recorded({ amountRefunded: 1500 }, 'charge.refunded')], db, target);
    assert.equal(refund!.crm!.outcome, 'duplicate', 'the event was recorded by the step before');
    assert.equal(refund!.crm!.sync!.status, 'synced', JSON.stringify(refund!.crm!.sync));
    assert.deepEqual(deal(), [['35.00', '15.00']], 'HubSpot has the refund: net paid, and what went back');

    const calls = h.mock.calls.length;
    const [again] = await upsertToCrmStep([refund!], db, target);
    assert.equal(again!.crm!.sync!.status, 'synced');
    assert.equal(h.mock.calls.length, calls, 'a record the outbox holds as it is now is not sent again');
  });
});
