import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { upsertToCrmStep } from '../../../nodes/core/steps/upsert-to-crm';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { drainUntilEmpty, hubspotOutbox, hubspotTarget, useNock, useStores } from '../outbox/support/outbox-kit';

useNock();
const openStore = useStores();

describe('a merge reaches the SaaS CRM: the moved payments go to the surviving customer\'s contact', () => {
  let s: { db: SqlDatabase; crm: LocalSqlCrm; remove(): Promise<void> };
  beforeEach(async () => {
    const store = await openStore('sqlite');
    s = { ...store, crm: new LocalSqlCrm(store.db) };
  });
  afterEach(() => s.remove());

  it('HubSpot: the merged-away customer\'s deal is associated with the survivor\'s contact; undoing the merge queues it back', async () => {
    const h = await hubspotOutbox();
    const target = hubspotTarget(h);
    const sale = async (charge: Parameters<typeof chargeObject>[0]) => {
      const matched = await matchStep(tokenizeStep(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(charge))), testKeys()), s.crm);
      const [out] = await upsertToCrmStep([matched], s.db, target);
      assert.equal(out!.crm!.sync!.status, 'synced', JSON.stringify(out!.crm!.sync));
      return out!;
    };
    // The same person twice: once by email at one till, once by phone at another.
    const a = await sale({ amount: 4200, email: 'ana@example.com', name: 'Ana Diaz', card: { fingerprint: 'fp_merge_a', last4: '1111' } });
    const b = await sale({ amount: 1500, phone: '+14155550142', name: 'A. Diaz', postalCode: '94612', card: { fingerprint: 'fp_merge_b', last4: '2222' } });
    const [into, from] = [a.crm!.customerId!, b.crm!.customerId!];
    assert.notEqual(into, from);
    const contact = (id: string) => h.mock.recordBy('contacts', 'terminal_crm_id', id)[0]!.id;
    const dealOf = (m: typeof b) => h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${m.paymentId}`)[0]!.id;
    assert.ok(h.mock.associations.has(`deals:${dealOf(b)}->contacts:${contact(from)}`));

    const merge = await mergeCustomers(s.db, { into, from, evidence: 'same person, confirmed at the till' });
    const queued = await s.db.all<{ kind: string; external_id: string; customer_external_id: string }>(
      "SELECT kind, external_id, customer_external_id FROM outbox WHERE crm = 'hubspot' AND state = 'pending' ORDER BY kind",
    );
    // The survivor (its postal code filled in by the merge) and the moved payment, now naming the survivor.
    assert.deepEqual(queued.map((r) => [r.kind, r.external_id, r.customer_external_id]), [['customer', into, into], ['payment', `stripe:${b.paymentId}`, into]]);
    await drainUntilEmpty(s.db, h.adapter, h.clock);
    assert.ok(h.mock.associations.has(`deals:${dealOf(b)}->contacts:${contact(into)}`), 'the moved deal is on the survivor\'s contact');
    assert.equal(h.mock.recordBy('contacts', 'terminal_crm_id', into)[0]!.properties.zip, '94612');
    assert.equal(h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${b.paymentId}`).length, 1, 'the deal is updated, not doubled');

    await undoMerge(s.db, merge.id);
    const back = await s.db.all<{ kind: string; external_id: string; customer_external_id: string }>(
      "SELECT kind, external_id, customer_external_id FROM outbox WHERE crm = 'hubspot' AND state = 'pending' ORDER BY kind",
    );
    assert.deepEqual(back.map((r) => [r.kind, r.external_id, r.customer_external_id]), [['customer', from, from], ['payment', `stripe:${b.paymentId}`, from]]);
  });

  it('customers no SaaS CRM holds: a merge queues nothing', async () => {
    const sale = async (email: string) => {
      const matched = await matchStep(tokenizeStep(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email }))), testKeys()), s.crm);
      const [out] = await upsertStep([matched], s.crm);
      return out!.crm!.customerId!;
    };
    await mergeCustomers(s.db, { into: await sale('one@example.com'), from: await sale('two@example.com'), evidence: null });
    assert.equal(Number((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox'))!.n), 0);
  });
});
