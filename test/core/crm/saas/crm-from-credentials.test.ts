import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromRecord, crmBaseUrlFromRecord } from '../../../../nodes/core/crm/saas/crm-from-credentials';
import { formatPem } from '../../../../nodes/core/crm/saas/crm-record-settings';
import { pipedriveSettingsFromEnv } from '../../../../nodes/core/crm/saas/pipedrive-settings';
import { zohoSettingsFromEnv } from '../../../../nodes/core/crm/saas/zoho-settings';
import { CRM_NAMES } from '../../../../nodes/core/crm/crm-names';
import { LocalSqlCrm } from '../../../../nodes/core/crm/local-sql-crm';
import { InputError } from '../../../../nodes/core/errors';
import { openCrm } from '../../../../nodes/core/steps/steps';
import { closeAllDatabases } from '../../../../nodes/core/store/open-database';
import { tempDir } from '../../../support/temp-store';
import type { HttpRequest, HttpTransport } from '../../../../nodes/core/http/http-transport';
import { useNock } from './hubspot-kit';
import { HubSpotMock } from './mocks/hubspot-mock';
import { SalesforceMock, type Nock } from './mocks/salesforce-mock';

useNock();
let nock: Nock;
before(async () => {
  nock = (await import('nock')).default;
});

/** A transport that signs with the credential itself, answers every request with `body` and remembers what was asked, as an engine's would. */
function engineTransport(body: unknown): HttpTransport & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  return { seen, authenticates: true, request: async (req) => (seen.push(req), { status: 200, headers: { 'content-type': 'application/json' }, body }) };
}

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('CRM adapter from a credential record', () => {
  it('HubSpot: builds the axios transport with the private app token when the face gives none', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT });
    mock.seed('contacts', { terminal_crm_id: 'cus_1', email: 'ana@example.com' });
    const adapter = crmAdapterFromRecord('hubspot', { accessToken: PAT, baseUrl: '' });
    assert.equal(adapter.name, 'hubspot');
    assert.equal((await adapter.changedCustomers(null, 5)).customers[0]!.externalId, 'cus_1');
    // The account's details (its time zone, before the first call) go with the same token as the search.
    assert.deepEqual(mock.calls.map((c) => [c.method, c.path, c.authorization]), [['GET', '/account-info/v3/details', `Bearer ${PAT}`], ['POST', '/crm/v3/objects/contacts/search', `Bearer ${PAT}`]]);
  });

  it('HubSpot: with the engine’s transport (n8n’s OAuth2 credential) no token is needed, and the advanced settings apply', async () => {
    const http = engineTransport({ results: [{ id: '51', properties: { shop_customer_id: 'cus_9', email: 'x@example.com', lastmodifieddate: '2025-03-01T12:00:00.000Z' } }] });
    const adapter = crmAdapterFromRecord('hubspot', { clientId: '', oauthTokenData: { access_token: 'n8n-keeps-it' }, settings: '{"contactIdProperty": "shop_customer_id"}' }, http);
    const page = await adapter.changedCustomers(null, 5);
    assert.equal(page.customers[0]!.externalId, 'cus_9');
    assert.deepEqual(http.seen.map((r) => [r.method, r.url]), [['GET', '/account-info/v3/details'], ['POST', '/crm/v3/objects/contacts/search']]);
    assert.ok(http.seen.every((r) => r.headers?.authorization === undefined), 'the engine signs, not the adapter');
    // An OAuth app gets HubSpot's public-app limit; a private app token through the engine keeps 190.
    assert.equal(adapter.limits.requestsPerWindow, 110);
    assert.equal(crmAdapterFromRecord('hubspot', { accessToken: PAT }, http).limits.requestsPerWindow, 190);
    assert.equal(crmBaseUrlFromRecord('hubspot', { baseUrl: 'https://api-eu1.hubapi.com' }), 'https://api-eu1.hubapi.com');
  });

  it('HubSpot: the account\'s time zone is asked once per account, not by every adapter n8n builds per execution', async () => {
    const zone = { timeZone: 'America/Los_Angeles', utcOffsetMilliseconds: -28_800_000 };
    const http = engineTransport({ ...zone, results: [] });
    const record = { clientId: 'app-1', clientSecret: 'app-secret', oauthTokenData: { access_token: 'hourly-1', refresh_token: 'install-of-portal-1' } };
    for (const accessToken of ['hourly-1', 'hourly-2']) {
      // A new adapter per execution, as n8n builds them; the access token n8n refreshed in between changes nothing.
      const adapter = crmAdapterFromRecord('hubspot', { ...record, oauthTokenData: { ...record.oauthTokenData, access_token: accessToken } }, http);
      await adapter.changedCustomers(null, 5);
    }
    assert.deepEqual(http.seen.map((r) => r.url), ['/account-info/v3/details', '/crm/v3/objects/contacts/search', '/crm/v3/objects/contacts/search']);
    // Another account (another install of the same app) is asked for its own.
    await crmAdapterFromRecord('hubspot', { ...record, oauthTokenData: { access_token: 'x', refresh_token: 'install-of-portal-2' } }, http).changedCustomers(null, 5);
    assert.deepEqual(http.seen.slice(3).map((r) => r.url), ['/account-info/v3/details', '/crm/v3/objects/contacts/search']);
  });

  it('Zoho: the org\'s time zone is asked once per account, not by every adapter n8n builds per execution', async () => {
    const seen: HttpRequest[] = [];
    const deal = { code: 'SUCCESS', duplicate_field: null, action: 'insert', details: { id: '5725767000000100001' }, message: 'record added', status: 'success' };
    const http: HttpTransport = {
      request: async (req) => (seen.push(req), { status: 200, headers: {}, body: req.url.endsWith('/org') ? { org: [{ id: '1', time_zone: 'America/Los_Angeles' }] } : { data: [deal] } }),
    };
    const record = { dataCenter: 'us', clientId: '1000.APP', clientSecret: 's', oauthTokenData: { access_token: 'hourly-1', refresh_token: '1000.org-1', api_domain: 'https://www.zohoapis.com' } };
    const sale = { externalId: 'stripe:pi_1', customerExternalId: 'cus_1', customerCrmId: '5725767000000000001', source: 'stripe', paymentId: 'pi_1', amount: { minor: 100, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded' as const, occurredAt: '2026-03-02T01:30:00Z' };
    for (const accessToken of ['hourly-1', 'hourly-2']) {
      const adapter = crmAdapterFromRecord('zoho', { ...record, oauthTokenData: { ...record.oauthTokenData, access_token: accessToken } }, http);
      assert.equal((await adapter.upsertPayments([sale]))[0]!.status, 'synced');
    }
    assert.deepEqual(seen.map((r) => r.url), ['/crm/v8/org', '/crm/v8/Deals/upsert', '/crm/v8/Deals/upsert']);
    // Both executions file the sale under the org's day.
    const days = seen.filter((r) => r.url.endsWith('/upsert')).map((r) => (r.body as { data: { Closing_Date: string }[] }).data[0]!.Closing_Date);
    assert.deepEqual(days, ['2026-03-01', '2026-03-01']);
    // Another org (another refresh token) is asked for its own.
    await crmAdapterFromRecord('zoho', { ...record, oauthTokenData: { access_token: 'x', refresh_token: '1000.org-2' } }, http).upsertPayments([sale]);
    assert.deepEqual(seen.slice(3).map((r) => r.url), ['/crm/v8/org', '/crm/v8/Deals/upsert']);
  });

  it('Salesforce: the JWT bearer flow from the record, the token fetched and cached by the core', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mock = new SalesforceMock({ publicKey }).install(nock);
    mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_3', LastName: 'Diaz' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const adapter = crmAdapterFromRecord('salesforce', { clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: pem.replace(/\n/g, '\\n') });
    await adapter.changedCustomers(null, 5);
    await adapter.changedCustomers(null, 5);
    assert.equal(mock.tokenRequests, 1, 'one token for both calls');
  });

  it('Zoho: the data centre picks the API domain, unless n8n’s token data names one', () => {
    const base = { clientId: '1000.X', clientSecret: 's', refreshToken: 'r' };
    assert.equal(crmBaseUrlFromRecord('zoho', { ...base, dataCenter: 'EU' }), 'https://www.zohoapis.eu');
    assert.equal(crmBaseUrlFromRecord('zoho', { clientId: '1000.X', clientSecret: 's', oauthTokenData: { refresh_token: 'r', api_domain: 'https://www.zohoapis.in' } }), 'https://www.zohoapis.in');
  });

  it('Dynamics and Pipedrive: the engine’s transport reaches the environment URL and the API with the record’s settings', async () => {
    const http = engineTransport({ value: [], success: true, data: [], additional_data: { next_cursor: null } });
    await crmAdapterFromRecord('dynamics', { orgUrl: 'https://contoso.crm4.dynamics.com' }, http).changedCustomers(null, 5);
    assert.match(http.seen[0]!.url, /^https:\/\/contoso\.crm4\.dynamics\.com\/api\/data\/v9\.2\/contacts\?/);
    await crmAdapterFromRecord('pipedrive', { apiToken: 't', customerIdField: 'a'.repeat(40), paymentKeyField: 'b'.repeat(40) }, http).changedCustomers(null, 5);
    assert.equal(http.seen[1]!.url, '/api/v2/persons');
    assert.equal(http.seen[1]!.qs?.custom_fields, 'a'.repeat(40));
  });

  it('names the account field to fill in, not the adapter’s setting path', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof InputError, String(e));
        return e.field;
      }
      assert.fail('no error');
    };
    assert.equal(field(() => crmAdapterFromRecord('hubspot', {})), 'accessToken');
    assert.equal(field(() => crmAdapterFromRecord('salesforce', { clientId: 'k', authFlow: 'jwt_bearer', username: 'u' })), 'privateKey');
    assert.equal(field(() => crmAdapterFromRecord('salesforce', { clientId: 'k', authFlow: 'client_credentials', clientSecret: 's' })), 'loginUrl');
    assert.equal(field(() => crmAdapterFromRecord('dynamics', { orgUrl: 'http://contoso.crm.dynamics.com', tenantId: 't', clientId: 'c', clientSecret: 's' })), 'orgUrl');
    assert.equal(field(() => crmAdapterFromRecord('pipedrive', { apiToken: 't', customerIdField: 'not-a-key', paymentKeyField: 'b'.repeat(40) })), 'customerIdField');
    assert.equal(field(() => crmAdapterFromRecord('zoho', { clientId: 'c', clientSecret: 's' })), 'refreshToken');
    assert.equal(field(() => crmAdapterFromRecord('zoho', { clientId: 'c', clientSecret: 's', refreshToken: 'r', dataCenter: 'mars' })), 'dataCenter');
    assert.equal(field(() => crmAdapterFromRecord('zoho', { clientId: 'c', clientSecret: 's', refreshToken: 'r', settings: '{"timeZone": "IST"}' })), 'settings.timeZone');
    // The account's own Time Zone field, by its label where the face gives one (it wins over the advanced settings).
    const zone = { clientId: 'c', clientSecret: 's', refreshToken: 'r', timeZone: 'IST', settings: '{"timeZone": "Asia/Kolkata"}' };
    assert.equal(field(() => crmAdapterFromRecord('zoho', zone)), 'timeZone');
    assert.equal(field(() => crmAdapterFromRecord('zoho', zone, undefined, { timeZone: 'Time Zone' })), 'Time Zone');
    assert.equal(field(() => crmBaseUrlFromRecord('zoho', zone, { timeZone: 'Time Zone' })), 'Time Zone');
    assert.equal(field(() => crmAdapterFromRecord('hubspot', { accessToken: PAT, settings: '{"contactIdProperty": "Shop Id"}' })), 'settings.contactIdProperty');
    assert.equal(field(() => crmAdapterFromRecord('hubspot', { accessToken: PAT, settings: '{oops' })), 'settings');
    assert.equal(field(() => crmAdapterFromRecord('sugarcrm', {})), 'crm');
  });

  it('rebuilds a PEM key whose line breaks a form or a variable lost', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.equal(formatPem(pem.replace(/\n/g, '')), pem);
    assert.equal(formatPem(pem.replace(/\n/g, '\\n')), pem);
    assert.equal(formatPem(pem.replace(/\n/g, ' ')), pem);
  });
});

describe('CRM choice in the steps', () => {
  const dir = tempDir('tcrm-crm-choice-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('knows the store and the five SaaS CRMs', () => {
    assert.deepEqual([...CRM_NAMES], ['local', 'hubspot', 'salesforce', 'dynamics', 'pipedrive', 'zoho']);
  });

  it('a step writes to the store; a SaaS CRM is refused with the way it is reached instead', async () => {
    assert.ok((await openCrm({ crm: 'local', storeUrl: `sqlite:${dir.path}/store.db` })) instanceof LocalSqlCrm);
    for (const crm of ['hubspot', ' Zoho ']) {
      await assert.rejects(openCrm({ crm, storeUrl: `sqlite:${dir.path}/store.db` }), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.field, 'crm');
        assert.match(e.message, /is not written by this step: payments reach a SaaS CRM through the store's outbox \(CRM Sync\)/);
        return true;
      });
    }
    await assert.rejects(openCrm({ crm: 'sugarcrm' }), /^InputError: crm: "sugarcrm" is not a CRM this version can write to\. Fix: choose one of: local$/);
  });
});

describe("a CRM account's refusal reads right in every face", () => {
  const fixOf = (f: () => unknown): InputError => {
    try {
      f();
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    assert.fail('not refused');
  };

  it('an editor field is named by the field, and its fix names no environment variable the editor does not have', () => {
    const pipedrive = fixOf(() => crmAdapterFromRecord('pipedrive', { apiToken: 'pd-token' }));
    assert.equal(pipedrive.field, 'customerIdField');
    assert.doesNotMatch(pipedrive.fix, /PIPEDRIVE_/);
    const zoho = fixOf(() => crmAdapterFromRecord('zoho', { dataCenter: 'mars', clientId: '1000.X', clientSecret: 's', refreshToken: 'r' }));
    assert.equal(zoho.field, 'dataCenter');
    assert.doesNotMatch(zoho.fix, /ZOHO_/);
  });

  it('the worker and the command line name the variable itself', () => {
    assert.equal(fixOf(() => pipedriveSettingsFromEnv({ PIPEDRIVE_API_TOKEN: 'pd-token' })).field, 'PIPEDRIVE_CUSTOMER_ID_FIELD');
    assert.equal(fixOf(() => zohoSettingsFromEnv({ ZOHO_CLIENT_ID: '1000.X', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_DATA_CENTER: 'mars' })).field, 'ZOHO_DATA_CENTER');
  });
});
