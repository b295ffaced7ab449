import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { crmAdapterFromRecord } from '../../../nodes/core/crm/saas/crm-from-credentials';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import type { PaymentMessage } from '../../../nodes/core/contracts/payment-message';
import { matchStep, tokenizeStep } from '../../../nodes/core/steps/steps';
import { crmWaitMs, parseUpsertCrmName, upsertToCrmStep } from '../../../nodes/core/steps/upsert-to-crm';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../../support/temp-store';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { DIALECTS, drainWith, hubspotOutbox, hubspotTarget, useNock, useStores } from '../outbox/support/outbox-kit';
import { ZohoMock } from '../crm/saas/mocks/zoho-mock';
import { adyenRefundThatFailed, receivedAdyen } from '../sources/adyen-test-support';
import { adyenDelivery, adyenPspReference } from '../../../sandbox/simulator/adyen-events';

useNock();

type Store = { db: SqlDatabase; crm: LocalSqlCrm; remove(): Promise<void> };
const openStore = useStores();

/** A Stripe charge as it reaches CRM Upsert in a flow: normalized, tokenized and matched against the store. */
async function matched(s: Store, charge: Parameters<typeof chargeObject>[0], type = 'charge.succeeded') {
  const [event] = [normalizeStripeEvent(stripeEvent(type, chargeObject(charge)))].flat();
  return matchStep(tokenizeStep(event, testKeys()), s.crm);
}

const syncOf = (m: PaymentMessage) => m.crm!.sync!;
const outboxStates = (s: Store) => s.db.all<{ kind: string; external_id: string; state: string }>('SELECT kind, external_id, state FROM outbox ORDER BY id');

for (const dialect of DIALECTS) describe(`CRM Upsert into HubSpot: the store first, then the outbox flushed within the wait (${dialect})`, () => {
  let s: Store;
  beforeEach(async () => {
    const store = await openStore(dialect);
    s = { ...store, crm: new LocalSqlCrm(store.db) };
  });
  afterEach(() => s.remove());

  it('records both payments locally, and says per item that HubSpot has them (the contact and the deal it holds)', async () => {
    const h = await hubspotOutbox();
    const a = await matched(s, { amount: 4200, email: 'ana@example.com', name: 'Ana Diaz', postalCode: '94612' });
    const b = await matched(s, { amount: 1999, currency: 'eur', email: 'ben@example.com', name: 'Ben Ode' });
    const out = await upsertToCrmStep([a, b], s.db, hubspotTarget(h));

    for (const [i, m] of out.entries()) {
      const local = await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [m.id]);
      assert.equal(local?.customer_id, m.crm!.customerId, `item ${i} is in the store`);
      const contact = h.mock.recordBy('contacts', 'terminal_crm_id', m.crm!.customerId!);
      const deal = h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${m.paymentId}`);
      assert.equal(contact.length, 1);
      assert.equal(deal.length, 1);
      const sync = syncOf(m);
      assert.equal(sync.status, 'synced', JSON.stringify(sync));
      assert.equal(sync.status === 'synced' && sync.crmId, deal[0]!.id, 'the item names the deal');
      assert.deepEqual(sync.records.map((r) => [r.kind, r.status, r.status === 'synced' && r.crmId]), [['customer', 'synced', contact[0]!.id], ['payment', 'synced', deal[0]!.id]]);
    }
    const ana = h.mock.recordBy('contacts', 'terminal_crm_id', out[0]!.crm!.customerId!)[0]!.properties;
    assert.deepEqual([ana.email, ana.zip], ['ana@example.com', '94612'], "the store's customer record, as HubSpot holds it");
    const deals = out.map((m) => h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${m.paymentId}`)[0]!.properties);
    assert.deepEqual(deals.map((d) => [d.amount, d.deal_currency_code]), [['42.00', 'USD'], ['19.99', 'EUR']]);
    assert.equal(h.mock.associations.size, 2, 'each deal is on its contact');
    assert.equal(h.mock.callsTo('/crm/v3/objects/contacts/batch/upsert').length, 1, 'one batch for both customers');
    assert.deepEqual((await outboxStates(s)).map((r) => r.state), ['synced', 'synced', 'synced', 'synced']);
  });

  it('a redelivered event queues nothing new and reports the record as it stands; a refund updates the same deal', async () => {
    const h = await hubspotOutbox();
    const charge = { amount: 5000, email: 'cy@example.com', chargeId: 'ch_redeliver', paymentIntentId: 'pi_redeliver' };
    const first = await matched(s, charge);
    const [done] = await upsertToCrmStep([first], s.db, hubspotTarget(h));
    const calls = h.mock.calls.length;
    const rows = (await outboxStates(s)).length;

    const [again] = await upsertToCrmStep([first], s.db, hubspotTarget(h));
    assert.equal(again!.crm!.outcome, 'duplicate');
    assert.deepEqual(syncOf(again!), syncOf(done!), 'the same answer: synced, the same deal');
    assert.equal(h.mock.calls.length, calls, 'HubSpot was not called');
    assert.equal((await outboxStates(s)).length, rows, 'nothing was queued');

    const refund = await matched(s, { ...charge, amountRefunded: 1500 }, 'charge.refunded');
    const [refunded] = await upsertToCrmStep([refund], s.db, hubspotTarget(h));
    assert.equal(syncOf(refunded!).status, 'synced');
    const deals = h.mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_redeliver');
    assert.equal(deals.length, 1, 'the payment is one deal');
    assert.deepEqual([deals[0]!.properties.amount, deals[0]!.properties.terminal_crm_refunded_amount], ['35.00', '15.00'], 'net paid, and what went back');
  });

  it('a refund in full closes the deal lost as of the refund, not the sale: HubSpot\'s closedate is the refund\'s time', async () => {
    const h = await hubspotOutbox();
    const charge = { amount: 2500, email: 'dee@example.com', chargeId: 'ch_full', paymentIntentId: 'pi_full' };
    const at = (iso: string) => ({ created: Date.parse(iso) / 1000 });
    const event = (type: string, c: Parameters<typeof chargeObject>[0], iso: string) => {
      const [e] = [normalizeStripeEvent(stripeEvent(type, chargeObject(c), at(iso)))].flat();
      return matchStep(tokenizeStep(e, testKeys()), s.crm);
    };
    await upsertToCrmStep([await event('charge.succeeded', charge, '2025-05-02T15:00:00Z')], s.db, hubspotTarget(h));
    const [refunded] = await upsertToCrmStep([await event('charge.refunded', { ...charge, amountRefunded: 2500 }, '2025-07-01T12:00:00Z')], s.db, hubspotTarget(h));
    assert.equal(syncOf(refunded!).status, 'synced');
    const deal = h.mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_full')[0]!.properties;
    assert.deepEqual([deal.dealstage, deal.amount, deal.closedate], ['closedlost', '0.00', '2025-07-01T12:00:00.000Z']);
  });

  it('a refund Adyen reports failed puts the deal back as it was paid: full amount, nothing refunded, still won', async () => {
    const h = await hubspotOutbox();
    const { payment, refund, failed } = await adyenRefundThatFailed();
    const deal = () => h.mock.recordBy('deals', 'terminal_crm_payment_key', `adyen:${payment.paymentId}`).map((d) => [d.properties.amount, d.properties.terminal_crm_refunded_amount, d.properties.terminal_crm_payment_status]);
    for (const event of [payment, refund]) await upsertToCrmStep([await matchStep(tokenizeStep(event, testKeys()), s.crm)], s.db, hubspotTarget(h));
    assert.deepEqual(deal(), [['50.00', '30.00', 'partially_refunded']]);
    const [back] = await upsertToCrmStep([await matchStep(tokenizeStep(failed, testKeys()), s.crm)], s.db, hubspotTarget(h));
    assert.equal(syncOf(back!).status, 'synced');
    assert.deepEqual(deal(), [['80.00', '0.00', 'succeeded']]);
  });

  it('an unreferenced refund\'s REFUND_FAILED naming another payment (as Adyen\'s examples carry one) updates the refund\'s own deal', async () => {
    const h = await hubspotOutbox();
    const key = 'EF'.repeat(32);
    const [sale, refundPsp, elsewhere] = [adyenPspReference(), adyenPspReference(), adyenPspReference()];
    const receive = (d: { body: string; headers: Record<string, string> }) => receivedAdyen(d, key);
    const at = (day: number) => new Date(Date.UTC(2025, 6, day, 10));
    const card = { alias: 'H167852639363499', cardHolderName: 'Uma Unref' };
    const events = [
      await receive(adyenDelivery('chip', key, { pspReference: sale, amount: 8000, eventDate: at(1), card, shopperEmail: 'uma@example.com' })),
      await receive(adyenDelivery('refund_with_data', key, { pspReference: refundPsp, originalReference: elsewhere, amount: 3000, eventDate: at(2), card })),
    ];
    const deal = () => h.mock.recordBy('deals', 'terminal_crm_payment_key', `adyen:${refundPsp}`).map((d) => [d.properties.amount, d.properties.terminal_crm_refunded_amount, d.properties.terminal_crm_payment_status]);
    for (const event of events) await upsertToCrmStep([await matchStep(tokenizeStep(event, testKeys()), s.crm)], s.db, hubspotTarget(h));
    assert.deepEqual(deal(), [['0.00', '30.00', 'refunded']]);
    const failed = await receive(adyenDelivery('refund_failed', key, { pspReference: refundPsp, originalReference: elsewhere, amount: 3000, eventDate: at(5) }));
    const [back] = await upsertToCrmStep([await matchStep(tokenizeStep(failed, testKeys()), s.crm)], s.db, hubspotTarget(h));
    assert.equal(syncOf(back!).status, 'synced', JSON.stringify(syncOf(back!)));
    assert.deepEqual(deal(), [['0.00', '0.00', 'failed']], 'nothing given back after all');
  });

  it('skips what has no payment to send: a refund before its payment (sent with it later), a failed payment of nobody', async () => {
    const h = await hubspotOutbox();
    const charge = { amount: 6000, email: 'kit@example.com', chargeId: 'ch_early', paymentIntentId: 'pi_early', amountRefunded: 1000 };
    const refund = await matched(s, charge, 'charge.refunded');
    const [failedEvent] = [normalizeStripeEvent(stripeEvent('payment_intent.payment_failed', paymentIntentObject({ amount: 300, failed: { code: 'card_declined', message: 'Your card was declined.' } })))];
    const failed = await matchStep(tokenizeStep(failedEvent!, testKeys()), s.crm);
    const [r, f] = await upsertToCrmStep([refund, failed], s.db, hubspotTarget(h));
    const early = syncOf(r!);
    assert.deepEqual([early.status, early.status === 'skipped' && early.reason], ['skipped', 'payment stripe:pi_early has not arrived yet: its state goes to hubspot when it does']);
    assert.deepEqual([syncOf(f!).status, syncOf(f!).records], ['skipped', []]);
    assert.equal(h.mock.records('deals').length, 0);

    const [paid] = await upsertToCrmStep([await matched(s, { ...charge, amountRefunded: 0 })], s.db, hubspotTarget(h));
    assert.equal(syncOf(paid!).status, 'synced');
    const deal = h.mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_early');
    assert.deepEqual(deal.map((d) => [d.properties.amount, d.properties.terminal_crm_refunded_amount]), [['50.00', '10.00']], 'the payment with its earlier refund');
  });

  it('a contact HubSpot refuses fails that item with HubSpot’s message; the others of the batch are synced', async () => {
    const h = await hubspotOutbox();
    const salesperson = h.mock.seed('contacts', { email: 'dee@example.com', firstname: 'Dee' });
    const refused = await matched(s, { amount: 700, email: 'dee@example.com' });
    const fine = await matched(s, { amount: 800, email: 'eve@example.com' });
    const [r, f] = await upsertToCrmStep([refused, fine], s.db, hubspotTarget(h));
    const sync = syncOf(r!);
    assert.equal(sync.status, 'rejected', JSON.stringify(sync));
    assert.match(sync.status === 'rejected' ? sync.reason : '', new RegExp(`^customer ${r!.crm!.customerId}: .*Contact already exists\\. Existing ID: ${salesperson.id}`));
    assert.equal(syncOf(f!).status, 'synced');
    assert.equal(h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${f!.paymentId}`).length, 1);
    // Its payment is refused with it (it would be a deal with nobody on it), saying which customer to fix.
    assert.deepEqual(sync.records.map((x) => [x.kind, x.status]), [['customer', 'rejected'], ['payment', 'rejected']]);
    assert.equal(h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${r!.paymentId}`).length, 0, 'no deal without its contact');
    assert.ok(await s.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [r!.id]), 'the payment is kept in the store');
  });

  it('answers queued with the reason and the next attempt under HubSpot’s 429; the next drain sends it, and HubSpot holds it once', async () => {
    // Room for two requests (the pack elsewhere takes eight of ten): the account's details (read before the first
    // batch) and the contact's upsert take them, the deal's create is answered 429.
    const h = await hubspotOutbox({ mock: { burst: { max: 10, intervalMs: 10_000 }, othersInWindow: 8, retryAfterSeconds: 30 } });
    const m = await matched(s, { amount: 2500, email: 'fay@example.com' });
    const started = h.clock.now();
    const [out] = await upsertToCrmStep([m], s.db, hubspotTarget(h));
    const sync = syncOf(out!);
    assert.ok(sync.status === 'queued', JSON.stringify(sync));
    assert.equal(sync.reason, 'hubspot: You have reached your ten_secondly_rolling limit.');
    const limited = h.mock.calls.find((c) => c.status === 429)!;
    assert.equal(sync.nextAttemptAt, new Date(limited.at + 30_000).toISOString(), 'when Retry-After ends');
    assert.ok(h.clock.now() - started <= 5_000, 'the step did not wait out the 30 s');
    assert.deepEqual(sync.records.map((r) => [r.kind, r.status]), [['customer', 'synced'], ['payment', 'queued']]);

    h.clock.advance(30_000);
    const later = await drainWith(s.db, h.adapter, h.clock);
    assert.equal(later.counts.synced, 1);
    assert.equal(h.mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${m.paymentId}`).length, 1);
    assert.equal(h.mock.records('deals').length, 1);
    assert.equal(h.mock.associations.size, 1);
  });

  it('answers dead with the reason when the flush gives a record up: a customer HubSpot has failed for three days', async () => {
    // HubSpot answers every API call 502. The first payment's records are queued; three days later the customer's
    // record, still waiting, is past the outbox's retry age, so the next payment's flush gives it up.
    const h = await hubspotOutbox({ mock: { faults: { serverError: 1 } } });
    const [first] = await upsertToCrmStep([await matched(s, { amount: 1500, email: 'joe@example.com' })], s.db, hubspotTarget(h));
    assert.equal(syncOf(first!).status, 'queued', JSON.stringify(syncOf(first!)));
    h.clock.advance(73 * 3_600_000);
    const [later] = await upsertToCrmStep([await matched(s, { amount: 2500, email: 'joe@example.com' })], s.db, hubspotTarget(h));
    assert.equal(later!.crm!.customerId, first!.crm!.customerId, 'the same customer');
    const sync = syncOf(later!);
    assert.equal(sync.status, 'dead', JSON.stringify(sync));
    assert.match(sync.status === 'dead' ? sync.reason : '', new RegExp(`^customer ${later!.crm!.customerId}: gave up after \\d+ h of retries; last: `));
    assert.ok(await s.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [later!.id]), 'the payment is kept in the store');
  });

  it('a flush whose answer was lost is sent again and changes nothing in HubSpot', async () => {
    // HubSpot writes the contacts, then holds its answer past the client's timeout.
    const h = await hubspotOutbox({ env: { HUBSPOT_TIMEOUT_MS: '200' }, mock: { faults: { delay: 1, delayMs: 800 } } });
    const m = await matched(s, { amount: 3100, email: 'gus@example.com', name: 'Gus Ng' });
    const [out] = await upsertToCrmStep([m], s.db, hubspotTarget(h));
    const sync = syncOf(out!);
    assert.ok(sync.status === 'queued', JSON.stringify(sync));
    assert.ok(sync.nextAttemptAt, 'with the time of the retry');
    const written = h.mock.recordBy('contacts', 'terminal_crm_id', out!.crm!.customerId!);
    assert.equal(written.length, 1, 'HubSpot did write it');
    const before = JSON.stringify(written[0]);

    h.mock.setFaults({});
    h.clock.advance(60_000);
    const retried = await drainWith(s.db, h.adapter, h.clock);
    assert.equal(retried.counts.synced, 2, 'the contact again, then the deal');
    const after = h.mock.recordBy('contacts', 'terminal_crm_id', out!.crm!.customerId!);
    assert.equal(after.length, 1, 'still one contact');
    assert.equal(JSON.stringify(after[0]), before, 'unchanged, not even its modified date');
    assert.equal(h.mock.records('contacts').length, 1);
    assert.equal(h.mock.records('deals').length, 1);
  });

  it('keeps the local record and answers queued when the CRM account cannot be used', async () => {
    const m = await matched(s, { amount: 900, email: 'hal@example.com' });
    const [out] = await upsertToCrmStep([m], s.db, {
      crm: 'hubspot',
      adapter: () => crmAdapterFromRecord('hubspot', {}),
    });
    const sync = syncOf(out!);
    assert.ok(sync.status === 'queued', JSON.stringify(sync));
    assert.match(sync.reason, /^hubspot: accessToken: .*Fix:/);
    assert.ok(await s.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [m.id]));
    assert.deepEqual((await outboxStates(s)).map((r) => [r.kind, r.state]), [['customer', 'pending'], ['payment', 'pending']], 'queued for CRM Sync');
  });

  it('leaves the local CRM as it was: no sync, no outbox', async () => {
    const m = await matched(s, { amount: 100, email: 'ivy@example.com' });
    const [out] = await upsertToCrmStep([m], s.db);
    assert.equal(out!.crm!.outcome, 'recorded');
    assert.equal(out!.crm!.sync, undefined);
    assert.equal((await outboxStates(s)).length, 0);
  });
});

describe('CRM Upsert into Zoho CRM, from a CRM account record (as Node-RED builds it)', () => {
  let s: Store;
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(() => s.remove());
  const account = { dataCenter: 'eu', clientId: '1000.CLIENTID', clientSecret: 'secret', refreshToken: '1000.refresh.token' };
  const mock = () => new ZohoMock({ ...account, apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu' }).start();

  it('syncs each item: the contact with the pack id, the deal keyed by the payment', async () => {
    const zoho = mock();
    const items = [await matched(s, { amount: 1250, currency: 'eur', email: 'jo@example.com', name: 'Jo Lang' }), await matched(s, { amount: 300, currency: 'eur', email: 'kim@example.com', name: 'Kim Roe' })];
    const out = await upsertToCrmStep(items, s.db, { crm: 'zoho', adapter: () => crmAdapterFromRecord('zoho', account), waitMs: 5_000 });
    for (const m of out) {
      const contact = zoho.where('Contacts', 'Terminal_CRM_Id', m.crm!.customerId);
      const deal = zoho.where('Deals', 'Terminal_Payment_Key', `stripe:${m.paymentId}`);
      assert.equal(contact.length, 1);
      assert.equal(deal.length, 1);
      assert.deepEqual(syncOf(m), {
        crm: 'zoho',
        status: 'synced',
        crmId: deal[0]!.id,
        records: [
          { kind: 'customer', externalId: m.crm!.customerId, status: 'synced', crmId: contact[0]!.id },
          { kind: 'payment', externalId: `stripe:${m.paymentId}`, status: 'synced', crmId: deal[0]!.id },
        ],
      });
    }
    assert.equal(zoho.where('Contacts', 'Email', 'jo@example.com').length, 1, "the store's record, email included");
    assert.equal(zoho.callsTo('POST', '/crm/v8/Contacts/upsert').length, 1, 'both customers in one call');
  });

  it("tells each item what was fitted to Zoho's lengths in its own records, and nothing to an item with nothing to say", async () => {
    const zoho = mock();
    // A card's holder name (Stripe's billing_details.name) is the customer's name, whole: it goes to Last_Name, which takes 80.
    const name = 'Maria-Fernanda-Guadalupe-Concepcion-Alejandra de los Santos Featherstonehaugh-Cholmondeley'; // 90 characters
    const items = [
      await matched(s, { amount: 1250, currency: 'eur', email: 'mf@example.com', name, postalCode: 'Z'.repeat(35) }),
      await matched(s, { amount: 300, currency: 'eur', email: 'noa@example.com', name: 'Noa Lang' }),
    ];
    const out = await upsertToCrmStep(items, s.db, { crm: 'zoho', adapter: () => crmAdapterFromRecord('zoho', account), waitMs: 5_000 });
    const [long, short] = out.map(syncOf);
    const id = out[0]!.crm!.customerId;
    assert.equal(long!.status, 'synced', JSON.stringify(long));
    assert.deepEqual(long!.notes, [
      `${id}: Last_Name cut to 80 characters, the most Zoho takes (the pack keeps it whole)`,
      `${id}: Mailing_Zip left out: 35 characters, over the 30 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand`,
    ]);
    const [contact] = zoho.where('Contacts', 'Terminal_CRM_Id', id);
    assert.deepEqual([contact!.Last_Name, contact!.Mailing_Zip], [name.slice(0, 80), undefined], 'what Zoho holds is what the notes say');
    assert.equal(short!.status, 'synced');
    assert.ok(!('notes' in short!), `no notes for the item with nothing fitted: ${JSON.stringify(short)}`);
  });

  it('a refresh token Zoho refuses leaves every item queued with Zoho’s reason, and the payments in the store', async () => {
    mock();
    const items = [await matched(s, { amount: 1250, currency: 'eur', email: 'lou@example.com' })];
    const [out] = await upsertToCrmStep(items, s.db, { crm: 'zoho', adapter: () => crmAdapterFromRecord('zoho', { ...account, refreshToken: '1000.revoked' }), waitMs: 5_000 });
    const sync = syncOf(out!);
    assert.ok(sync.status === 'queued', JSON.stringify(sync));
    assert.match(sync.reason, /the token request to https:\/\/accounts\.zoho\.eu\/oauth\/v2\/token was refused: invalid_code/);
    assert.ok(await s.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [out!.id]));
    assert.deepEqual((await outboxStates(s)).map((r) => r.state), ['pending', 'pending']);
  });
});

describe('CRM Upsert settings', () => {
  it('reads the CRM choice and the wait, and names the field and the fix when wrong', () => {
    assert.equal(parseUpsertCrmName(''), 'local');
    assert.equal(parseUpsertCrmName('HubSpot'), 'hubspot');
    assert.throws(() => parseUpsertCrmName('sugarcrm'), /^InputError: crm: "sugarcrm" is not a CRM this step can write to\. Fix: choose one of: local, hubspot, salesforce, dynamics, pipedrive, zoho/);
    assert.equal(crmWaitMs(undefined), 10_000);
    assert.equal(crmWaitMs(2.5), 2_500);
    assert.equal(crmWaitMs('0'), 0);
    assert.throws(() => crmWaitMs(600), /^InputError: waitSeconds: 600 is not a wait\. Fix: give seconds from 0 to 120/);
  });
});
