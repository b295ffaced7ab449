import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { InputError } from '../../../../nodes/core/errors';
import type { CrmCustomer, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError, CrmConfigError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import { buildBatchBody } from '../../../../nodes/core/crm/saas/dynamics-batch';
import {
  createDynamicsAdapter,
  dynamicsAxiosTransport,
  dynamicsSettingsFromEnv,
  parseDynamicsSettings,
  type DynamicsSettingsInput,
} from '../../../../nodes/core/crm/saas/dynamics';
import { DynamicsMock, type DynamicsMockOptions, type Nock } from './mocks/dynamics-mock';
import type { HttpRequest, HttpTransport } from '../../../../nodes/core/http/http-transport';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import { PROXY_HTML, recorded, reshaped, to } from './reshaped-transport';

const ORG = 'https://contoso.crm.dynamics.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUTH = { tenantId: TENANT, clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'secret-value' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
  card: { brand: 'visa', last4: '4242', entryMode: 'contactless' },
  terminal: { readerId: 'tmr_1' },
  ...over,
});

describe('Dynamics 365 adapter against the contract mock', () => {
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

  function setup(mockOptions: DynamicsMockOptions = {}, settings: Partial<DynamicsSettingsInput> = {}, wrap?: (http: HttpTransport) => HttpTransport) {
    const mock = new DynamicsMock({ now, ...mockOptions }).install(nock);
    const s = parseDynamicsSettings({ url: ORG, auth: AUTH, timeoutMs: 400, ...settings });
    const http = dynamicsAxiosTransport(s, { now });
    return { mock, http, crm: createDynamicsAdapter({ http: wrap ? wrap(http) : http, settings: s }) };
  }

  const rawBatch = (http: ReturnType<typeof setup>['http'], count: number, prefer?: string) => {
    const ops = Array.from({ length: count }, (_, i) => ({
      method: 'PATCH' as const,
      url: `${ORG}/api/data/v9.2/contacts(terminalcrm_externalid='raw_${i}')`,
      body: { lastname: i === 0 ? 'X'.repeat(51) : 'Raw' },
    }));
    return http.request({
      method: 'POST',
      url: `${ORG}/api/data/v9.2/$batch`,
      headers: { 'content-type': 'multipart/mixed; boundary="batch_raw"', ...(prefer ? { prefer } : {}) },
      body: buildBatchBody('batch_raw', ops),
    });
  };

  describe('customers', () => {
    it('upserts a batch by alternate key: each contact exists once with the mapped columns and its GUID comes back', async () => {
      const { mock, crm } = setup();
      const results = await crm.upsertCustomers([customer(1), customer(2, { street: '1 Main St', dateOfBirth: '1990-04-01' }), customer(3)]);
      assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'synced']);
      const [one] = mock.byKey('contact', 'cus_1');
      assert.equal(mock.byKey('contact', 'cus_1').length, 1);
      assert.equal(results[0]!.status === 'synced' && results[0]!.crmId, one!.contactid);
      assert.match(String(one!.contactid), GUID);
      assert.deepEqual([one!.firstname, one!.lastname, one!.emailaddress1, one!.mobilephone, one!.address1_country], ['Ana1', 'Diaz', 'ana1@example.com', '+14155550100', 'US']);
      assert.deepEqual([mock.byKey('contact', 'cus_2')[0]!.address1_line1, mock.byKey('contact', 'cus_2')[0]!.birthdate], ['1 Main St', '1990-04-01']);
      const [batch] = mock.batches();
      assert.deepEqual([batch!.operations, batch!.changesets, batch!.continueOnError], [3, 0, true]);
    });

    it('re-sending the same batch changes nothing: same GUIDs, one row each, same values, one token', async () => {
      const { mock, crm } = setup();
      const batch = [customer(1), customer(2)];
      const first = await crm.upsertCustomers(batch);
      const values = mock.rows('contact').map(({ modifiedon: _m, '@version': _v, ...r }) => r);
      const second = await crm.upsertCustomers(batch);
      assert.deepEqual(second, first);
      assert.equal(mock.rows('contact').length, 2);
      assert.deepEqual(mock.rows('contact').map(({ modifiedon: _m, '@version': _v, ...r }) => r), values);
      assert.deepEqual([mock.batches().length, mock.tokenRequests], [2, 1]);
    });

    it('splits by batchSize and never exceeds 1000 per $batch; the mock refuses 1001 as Dataverse does', { timeout: 20_000 }, async () => {
      const { mock, crm, http } = setup({}, { batchSize: 1000 });
      const results = await crm.upsertCustomers(Array.from({ length: 1200 }, (_, i) => customer(i)));
      assert.equal(results.filter((r) => r.status === 'synced').length, 1200);
      assert.deepEqual(mock.batches().map((b) => b.operations), [1000, 200]);
      assert.equal(crm.limits.batchSize, 1000);
      const raw = await rawBatch(http, 1001, 'odata.continue-on-error');
      assert.equal(raw.status, 400);
      assert.match(JSON.stringify(raw.body), /maximum number of '1000'/);
      assert.equal(mock.byKey('contact', 'raw_1').length, 0);
    });

    it('sends batches of 100 by default', async () => {
      const { mock, crm } = setup();
      await crm.upsertCustomers(Array.from({ length: 250 }, (_, i) => customer(i)));
      assert.deepEqual(mock.batches().map((b) => b.operations), [100, 100, 50]);
      assert.equal(mock.rows('contact').length, 250);
    });

    it('a record Dataverse refuses is rejected with its code and message; the rest of the batch is written', async () => {
      const { mock, crm } = setup();
      await crm.upsertCustomers([customer(1), customer(2), customer(3)]);
      // A column of the operator's own, whose length the pack does not know, goes as it is, and Dataverse judges it.
      const results = await crm.updateFields(['cus_1', 'cus_2', 'cus_3'].map((id, i) => ({ customerExternalId: id, fields: { loyalty_tier: i === 0 ? 'G'.repeat(101) : 'gold' } })));
      assert.deepEqual(results[0], {
        externalId: 'cus_1',
        status: 'rejected',
        reason: "0x80044331: A validation error occurred.  The length of the 'terminalcrm_loyalty_tier' attribute of the 'contact' entity exceeded the maximum allowed length of '100'.",
        field: 'terminalcrm_loyalty_tier',
      });
      assert.deepEqual(results.slice(1).map((r) => r.status), ['synced', 'synced']);
      assert.deepEqual(mock.rows('contact').filter((r) => r.terminalcrm_loyalty_tier === 'gold').map((r) => r.terminalcrm_externalid).sort(), ['cus_2', 'cus_3']);
    });

    it('the mock refuses batch parts the reference would: no application/http part header, or a body not declared application/json', async () => {
      const { mock, http } = setup();
      const send = (body: string) =>
        http.request({ method: 'POST', url: `${ORG}/api/data/v9.2/$batch`, headers: { 'content-type': 'multipart/mixed; boundary="batch_raw"', prefer: 'odata.continue-on-error' }, body });
      const op = `PATCH ${ORG}/api/data/v9.2/contacts(terminalcrm_externalid='raw_1') HTTP/1.1`;
      const noPartType = await send(`--batch_raw\r\n\r\n${op}\r\nContent-Type: application/json\r\n\r\n{"lastname":"Raw"}\r\n--batch_raw--\r\n`);
      assert.equal(noPartType.status, 400);
      const noJson = await send(`--batch_raw\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${op}\r\n\r\n{"lastname":"Raw"}\r\n--batch_raw--\r\n`);
      assert.match(String(noJson.body), /HTTP\/1\.1 415/);
      assert.equal(mock.rows('contact').length, 0);
      // What the adapter writes is taken.
      const ok = await rawBatch(http, 2, 'odata.continue-on-error');
      assert.equal((String(ok.body).match(/HTTP\/1\.1 20\d/g) ?? []).length, 1);
    });

    it('without continue-on-error Dataverse stops at the first failure (which is why the adapter asks for it)', async () => {
      const { mock, http } = setup();
      const res = await rawBatch(http, 3);
      assert.equal(res.status, 400);
      assert.equal((String(res.body).match(/HTTP\/1\.1 /g) ?? []).length, 1);
      assert.equal(mock.rows('contact').length, 0);
    });

    it('a column the table does not have is a setup error, not three rejected records', async () => {
      const { mock, crm } = setup({}, { contact: { fields: { phone: 'mobilephone2' } } });
      await assert.rejects(crm.upsertCustomers([customer(1), customer(2)]), (e: unknown) => e instanceof CrmConfigError && /Invalid property 'mobilephone2' was found in entity.*Dynamics settings/.test(e.message));
      assert.equal(mock.rows('contact').length, 0);
    });

    it("a privilege the application user's role lacks is a setup error naming it, not a batch of rejected records", async () => {
      const { mock, crm } = setup({ missingPrivileges: ['prvCreatecontact'] });
      await assert.rejects(crm.upsertCustomers([customer(1), customer(2)]), (e: unknown) => e instanceof CrmConfigError && /0x80040220: Principal user .* is missing prvCreatecontact privilege.*security role/.test(e.message));
      assert.equal(mock.rows('contact').length, 0);
    });

    it('a column that is not an alternate key of the table is a setup error too', async () => {
      const { mock, crm } = setup({}, { contact: { alternateKey: 'emailaddress1' } });
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmConfigError && /The key in the request URI is not valid for resource.*Dynamics settings/.test(e.message));
      assert.equal(mock.rows('contact').length, 0);
    });
  });

  describe('lengths', () => {
    const familyName = 'Featherstonehaugh-Cholmondeley-Abercrombie-Worthing'.padEnd(60, 'x'); // 60 characters
    const email = `${'a'.repeat(108)}@example.com`; // 120 characters

    it('writes a customer whose last name and email are longer than the contact takes: name cut to 50, email left out', async () => {
      const { mock, crm } = setup();
      const results = await crm.upsertCustomers([customer(1, { familyName, email })]);
      assert.equal(results[0]!.status, 'synced', JSON.stringify(results[0]));
      const [one] = mock.byKey('contact', 'cus_1');
      assert.deepEqual([one!.firstname, one!.lastname, one!.emailaddress1, one!.mobilephone], ['Ana1', familyName.slice(0, 50), undefined, '+14155550100']);
      const notes = crm.notes!();
      assert.equal(notes.length, 2);
      assert.match(notes[0]!, /^cus_1: lastname cut to 50 characters/);
      assert.match(notes[1]!, /^cus_1: emailaddress1 left out: 120 characters, over the 100 Dynamics takes/);
      assert.deepEqual(results[0]!.status === 'synced' && results[0]!.notes, notes, 'the written record says so too, for CRM Upsert');
    });

    // Street 2 and 3 (MaxLength 250) and Home Phone (50), as an operator maps the street or the phone there.
    for (const [street, phone] of [['address1_line2', 'telephone2'], ['address1_line3', 'telephone1']] as const) {
      it(`fits a street mapped to ${street} to its 250 and leaves out a phone over the 50 ${phone} takes`, async () => {
        const { mock, crm } = setup({}, { contact: { fields: { street, phone } } });
        const long = `${'Calle de Nuestra Señora de la Asunción, '.repeat(8)}12`; // 322 characters
        const results = await crm.upsertCustomers([customer(1, { street: long, phone: `+1${'4'.repeat(55)}` }), customer(2, { street: 'Main St 1' })]);
        assert.deepEqual(results.map((r) => r.status), ['synced', 'synced'], JSON.stringify(results));
        const [one] = mock.byKey('contact', 'cus_1');
        assert.deepEqual([one![street], one![phone], one!.lastname], [long.slice(0, 250).trimEnd(), undefined, 'Diaz']);
        assert.equal(mock.byKey('contact', 'cus_2')[0]![street], 'Main St 1');
        assert.deepEqual(results[0]!.status === 'synced' && results[0]!.notes, [
          `cus_1: ${phone} left out: 57 characters, over the 50 Dynamics takes, and cutting it would make it wrong; correct it in Dynamics by hand`,
          `cus_1: ${street} cut to 250 characters, the most Dynamics takes (the pack keeps it whole)`,
        ]);
        assert.equal(results[1]!.status === 'synced' && results[1]!.notes, undefined, 'nothing to say of cus_2');
      });
    }
  });

  describe('payments', () => {
    it('binds the payment to its contact by alternate key, and a refund updates the same row', async () => {
      const { mock, crm } = setup();
      await crm.upsertCustomers([customer(1)]);
      const contact = mock.byKey('contact', 'cus_1')[0]!;
      const [paid] = await crm.upsertPayments([payment()]);
      assert.equal(paid!.status, 'synced');
      // Dataverse cannot upsert by a key value holding a colon (the mock refuses one): the key goes as stripe~3Api_1.
      let rows = mock.byKey('terminalcrm_payment', 'stripe~3Api_1');
      assert.equal(rows.length, 1);
      assert.equal(paid!.status === 'synced' && paid!.crmId, rows[0]!.terminalcrm_paymentid);
      assert.deepEqual(
        [rows[0]!._terminalcrm_contact_value, rows[0]!.terminalcrm_name, rows[0]!.terminalcrm_amountminor, rows[0]!.terminalcrm_refundedminor, rows[0]!.terminalcrm_currency, rows[0]!.terminalcrm_cardlast4, rows[0]!.terminalcrm_processorpaymentid],
        [contact.contactid, 'stripe:pi_1', 4599, 0, 'USD', '4242', 'pi_1'],
      );
      const [refund] = await crm.upsertPayments([payment({ refunded: { minor: 4599, currency: 'USD' }, status: 'refunded' })]);
      assert.deepEqual(refund, paid);
      rows = mock.byKey('terminalcrm_payment', 'stripe~3Api_1');
      assert.deepEqual([rows.length, rows[0]!.terminalcrm_refundedminor, rows[0]!.terminalcrm_status], [1, 4599, 'refunded']);
    });

    it('binds by GUID when the link table knows it, and retries a payment whose contact is not there yet', async () => {
      const { mock, crm } = setup();
      const known = mock.seed('contact', { terminalcrm_externalid: 'cus_1', lastname: 'Diaz' });
      const results = await crm.upsertPayments([
        payment({ customerExternalId: 'cus_other', customerCrmId: String(known.contactid) }),
        payment({ externalId: 'stripe:pi_2', paymentId: 'pi_2', customerExternalId: 'cus_404' }),
      ]);
      assert.equal(results[0]!.status, 'synced');
      assert.equal(mock.byKey('terminalcrm_payment', 'stripe~3Api_1')[0]!._terminalcrm_contact_value, known.contactid);
      assert.equal(results[1]!.status, 'retry');
      assert.ok(results[1]!.status === 'retry' && results[1]!.error instanceof CrmTransientError);
      assert.match(results[1]!.status === 'retry' ? results[1]!.error.message : '', /cus_404 is not in Dynamics yet.*0x80060891: A record with the specified key values does not exist in contact entity/);
      assert.equal(mock.byKey('terminalcrm_payment', 'stripe~3Api_2').length, 0);
    });
  });

  it('a wrong navigation property or entity set is a setup error too', async () => {
    const { crm } = setup({}, { payment: { contactNavigation: 'terminalcrm_contact' } });
    await assert.rejects(crm.upsertPayments([payment()]), (e: unknown) => e instanceof CrmConfigError && /undeclared property 'terminalcrm_contact'/.test(e.message));
    nock.cleanAll();
    const other = setup({}, { payment: { entitySet: 'terminalcrm_payment' } });
    await assert.rejects(other.crm.upsertPayments([payment()]), (e: unknown) => e instanceof CrmConfigError && /Resource not found for the segment 'terminalcrm_payment'/.test(e.message));
  });

  describe('field updates', () => {
    it('writes pack fields to prefixed (or mapped) columns and never creates a contact', async () => {
      const { mock, crm } = setup({}, { customFields: { loyalty_points: 'terminalcrm_loyalty_points' } });
      await crm.upsertCustomers([customer(1)]);
      const results = await crm.updateFields([
        { customerExternalId: 'cus_1', fields: { terminal_crm_segment: 'Champions', terminal_crm_high_value: true, loyalty_tier: 'Gold', loyalty_points: 120 } },
        { customerExternalId: 'cus_2', fields: { loyalty_tier: 'Silver' } },
        { customerExternalId: 'cus_1', fields: { 'Tier Name': 'x' } },
      ]);
      assert.equal(results[0]!.status, 'synced');
      const row = mock.byKey('contact', 'cus_1')[0]!;
      assert.deepEqual([row.terminalcrm_segment, row.terminalcrm_high_value, row.terminalcrm_loyalty_tier, row.terminalcrm_loyalty_points], ['Champions', true, 'Gold', 120]);
      assert.equal(results[1]!.status, 'retry');
      assert.equal(mock.byKey('contact', 'cus_2').length, 0);
      assert.deepEqual(results[2]!.status === 'rejected' && [results[2]!.field, /customFields/.test(results[2]!.reason)], ['Tier Name', true]);
    });
  });

  describe('limits, auth and faults', () => {
    it('429 from the request limit is a rate limit with the Retry-After and policy wait', async () => {
      const { crm } = setup({ requestsPerWindow: 1 });
      await crm.upsertCustomers([customer(1)]);
      clock += 60_000;
      await assert.rejects(crm.upsertCustomers([customer(2)]), (e: unknown) => {
        assert.ok(e instanceof CrmRateLimitError);
        assert.deepEqual([e.policy, e.limitName, e.retryAfterMs], ['wait', 'NumberOfRequests', 240_000]);
        assert.match(e.message, /Number of requests exceeded the limit of 1 over time window of 300 seconds/);
        return true;
      });
    });

    it('429 from the concurrency limit is a short wait', async () => {
      const { crm, mock } = setup();
      mock.failNext('rate');
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmRateLimitError && e.policy === 'wait' && e.limitName === 'ConcurrentRequests' && e.retryAfterMs === 2000);
      assert.equal(mock.rows('contact').length, 0);
    });

    it('one token for many calls; renewed before it expires; a revoked token is refreshed once', async () => {
      const { mock, crm } = setup();
      for (let i = 1; i <= 3; i++) await crm.upsertCustomers([customer(i)]);
      await Promise.all([crm.upsertCustomers([customer(4)]), crm.changedCustomers(null, 10)]);
      assert.equal(mock.tokenRequests, 1);
      clock += 3599_000 - 30_000;
      await crm.upsertCustomers([customer(5)]);
      assert.equal(mock.tokenRequests, 2, 'a token within a minute of expiry is replaced before the call');
      assert.equal(mock.calls.filter((c) => c.status === 401).length, 0);
      mock.revokeTokens();
      const [r] = await crm.upsertCustomers([customer(6)]);
      assert.equal(r!.status, 'synced');
      assert.equal(mock.tokenRequests, 3);
      assert.deepEqual(mock.batches().slice(-2).map((c) => c.status), [401, 200]);
    });

    it('sends what the references document: the Entra ID client-credentials form, a $batch of alternate-key upserts', async () => {
      new DynamicsMock({ now }).install(nock);
      const s = parseDynamicsSettings({ url: ORG, auth: AUTH, timeoutMs: 400 });
      const tokenRequests: HttpRequest[] = [];
      const dataRequests: HttpRequest[] = [];
      const http = dynamicsAxiosTransport(s, { now, tokenHttp: recorded(axiosTransport({ timeoutMs: 400 }), tokenRequests) });
      const crm = createDynamicsAdapter({ http: recorded(http, dataRequests), settings: s });
      assert.equal((await crm.upsertCustomers([customer(1)]))[0]!.status, 'synced');

      // Entra ID v2.0 client credentials: POST {authority}/{tenant}/oauth2/v2.0/token, scope {org}/.default.
      const [token] = tokenRequests;
      assert.equal(token!.url, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
      assert.equal(token!.headers!['content-type'], 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(String(token!.body));
      assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', client_id: AUTH.clientId, client_secret: AUTH.clientSecret, scope: `${ORG}/.default` });

      // "Execute batch operations using the Web API": POST $batch, multipart/mixed with its boundary, OData 4.0 headers,
      // continue-on-error; the part an application/http PATCH by alternate key, its body declared JSON.
      const [batch] = dataRequests;
      assert.equal(batch!.method, 'POST');
      assert.equal(batch!.url, `${ORG}/api/data/v9.2/$batch`);
      const h = batch!.headers!;
      const boundary = /^multipart\/mixed; boundary="(batch_[0-9a-f-]{36})"$/.exec(h['content-type']!)?.[1];
      assert.ok(boundary, h['content-type']);
      assert.deepEqual([h['odata-version'], h['odata-maxversion'], h.accept, h.prefer], ['4.0', '4.0', 'application/json', 'odata.continue-on-error']);
      const lines = String(batch!.body).split('\r\n');
      assert.deepEqual(lines.slice(0, 7), [
        `--${boundary}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `PATCH ${ORG}/api/data/v9.2/contacts(terminalcrm_externalid='cus_1')?$select=contactid HTTP/1.1`,
        'Content-Type: application/json; type=entry',
        'prefer: return=representation',
      ]);
      assert.equal(lines[7], '');
      assert.deepEqual(Object.keys(JSON.parse(lines[8]!) as object).includes('terminalcrm_externalid'), false, 'the key goes in the URL only');
      assert.equal(lines.at(-2), `--${boundary}--`);
    });

    it('a refused token request is an auth error with the AADSTS reason and the fix', async () => {
      const { crm } = setup({ clientSecret: 'rotated' });
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /AADSTS7000215: Invalid client secret provided.*the secret's Value/s.test(e.message));
    });

    it('a 5xx is transient; an answer lost to the timeout is transient and the retry writes nothing twice', async () => {
      const { mock, crm } = setup({ faults: { seed: 1, timeoutDelayMs: 1000 } });
      mock.failNext('server');
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /503/.test(e.message));
      assert.equal(mock.rows('contact').length, 0);
      mock.failNext('timeout');
      await assert.rejects(crm.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /no answer/.test(e.message));
      const written = mock.byKey('contact', 'cus_1');
      assert.equal(written.length, 1);
      const [again] = await crm.upsertCustomers([customer(1)]);
      assert.deepEqual(again, { externalId: 'cus_1', status: 'synced', crmId: written[0]!.contactid });
      assert.equal(mock.byKey('contact', 'cus_1').length, 1);
    });

    it('the fault injector is seeded: the same seed fails the same calls', { timeout: 20_000 }, async () => {
      const run = async () => {
        const { mock, crm } = setup({ faults: { seed: 9, rate: 0.2, server: 0.2, timeout: 0.1, timeoutDelayMs: 600 } });
        const outcome: string[] = [];
        for (let i = 1; i <= 12; i++) outcome.push(await crm.upsertCustomers([customer(i)]).then(() => 'ok', (e: Error) => e.name));
        nock.cleanAll();
        return { outcome, faults: mock.calls.map((c) => c.fault ?? '-') };
      };
      const a = await run();
      assert.deepEqual(await run(), a);
      assert.ok(a.outcome.includes('ok') && a.outcome.some((o) => o !== 'ok'), a.outcome.join());
    });
  });

  describe('changed customers', () => {
    it('pages with odata.maxpagesize and @odata.nextLink, oldest change first, and resumes from a date-time', async () => {
      const { mock, crm } = setup();
      for (let i = 1; i <= 5; i++) mock.seed('contact', { terminalcrm_externalid: `cus_${i}`, firstname: `N${i}`, lastname: 'Diaz', emailaddress1: `n${i}@example.com` });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      for (let more = true; more; ) {
        const page = await crm.changedCustomers(cursor, 2);
        seen.push(...page.customers.map((c) => c.externalId!));
        cursor = page.next;
        more = page.more;
        pages++;
      }
      assert.deepEqual([...seen].sort(), ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5']);
      assert.equal(pages, 3);
      const first = (await crm.changedCustomers(null, 1)).customers[0]!;
      assert.deepEqual(first.profile, { givenName: first.profile.givenName, familyName: 'Diaz', email: first.profile.email });
      assert.match(first.crmId, GUID);
      assert.equal(first.updatedAt, '2026-03-02T10:00:00.000Z');

      clock += 60_000;
      const edited = mock.byKey('contact', 'cus_3')[0]!;
      mock.edit('contact', String(edited.contactid), { emailaddress1: 'new@example.com' });
      const later = await crm.changedCustomers('2026-03-02T10:00:30Z', 10);
      assert.deepEqual(later.customers.map((c) => [c.externalId, c.profile.email]), [['cus_3', 'new@example.com']]);
      // Caught up: from 5 minutes (MODIFIEDON_LAG_MS) before Dataverse answered, the newest change read being later.
      assert.deepEqual([later.more, later.next], [false, '2026-03-02T09:56:00.000Z']);
    });

    it('a contact whose change commits after a listing has read past its modifiedon is read by the next listing; nothing new is one request', async () => {
      const { mock, crm } = setup();
      const start = clock;
      mock.seed('contact', { terminalcrm_externalid: 'cus_a', lastname: 'A' });
      clock = start + 30_000;
      mock.seed('contact', { terminalcrm_externalid: 'cus_b', lastname: 'B' });
      clock = start + 32_000;
      // As the refresh loop does: pages of one, keeping `next` while there is one.
      const listing = async (from: string | null, size: number) => {
        const seen: string[] = [];
        let cursor = from;
        for (let more = true, pages = 0; more && pages < 20; pages++) {
          const page = await crm.changedCustomers(cursor, size);
          seen.push(...page.customers.map((c) => c.externalId!));
          cursor = page.next ?? cursor;
          more = page.more;
        }
        return { seen, cursor };
      };
      const first = await listing(null, 1);
      assert.deepEqual(first.seen, ['cus_a', 'cus_b']);
      // Stamped 10 s before A, committed only now.
      clock = start - 10_000;
      mock.seed('contact', { terminalcrm_externalid: 'cus_late', lastname: 'Late' });
      clock = start + 60_000;
      const second = await listing(first.cursor, 1);
      assert.ok(second.seen.includes('cus_late'), `the late contact is read: ${second.seen.join()}`);
      const requests = mock.calls.length;
      const third = await listing(second.cursor, 10);
      assert.deepEqual(third.seen, ['cus_late', 'cus_a', 'cus_b'], 'the lag window again, as one page');
      assert.equal(mock.calls.length, requests + 1);
    });

    it('follows a nextLink with the page size its query was asked with, after the page size changed and across a restart', async () => {
      const { mock, crm } = setup();
      for (let i = 1; i <= 5; i++) mock.seed('contact', { terminalcrm_externalid: `cus_${i}`, lastname: 'Diaz' });
      const first = await crm.changedCustomers(null, 2);
      assert.ok(first.next);
      // Kept in the store, read back by a new adapter (a restart) whose caller now asks for pages of 3.
      const s = parseDynamicsSettings({ url: ORG, auth: AUTH, timeoutMs: 400 });
      const restarted = createDynamicsAdapter({ http: dynamicsAxiosTransport(s, { now }), settings: s });
      const seen = first.customers.map((c) => c.externalId);
      let cursor: string | null = first.next;
      for (let more = true; more; ) {
        const page = await restarted.changedCustomers(cursor, 3);
        seen.push(...page.customers.map((c) => c.externalId));
        cursor = page.next;
        more = page.more;
      }
      assert.deepEqual([...seen].sort(), ['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5'], 'each contact once');
      // Dataverse's "Page results": every request for the following pages uses the odata.maxpagesize of the first.
      const followed = mock.calls.filter((c) => c.method === 'GET' && c.linkPageSize !== undefined);
      assert.deepEqual(followed.map((c) => [c.pageSize, c.linkPageSize]), [[2, 2], [2, 2]]);
      // The new size applies from the next query started.
      await restarted.changedCustomers(null, 3);
      assert.equal(mock.calls.at(-1)!.pageSize, 3);
      // A link kept without its size (by an earlier version) is still followed, with the size asked now.
      await restarted.changedCustomers(first.next.slice(0, first.next.indexOf('#')), 4);
      assert.deepEqual([mock.calls.at(-1)!.pageSize, mock.calls.at(-1)!.status], [4, 200]);
      for (const bad of ['#odata.maxpagesize=0', '#odata.maxpagesize=5001', '#page=2']) {
        await assert.rejects(restarted.changedCustomers(first.next.slice(0, first.next.indexOf('#')) + bad, 3), (e: unknown) => e instanceof InputError && e.field === 'cursor', bad);
      }
    });

    it('refuses a cursor that would send the token elsewhere or is not a date-time', async () => {
      const { crm } = setup();
      await assert.rejects(crm.changedCustomers('https://evil.example.com/api/data/v9.2/contacts?$skiptoken=x', 10), (e: unknown) => e instanceof InputError && e.field === 'cursor');
      await assert.rejects(crm.changedCustomers("2026-01-01 or 1 eq 1", 10), (e: unknown) => e instanceof InputError && e.field === 'cursor');
    });
  });

  describe('answers of a shape Dataverse does not document', () => {
    it('the changed-contacts query answered with HTML, a value that is not a list, a null row or one without modifiedon fails naming the query', async () => {
      const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
        ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
        ['empty', () => undefined, /with an empty body/],
        ['value', (b) => ({ ...b, value: {} }), /value list that is not a list/],
        ['null', (b) => ({ ...b, value: [null] }), /entry of a value list that is not an object/],
        ['no stamp', (b) => ({ ...b, value: (b.value as Record<string, unknown>[]).map((r) => ({ ...r, modifiedon: undefined })) }), /contact row without its contactid or modifiedon/],
        ['no id', (b) => ({ ...b, value: (b.value as Record<string, unknown>[]).map((r) => ({ ...r, contactid: null })) }), /contact row without its contactid/],
      ];
      for (const [name, f, what] of cases) {
        const { mock, crm } = setup({}, {}, (http) => reshaped(http, to('GET', '/api/data/v9.2/contacts'), (res) => ({ body: f(res.body as Record<string, unknown>) })));
        mock.seed('contact', { terminalcrm_externalid: 'cus_1', lastname: 'Diaz' });
        await assert.rejects(
          crm.changedCustomers(null, 10),
          (e: unknown) => e instanceof CrmTransientError && /answered 200 to GET \/api\/data\/v9\.2\/contacts /.test(e.message) && what.test(e.message) && !/\$select/.test(e.message),
          name,
        );
        nock.cleanAll();
      }
    });
  });
});

describe('Dynamics settings', () => {
  it('names the field and the fix', () => {
    const fails = (input: unknown, field: string, text: RegExp) =>
      assert.throws(() => parseDynamicsSettings(input), (e: unknown) => e instanceof InputError && e.field === field && text.test(e.message));
    fails({}, 'dynamics.url', /is not set\. Fix: give the Environment URL/);
    fails({ url: 'https://contoso.crm.dynamics.com/main.aspx' }, 'dynamics.url', /no path/);
    fails({ url: ORG, batchSize: 1001 }, 'dynamics.batchSize', /1000/);
    fails({ url: ORG, contact: { alternateKey: 'Terminal CRM Id' } }, 'dynamics.contact.alternateKey', /logical name/);
    fails({ url: ORG, payment: { contactNavigation: 'terminalcrm Contact' } }, 'dynamics.payment.contactNavigation', /\$metadata/);
    fails({ url: ORG, auth: { ...AUTH, clientSecret: '' } }, 'dynamics.auth.clientSecret', /Certificates & secrets/);
  });

  it('defaults: contacts by terminalcrm_externalid, payments to terminalcrm_payments, batches of 100', () => {
    const s = parseDynamicsSettings({ url: `${ORG}/` });
    assert.deepEqual(
      [s.url, s.apiVersion, s.contact.alternateKey, s.payment.entitySet, s.payment.alternateKey, s.payment.contactNavigation, s.batchSize],
      [ORG, 'v9.2', 'terminalcrm_externalid', 'terminalcrm_payments', 'terminalcrm_paymentkey', 'terminalcrm_Contact', 100],
    );
  });

  it('reads the environment and names the variable that is wrong', () => {
    const env = { DYNAMICS_URL: ORG, DYNAMICS_TENANT_ID: TENANT, DYNAMICS_CLIENT_ID: 'c', DYNAMICS_CLIENT_SECRET: 's' };
    const s = dynamicsSettingsFromEnv(env);
    assert.deepEqual([s.url, s.auth?.tenantId, s.auth?.authorityUrl], [ORG, TENANT, 'https://login.microsoftonline.com']);
    assert.equal(dynamicsSettingsFromEnv({ ...env, DYNAMICS_AUTHORITY_URL: 'https://login.microsoftonline.us' }).auth?.authorityUrl, 'https://login.microsoftonline.us');
    const fails = (e: NodeJS.ProcessEnv, field: string) => assert.throws(() => dynamicsSettingsFromEnv(e), (x: unknown) => x instanceof InputError && x.field === field);
    fails({ ...env, DYNAMICS_URL: '' }, 'DYNAMICS_URL');
    fails({ ...env, DYNAMICS_CLIENT_SECRET: undefined }, 'DYNAMICS_CLIENT_SECRET');
    fails({ ...env, DYNAMICS_URL: 'contoso.crm.dynamics.com' }, 'DYNAMICS_URL');
    fails({ ...env, DYNAMICS_AUTHORITY_URL: 'http://login.microsoftonline.com' }, 'DYNAMICS_AUTHORITY_URL');
  });
});
