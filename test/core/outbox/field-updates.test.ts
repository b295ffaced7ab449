import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { fieldsTargetOf, flushDeadlineMs, flushResultsFields } from '../../../nodes/core/outbox/field-updates';
import { createSalesforceAdapter, parseSalesforceSettings, salesforceAxiosTransport } from '../../../nodes/core/crm/saas/salesforce';
import { InputError } from '../../../nodes/core/errors';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { runSegmentBatch } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { readLocalCustomerFields } from '../../../nodes/core/crm/customer-fields';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { customers, DIALECTS, drainWith, hubspotOutbox, outboxRows, queue, useNock, storeForEachTest, useStores } from './support/outbox-kit';
import { message } from '../segment/support/messages';
import { fakeClock } from '../crm/saas/hubspot-kit';
import { SalesforceMock } from '../crm/saas/mocks/salesforce-mock';

useNock();
const openStore = useStores();

const HUBSPOT = { crm: 'hubspot' } as const;
/** The contact properties an operator creates in HubSpot for the Segment step's default fields and Loyalty's. */
const CONTACT_PROPERTIES = [
  'email', 'firstname', 'lastname', 'phone', 'city', 'terminal_crm_id',
  'terminal_crm_segment', 'terminal_crm_rfm', 'terminal_crm_p_alive', 'terminal_crm_expected_value', 'terminal_crm_high_value', 'terminal_crm_at_risk',
  'loyalty_tier', 'loyalty_points', 'loyalty_member_since',
];
const segmentConfig = parseSegmentConfig({ flags: { highValue: { paymentMinor: { USD: 50_000 } } } });
const program = parseLoyaltyProgram({ id: 'club', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 100_000 }] });
const pay = (n: number, amountMinor: number, at = `2025-03-0${n}T10:00:00Z`) => message({ customerId: 'cus_1', paymentId: `pi_${n}`, amountMinor, at });

for (const dialect of DIALECTS) describe(`Segment and Loyalty fields into HubSpot through the outbox (${dialect})`, () => {
  let db: SqlDatabase;
  storeForEachTest(openStore, dialect, (opened) => (db = opened));

  // The steps queue at the real time: the drain's clock runs a minute ahead, so what they queued is due.
  const hubspot = () => hubspotOutbox({ mock: { properties: { contacts: CONTACT_PROPERTIES } }, clock: fakeClock(Date.now() + 60_000) });

  it("a segment change ends as the contact's properties after a drain, and the store keeps its copy", async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    const out = await segmentStep(pay(1, 75_000), { db, config: segmentConfig, crm: HUBSPOT });
    const sync = out.segment.crmSync!;
    assert.deepEqual(
      { crm: sync.crm, status: sync.status, fields: [...sync.fields].sort() },
      { crm: 'hubspot', status: 'queued', fields: ['terminal_crm_at_risk', 'terminal_crm_expected_value', 'terminal_crm_high_value', 'terminal_crm_p_alive', 'terminal_crm_rfm', 'terminal_crm_segment'] },
    );
    assert.equal(mock.calls.length, 0, 'nothing is sent from the step itself');

    const drained = await drainWith(db, adapter, clock);
    assert.equal(drained.counts.synced, 2, 'the customer, then its fields');
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    assert.equal(contact.properties.terminal_crm_segment, 'New');
    assert.equal(contact.properties.terminal_crm_high_value, 'true');
    assert.equal(contact.properties.terminal_crm_at_risk, 'false');
    const local = await readLocalCustomerFields(db, 'cus_1');
    assert.deepEqual([local.terminal_crm_segment, local.terminal_crm_high_value], ['New', 'true']);
  });

  it('two changes before a drain are one write, with the latest value of each field', async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    const first = await segmentStep(pay(1, 1_000), { db, config: segmentConfig, crm: HUBSPOT });
    const second = await segmentStep(pay(2, 90_000), { db, config: segmentConfig, crm: HUBSPOT });
    assert.equal(first.segment.crmSync!.outboxId, second.segment.crmSync!.outboxId, 'one outbox row per customer');
    assert.equal((await outboxRows(db, "kind = 'fields'")).length, 1);

    await drainWith(db, adapter, clock);
    const updates = mock.callsTo('/crm/v3/objects/contacts/batch/update').filter((c) => c.status < 300);
    assert.equal(updates.length, 1);
    const inputs = (updates[0]!.body as { inputs: { id: string; properties: Record<string, string> }[] }).inputs;
    assert.deepEqual(inputs.map((i) => [i.id, i.properties.terminal_crm_high_value]), [['cus_1', 'true']]);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!.properties.terminal_crm_high_value, 'true');
  });

  it('loyalty tier and points land on the contact, coalesced to the latest balance; the store keeps its copy', async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    const a = await loyaltyStep(pay(1, 40_000), { db, program, crm: HUBSPOT });
    const b = await loyaltyStep(pay(2, 70_000), { db, program, crm: HUBSPOT });
    assert.deepEqual([a.loyalty.crmSync!.status, [...a.loyalty.crmSync!.fields].sort()], ['queued', ['loyalty_member_since', 'loyalty_points', 'loyalty_tier']]);
    assert.equal(b.loyalty.member!.tier, 'Gold');
    assert.equal((await outboxRows(db, "kind = 'fields'")).length, 1);

    await drainWith(db, adapter, clock);
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    assert.deepEqual([contact.properties.loyalty_tier, contact.properties.loyalty_points], ['Gold', '1100']);
    assert.equal(mock.callsTo('/crm/v3/objects/contacts/batch/update').length, 1);
    const local = await readLocalCustomerFields(db, 'cus_1');
    assert.deepEqual([local.loyalty_tier, local.loyalty_points], ['Gold', '1100']);
  });

  it('a duplicate delivery queues nothing again', async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    const m = pay(1, 5_000);
    await segmentStep(m, { db, config: segmentConfig, crm: HUBSPOT });
    await drainWith(db, adapter, clock);
    const again = await segmentStep(m, { db, config: segmentConfig, crm: HUBSPOT });
    assert.equal(again.segment.outcome, 'duplicate');
    assert.deepEqual((await outboxRows(db, "state = 'pending'")).length, 0);
    await drainWith(db, adapter, clock);
    assert.equal(mock.callsTo('/crm/v3/objects/contacts/batch/update').length, 1);
  });

  it('an immediate flush answers per item within the deadline: synced with the contact id', async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    const out = await segmentStep(pay(1, 2_000), { db, config: segmentConfig, crm: HUBSPOT });
    await flushResultsFields({ db, adapter, now: clock.now, sleep: clock.sleep }, [out.segment], 5_000);
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    assert.deepEqual({ status: out.segment.crmSync!.status, crmId: out.segment.crmSync!.status === 'synced' && out.segment.crmSync!.crmId }, { status: 'synced', crmId: contact.id });
    assert.equal(contact.properties.terminal_crm_segment, 'New');
  });

  it('a property missing in HubSpot leaves the fields queued, saying which property and the fix; the store keeps its copy', async () => {
    const { adapter, clock } = await hubspotOutbox({ mock: { properties: { contacts: CONTACT_PROPERTIES.filter((p) => p !== 'terminal_crm_rfm') } }, clock: fakeClock(Date.now() + 60_000) });
    await queue(db, 'hubspot', customers(1));
    const out = await segmentStep(pay(1, 2_000), { db, config: segmentConfig, crm: HUBSPOT });
    await flushResultsFields({ db, adapter, now: clock.now, sleep: clock.sleep }, [out.segment], 5_000);
    const sync = out.segment.crmSync!;
    // A setup error of the account, not of this customer: nothing is lost, it goes once the property exists.
    assert.equal(sync.status, 'queued', JSON.stringify(sync));
    assert.match(sync.status === 'queued' ? sync.reason : '', /property "terminal_crm_rfm" does not exist in HubSpot\. Fix: create it/);
    assert.equal((await outboxRows(db, "kind = 'fields' AND state = 'pending'")).length, 1);
    assert.equal((await readLocalCustomerFields(db, 'cus_1')).terminal_crm_segment, 'New');
  });

  it('the nightly batch queues only what changed since the store’s copy, and nothing on a run that changes nothing', async () => {
    const { mock, adapter, clock } = await hubspot();
    await queue(db, 'hubspot', customers(1));
    await segmentStep(pay(1, 2_000), { db, config: segmentConfig });
    const first = await runSegmentBatch(db, segmentConfig, { asOf: new Date('2025-03-10T00:00:00Z'), crm: HUBSPOT });
    assert.equal(first.currencies[0]!.fieldsQueued, 1);
    const row = (await outboxRows(db, "kind = 'fields'"))[0]!;
    const queued = (JSON.parse(row.payload) as { fields: Record<string, unknown> }).fields;
    assert.ok('terminal_crm_rfm' in queued, 'the RFM score the batch computed is new');
    assert.ok(!('terminal_crm_segment' in queued), 'the segment, still "New", is not sent again');
    await drainWith(db, adapter, clock);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!.properties.terminal_crm_rfm, String(queued.terminal_crm_rfm));

    const again = await runSegmentBatch(db, segmentConfig, { asOf: new Date('2025-03-10T00:00:00Z'), crm: HUBSPOT });
    assert.equal(again.currencies[0]!.fieldsQueued, 0);
    assert.equal((await outboxRows(db, "state = 'pending'")).length, 0);
  });
});

describe('Loyalty fields into Salesforce through the outbox', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let db: SqlDatabase;
  storeForEachTest(openStore, 'sqlite', (opened) => (db = opened));

  it('tier and points end as the Contact’s __c fields after a drain, one write for two payments', async () => {
    const nock = (await import('nock')).default;
    let clock = Date.now() + 60_000;
    const now = () => clock;
    const mock = new SalesforceMock({ publicKey, now, extraContactFields: ['loyalty_member_since__c'] }).install(nock);
    const settings = parseSalesforceSettings({
      auth: { flow: 'jwt_bearer', clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    const adapter = createSalesforceAdapter({ http: salesforceAxiosTransport(settings, { now }), settings });
    await queue(db, 'salesforce', customers(1));
    await loyaltyStep(pay(1, 40_000), { db, program, crm: { crm: 'salesforce' } });
    await loyaltyStep(pay(2, 70_000), { db, program, crm: { crm: 'salesforce' } });

    const r = await drainWith(db, adapter, { now, advance: (ms) => void (clock += ms), sleep: async (ms) => void (clock += ms) });
    assert.deepEqual([r.counts.synced, r.counts.retry, r.counts.rejected], [2, 0, 0]);
    const [contact] = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1');
    assert.deepEqual([contact!.loyalty_tier__c, contact!.loyalty_points__c], ['Gold', 1100]);
    assert.equal(mock.dataCalls(/composite\/sobjects\/Contact\/Terminal_CRM_Id__c/).length, 2, 'one upsert of the customer, one of its fields');
    assert.equal((await readLocalCustomerFields(db, 'cus_1')).loyalty_tier, 'Gold');
  });
});

describe('the CRM choice and the wait, as the faces give them', () => {
  it('local or blank is the store only; a SaaS CRM is a target; anything else names the choices', () => {
    assert.equal(fieldsTargetOf('local'), undefined);
    assert.equal(fieldsTargetOf(''), undefined);
    assert.deepEqual(fieldsTargetOf(' HubSpot '), { crm: 'hubspot' });
    assert.throws(() => fieldsTargetOf('sugar', 'CRM'), (e: unknown) => e instanceof InputError && /^CRM: "sugar" is not a CRM the pack knows\. Fix: choose one of: local, hubspot/.test(e.message));
  });

  it('the wait is bounded: 0 to 60 seconds', () => {
    assert.equal(flushDeadlineMs(10), 10_000);
    assert.equal(flushDeadlineMs('2.5'), 2_500);
    assert.equal(flushDeadlineMs(undefined), 0);
    assert.throws(() => flushDeadlineMs(600, 'Wait for CRM'), (e: unknown) => e instanceof InputError && /^Wait for CRM: 600 is not between 0 and 60 seconds/.test(e.message));
  });
});
