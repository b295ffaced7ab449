import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { InputError } from '../../../../nodes/core/errors';
import type { CrmCustomer, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError, CrmConfigError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import {
  createSalesforceAdapter,
  parseSalesforceSettings,
  salesforceAxiosTransport,
  salesforceJwtAssertion,
  salesforceJwtAudience,
  salesforceJwtAudiences,
  salesforceSettingsFromEnv,
  type SalesforceSettingsInput,
} from '../../../../nodes/core/crm/saas/salesforce';
import { SalesforceMock, type Nock, type SalesforceMockOptions } from './mocks/salesforce-mock';
import type { HttpRequest, HttpTransport } from '../../../../nodes/core/http/http-transport';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import { PROXY_HTML, recorded, reshaped, to } from './reshaped-transport';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const V = '/services/data/v66.0';

const customer = (n: number, profile: CrmCustomer['profile'] = {}): CrmCustomer => ({
  externalId: `cus_${n}`,
  profile: { givenName: `Ana${n}`, familyName: 'Diaz', email: `ana${n}@example.com`, phone: '+14155550100', country: 'US', ...profile },
});

const payment = (over: Partial<CrmPayment> = {}): CrmPayment => ({
  externalId: 'stripe:pi_1',
  customerExternalId: 'cus_1',
  source: 'stripe',
  paymentId: 'pi_1',
  amount: { minor: 4599, currency: 'USD' },
  refunded: { minor: 0, currency: 'USD' },
  status: 'succeeded',
  occurredAt: '2026-03-02T10:00:00.000Z',
  card: { brand: 'visa', last4: '4242', entryMode: 'contactless', wallet: 'apple_pay' },
  terminal: { readerId: 'tmr_1', locationId: 'tml_1' },
  ...over,
});

describe('Salesforce adapter against the contract mock', () => {
  // nock 15 is an ES module; this file compiles to CommonJS.
  let nock: Nock;
  let clock = Date.parse('2026-03-02T10:00:00Z');
  const now = () => clock;
  before(async () => {
    nock = (await import('nock')).default;
  });
  after(() => nock.restore());
  beforeEach(() => {
    nock.disableNetConnect();
    clock = Date.parse('2026-03-02T10:00:00Z');
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function setup(mockOptions: SalesforceMockOptions = {}, settings: Partial<SalesforceSettingsInput> = {}, wrap?: (http: HttpTransport) => HttpTransport) {
    const mock = new SalesforceMock({ publicKey, now, ...mockOptions }).install(nock);
    const s = parseSalesforceSettings({
      auth: { flow: 'jwt_bearer', clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: PEM },
      timeoutMs: 400,
      ...settings,
    });
    const http = salesforceAxiosTransport(s, { now });
    return { mock, http, crm: createSalesforceAdapter({ http: wrap ? wrap(http) : http, settings: s }) };
  }

  describe('customers', () => {
    it('upserts a batch: each Contact exists once, keyed by the pack id, with the mapped fields', async () => {
      const { mock, crm } = setup();
      const results = await crm.upsertCustomers([customer(1), customer(2, { street: '1 Main St', city: 'Austin', postalCode: '73301', dateOfBirth: '1990-04-01' })]);
      assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
      const [one] = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1');
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1').length, 1);
      assert.equal(results[0]!.status === 'synced' && results[0]!.crmId, one!.Id);
      assert.equal(one!.FirstName, 'Ana1');
      assert.equal(one!.LastName, 'Diaz');
      assert.equal(one!.Email, 'ana1@example.com');
      assert.equal(one!.MobilePhone, '+14155550100');
      assert.equal(one!.MailingCountryCode, 'US');
      const [two] = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_2');
      assert.deepEqual([two!.MailingStreet, two!.MailingCity, two!.MailingPostalCode, two!.Birthdate], ['1 Main St', 'Austin', '73301', '1990-04-01']);
      assert.equal(mock.dataCalls(/composite\/sobjects\/Contact\/Terminal_CRM_Id__c$/).length, 1);
    });

    it('re-sending the same batch changes nothing: same ids, one record each, same values, no new token', async () => {
      const { mock, crm } = setup();
      const batch = [customer(1), customer(2)];
      const first = await crm.upsertCustomers(batch);
      const before = mock.records('Contact').map(({ SystemModstamp: _, ...r }) => r);
      const second = await crm.upsertCustomers(batch);
      assert.deepEqual(second, first);
      assert.equal(mock.records('Contact').length, 2);
      assert.deepEqual(mock.records('Contact').map(({ SystemModstamp: _, ...r }) => r), before);
      assert.equal(mock.tokenRequests, 1);
    });

    it('never sends more than 200 records per call, and the mock refuses 201 as Salesforce does', async () => {
      const { mock, crm, http } = setup();
      const batch = Array.from({ length: 450 }, (_, i) => customer(i + 1));
      const results = await crm.upsertCustomers(batch);
      assert.equal(results.filter((r) => r.status === 'synced').length, 450);
      assert.deepEqual(mock.dataCalls(/composite/).map((c) => c.records), [200, 200, 50]);
      assert.equal(mock.records('Contact').length, 450);
      assert.equal(crm.limits.batchSize, 200);

      const raw = await http.request({
        method: 'PATCH',
        url: `${V}/composite/sobjects/Contact/Terminal_CRM_Id__c`,
        body: { allOrNone: false, records: Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Contact' }, Terminal_CRM_Id__c: `x_${i}`, LastName: 'X' })) },
      });
      assert.equal(raw.status, 400);
      assert.deepEqual(raw.body, [{ message: 'record limit reached. cannot submit more than 200 records into this call', errorCode: 'EXCEEDED_ID_LIMIT' }]);
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'x_0').length, 0);
    });

    it('a record Salesforce refuses is rejected with its message and field; the others are written', async () => {
      const { mock, crm } = setup();
      const results = await crm.upsertCustomers([customer(1, { email: 'not-an-email' }), customer(2), customer(3, { dateOfBirth: 'not-a-date' })]);
      assert.deepEqual(results[0], { externalId: 'cus_1', status: 'rejected', reason: 'INVALID_EMAIL_ADDRESS: Email: invalid email address: not-an-email', field: 'Email' });
      assert.equal(results[1]!.status, 'synced');
      assert.equal(results[2]!.status, 'rejected');
      assert.equal(results[2]!.status === 'rejected' && results[2]!.field, 'Birthdate');
      assert.match(results[2]!.status === 'rejected' ? results[2]!.reason : '', /^INVALID_TYPE_ON_FIELD_IN_RECORD: Birthdate: value not of required type: not-a-date$/);
      assert.deepEqual(mock.records('Contact').map((r) => r.Terminal_CRM_Id__c), ['cus_2']);
    });

    it('a nameless walk-in gets the LastName placeholder only when created; an existing name is kept', async () => {
      const { mock, crm } = setup();
      const known = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_9', LastName: 'Okafor', FirstName: 'Chi' });
      const results = await crm.upsertCustomers([
        { externalId: 'cus_8', profile: { email: 'walkin@example.com' } },
        { externalId: 'cus_9', profile: { email: 'chi@example.com' } },
      ]);
      assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_8')[0]!.LastName, 'Terminal customer');
      const chi = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_9');
      assert.deepEqual([chi.length, chi[0]!.Id, chi[0]!.LastName, chi[0]!.Email], [1, known.Id, 'Okafor', 'chi@example.com']);
      // The first call updated cus_9 and could not create cus_8; only cus_8 went again.
      assert.deepEqual(mock.dataCalls(/composite/).map((c) => c.records), [2, 1]);
    });

    it('a detail of blanks leaves what the Contact has, and padding is not written', async () => {
      const { mock, crm } = setup();
      const known = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_7', LastName: 'Okafor', FirstName: 'Chi', Email: 'chi@example.com' });
      const [result] = await crm.upsertCustomers([{ externalId: 'cus_7', profile: { givenName: ' ', email: '   ', phone: ' +14155550100 ', city: '\t' } }]);
      assert.equal(result!.status, 'synced');
      const [chi] = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_7');
      assert.deepEqual([chi!.Id, chi!.FirstName, chi!.LastName, chi!.Email, chi!.MobilePhone, chi!.MailingCity], [known.Id, 'Chi', 'Okafor', 'chi@example.com', '+14155550100', undefined]);
    });

    it('several Contacts on one external id: ambiguous with both candidates, nothing written', async () => {
      const { mock, crm } = setup();
      const a = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
      const b = mock.seed('Contact', { Terminal_CRM_Id__c: 'CUS_1', LastName: 'Díaz' });
      const [result] = await crm.upsertCustomers([customer(1)]);
      assert.equal(result!.status, 'ambiguous');
      assert.deepEqual(result!.status === 'ambiguous' && result!.candidates, [a.Id, b.Id]);
      assert.match(result!.status === 'ambiguous' ? result!.reason : '', /2 Contact records carry Terminal_CRM_Id__c = cus_1/);
      assert.equal(mock.records('Contact').length, 2);
      assert.equal(mock.records('Contact').some((r) => r.FirstName), false);
    });

    it('when the error does not list the ids, the candidates come from the 300 Multiple Choices answer', async () => {
      const { mock, crm } = setup({ terseDuplicateErrors: true });
      const a = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
      const b = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
      const [result] = await crm.upsertCustomers([customer(1)]);
      assert.deepEqual(result!.status === 'ambiguous' && result!.candidates, [a.Id, b.Id]);
      const lookups = mock.dataCalls(/^GET .*\/sobjects\/Contact\/Terminal_CRM_Id__c\/cus_1$/);
      assert.deepEqual(lookups.map((c) => c.status), [300]);
    });

    it('the mock refuses records without attributes.type, or of another type than the URI names, as Salesforce does', async () => {
      const { mock, http } = setup();
      const send = (records: unknown[]) => http.request({ method: 'PATCH', url: `${V}/composite/sobjects/Contact/Terminal_CRM_Id__c`, body: { allOrNone: false, records } });
      for (const record of [{ Terminal_CRM_Id__c: 'x_1', LastName: 'X' }, { attributes: { type: 'Account' }, Terminal_CRM_Id__c: 'x_1', LastName: 'X' }]) {
        const res = await send([record]);
        assert.equal(res.status, 400, JSON.stringify(record));
        assert.equal((res.body as Array<{ errorCode: string }>)[0]!.errorCode, 'INVALID_TYPE');
      }
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'x_1').length, 0);
    });

    it("a field the integration user's profile may not edit (Field-Level Security) is a setup error, not every record rejected", async () => {
      const { mock, crm } = setup({ readOnlyForProfile: ['Contact.MobilePhone'] });
      await assert.rejects(crm.upsertCustomers([customer(1), customer(2)]), (e: unknown) => e instanceof CrmConfigError && /Unable to create\/update fields: MobilePhone.*Field-Level Security/.test(e.message));
      assert.equal(mock.records('Contact').length, 0);
    });

    it('a Contact another write created with the same pack id a moment before is retried, then updated, not rejected', async () => {
      const { mock, crm } = setup({ createdMeanwhile: [customer(1).externalId] });
      const [first] = await crm.upsertCustomers([customer(1)]);
      assert.equal(first!.status, 'retry', JSON.stringify(first));
      const [again] = await crm.upsertCustomers([customer(1)]);
      assert.equal(again!.status, 'synced');
      assert.deepEqual(mock.find('Contact', 'Terminal_CRM_Id__c', customer(1).externalId).map((r) => r.Id), [again!.status === 'synced' ? again!.crmId : '']);
    });

    it("a new customer the org's duplicate rule matches to a Contact typed in by hand is ambiguous with that Contact, not rejected", async () => {
      const { mock, crm } = setup({ contactDuplicateRule: true });
      const typed = mock.seed('Contact', { LastName: 'Diaz', Email: 'ANA1@example.com' });
      const [r] = await crm.upsertCustomers([customer(1)]);
      assert.ok(r!.status === 'ambiguous', JSON.stringify(r));
      assert.deepEqual(r!.candidates, [typed.Id]);
      assert.match(r!.reason, /duplicate rules match this Contact to 1 existing record/);
      assert.equal(mock.records('Contact').length, 1, 'nothing created');
    });

    it('a field the org does not have is a setup error naming the field, not a per-record rejection', async () => {
      const { crm } = setup({}, { contact: { fields: { phone: 'Mobile__c' } } });
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmConfigError && /INVALID_FIELD: No such column 'Mobile__c' on sobject of type Contact.*check the object and field API names/.test(e.message));
    });
  });

  describe('lengths', () => {
    // A double-barrelled first name, a company name used as the name, an email longer than the Contact's Email takes.
    const givenName = 'Maria-Fernanda-Guadalupe-Concepcion-Alejandra-Montserrat-Ros'; // 60 characters
    const familyName = 'Featherstonehaugh-Cholmondeley-'.repeat(3).slice(0, 90);
    const email = `${'a'.repeat(108)}@example.com`; // 120 characters

    it('writes a customer whose names and email are longer than the Contact takes: names cut, email left out, the drain told', async () => {
      const { mock, crm } = setup();
      const results = await crm.upsertCustomers([customer(1, { givenName, familyName, email })]);
      assert.equal(results[0]!.status, 'synced', JSON.stringify(results[0]));
      const [one] = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1');
      assert.deepEqual([one!.FirstName, one!.LastName, one!.Email], [givenName.slice(0, 40), familyName.slice(0, 80), undefined]);
      assert.equal(one!.MobilePhone, '+14155550100', 'the rest of the record goes');
      const notes = crm.notes!();
      assert.deepEqual(notes.map((n) => n.split(':')[0] + ' ' + n.split(': ')[1]!.split(' ')[0]), ['cus_1 FirstName', 'cus_1 LastName', 'cus_1 Email']);
      assert.match(notes[2]!, /Email left out: 120 characters, over the 80 Salesforce takes/);
      assert.deepEqual(crm.notes!(), [], 'told once');
    });
  });

  describe('payments', () => {
    it('records a payment under its Contact by the pack id, and a refund updates the same record', async () => {
      const { mock, crm } = setup();
      await crm.upsertCustomers([customer(1)]);
      const contact = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1')[0]!;
      const [paid] = await crm.upsertPayments([payment()]);
      assert.equal(paid!.status, 'synced');
      let rows = mock.find('Terminal_Payment__c', 'Payment_Key__c', 'stripe:pi_1');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.Contact__c, contact.Id);
      assert.deepEqual(
        [rows[0]!.Amount_Minor__c, rows[0]!.Refunded_Minor__c, rows[0]!.Currency__c, rows[0]!.Status__c, rows[0]!.Card_Last4__c, rows[0]!.Entry_Mode__c, rows[0]!.Reader_Id__c],
        [4599, 0, 'USD', 'succeeded', '4242', 'contactless', 'tmr_1'],
      );
      const [refund] = await crm.upsertPayments([payment({ refunded: { minor: 1000, currency: 'USD' }, status: 'partially_refunded' })]);
      assert.equal(refund!.status === 'synced' && refund!.crmId, paid!.status === 'synced' && paid!.crmId);
      rows = mock.find('Terminal_Payment__c', 'Payment_Key__c', 'stripe:pi_1');
      assert.deepEqual([rows.length, rows[0]!.Refunded_Minor__c, rows[0]!.Status__c], [1, 1000, 'partially_refunded']);
    });

    it('uses the Contact id the link table knows, and retries a payment whose Contact is not in Salesforce yet', async () => {
      const { mock, crm } = setup();
      const known = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
      const results = await crm.upsertPayments([
        payment({ customerCrmId: known.Id }),
        payment({ externalId: 'stripe:pi_2', paymentId: 'pi_2', customerExternalId: 'cus_404' }),
      ]);
      assert.equal(results[0]!.status, 'synced');
      assert.equal(mock.find('Terminal_Payment__c', 'Payment_Key__c', 'stripe:pi_1')[0]!.Contact__c, known.Id);
      assert.equal(results[1]!.status, 'retry');
      assert.ok(results[1]!.status === 'retry' && results[1]!.error instanceof CrmTransientError);
      assert.match(results[1]!.status === 'retry' ? results[1]!.error.message : '', /cus_404 is not in Salesforce yet/);
      assert.equal(mock.find('Terminal_Payment__c', 'Payment_Key__c', 'stripe:pi_2').length, 0);
    });
  });

  describe('field updates', () => {
    it('writes pack fields to the mapped (or __c) Contact fields, and never creates a Contact', async () => {
      const { mock, crm } = setup({}, { customFields: { loyalty_tier: 'Loyalty_Tier__c' } });
      await crm.upsertCustomers([customer(1)]);
      const results = await crm.updateFields([
        { customerExternalId: 'cus_1', fields: { terminal_crm_segment: 'Champions', terminal_crm_high_value: true, loyalty_tier: 'Gold', loyalty_points: 120 } },
        { customerExternalId: 'cus_2', fields: { loyalty_points: 5 } },
        { customerExternalId: 'cus_1', fields: { '9lives': 'x' } },
      ]);
      assert.equal(results[0]!.status, 'synced');
      const row = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1')[0]!;
      assert.deepEqual([row.terminal_crm_segment__c, row.terminal_crm_high_value__c, row.loyalty_tier__c, row.loyalty_points__c], ['Champions', true, 'Gold', 120]);
      assert.equal(results[1]!.status, 'retry');
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_2').length, 0);
      assert.deepEqual(results[2]!.status === 'rejected' && [results[2]!.field, /customFields/.test(results[2]!.reason)], ['9lives', true]);
    });
  });

  describe('limits, auth and faults', () => {
    it("the org's daily allocation used up is a rate limit with policy stop", async () => {
      const { crm } = setup({ dailyLimit: 1 });
      await crm.upsertCustomers([customer(1)]);
      await assert.rejects(crm.upsertCustomers([customer(2)]), (e: unknown) => {
        assert.ok(e instanceof CrmRateLimitError);
        assert.deepEqual([e.policy, e.limitName, e.retryAfterMs], ['stop', 'TotalRequests', 60 * 60 * 1000]);
        assert.match(e.message, /TotalRequests Limit exceeded/);
        return true;
      });
    });

    it('too many long requests at once is a rate limit with policy wait', async () => {
      const { mock, crm } = setup();
      mock.failNext('rate');
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmRateLimitError && e.policy === 'wait' && e.limitName === 'ConcurrentPerOrgLongTxn');
      assert.equal(mock.records('Contact').length, 0);
    });

    it('fetches one token for many calls, and after the session ends refreshes once and goes on', async () => {
      const { mock, crm } = setup();
      for (let i = 1; i <= 3; i++) await crm.upsertCustomers([customer(i)]);
      await Promise.all([crm.upsertCustomers([customer(4)]), crm.upsertCustomers([customer(5)]), crm.changedCustomers(null, 10)]);
      assert.equal(mock.tokenRequests, 1);
      mock.expireSessions();
      const [r] = await crm.upsertCustomers([customer(6)]);
      assert.equal(r!.status, 'synced');
      assert.equal(mock.tokenRequests, 2);
      assert.deepEqual(mock.dataCalls(/composite/).slice(-2).map((c) => c.status), [401, 200]);
    });

    it('sends what the REST API reference documents: the JWT bearer form and claims, a typed sObject Collections upsert', async () => {
      new SalesforceMock({ publicKey, now }).install(nock);
      const s = parseSalesforceSettings({ auth: { flow: 'jwt_bearer', clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: PEM }, timeoutMs: 400 });
      const tokenRequests: HttpRequest[] = [];
      const dataRequests: HttpRequest[] = [];
      const http = salesforceAxiosTransport(s, { now, tokenHttp: recorded(axiosTransport({ timeoutMs: 400 }), tokenRequests) });
      const crm = createSalesforceAdapter({ http: recorded(http, dataRequests), settings: s });
      assert.equal((await crm.upsertCustomers([customer(1)]))[0]!.status, 'synced');

      // "OAuth 2.0 JWT Bearer Flow": POST the token endpoint, form-encoded grant_type and assertion only.
      const [token] = tokenRequests;
      assert.equal(token!.method, 'POST');
      assert.equal(token!.url, 'https://login.salesforce.com/services/oauth2/token');
      assert.equal(token!.headers!['content-type'], 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(String(token!.body));
      assert.deepEqual([...form.keys()], ['grant_type', 'assertion']);
      assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
      const [header, claims] = form.get('assertion')!.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
      assert.deepEqual(header, { alg: 'RS256' });
      assert.deepEqual(Object.keys(claims!).sort(), ['aud', 'exp', 'iss', 'sub']);
      assert.deepEqual([claims!.iss, claims!.sub, claims!.aud], ['3MVG9consumerKey', 'integration@acme.example', 'https://login.salesforce.com']);

      // "Upsert Records Using sObject Collections": PATCH …/composite/sobjects/{SObject}/{ExternalIdField}, allOrNone,
      // each record with attributes.type and no Id.
      const [upsert] = dataRequests;
      assert.equal(upsert!.method, 'PATCH');
      assert.equal(upsert!.url, `${V}/composite/sobjects/Contact/Terminal_CRM_Id__c`);
      assert.equal(upsert!.headers!['content-type'], 'application/json');
      const body = upsert!.body as { allOrNone: unknown; records: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(body).sort(), ['allOrNone', 'records']);
      assert.equal(body.allOrNone, false);
      assert.deepEqual(body.records[0]!.attributes, { type: 'Contact' });
      assert.equal(body.records[0]!.Terminal_CRM_Id__c, 'cus_1');
      assert.ok(!('Id' in body.records[0]!) && !('id' in body.records[0]!));
    });

    it('a token request Salesforce refuses is an auth error with its reason and the fix', async () => {
      const { crm } = setup({ username: 'someone-else@acme.example' });
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /user hasn't approved this consumer.*pre-authorized/.test(e.message));
    });

    it('the JWT bearer flow at a My Domain or sandbox login URL names Salesforce\'s authorization server as audience', async () => {
      for (const [loginUrl, sandbox] of [['https://acme.my.salesforce.com', false], ['https://acme--uat.sandbox.my.salesforce.com', true], ['https://test.salesforce.com', true]] as const) {
        const { mock, crm } = setup({ loginUrl, sandbox }, { loginUrl });
        const [r] = await crm.upsertCustomers([customer(1)]);
        assert.equal(r!.status, 'synced', loginUrl);
        assert.equal(mock.tokenRequests, 1);
        nock.cleanAll();
      }
      assert.deepEqual(
        ['https://login.salesforce.com', 'https://acme.my.salesforce.com', 'https://acme--uat.sandbox.my.salesforce.com', 'https://acme--uat.my.salesforce.com', 'https://test.salesforce.com'].map(salesforceJwtAudience),
        ['https://login.salesforce.com', 'https://login.salesforce.com', 'https://test.salesforce.com', 'https://test.salesforce.com', 'https://test.salesforce.com'],
      );
    });

    it('an app that takes only its My Domain as the JWT audience gets it after the generic one is refused, and keeps it', async () => {
      const loginUrl = 'https://acme.my.salesforce.com';
      const { mock, crm } = setup({ loginUrl, myDomainAudience: true }, { loginUrl });
      const [r] = await crm.upsertCustomers([customer(1)]);
      assert.equal(r!.status, 'synced');
      assert.equal(mock.tokenRequests, 2, 'login.salesforce.com refused, then the My Domain taken');
      mock.expireSessions();
      const [again] = await crm.upsertCustomers([customer(2)]);
      assert.equal(again!.status, 'synced');
      assert.equal(mock.tokenRequests, 3, 'the renewal names the audience that worked, first');
      assert.deepEqual(salesforceJwtAudiences(loginUrl), ['https://login.salesforce.com', loginUrl, 'https://test.salesforce.com']);

      nock.cleanAll();
      const wrong = setup({ loginUrl, myDomainAudience: true, consumerKey: 'another-app' }, { loginUrl });
      await assert.rejects(wrong.crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /client identifier invalid/.test(e.message));
    });

    it('the client credentials flow on My Domain takes its base URL from the token', async () => {
      const mock = new SalesforceMock({ loginUrl: 'https://acme.my.salesforce.com', clientSecret: 'sek' }).install(nock);
      const s = parseSalesforceSettings({ loginUrl: 'https://acme.my.salesforce.com', auth: { flow: 'client_credentials', clientId: '3MVG9consumerKey', clientSecret: 'sek' } });
      const crm = createSalesforceAdapter({ http: salesforceAxiosTransport(s), settings: s });
      const [r] = await crm.upsertCustomers([customer(1)]);
      assert.equal(r!.status, 'synced');
      assert.equal(mock.records('Contact').length, 1);
      const bad = parseSalesforceSettings({ loginUrl: 'https://acme.my.salesforce.com', auth: { flow: 'client_credentials', clientId: '3MVG9consumerKey', clientSecret: 'wrong' } });
      await assert.rejects(
        createSalesforceAdapter({ http: salesforceAxiosTransport(bad), settings: bad }).upsertCustomers([customer(2)]),
        (e: unknown) => e instanceof CrmAuthError && /invalid client credentials.*Client Credentials Flow/.test(e.message),
      );
    });

    it('a 5xx is transient; an answer lost to the timeout is transient and the retry writes nothing twice', async () => {
      const { mock, crm } = setup({ faults: { seed: 1, timeoutDelayMs: 1000 } });
      mock.failNext('server');
      await assert.rejects(crm.upsertCustomers([customer(1)]), CrmTransientError);
      assert.equal(mock.records('Contact').length, 0);
      mock.failNext('timeout');
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /no answer/.test(e.message));
      const written = mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1');
      assert.equal(written.length, 1);
      const [again] = await crm.upsertCustomers([customer(1)]);
      assert.deepEqual(again, { externalId: 'cus_1', status: 'synced', crmId: written[0]!.Id });
      assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1').length, 1);
    });

    it('the fault injector is seeded: the same seed fails the same calls', { timeout: 20_000 }, async () => {
      const run = async () => {
        const { mock, crm } = setup({ faults: { seed: 42, rate: 0.2, server: 0.2, timeout: 0.1, timeoutDelayMs: 600 } });
        const outcome: string[] = [];
        for (let i = 1; i <= 12; i++) {
          outcome.push(await crm.upsertCustomers([customer(i)]).then(() => 'ok', (e: Error) => e.name));
        }
        nock.cleanAll();
        return { outcome, faults: mock.calls.map((c) => c.fault ?? '-') };
      };
      const a = await run();
      const b = await run();
      assert.deepEqual(a, b);
      assert.ok(a.outcome.includes('ok') && a.outcome.some((o) => o !== 'ok'), a.outcome.join());
    });
  });

  describe('changed customers', () => {
    it('pages through Contacts by SystemModstamp and Id, without losing ties inside one second', async () => {
      const { mock, crm } = setup();
      for (let i = 1; i <= 5; i++) mock.seed('Contact', { Terminal_CRM_Id__c: `cus_${i}`, FirstName: `N${i}`, LastName: 'Diaz', Email: `n${i}@example.com` });
      clock += 5000;
      mock.seed('Contact', { LastName: 'Terminal customer', Email: 'anon@example.com' });
      const seen: string[] = [];
      const nexts: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page = await crm.changedCustomers(cursor, 2);
        seen.push(...page.customers.map((c) => c.externalId ?? c.profile.email!));
        nexts.push(page.next);
        if (page.customers.length < 2) break;
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(seen, ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5', 'anon@example.com']);
      // Caught up: the cursor kept is 10 minutes (SYSTEM_MODSTAMP_LAG_MS) before Salesforce answered, from that second's first Id.
      assert.equal(nexts[nexts.length - 1], '2026-03-02T09:50:05Z|000000000000000');
      assert.match(nexts[0]!, /^2026-03-02T10:00:00Z\|003\w+$/);
      const first = (await crm.changedCustomers(null, 1)).customers[0]!;
      assert.deepEqual(first.profile, { givenName: 'N1', familyName: 'Diaz', email: 'n1@example.com' });
      assert.equal(first.updatedAt, '2026-03-02T10:00:00.000Z');
      const tail = await crm.changedCustomers(nexts[1]!, 10);
      assert.deepEqual([tail.customers.length, tail.more], [2, false]);
      assert.deepEqual(tail.customers[1]!.profile, { email: 'anon@example.com' }, 'the LastName placeholder is not a name');
    });

    it('follows nextRecordsUrl when Salesforce cuts the answer into smaller pages', async () => {
      const { mock, crm } = setup({ queryPageSize: 200 });
      for (let i = 0; i < 450; i++) mock.seed('Contact', { Terminal_CRM_Id__c: `cus_${i}`, LastName: 'X' });
      const page = await crm.changedCustomers(null, 1000);
      assert.equal(new Set(page.customers.map((c) => c.crmId)).size, 450);
      assert.deepEqual([page.more, page.next], [false, '2026-03-02T09:50:00Z|000000000000000']);
      assert.deepEqual(mock.dataCalls(/query/).map((c) => c.path.replace(/\/query\/\w+-/, '/query/<locator>-')), [`${V}/query`, `${V}/query/<locator>-200`, `${V}/query/<locator>-400`]);
    });

    it('sees a Contact a person edited after the last sync', async () => {
      const { mock, crm } = setup();
      const a = mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'A' });
      mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_2', LastName: 'B' });
      const page = await crm.changedCustomers(null, 2);
      clock += 60_000;
      mock.edit('Contact', a.Id, { Email: 'new@example.com' });
      const later = await crm.changedCustomers(page.next, 10);
      assert.deepEqual(later.customers.map((c) => [c.externalId, c.profile.email]), [['cus_1', 'new@example.com']]);
    });

    it('refuses a cursor it did not make rather than put it into SOQL', async () => {
      const { crm } = setup();
      await assert.rejects(crm.changedCustomers("2026-01-01T00:00:00Z|x' OR Name != '", 10), (e: unknown) => e instanceof InputError && e.field === 'cursor');
    });
  });

  describe('answers of a shape Salesforce does not document', () => {
    const isUnreadable = (request: RegExp, what: RegExp) => (e: unknown) => e instanceof CrmTransientError && request.test(e.message) && what.test(e.message) && /proxy in between/.test(e.message);

    it('a null entry or an error of another shape in an upsert answer is that record’s retry or refusal, not a TypeError', async () => {
      const odd = [null, { success: false, errors: [null, { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: 'LastName' }] }];
      const { crm } = setup({}, {}, (http) => reshaped(http, to('PATCH', '/composite/sobjects/Contact/Terminal_CRM_Id__c'), () => ({ body: odd })));
      const results = await crm.upsertCustomers([customer(1), customer(2)]);
      assert.deepEqual(results.map((r) => r.status), ['retry', 'rejected']);
      assert.match(results[0]!.status === 'retry' ? results[0]!.error.message : '', /neither success nor an error/);
      assert.deepEqual(results[1], { externalId: 'cus_2', status: 'rejected', reason: 'REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]' });
    });

    it('a success whose id is no Salesforce id (HTML in its place) is retried, not synced under that id', async () => {
      const { crm } = setup({}, {}, (http) => reshaped(http, to('PATCH', '/composite/sobjects/Contact/Terminal_CRM_Id__c'), (res) => ({ body: (res.body as Record<string, unknown>[]).map((r, i) => (i === 0 ? { ...r, id: PROXY_HTML } : r)) })));
      const results = await crm.upsertCustomers([customer(1), customer(2)]);
      assert.deepEqual(results.map((r) => r.status), ['retry', 'synced']);
      assert.match(results[0]!.status === 'retry' ? results[0]!.error.message : '', /success for this record without a record id \(/);
    });

    it('the changed-Contacts query answered with HTML, records that are not a list, a null record or one without SystemModstamp fails naming the query', async () => {
      const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
        ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
        ['empty', () => '', /with an empty body/],
        ['records', (b) => ({ ...b, records: PROXY_HTML }), /records list that is not a list/],
        ['null', (b) => ({ ...b, records: [null] }), /entry of a records list that is not an object/],
        ['no stamp', (b) => ({ ...b, records: (b.records as Record<string, unknown>[]).map((r) => ({ ...r, SystemModstamp: null })) }), /Contact record without a record Id or SystemModstamp/],
        ['no id', (b) => ({ ...b, records: (b.records as Record<string, unknown>[]).map((r) => ({ ...r, Id: undefined })) }), /Contact record without a record Id/],
      ];
      for (const [name, f, what] of cases) {
        const { mock, crm } = setup({}, {}, (http) => reshaped(http, to('GET', '/query'), (res) => ({ body: f(res.body as Record<string, unknown>) })));
        mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
        await assert.rejects(crm.changedCustomers(null, 10), isUnreadable(/answered 200 to GET \/services\/data\/v66\.0\/query /, what), name);
        nock.cleanAll();
      }
    });
  });
});

describe('Salesforce settings', () => {
  it('names the field and the fix', () => {
    const fails = (input: unknown, field: RegExp, fix: RegExp) =>
      assert.throws(() => parseSalesforceSettings(input), (e: unknown) => e instanceof InputError && field.test(e.field) && fix.test(e.message));
    fails({ contact: { externalIdField: 'Terminal CRM Id' } }, /^salesforce\.contact\.externalIdField$/, /Fix: give the API name/);
    fails({ apiVersion: 'latest' }, /^salesforce\.apiVersion$/, /v66\.0/);
    fails({ loginUrl: 'http://login.salesforce.com' }, /^salesforce\.loginUrl$/, /https:\/\/login\.salesforce\.com/);
    fails({ auth: { flow: 'client_credentials', clientId: 'a', clientSecret: 's' } }, /^salesforce\.loginUrl$/, /My Domain/);
    fails({ auth: { flow: 'jwt_bearer', clientId: 'a', username: 'u', privateKey: 'abc' } }, /^salesforce\.auth\.privateKey$/, /PEM/);
    fails({ contact: { fields: { emial: 'Email' } } }, /^salesforce\.contact\.fields/, /Fix:/);
    fails({ customFields: { loyalty_tier: 'Loyalty Tier' } }, /^salesforce\.customFields\.loyalty_tier$/, /API name/);
  });

  it('keeps the defaults: Contact by Terminal_CRM_Id__c, payments to Terminal_Payment__c, the current API version', () => {
    const s = parseSalesforceSettings({});
    assert.deepEqual(
      [s.loginUrl, s.apiVersion, s.contact.object, s.contact.externalIdField, s.payment.object, s.payment.externalIdField, s.payment.contactLookupField],
      ['https://login.salesforce.com', 'v66.0', 'Contact', 'Terminal_CRM_Id__c', 'Terminal_Payment__c', 'Payment_Key__c', 'Contact__c'],
    );
    assert.equal(parseSalesforceSettings({ apiVersion: '62.0', contact: { fields: { phone: null } } }).apiVersion, 'v62.0');
    assert.equal(parseSalesforceSettings({ contact: { fields: { phone: null } } }).contact.fields.phone, null);
    assert.equal(parseSalesforceSettings({ contact: { fields: { phone: null } } }).contact.fields.email, 'Email');
  });

  it('reads the environment: JWT bearer from a key file or inline PEM, client credentials from a secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-'));
    writeFileSync(join(dir, 'key.pem'), PEM);
    const base = { SALESFORCE_CLIENT_ID: '3MVG9', SALESFORCE_USERNAME: 'u@acme.example' };
    const fromFile = salesforceSettingsFromEnv({ ...base, SALESFORCE_PRIVATE_KEY: join(dir, 'key.pem'), SALESFORCE_API_VERSION: 'v64.0' });
    assert.deepEqual([fromFile.auth?.flow, fromFile.apiVersion], ['jwt_bearer', 'v64.0']);
    const inline = salesforceSettingsFromEnv({ ...base, SALESFORCE_PRIVATE_KEY: PEM.replace(/\n/g, '\\n') });
    assert.equal(inline.auth?.flow === 'jwt_bearer' && inline.auth.privateKey, PEM);
    const cc = salesforceSettingsFromEnv({ SALESFORCE_CLIENT_ID: 'c', SALESFORCE_CLIENT_SECRET: 's', SALESFORCE_LOGIN_URL: 'https://acme.my.salesforce.com', SALESFORCE_BASE_URL: 'https://acme.my.salesforce.com/' });
    assert.deepEqual([cc.auth?.flow, cc.baseUrl], ['client_credentials', 'https://acme.my.salesforce.com']);

    const fails = (env: NodeJS.ProcessEnv, field: string) => assert.throws(() => salesforceSettingsFromEnv(env), (e: unknown) => e instanceof InputError && e.field === field);
    fails({}, 'SALESFORCE_CLIENT_ID');
    fails({ SALESFORCE_CLIENT_ID: 'c' }, 'SALESFORCE_PRIVATE_KEY');
    fails({ ...base, SALESFORCE_PRIVATE_KEY: join(dir, 'missing.pem') }, 'SALESFORCE_PRIVATE_KEY');
    fails({ SALESFORCE_CLIENT_ID: 'c', SALESFORCE_PRIVATE_KEY: PEM }, 'SALESFORCE_USERNAME');
    fails({ SALESFORCE_CLIENT_ID: 'c', SALESFORCE_CLIENT_SECRET: 's' }, 'SALESFORCE_LOGIN_URL');
    fails({ ...base, SALESFORCE_PRIVATE_KEY: PEM, SALESFORCE_API_VERSION: 'sixty' }, 'SALESFORCE_API_VERSION');
  });

  it('signs a JWT bearer assertion for the login URL that expires in two and a half minutes, inside the three Salesforce allows even with a clock a little fast', () => {
    const at = Date.parse('2026-03-02T10:00:00Z');
    const jwt = salesforceJwtAssertion({ flow: 'jwt_bearer', clientId: 'ck', username: 'u@x', privateKey: PEM }, 'https://test.salesforce.com', at);
    const [h, c] = jwt.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h!, 'base64url').toString()), { alg: 'RS256' });
    assert.deepEqual(JSON.parse(Buffer.from(c!, 'base64url').toString()), { iss: 'ck', sub: 'u@x', aud: 'https://test.salesforce.com', exp: at / 1000 + 150 });
  });

});
