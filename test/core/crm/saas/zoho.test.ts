import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CrmCustomer, CrmItemResult, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import {
  createZohoAdapter,
  parseZohoSettings,
  zohoAxiosTransport,
  zohoSettingsFromEnv,
  type ZohoChangedCustomers,
  type ZohoSettingsInput,
} from '../../../../nodes/core/crm/saas/zoho';
import { InputError } from '../../../../nodes/core/errors';
import { nock, ZohoMock, type ZohoMockOptions } from './mocks/zoho-mock';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../../../nodes/core/http/http-transport';
import { PROXY_HTML, reshaped, to } from './reshaped-transport';

const CREDS = { clientId: '1000.CLIENTID', clientSecret: 'secret', refreshToken: '1000.refresh.token' };
const ENV_CREDS = { ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r' };
// The EU data centre: both the accounts server and the API domain must follow from `dataCenter`.
const EU = { apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu' };

let clock = Date.parse('2026-03-01T10:00:00Z');
const now = () => clock;

function setup(mockOptions: Partial<ZohoMockOptions> = {}, settings: Partial<ZohoSettingsInput> = {}, wrap?: (http: HttpTransport) => HttpTransport) {
  const mock = new ZohoMock({ ...CREDS, ...EU, now, ...mockOptions }).start();
  const s = parseZohoSettings({ ...CREDS, dataCenter: 'eu', ...settings });
  const http = zohoAxiosTransport(s, now);
  const adapter = createZohoAdapter({ http: wrap ? wrap(http) : http, settings: s, now });
  return { mock, adapter, settings: s };
}

const customer = (n: number, extra: Partial<CrmCustomer['profile']> = {}): CrmCustomer => ({
  externalId: `cus_${'Z'.repeat(18)}${String(n).padStart(4, '0')}`,
  profile: { givenName: `Ana${n}`, familyName: 'Lopez', email: `ana${n}@example.com`, phone: '+34612345678', city: 'Madrid', country: 'ES', ...extra },
});

const payment = (n: number, over: Partial<CrmPayment> = {}): CrmPayment => ({
  externalId: `stripe:pi_3MtwBwLkdIwHu7ix28a3tq${n}`,
  customerExternalId: customer(n).externalId,
  source: 'stripe',
  paymentId: `pi_3MtwBwLkdIwHu7ix28a3tq${n}`,
  amount: { minor: 1999, currency: 'EUR' },
  refunded: { minor: 0, currency: 'EUR' },
  status: 'succeeded',
  occurredAt: '2026-03-01T09:59:00Z',
  card: { brand: 'visa', last4: '4242', entryMode: 'contactless' },
  terminal: { readerId: 'tmr_1' },
  ...over,
});

const contactsOf = (mock: ZohoMock, c: CrmCustomer) => mock.where('Contacts', 'Terminal_CRM_Id', c.externalId);
const dealsOf = (mock: ZohoMock, p: CrmPayment) => mock.where('Deals', 'Terminal_Payment_Key', p.externalId);
const synced = (r: CrmItemResult | undefined) => (r && r.status === 'synced' ? r.crmId : assert.fail(`not synced: ${JSON.stringify(r)}`));

beforeEach(() => {
  nock.disableNetConnect();
  clock = Date.parse('2026-03-01T10:00:00Z');
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Zoho adapter: contacts', () => {
  it('upserts a batch in one call: each customer is exactly one contact carrying the pack id', async () => {
    const { mock, adapter } = setup();
    assert.equal(adapter.limits.batchSize, 100);
    const batch = [customer(1), customer(2), customer(3)];
    const results = await adapter.upsertCustomers(batch);

    const calls = mock.callsTo('POST', '/crm/v8/Contacts/upsert');
    assert.equal(calls.length, 1);
    assert.deepEqual((calls[0]!.body as { duplicate_check_fields: string[] }).duplicate_check_fields, ['Terminal_CRM_Id', 'Email']);
    assert.match(calls[0]!.headers.authorization!, /^Zoho-oauthtoken 1000\./);
    for (const [i, c] of batch.entries()) {
      const rows = contactsOf(mock, c);
      assert.equal(rows.length, 1);
      assert.deepEqual(results[i], { externalId: c.externalId, status: 'synced', crmId: rows[0]!.id });
      assert.deepEqual(
        [rows[0]!.First_Name, rows[0]!.Last_Name, rows[0]!.Email, rows[0]!.Mailing_City, rows[0]!.Mailing_Country],
        [`Ana${i + 1}`, 'Lopez', `ana${i + 1}@example.com`, 'Madrid', 'ES'],
      );
    }
  });

  it('re-sending the same batch changes nothing: same ids, same values, no new contact', async () => {
    const { mock, adapter } = setup();
    const batch = [customer(1), customer(2)];
    const first = await adapter.upsertCustomers(batch);
    const values = () => JSON.stringify(mock.records('Contacts').map(({ Modified_Time: _m, ...r }) => r));
    const before = values();
    clock += 60_000;
    assert.deepEqual(await adapter.upsertCustomers(batch), first);
    assert.equal(mock.records('Contacts').length, 2);
    assert.equal(values(), before);
  });

  it('fills in the contact a salesperson typed in with the same email instead of adding a second one', async () => {
    const { mock, adapter } = setup();
    const typed = mock.seed('Contacts', { Last_Name: 'Lopez', Email: 'ANA1@example.com' });
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(synced(r), typed.id);
    assert.equal(mock.records('Contacts').length, 1);
    assert.equal(typed.Terminal_CRM_Id, customer(1).externalId);
  });

  it('a customer new to Zoho whose email another customer\'s contact carries gets a contact of their own; that one keeps its owner', async () => {
    const { mock, adapter } = setup();
    const [first] = await adapter.upsertCustomers([customer(1, { email: 'family@example.com' })]);
    const typed = mock.seed('Contacts', { Last_Name: 'Lopez', Email: 'ana3@example.com' });
    // Customer 2 shares the household's email (the pack keeps the two apart); customer 3 has the typed-in contact's.
    const results = await adapter.upsertCustomers([customer(2, { email: 'family@example.com' }), customer(3)]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    assert.notEqual(synced(results[0]), synced(first));
    assert.equal(mock.where('Contacts', 'id', synced(first))[0]!.Terminal_CRM_Id, customer(1).externalId, 'the first customer keeps their contact');
    assert.equal(contactsOf(mock, customer(2)).length, 1);
    assert.equal(synced(results[1]), typed.id, 'a contact with no pack id is still filled in');
    assert.equal(mock.records('Contacts').length, 3);
  });

  it('two customers new to Zoho sharing an email in one batch (a household) get a contact each', async () => {
    const { mock, adapter } = setup();
    const results = await adapter.upsertCustomers([customer(1, { email: 'home@example.com' }), customer(2, { email: 'HOME@example.com' })]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    assert.notEqual(synced(results[0]), synced(results[1]));
    assert.deepEqual([contactsOf(mock, customer(1)).length, contactsOf(mock, customer(2)).length, mock.records('Contacts').length], [1, 1, 2]);
  });

  it('a known customer taking an email in the batch that also brings a customer new to Zoho with it keeps their contact; the new one gets their own', async () => {
    const { mock, adapter } = setup();
    const [known] = await adapter.upsertCustomers([customer(1)]);
    // Customer 1 (linked) now gives the household's email; customer 2, new to Zoho, has it too. Zoho writes the batch
    // in order: by the time it reaches customer 2, customer 1's contact holds that email.
    const results = await adapter.upsertCustomers([
      { ...customer(1, { email: 'family@example.com' }), crmId: synced(known) },
      customer(2, { email: 'family@example.com' }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    assert.equal(synced(results[0]), synced(known));
    assert.notEqual(synced(results[1]), synced(known));
    assert.equal(mock.where('Contacts', 'id', synced(known))[0]!.Terminal_CRM_Id, customer(1).externalId, 'the known customer keeps their contact');
    assert.deepEqual([contactsOf(mock, customer(1)).length, contactsOf(mock, customer(2)).length, mock.records('Contacts').length], [1, 1, 2]);
  });

  it('a customer linked by the change feed to a contact a salesperson typed in (no pack id) fills in that contact, not a second one', async () => {
    const { mock, adapter } = setup();
    const typed = mock.seed('Contacts', { Last_Name: 'Lopez', Email: 'ana1@example.com' });
    // The change feed made a local customer for the typed contact and linked them: the customer goes out with its crmId.
    const [r] = await adapter.upsertCustomers([{ ...customer(1), crmId: typed.id }]);
    assert.equal(synced(r), typed.id);
    assert.equal(mock.records('Contacts').length, 1);
    assert.equal(typed.Terminal_CRM_Id, customer(1).externalId);
  });

  it('never sends more than 100 records in one call: 250 customers go out as 100, 100 and 50', async () => {
    const { mock, adapter, settings } = setup();
    const batch = Array.from({ length: 250 }, (_, i) => customer(i + 1));
    const results = await adapter.upsertCustomers(batch);
    assert.deepEqual(mock.callsTo('POST', '/crm/v8/Contacts/upsert').map((c) => (c.body as { data: unknown[] }).data.length), [100, 100, 50]);
    assert.equal(results.filter((r) => r.status === 'synced').length, 250);
    assert.equal(new Set(mock.records('Contacts').map((r) => r.Terminal_CRM_Id)).size, 250);

    // The mock holds Zoho's cap: 101 records in one call is refused whole, with Zoho's own answer.
    const res = await zohoAxiosTransport(settings, now).request({ method: 'POST', url: '/crm/v8/Contacts/upsert', body: { data: Array.from({ length: 101 }, (_, i) => ({ Last_Name: `x${i}` })) } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { code: 'LIMIT_EXCEEDED', details: { limit: 100 }, message: 'Record count exceeded', status: 'error' });
  });

  it('a record Zoho refuses is rejected with Zoho\'s reason and field; the rest of the batch is written', async () => {
    const { mock, adapter } = setup();
    const results = await adapter.upsertCustomers([customer(1), customer(2, { email: 'not-an-email' }), customer(3)]);
    assert.equal(mock.callsTo('POST', '/crm/v8/Contacts/upsert')[0]!.status, 207);
    assert.equal(results[0]!.status, 'synced');
    assert.deepEqual(results[1], { externalId: customer(2).externalId, status: 'rejected', reason: 'invalid data [INVALID_DATA] — field Email, expected email', field: 'Email' });
    assert.equal(results[2]!.status, 'synced');
    assert.equal(contactsOf(mock, customer(2)).length, 0);
  });

  it('several contacts Zoho cannot tell apart are ambiguous, with the candidates', async () => {
    const { mock, adapter } = setup();
    const a = mock.seed('Contacts', { Last_Name: 'Lopez', Email: 'ana1@example.com' });
    const b = mock.seed('Contacts', { Last_Name: 'López', Email: 'ana1@example.com' });
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(r!.status, 'ambiguous');
    assert.deepEqual((r as { candidates: string[] }).candidates.sort(), [a.id, b.id].sort());
    assert.equal(mock.records('Contacts').length, 2);
  });

  it('a walk-in without a name gets a Last_Name, which Zoho requires', async () => {
    const { mock, adapter } = setup();
    const anon: CrmCustomer = { externalId: 'cus_walkin0000000000000000', profile: {} };
    assert.equal((await adapter.upsertCustomers([anon]))[0]!.status, 'synced');
    assert.equal(contactsOf(mock, anon)[0]!.Last_Name, 'Card customer cus_walkin0000000000000000');
  });

  it('a customer without a name never replaces the Last_Name a salesperson typed with a stand-in', async () => {
    const { mock, adapter } = setup();
    // Typed in before the first payment, found by its email: its name stays.
    const typed = mock.seed('Contacts', { Last_Name: 'Lopez', First_Name: 'Ana', Email: 'ana.lopez+shop@example.com' });
    const emailOnly: CrmCustomer = { externalId: 'cus_emailonly000000000000', profile: { email: 'ana.lopez+shop@example.com', phone: '+34612345678' } };
    assert.equal(synced((await adapter.upsertCustomers([emailOnly]))[0]), typed.id);
    assert.deepEqual([typed.Last_Name, typed.First_Name, typed.Terminal_CRM_Id, typed.Phone], ['Lopez', 'Ana', emailOnly.externalId, '+34612345678']);

    // A walk-in written with the stand-in, then named by a salesperson in Zoho: the next sync keeps that name.
    const anon: CrmCustomer = { externalId: 'cus_walkin0000000000000001', profile: { phone: '+81312345678' } };
    const [first] = await adapter.upsertCustomers([anon]);
    const row = contactsOf(mock, anon)[0]!;
    assert.equal(row.Last_Name, 'Card customer cus_walkin0000000000000001');
    row.Last_Name = 'Tanaka';
    assert.deepEqual(await adapter.upsertCustomers([anon]), [first]);
    assert.equal(contactsOf(mock, anon)[0]!.Last_Name, 'Tanaka');
    assert.equal(mock.records('Contacts').length, 2);
  });
});

describe('Zoho adapter: lengths', () => {
  const givenName = 'Maria-Fernanda-Guadalupe-Concepcion-Alejandra-Montserrat-Ros'; // 60 characters
  const familyName = 'Featherstonehaugh-Cholmondeley-'.repeat(3).slice(0, 90);
  const email = `${'a'.repeat(108)}@example.com`; // 120 characters

  it('writes a customer whose names and email are longer than Contacts take: names cut, email left out, the drain told', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const c = customer(1, { givenName, familyName, email });
    const [result] = await adapter.upsertCustomers([c]);
    synced(result);
    const [one] = contactsOf(mock, c);
    assert.deepEqual([one!.First_Name, one!.Last_Name, one!.Email, one!.Phone], [givenName.slice(0, 40), familyName.slice(0, 80), undefined, '+34612345678']);
    const notes = adapter.notes!().filter((n) => n.startsWith(c.externalId));
    assert.equal(notes.length, 3);
    assert.match(notes[2]!, /Email left out: 120 characters, over the 100 Zoho takes/);
  });

  it('a nameless customer with a too-long email is created under the stand-in cut to Last_Name', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const c = customer(2, { givenName: undefined, familyName: undefined, email });
    synced((await adapter.upsertCustomers([c]))[0]);
    const [one] = contactsOf(mock, c);
    assert.deepEqual([one!.Last_Name, one!.Email], [email.slice(0, 80), undefined]);
  });

  it('fits the mailing address to the Contacts lengths (Street 250, City, State and Country 100) and leaves out a postal code over 30', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const street = `${'Calle de Nuestra Señora de la Asunción, '.repeat(8)}12`; // 322 characters
    const place = 'Santa Cruz de la Sierra '.repeat(5).trim(); // 119 characters
    const c = customer(3, { street, city: place, region: place, country: place, postalCode: 'X'.repeat(35) });
    const [result] = await adapter.upsertCustomers([c, customer(4)]);
    synced(result);
    const [one] = contactsOf(mock, c);
    const cut = place.slice(0, 100).trimEnd();
    assert.deepEqual(
      [one!.Mailing_Street, one!.Mailing_City, one!.Mailing_State, one!.Mailing_Country, one!.Mailing_Zip, one!.Last_Name],
      [street.slice(0, 250).trimEnd(), cut, cut, cut, undefined, 'Lopez'],
    );
    assert.deepEqual(result!.status === 'synced' && result!.notes, [
      `${c.externalId}: Mailing_Street cut to 250 characters, the most Zoho takes (the pack keeps it whole)`,
      `${c.externalId}: Mailing_City cut to 100 characters, the most Zoho takes (the pack keeps it whole)`,
      `${c.externalId}: Mailing_Zip left out: 35 characters, over the 30 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand`,
      `${c.externalId}: Mailing_State cut to 100 characters, the most Zoho takes (the pack keeps it whole)`,
      `${c.externalId}: Mailing_Country cut to 100 characters, the most Zoho takes (the pack keeps it whole)`,
    ]);
  });

  it('a field update to Mobile over its 30 characters leaves the number out and says so on the written record', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const c = customer(5);
    synced((await adapter.upsertCustomers([c]))[0]);
    const [result] = await adapter.updateFields([{ customerExternalId: c.externalId, fields: { mobile: `+34${'6'.repeat(30)}`, loyalty_tier: 'gold' } }]);
    synced(result);
    const [one] = contactsOf(mock, c);
    assert.deepEqual([one!.Mobile, one!.Loyalty_Tier], [undefined, 'gold']);
    assert.deepEqual(result!.status === 'synced' && result!.notes, [
      `${c.externalId}: Mobile left out: 33 characters, over the 30 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand`,
    ]);
  });
});

describe('Zoho adapter: payments as deals', () => {
  it('upserts each payment once as a deal of its contact, found by the pack id, amount in major units', async () => {
    const { mock, adapter } = setup();
    const customers = Array.from({ length: 12 }, (_, i) => customer(i + 1));
    await adapter.upsertCustomers(customers);
    const batch = customers.map((_, i) => payment(i + 1));
    batch[1] = payment(2, { amount: { minor: 1250, currency: 'KWD' }, refunded: { minor: 0, currency: 'KWD' } });
    const results = await adapter.upsertPayments(batch);

    assert.equal(results.filter((r) => r.status === 'synced').length, 12);
    // Contacts are looked up by at most 10 criteria per search.
    const searches = mock.callsTo('GET', '/crm/v8/Contacts/search').filter((c) => c.query.criteria!.includes('Terminal_CRM_Id'));
    assert.equal(searches.length, 2);
    assert.match(searches[0]!.query.criteria!, /^\(\(Terminal_CRM_Id:equals:cus_Z+0001\)or\(Terminal_CRM_Id:equals:cus_Z+0002\)or/);
    const deal = dealsOf(mock, batch[0]!);
    assert.equal(deal.length, 1);
    assert.deepEqual(
      [deal[0]!.Amount, deal[0]!.Stage, deal[0]!.Closing_Date, deal[0]!.Currency, deal[0]!.Contact_Name],
      [19.99, 'Closed Won', '2026-03-01', 'EUR', { id: contactsOf(mock, customers[0]!)[0]!.id }],
    );
    assert.equal(dealsOf(mock, batch[1]!)[0]!.Amount, 1.25);
    assert.match(String(deal[0]!.Description), /stripe pi_3MtwBwLkdIwHu7ix28a3tq1; status succeeded; visa, •••• 4242, contactless; reader tmr_1/);
    assert.deepEqual((mock.callsTo('POST', '/crm/v8/Deals/upsert')[0]!.body as { duplicate_check_fields: string[] }).duplicate_check_fields, ['Terminal_Payment_Key']);
  });

  it('a refund updates the same deal; sending it twice changes nothing', async () => {
    const { mock, adapter } = setup();
    const [c] = await adapter.upsertCustomers([customer(1)]);
    const contactId = synced(c);
    const [created] = await adapter.upsertPayments([payment(1, { customerCrmId: contactId })]);
    const refund = payment(1, { customerCrmId: contactId, refunded: { minor: 1999, currency: 'EUR' }, status: 'refunded' });
    assert.deepEqual(await adapter.upsertPayments([refund]), [created]);
    const once = JSON.stringify(dealsOf(mock, refund).map(({ Modified_Time: _m, ...r }) => r));
    assert.deepEqual(await adapter.upsertPayments([refund]), [created]);
    const deals = dealsOf(mock, refund);
    assert.equal(deals.length, 1);
    assert.deepEqual([deals[0]!.Amount, deals[0]!.Stage], [0, 'Closed Lost']);
    assert.equal(JSON.stringify(deals.map(({ Modified_Time: _m, ...r }) => r)), once);
    assert.equal(mock.callsTo('GET', '/crm/v8/Contacts/search').filter((c) => c.query.criteria!.includes('Terminal_CRM_Id')).length, 0, 'the known contact id needs no search');
  });

  it('a deal in a blueprint: a refund that would move its Stage is rejected with what to do in Zoho, not retried; the other payments go through', async () => {
    const { mock, adapter } = setup();
    const [c1, c2] = await adapter.upsertCustomers([customer(1), customer(2)]);
    const first = payment(1, { customerCrmId: synced(c1) });
    const [created] = await adapter.upsertPayments([first]);
    mock.enterBlueprint('Deals', synced(created));
    const refund = payment(1, { customerCrmId: synced(c1), refunded: { minor: 1999, currency: 'EUR' }, status: 'refunded' });
    const [refused, other] = await adapter.upsertPayments([refund, payment(2, { customerCrmId: synced(c2) })]);

    assert.equal(refused!.status, 'rejected', JSON.stringify(refused));
    const r = refused as Extract<CrmItemResult, { status: 'rejected' }>;
    assert.equal(r.field, 'Stage');
    assert.match(r.reason, /Stage cannot be updated as it is in the blueprint \[RECORD_IN_BLUEPRINT\] — field Stage: .*transition in Zoho.*terminal-crm reconcile --repair/);
    assert.equal(other!.status, 'synced');
    assert.deepEqual(dealsOf(mock, refund).map((d) => [d.Stage, d.Amount]), [['Closed Won', 19.99]]);
    // A change the blueprint does not own still goes through: the same sale again keeps its stage.
    assert.equal((await adapter.upsertPayments([first]))[0]!.status, 'synced');
  });

  it('a payment whose customer is not in Zoho yet waits (retry); the others go through', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1)]);
    const results = await adapter.upsertPayments([payment(1), payment(2)]);
    assert.equal(results[0]!.status, 'synced');
    assert.equal(results[1]!.status, 'retry');
    assert.ok((results[1] as { error: unknown }).error instanceof CrmTransientError);
    assert.equal(dealsOf(mock, payment(2)).length, 0);
  });

  it("Zoho's search needs ZohoSearch.securesearch.READ (v8 Search Records): a token without it is an auth error naming the scope, with no token refreshed for it", async () => {
    const { mock, adapter } = setup({ scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ'], orgTimeZone: 'Europe/Madrid' });
    await adapter.upsertCustomers([customer(1, { email: undefined })]);
    const tokens = mock.tokenRequests;
    await assert.rejects(adapter.upsertPayments([payment(1)]), (e: unknown) => {
      assert.ok(e instanceof CrmAuthError, String(e));
      assert.match(e.message, /OAUTH_SCOPE_MISMATCH.*ZohoSearch\.securesearch\.READ.*connect the credential again/);
      return true;
    });
    assert.equal(mock.tokenRequests, tokens, 'a refresh mints a token of the same scopes: none is asked for');
    assert.equal(dealsOf(mock, payment(1)).length, 0);
  });

  it("search `equals` behaves like contains (v8 Search Records): a payment of cus_…1 is not ambiguous with the contact of cus_…10", async () => {
    const { mock, adapter } = setup();
    const one: CrmCustomer = { externalId: 'cus_Q1', profile: { familyName: 'Uno', email: 'uno@example.com' } };
    const ten: CrmCustomer = { externalId: 'cus_Q10', profile: { familyName: 'Diez', email: 'diez@example.com' } };
    const [c1] = await adapter.upsertCustomers([one, ten]);
    const [r] = await adapter.upsertPayments([payment(1, { customerExternalId: 'cus_Q1' })]);
    // The mock's search did answer both contacts for cus_Q1, as Zoho's does.
    assert.equal(mock.callsTo('GET', '/crm/v8/Contacts/search').filter((c) => c.query.criteria === '(Terminal_CRM_Id:equals:cus_Q1)').length, 1);
    assert.equal(r!.status, 'synced', JSON.stringify(r));
    assert.deepEqual(dealsOf(mock, payment(1))[0]!.Contact_Name, { id: synced(c1) });
  });

  it('a contact on the second page of a search (its pack id contained in 200 others) is still found: every page is read', async () => {
    const { mock, adapter } = setup();
    for (let i = 0; i < 200; i++) mock.seed('Contacts', { Last_Name: `Other ${i}`, Terminal_CRM_Id: `cus_Q1${String(i).padStart(3, '0')}` });
    const [c1] = await adapter.upsertCustomers([{ externalId: 'cus_Q1', profile: { familyName: 'Uno' } }]);
    const [r] = await adapter.upsertPayments([payment(1, { customerExternalId: 'cus_Q1' })]);
    assert.equal(r!.status, 'synced', JSON.stringify(r));
    assert.deepEqual(dealsOf(mock, payment(1))[0]!.Contact_Name, { id: synced(c1) });
    assert.deepEqual(mock.callsTo('GET', '/crm/v8/Contacts/search').map((c) => c.query.page ?? '1'), ['1', '2']);
  });
});

describe("Zoho adapter: a payment's Closing_Date is its day in the org's time zone", () => {
  // 18:30 on 1 March in Los Angeles: 01:30 on the 2nd in UTC.
  const evening = { occurredAt: '2026-03-02T01:30:00Z' };
  const orgAsks = (mock: ZohoMock) => mock.callsTo('GET', '/crm/v8/org').length;
  const closingDate = (mock: ZohoMock, p: CrmPayment) => dealsOf(mock, p)[0]?.Closing_Date;
  async function withContacts(zoho: ReturnType<typeof setup>, n: number) {
    const ids = (await zoho.adapter.upsertCustomers(Array.from({ length: n }, (_, i) => customer(i + 1)))).map(synced);
    return (i: number, over: Partial<CrmPayment> = {}) => payment(i, { customerCrmId: ids[i - 1]!, ...over });
  }

  it('an evening sale in Los Angeles is filed under that day, not the next UTC one; Zoho is asked once, before the first deal', async () => {
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles' });
    const paid = await withContacts(zoho, 4);
    assert.equal(orgAsks(zoho.mock), 0, 'contacts need no time zone');
    const first = paid(1, evening);
    assert.equal((await zoho.adapter.upsertPayments([first]))[0]!.status, 'synced');
    assert.equal(closingDate(zoho.mock, first), '2026-03-01');
    const order = zoho.mock.calls.map((c) => `${c.method} ${c.path}`);
    assert.ok(order.indexOf('GET /crm/v8/org') < order.indexOf('POST /crm/v8/Deals/upsert'), order.join(', '));
    // Later batches, and batches sent at once, reuse what was learnt.
    await Promise.all([zoho.adapter.upsertPayments([paid(2, evening)]), zoho.adapter.upsertPayments([paid(3, evening)])]);
    await zoho.adapter.upsertPayments([paid(4, { occurredAt: '2026-03-02T08:00:00Z' })]);
    assert.equal(orgAsks(zoho.mock), 1);
    assert.deepEqual([2, 3, 4].map((i) => closingDate(zoho.mock, payment(i))), ['2026-03-01', '2026-03-01', '2026-03-02']);
    assert.deepEqual(zoho.adapter.notes!(), []);
  });

  it('a time written at its own offset (a terminal\'s local time) is the same instant, filed under the org\'s day', async () => {
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles' });
    const paid = await withContacts(zoho, 3);
    const batch = [
      paid(1, { occurredAt: '2026-03-01T18:30:00-08:00' }),
      // The same kind of evening sale, reported by a terminal in Tokyo's offset: still the 1st in Los Angeles.
      paid(2, { occurredAt: '2026-03-02T10:30:00+09:00' }),
      paid(3, { occurredAt: '2026-03-01T23:59:59.999-08:00' }),
    ];
    await zoho.adapter.upsertPayments(batch);
    assert.deepEqual(batch.map((p) => closingDate(zoho.mock, p)), ['2026-03-01', '2026-03-01', '2026-03-01']);
  });

  it('a deal lost to a full refund closes on the refund\'s day in the org\'s zone; without a refund time it keeps the sale\'s', async () => {
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles' });
    const paid = await withContacts(zoho, 2);
    // Refunded at 17:00 on 24 December in Los Angeles (01:00 on the 25th in UTC).
    const refunded = { ...evening, refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' as const };
    const batch = [paid(1, { ...refunded, refundedAt: '2026-12-25T01:00:00.000Z' }), paid(2, refunded)];
    await zoho.adapter.upsertPayments(batch);
    assert.deepEqual(batch.map((p) => [dealsOf(zoho.mock, p)[0]?.Stage, closingDate(zoho.mock, p)]), [['Closed Lost', '2026-12-24'], ['Closed Lost', '2026-03-01']]);
  });

  it('a time zone set in the settings wins: Zoho is not asked', async () => {
    const zoho = setup({ orgTimeZone: 'Asia/Tokyo' }, { timeZone: 'America/Los_Angeles' });
    const paid = await withContacts(zoho, 1);
    await zoho.adapter.upsertPayments([paid(1, evening)]);
    assert.equal(closingDate(zoho.mock, payment(1)), '2026-03-01');
    assert.equal(orgAsks(zoho.mock), 0);
    assert.deepEqual(zoho.adapter.notes!(), []);
  });

  it('an abbreviation for the org\'s zone (PST) is not taken: UTC days, the sync goes on, and a note says why and what to set', async () => {
    const zoho = setup({ orgTimeZone: 'PST' });
    const paid = await withContacts(zoho, 2);
    assert.equal((await zoho.adapter.upsertPayments([paid(1, evening)]))[0]!.status, 'synced');
    await zoho.adapter.upsertPayments([paid(2, evening)]);
    assert.deepEqual([closingDate(zoho.mock, payment(1)), closingDate(zoho.mock, payment(2))], ['2026-03-02', '2026-03-02']);
    assert.equal(orgAsks(zoho.mock), 1, 'what Zoho said is kept: not asked again');
    const notes = zoho.adapter.notes!();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^Closing_Date is the UTC day of each payment, .*Zoho names the org's time zone "PST", not an IANA name.*set the org's time zone, e\.g\. America\/Los_Angeles, in the Zoho account's Time Zone field \(the n8n credential, Node-RED's CRM account\), or ZOHO_TIME_ZONE for the worker and the CLI$/);
  });

  it('a token without ZohoCRM.org.READ (401 OAUTH_SCOPE_MISMATCH): UTC days, no token refreshed for it, asked once, a note names the scope', async () => {
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles', scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'] });
    const paid = await withContacts(zoho, 2);
    assert.equal((await zoho.adapter.upsertPayments([paid(1, evening)]))[0]!.status, 'synced');
    await zoho.adapter.upsertPayments([paid(2, evening)]);
    assert.equal(closingDate(zoho.mock, payment(1)), '2026-03-02');
    assert.deepEqual(zoho.mock.callsTo('GET', '/crm/v8/org').map((c) => c.status), [401]);
    assert.equal(zoho.mock.tokenRequests, 1, 'a new token would carry the same scopes');
    assert.match(zoho.adapter.notes!()[0]!, /Zoho refused GET \/crm\/v8\/org \(401: invalid oauth scope to access this URL \[OAUTH_SCOPE_MISMATCH\]\) — the refresh token was not granted ZohoCRM\.org\.READ.*ZOHO_TIME_ZONE/);
  });

  /** The org's reading answered `answer` (instead of Zoho) while `down()` says so. */
  const orgAnswered = (answer: HttpResponse, down: () => boolean) => (http: HttpTransport): HttpTransport => ({
    ...(http.refreshAuth ? { refreshAuth: () => http.refreshAuth!() } : {}),
    request: (req) => (down() && req.url.endsWith('/org') ? Promise.resolve(answer) : http.request(req)),
  });

  it('no answer or a 5xx: UTC days for now, asked again five minutes later at the earliest, then the org\'s day', async () => {
    let down = true;
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles' }, {}, orgAnswered({ status: 503, headers: {}, body: { code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error occurred.', status: 'error' } }, () => down));
    const paid = await withContacts(zoho, 3);
    assert.equal((await zoho.adapter.upsertPayments([paid(1, evening)]))[0]!.status, 'synced');
    assert.equal(closingDate(zoho.mock, payment(1)), '2026-03-02');
    assert.match(zoho.adapter.notes!()[0]!, /reading the org's time zone failed \(zoho: 503 on GET \/crm\/v8\/org: .*Internal server error occurred.*\); it is asked again from 2026-03-01T10:05:00\.000Z; set the org's time zone.*Time Zone field.*or ZOHO_TIME_ZONE/);
    down = false;
    clock += 60_000;
    await zoho.adapter.upsertPayments([paid(2, evening)]);
    assert.equal(closingDate(zoho.mock, payment(2)), '2026-03-02', 'not asked again within five minutes');
    clock += 4 * 60_000;
    await zoho.adapter.upsertPayments([paid(3, evening)]);
    assert.equal(closingDate(zoho.mock, payment(3)), '2026-03-01');
    assert.equal(orgAsks(zoho.mock), 1, 'the 503 never reached Zoho; this reading did');
    assert.deepEqual(zoho.adapter.notes!(), []);
  });

  it('a rate limit on the reading fails the batch as any call would, before a deal is written with a day it does not know', async () => {
    let busy = true;
    const tooMany = { code: 'TOO_MANY_REQUESTS', details: {}, message: 'The number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded.', status: 'error' };
    const zoho = setup({ orgTimeZone: 'America/Los_Angeles' }, {}, orgAnswered({ status: 429, headers: {}, body: tooMany }, () => busy));
    const paid = await withContacts(zoho, 1);
    await assert.rejects(zoho.adapter.upsertPayments([paid(1, evening)]), (e: unknown) => e instanceof CrmRateLimitError && e.policy === 'wait');
    assert.equal(dealsOf(zoho.mock, payment(1)).length, 0);
    busy = false;
    await zoho.adapter.upsertPayments([paid(1, evening)]);
    assert.equal(closingDate(zoho.mock, payment(1)), '2026-03-01');
  });
});

describe('Zoho adapter: limits, auth and failures', () => {
  it('too many concurrent calls: 429 TOO_MANY_REQUESTS means wait', async () => {
    const { mock, adapter } = setup({ concurrencyLimit: 1, responseDelayMs: 40 });
    const outcomes = await Promise.allSettled([adapter.upsertCustomers([customer(1)]), adapter.upsertCustomers([customer(2)])]);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(failed.length, 1);
    const e = failed[0]!.reason as CrmRateLimitError;
    assert.ok(e instanceof CrmRateLimitError);
    assert.deepEqual([e.policy, e.limitName, e.retryAfterMs], ['wait', 'concurrency', 2000]);
    assert.equal(mock.records('Contacts').length, 1);
  });

  it('used-up API credits: 429 with X-API-CREDITS-REMAINING 0 means stop', async () => {
    // 100 new customers cost 10 credits of email searches (who else holds their emails) and 10 of upsert.
    const { mock, adapter } = setup({ dailyCredits: 20 });
    await adapter.upsertCustomers(Array.from({ length: 100 }, (_, i) => customer(i + 1)));
    await assert.rejects(adapter.upsertCustomers([customer(101)]), (e: unknown) => {
      assert.ok(e instanceof CrmRateLimitError);
      assert.deepEqual([e.policy, e.limitName], ['stop', 'API credits (rolling 24 h)']);
      assert.ok(e.retryAfterMs > 0);
      return true;
    });
    assert.equal(mock.calls.at(-1)!.status, 429);
    clock += 24 * 60 * 60 * 1000 + 1;
    assert.equal((await adapter.upsertCustomers([customer(101)]))[0]!.status, 'synced', 'credits age out of the rolling window');
  });

  it('one token for many calls, from the data centre\'s accounts server; an expired token is refreshed once', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1)]);
    await adapter.upsertCustomers([customer(2)]);
    await adapter.changedCustomers(null, 10);
    assert.equal(mock.tokenRequests, 1);

    mock.expireAccessTokens();
    const [r] = await adapter.upsertCustomers([customer(3)]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.tokenRequests, 2);
    const refused = mock.calls.filter((c) => c.status === 401);
    assert.equal(refused.length, 1);
  });

  it('a refresh token Zoho refuses fails with Zoho\'s reason', async () => {
    const { mock } = setup();
    const s = parseZohoSettings({ ...CREDS, refreshToken: 'revoked', dataCenter: 'eu' });
    const adapter = createZohoAdapter({ http: zohoAxiosTransport(s, now), settings: s, now });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /accounts\.zoho\.eu\/oauth\/v2\/token was refused: invalid_code.*data centre/.test(e.message));
    assert.equal(mock.records('Contacts').length, 0);
  });

  it('Zoho\'s ten tokens in ten minutes is a wait, not a credential to fix: the sync goes on once it has passed', async () => {
    const { mock, adapter } = setup();
    for (let i = 1; i <= 10; i++) {
      mock.expireAccessTokens();
      const [r] = await adapter.upsertCustomers([customer(i)]);
      assert.equal(r!.status, 'synced');
    }
    mock.expireAccessTokens();
    await assert.rejects(adapter.upsertCustomers([customer(11)]), (e: unknown) => e instanceof CrmTransientError && /too many requests/.test(e.message));
    clock += 600_000;
    const [later] = await adapter.upsertCustomers([customer(11)]);
    assert.equal(later!.status, 'synced');
    assert.equal(mock.tokenRequests, 12);
  });

  it('a token from another data centre is refused even after a refresh: an auth error for an operator', async () => {
    const us = new ZohoMock({ ...CREDS, now }).start();
    const eu = new ZohoMock({ ...CREDS, ...EU, now }).start();
    // Credentials of a US org pointed at the EU API: every US token is unknown there.
    const s = parseZohoSettings({ ...CREDS, dataCenter: 'us', baseUrl: EU.apiDomain });
    const adapter = createZohoAdapter({ http: zohoAxiosTransport(s, now), settings: s, now });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /invalid oauth token/.test(e.message));
    assert.equal(us.tokenRequests, 2, 'one refresh, no more');
    assert.deepEqual(eu.calls.map((c) => c.status), [401, 401]);
  });

  it('5xx and an answer that never comes in time are transient', async () => {
    const down = setup({ faults: { rate5xx: 1 } });
    await assert.rejects(down.adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /500/.test(e.message));
    nock.cleanAll();
    const slow = setup({ faults: { rateDelay: 1, delayMs: 300 } }, { timeoutMs: 60 });
    await assert.rejects(slow.adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /no answer/.test(e.message));
  });

  it('under seeded faults (429, 5xx, lost answers) retries converge on exactly one contact per customer', { timeout: 20_000 }, async () => {
    const { mock, adapter } = setup({ faults: { rate429: 0.2, rate5xx: 0.2, rateDelay: 0.2, delayMs: 120, seed: 7 } }, { timeoutMs: 40 });
    const batch = Array.from({ length: 5 }, (_, i) => customer(i + 1));
    let done = false;
    for (let round = 0; round < 30 && !done; round++) {
      try {
        done = (await adapter.upsertCustomers(batch)).every((r) => r.status === 'synced');
      } catch (e) {
        assert.ok(e instanceof CrmRateLimitError || e instanceof CrmTransientError, String(e));
      }
    }
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(done);
    for (const c of batch) assert.equal(contactsOf(mock, c).length, 1);
    assert.ok(mock.faultsInjected.length > 0);
  });
});

describe('Zoho adapter: fields and changed customers', () => {
  it('writes pack fields to the contact (Title_Case by default, or as mapped), matched by the pack id only', async () => {
    const { mock, adapter } = setup({}, { fieldMap: { terminal_crm_segment: 'Customer_Segment' } });
    const [c] = await adapter.upsertCustomers([customer(1)]);
    const [r] = await adapter.updateFields([{ customerExternalId: customer(1).externalId, fields: { loyalty_tier: 'gold', terminal_crm_segment: 'Champions', loyalty_points: 120 } }]);
    assert.deepEqual(r, { externalId: customer(1).externalId, status: 'synced', crmId: synced(c) });
    const row = contactsOf(mock, customer(1))[0]!;
    assert.deepEqual([row.Loyalty_Tier, row.Customer_Segment, row.Loyalty_Points], ['gold', 'Champions', 120]);
    assert.deepEqual((mock.calls.at(-1)!.body as { duplicate_check_fields: string[] }).duplicate_check_fields, ['Terminal_CRM_Id']);

    // Not in Zoho yet: Zoho cannot create it from fields alone, so they wait for the customer (not refused for good).
    const [missing] = await adapter.updateFields([{ customerExternalId: 'cus_notInZoho000000000000', fields: { loyalty_tier: 'gold' } }]);
    assert.equal(missing!.status, 'retry');
    assert.match(missing!.status === 'retry' ? missing!.error.message : '', /no Zoho contact carries customer id cus_notInZoho000000000000 yet/);
    assert.equal(contactsOf(mock, { externalId: 'cus_notInZoho000000000000' } as ReturnType<typeof customer>).length, 0);
  });

  it('the Last_Name stand-in a nameless contact was created with is not read back as a name', async () => {
    const { adapter } = setup();
    const anon: CrmCustomer = { externalId: 'cus_walkin0000000000000002', profile: { phone: '+81312345678' } };
    const mailed: CrmCustomer = { externalId: 'cus_mailonly00000000000002', profile: { email: 'Mail.Only+pos@example.com' } };
    await adapter.upsertCustomers([anon, mailed]);
    clock += 10_000;
    const page = await adapter.changedCustomers(null, 10);
    const profileOf = (id: string) => page.customers.find((c) => c.externalId === id)?.profile;
    assert.deepEqual(profileOf(anon.externalId), { phone: '+81312345678' });
    assert.deepEqual(profileOf(mailed.externalId), { email: 'Mail.Only+pos@example.com' });
  });

  it('a listing whose page token Zoho no longer takes (a day later) starts over from its time, and reaches the end', async () => {
    const { mock, adapter } = setup();
    // All in one second (an import): paged by offset, so by Zoho's page token.
    for (let i = 1; i <= 5; i++) mock.seed('Contacts', { Last_Name: `P${i}`, Email: `p${i}@example.com`, Terminal_CRM_Id: `cus_${i}` }, clock + 1000);
    clock += 10_000;
    const first = await adapter.changedCustomers(null, 2);
    const second = await adapter.changedCustomers(first.next, 2);
    assert.ok(second.more);
    clock += 25 * 3_600_000;
    const seen = new Set<string>();
    let page = await adapter.changedCustomers(second.next, 2);
    for (;;) {
      for (const c of page.customers) seen.add(c.externalId!);
      if (!page.more) break;
      page = await adapter.changedCustomers(page.next, 2);
    }
    assert.deepEqual([...seen].sort(), ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5']);
    assert.ok(mock.calls.some((c) => c.status === 400 && c.query.page_token), 'the stale page token was refused once');
  });

  it('a contact already read that changes during the walk moves no unread one out of it: all six are read', async () => {
    const { mock, adapter } = setup();
    for (let i = 1; i <= 6; i++) mock.seed('Contacts', { Last_Name: `P${i}`, Terminal_CRM_Id: `cus_${i}` }, clock + i * 1000);
    clock += 10_000;
    const seen = new Set<string>();
    let page = await adapter.changedCustomers(null, 2);
    page.customers.forEach((c) => seen.add(c.externalId!));
    // cus_1 changes: sorted by Modified_Time it goes last, and the list before cus_3 is one shorter.
    mock.touch('Contacts', mock.where('Contacts', 'Terminal_CRM_Id', 'cus_1')[0]!.id, { First_Name: 'Ada' });
    while (page.more) {
      page = await adapter.changedCustomers(page.next, 2);
      page.customers.forEach((c) => seen.add(c.externalId!));
    }
    assert.deepEqual([...seen].sort(), ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5', 'cus_6']);
  });

  it('contacts changed within one second, more than a page of them, are paged through by offset within it', async () => {
    const { mock, adapter } = setup();
    for (let i = 1; i <= 5; i++) mock.seed('Contacts', { Last_Name: `P${i}`, Terminal_CRM_Id: `cus_${i}` }, clock + 1000);
    clock += 10_000;
    const pages: string[][] = [];
    let page = await adapter.changedCustomers(null, 2);
    pages.push(page.customers.map((c) => c.externalId!));
    for (let n = 0; page.more && n < 10; n++) {
      page = await adapter.changedCustomers(page.next, 2);
      pages.push(page.customers.map((c) => c.externalId!));
    }
    assert.equal(page.more, false, 'the walk ends');
    assert.deepEqual([...new Set(pages.flat())].sort(), ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5']);
    assert.equal(pages.length, 4, 'the first page once more from its second, then by offset');
  });

  it('a contact whose change shows after a listing has read past its Modified_Time is read by the next listing; nothing new is one request', async () => {
    const { mock, adapter } = setup();
    const start = clock;
    mock.seed('Contacts', { Last_Name: 'A', Email: 'a@example.com', Terminal_CRM_Id: 'cus_a' }, start);
    mock.seed('Contacts', { Last_Name: 'B', Email: 'b@example.com', Terminal_CRM_Id: 'cus_b' }, start + 30_000);
    clock = start + 32_000;
    const first = await adapter.changedCustomers(null, 10);
    assert.deepEqual([first.customers.map((c) => c.externalId), first.more], [['cus_a', 'cus_b'], false]);
    // Modified 10 s after A, listed only now.
    mock.seed('Contacts', { Last_Name: 'Late', Email: 'late@example.com', Terminal_CRM_Id: 'cus_late' }, start + 10_000);
    clock = start + 60_000;
    const second = await adapter.changedCustomers(first.next, 10);
    assert.ok(second.customers.some((c) => c.externalId === 'cus_late'), 'the late contact is read');
    const requests = mock.callsTo('GET', '/crm/v8/Contacts').length;
    const third = await adapter.changedCustomers(second.next, 10);
    assert.deepEqual([third.customers.map((c) => c.externalId), third.more], [['cus_a', 'cus_late', 'cus_b'], false]);
    assert.equal(mock.callsTo('GET', '/crm/v8/Contacts').length, requests + 1);
  });

  it('changedCustomers pages through contacts by Modified_Time, then resumes with If-Modified-Since', async () => {
    const { mock, adapter } = setup();
    for (let i = 1; i <= 5; i++) mock.seed('Contacts', { Last_Name: `P${i}`, Email: `p${i}@example.com`, Terminal_CRM_Id: `cus_${i}` }, clock + i * 1000);
    clock += 10_000;
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: ZohoChangedCustomers = await adapter.changedCustomers(cursor, 2);
      pages.push(page.customers.map((c) => c.externalId!));
      cursor = page.next;
      if (!page.more) break;
    }
    // Each page starts from the second of the one before's newest contact, read once more.
    assert.deepEqual(pages, [['cus_1', 'cus_2'], ['cus_2', 'cus_3'], ['cus_3', 'cus_4'], ['cus_4', 'cus_5']]);
    const lists = mock.callsTo('GET', '/crm/v8/Contacts').filter((c) => c.path === '/crm/v8/Contacts');
    assert.deepEqual([lists[0]!.query.sort_by, lists[0]!.query.sort_order, lists[0]!.query.per_page, lists[0]!.query.page], ['Modified_Time', 'asc', '2', '1']);
    assert.match(lists[0]!.query.fields!, /Terminal_CRM_Id/);
    assert.deepEqual([lists[1]!.query.page, lists[1]!.query.page_token, lists[1]!.headers['if-modified-since']], ['1', undefined, '2026-03-01T10:00:01+00:00'], 'the next page starts from the second of the page before\'s newest');

    clock += 5_000;
    const c2 = mock.where('Contacts', 'Terminal_CRM_Id', 'cus_2')[0]!;
    mock.touch('Contacts', c2.id, { First_Name: 'Pia' });
    const later = await adapter.changedCustomers(cursor, 10);
    // The listing before kept its cursor 2 minutes (MODIFIED_TIME_LAG_MS) before Zoho answered: all five come again,
    // cus_2 last with its change.
    assert.deepEqual(later.customers.map((c) => c.externalId), ['cus_1', 'cus_3', 'cus_4', 'cus_5', 'cus_2']);
    assert.equal(later.customers.at(-1)!.profile.givenName, 'Pia');
    assert.ok(mock.calls.at(-1)!.headers['if-modified-since'], 'If-Modified-Since carries the cursor');

    // Past the lag: one more listing reads that window, then nothing has changed since the newest change read.
    clock += 3 * 60_000;
    const again = await adapter.changedCustomers(later.next, 10);
    assert.deepEqual(again.customers.map((c) => c.externalId), ['cus_1', 'cus_3', 'cus_4', 'cus_5', 'cus_2']);
    const quiet = await adapter.changedCustomers(again.next, 10);
    assert.deepEqual([quiet.customers.length, quiet.more, mock.calls.at(-1)!.status], [0, false, 304]);

  });
});

describe('Zoho adapter: requests as the v8 reference writes them', () => {
  it('upsert: POST /crm/v8/Contacts/upsert with data[] and duplicate_check_fields, Zoho-oauthtoken; listing: fields, Modified_Time ascending, then If-Modified-Since in ISO 8601', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1)]);
    const [upsert] = mock.callsTo('POST', '/crm/v8/Contacts/upsert');
    assert.match(upsert!.headers.authorization!, /^Zoho-oauthtoken 1000\./);
    const body = upsert!.body as { data: Record<string, unknown>[]; duplicate_check_fields: string[] };
    assert.deepEqual(Object.keys(body).sort(), ['data', 'duplicate_check_fields']);
    assert.deepEqual(body.duplicate_check_fields, ['Terminal_CRM_Id', 'Email']);
    assert.deepEqual([body.data.length, body.data[0]!.Terminal_CRM_Id, body.data[0]!.Last_Name, body.data[0]!.Email], [1, customer(1).externalId, 'Lopez', 'ana1@example.com']);

    const first = await adapter.changedCustomers(null, 50);
    clock += 5_000;
    await adapter.changedCustomers(first.next, 50);
    const [list, since] = mock.calls.filter((c) => c.method === 'GET' && c.path === '/crm/v8/Contacts');
    assert.deepEqual([list!.query.sort_by, list!.query.sort_order, list!.query.per_page, list!.query.page], ['Modified_Time', 'asc', '50', '1']);
    assert.ok(list!.query.fields!.split(',').includes('Modified_Time') && list!.query.fields!.split(',').length <= 50);
    assert.equal(list!.headers['if-modified-since'], undefined);
    assert.match(since!.headers['if-modified-since']!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });
});

describe('Zoho settings', () => {
  it('derives both URLs from the data centre, and names the wrong setting', () => {
    const ca = parseZohoSettings({ ...CREDS, dataCenter: 'ca' });
    assert.deepEqual([ca.apiBaseUrl, ca.tokenUrl], ['https://www.zohoapis.ca', 'https://accounts.zohocloud.ca/oauth/v2/token']);
    // The UK centre, which Zoho Accounts lists (accounts.zoho.uk, its API at www.zohoapis.uk).
    const uk = parseZohoSettings({ ...CREDS, dataCenter: 'uk' });
    assert.deepEqual([uk.apiBaseUrl, uk.tokenUrl], ['https://www.zohoapis.uk', 'https://accounts.zoho.uk/oauth/v2/token']);
    const au = parseZohoSettings({ ...CREDS, dataCenter: 'au', baseUrl: 'https://sandbox.zohoapis.com.au' });
    assert.deepEqual([au.apiBaseUrl, au.tokenUrl], ['https://sandbox.zohoapis.com.au', 'https://accounts.zoho.com.au/oauth/v2/token']);
    assert.deepEqual(parseZohoSettings({ ...CREDS }).duplicateCheckFields, ['Terminal_CRM_Id', 'Email']);
    // The choices in words, not zod's 'Invalid option: expected one of "us"|"eu"…'.
    assert.throws(() => parseZohoSettings({ ...CREDS, dataCenter: 'xx' }), (e: unknown) => e instanceof InputError && e.field === 'zoho.dataCenter' && e.problem === 'is not one of its choices: us, eu, in, au, jp, ca, sa, uk, cn');
    assert.throws(() => parseZohoSettings({ clientSecret: 's', refreshToken: 'r' }), (e: unknown) => e instanceof InputError && e.field === 'zoho.clientId' && /Zoho API console/.test(e.message) && !/ZOHO_/.test(e.message));
    assert.throws(() => parseZohoSettings({ ...CREDS, customerIdField: 'has space' }), (e: unknown) => e instanceof InputError && e.field === 'zoho.customerIdField');
    // Only an IANA name: ICU takes IST and PST as zones, but they stand for different ones in different places.
    assert.equal(parseZohoSettings({ ...CREDS, timeZone: 'America/Los_Angeles' }).timeZone, 'America/Los_Angeles');
    assert.equal(parseZohoSettings({ ...CREDS }).timeZone, undefined);
    for (const zone of ['IST', 'PST', 'Mars/Olympus']) {
      assert.throws(() => parseZohoSettings({ ...CREDS, timeZone: zone }), (e: unknown) => e instanceof InputError && e.field === 'zoho.timeZone' && e.message.includes(`"${zone}" is not an IANA time zone`) && /America\/Los_Angeles/.test(e.fix));
    }
  });

  it('reads the environment', () => {
    const s = zohoSettingsFromEnv({ ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_DATA_CENTER: 'EU', ZOHO_FIELD_MAP: '{"loyalty_tier":"Tier"}' });
    assert.deepEqual([s.dataCenter, s.apiBaseUrl, s.tokenUrl, s.fieldMap.loyalty_tier, s.paymentsModule], ['eu', 'https://www.zohoapis.eu', 'https://accounts.zoho.eu/oauth/v2/token', 'Tier', 'Deals']);
    const o = zohoSettingsFromEnv({ ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_BASE_URL: 'https://proxy.example.com/' });
    assert.equal(o.apiBaseUrl, 'https://proxy.example.com');
    assert.throws(() => zohoSettingsFromEnv({ ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_FIELD_MAP: '{' }), (e: unknown) => e instanceof InputError && e.field === 'ZOHO_FIELD_MAP');
    assert.throws(() => zohoSettingsFromEnv({ ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r' }), (e: unknown) => e instanceof InputError && e.field === 'ZOHO_CLIENT_ID' && /is not set/.test(e.message));
    assert.throws(() => zohoSettingsFromEnv({ ZOHO_CLIENT_ID: 'c', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_DATA_CENTER: 'xx' }), (e: unknown) => e instanceof InputError && e.field === 'ZOHO_DATA_CENTER' && /us, eu/.test(e.message));
    assert.equal(zohoSettingsFromEnv({ ...ENV_CREDS, ZOHO_TIME_ZONE: ' Asia/Kolkata ' }).timeZone, 'Asia/Kolkata');
    assert.throws(() => zohoSettingsFromEnv({ ...ENV_CREDS, ZOHO_TIME_ZONE: 'IST' }), (e: unknown) => e instanceof InputError && e.field === 'ZOHO_TIME_ZONE' && /"IST" is not an IANA time zone/.test(e.message) && /such as America\/Los_Angeles .*or leave it empty to read it from Zoho$/.test(e.fix));
  });
});

describe('Zoho adapter: answers of a shape Zoho does not document', () => {
  const isUnreadable = (request: RegExp, what: RegExp) => (e: unknown) => e instanceof CrmTransientError && request.test(e.message) && what.test(e.message) && /proxy in between/.test(e.message);
  /** The customers are written first, through the real answers; then `when`'s answers are reshaped. */
  async function written(when: (req: HttpRequest) => boolean, f: (b: Record<string, unknown>) => unknown) {
    let on = false;
    const zoho = setup({}, {}, (http) => reshaped(http, (req) => on && when(req), (res) => ({ body: f(res.body as Record<string, unknown>) })));
    await zoho.adapter.upsertCustomers([customer(1), customer(2)]);
    on = true;
    return zoho;
  }

  it('an upsert SUCCESS whose id is empty or HTML is retried, not synced under that id', async () => {
    for (const id of ['', PROXY_HTML]) {
      const zoho = setup({}, {}, (http) => reshaped(http, to('POST', '/Contacts/upsert'), (res) => {
        const b = res.body as { data: { details: Record<string, unknown> }[] };
        return { body: { ...b, data: b.data.map((d, i) => (i === 0 ? { ...d, details: { ...d.details, id } } : d)) } };
      }));
      const results = await zoho.adapter.upsertCustomers([customer(1), customer(2)]);
      assert.deepEqual(results.map((r) => r.status), ['retry', 'synced'], JSON.stringify(id));
      assert.match(results[0]!.status === 'retry' ? results[0]!.error.message : '', /answered SUCCESS for record .* without its id/);
    }
  });

  it('a contact search answered 200 with an empty body, HTML, data that is not a list or a null contact fails naming the search, not a TypeError', async () => {
    const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
      ['empty', () => undefined, /with an empty body/],
      ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
      ['data', (b) => ({ ...b, data: 0 }), /data list that is not a list/],
      ['null', (b) => ({ ...b, data: [null] }), /entry of a data list that is not an object/],
    ];
    for (const [name, f, what] of cases) {
      const { adapter } = await written(to('GET', '/Contacts/search'), f);
      await assert.rejects(adapter.upsertPayments([payment(1)]), isUnreadable(/answered 200 to GET \/crm\/v8\/Contacts\/search /, what), name);
      nock.cleanAll();
    }
  });

  it('a contact found without an id is no contact: the payment waits, and no deal names a contact "undefined"', async () => {
    const { mock, adapter } = await written(to('GET', '/Contacts/search'), (b) => ({ ...b, data: (b.data as Record<string, unknown>[]).map((r) => ({ ...r, id: undefined })) }));
    const [r] = await adapter.upsertPayments([payment(1)]);
    assert.equal(r!.status, 'retry');
    assert.equal(dealsOf(mock, payment(1)).length, 0);
  });

  it('the changed-contacts listing answered with HTML, data that is not a list or a contact without an id fails naming the listing', async () => {
    const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
      ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
      ['data', (b) => ({ ...b, data: {} }), /data list that is not a list/],
      ['null', (b) => ({ ...b, data: [null] }), /entry of a data list that is not an object/],
      ['no id', (b) => ({ ...b, data: (b.data as Record<string, unknown>[]).map((r) => ({ ...r, id: null })) }), /contact without an id/],
    ];
    for (const [name, f, what] of cases) {
      const { adapter } = await written(to('GET', '/crm/v8/Contacts'), f);
      await assert.rejects(adapter.changedCustomers(null, 10), isUnreadable(/answered 200 to GET \/crm\/v8\/Contacts /, what), name);
      nock.cleanAll();
    }
  });

  it('an upsert answered 200 without its data list is transient (not a setup error), and an entry that is not an object is that record’s retry', async () => {
    const empty = await written(to('POST', '/Contacts/upsert'), () => '');
    await assert.rejects(empty.adapter.updateFields([{ customerExternalId: customer(1).externalId, fields: { loyalty_tier: 'gold' } }]), isUnreadable(/answered 200 to POST \/crm\/v8\/Contacts\/upsert /, /without a data list/));
    nock.cleanAll();
    const odd = await written(to('POST', '/Contacts/upsert'), (b) => ({ ...b, data: ['SUCCESS', ...(b.data as unknown[]).slice(1)] }));
    const results = await odd.adapter.upsertCustomers([customer(1), customer(2)]);
    assert.deepEqual(results.map((r) => r.status), ['retry', 'synced']);
  });
});
