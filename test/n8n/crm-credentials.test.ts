import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { CredentialTestContext, ExecuteContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions, INodeCredentialsDetails } from 'n8n-workflow';
import { TerminalDynamicsApi } from '../../credentials/TerminalDynamicsApi.credentials';
import { TerminalHubSpotApi } from '../../credentials/TerminalHubSpotApi.credentials';
import { TerminalHubSpotOAuth2Api } from '../../credentials/TerminalHubSpotOAuth2Api.credentials';
import { TerminalPipedriveApi } from '../../credentials/TerminalPipedriveApi.credentials';
import { TerminalSalesforceApi } from '../../credentials/TerminalSalesforceApi.credentials';
import { TerminalZohoOAuth2Api } from '../../credentials/TerminalZohoOAuth2Api.credentials';
import { crmAdapterFromRecord, crmBaseUrlFromRecord } from '../../nodes/core/crm/saas/crm-from-credentials';
import { parseZohoSettings, ZOHO_DATA_CENTERS } from '../../nodes/core/crm/saas/zoho-settings';
import { zohoAxiosTransport } from '../../nodes/core/crm/saas/zoho-auth';
import { InputError } from '../../nodes/core/errors';
import type { HttpRequest } from '../../nodes/core/http/http-transport';
import { crmAdapterFromNode, crmCredentialOf, crmFieldLabels } from '../../nodes/n8n/shared/crm-credentials';
import { ZohoMock } from '../core/crm/saas/mocks/zoho-mock';
import { nock as pipedriveNock, PipedriveMock } from '../core/crm/saas/mocks/pipedrive-mock';
import { crmAccountTest } from '../../nodes/n8n/shared/crm-account-test';
import { n8nHttpTransport } from '../../nodes/n8n/shared/n8n-http-transport';
import { SalesforceMock, type Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { additionalData } from './support/additional-data';
import { credentialExecuteContext } from './support/credential-execute-context';
import { credentialWithDefaults, runCredentialTest } from './support/credential-request-test';
import { StaticCredentialsHelper } from './support/static-credentials-helper';

let nock: Nock;
before(async () => {
  nock = (await import('nock')).default;
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
after(() => {
  nock.enableNetConnect();
  nock.restore();
});

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('n8n: CRM credentials', () => {
  describe('HubSpot private app', () => {
    it('tests the token against HubSpot with a Bearer header, at the base URL given', async () => {
      const eu = nock('https://api-eu1.hubapi.com', { reqheaders: { authorization: `Bearer ${PAT}` } })
        .get('/account-info/v3/details')
        .reply(200, { portalId: 62515, accountType: 'STANDARD', timeZone: 'Europe/Berlin', companyCurrency: 'EUR', dataHostingLocation: 'eu1' });
      assert.deepEqual(await runCredentialTest(new TerminalHubSpotApi(), { accessToken: PAT, baseUrl: 'https://api-eu1.hubapi.com' }), { status: 'OK', message: 'Connection successful!' });
      assert.ok(eu.isDone());
    });

    it('reports a token HubSpot refuses', async () => {
      nock('https://api.hubapi.com')
        .get('/account-info/v3/details')
        .reply(401, { status: 'error', message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication', category: 'INVALID_AUTHENTICATION', correlationId: '1f0e…' });
      const result = await runCredentialTest(new TerminalHubSpotApi(), { accessToken: 'pat-na1-revoked' });
      assert.equal(result.status, 'Error');
    });
  });

  describe('Pipedrive', () => {
    it('sends the API token in the x-api-token header, never in the query string', async () => {
      const me = nock('https://api.pipedrive.com', { reqheaders: { 'x-api-token': 'a1b2c3d4e5' } })
        .get('/api/v1/users/me')
        .query((q) => !('api_token' in q))
        .reply(200, { success: true, data: { id: 7, name: 'Ana Diaz', company_domain: 'acme' } });
      assert.equal((await runCredentialTest(new TerminalPipedriveApi(), { apiToken: 'a1b2c3d4e5' })).status, 'OK');
      assert.ok(me.isDone());
    });

    it('reports a token Pipedrive refuses', async () => {
      nock('https://api.pipedrive.com').get('/api/v1/users/me').reply(401, { success: false, error: 'unauthorized access', errorCode: 401 });
      assert.equal((await runCredentialTest(new TerminalPipedriveApi(), { apiToken: 'wrong' })).status, 'Error');
    });
  });

  describe('Dynamics 365', () => {
    const creds = { orgUrl: 'https://contoso.crm4.dynamics.com/', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '0a1b2c3d-1111-2222-3333-444455556666', clientSecret: 'Qx~8Q~s3cr3t+/=' };
    const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

    it('asks Entra ID for a client-credentials token for the environment, which checks tenant, client and secret', async () => {
      let sent: Record<string, string> | undefined;
      const token = nock('https://login.microsoftonline.com')
        .post(`/${creds.tenantId}/oauth2/v2.0/token`, (body: string) => ((sent = form(body)), true))
        .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'eyJ0eXAi.entra.token' });
      assert.equal((await runCredentialTest(new TerminalDynamicsApi(), creds)).status, 'OK');
      assert.ok(token.isDone());
      assert.deepEqual(sent, { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: 'https://contoso.crm4.dynamics.com/.default' });
    });

    it('names what to check when Entra refuses the secret', async () => {
      nock('https://login.microsoftonline.com')
        .post(`/${creds.tenantId}/oauth2/v2.0/token`)
        // n8n sends a request answered 401 once more after re-authenticating, as it does for every credential.
        .twice()
        .reply(401, { error: 'invalid_client', error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '0a1b2c3d-…'.", error_codes: [7000215] });
      assert.deepEqual(await runCredentialTest(new TerminalDynamicsApi(), creds), {
        status: 'Error',
        message: "Entra ID refused the client ID or secret: use the secret's Value (not its ID), and check that it has not expired",
      });
    });
  });

  describe('Salesforce', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    it('has no authenticate and no declarative test: the core signs the JWT and caches the token', () => {
      const cred = new TerminalSalesforceApi();
      assert.equal((cred as { authenticate?: unknown }).authenticate, undefined);
      assert.equal((cred as { test?: unknown }).test, undefined);
      assert.deepEqual(cred.properties.map((p) => p.name), ['authFlow', 'clientId', 'username', 'privateKey', 'clientSecret', 'loginUrl', 'baseUrl', 'apiVersion', 'timeoutMs']);
    });

    it('is tested through a node-provided test that fetches a token and reads one Contact (as n8n runs it)', async () => {
      const mock = new SalesforceMock({ publicKey }).install(nock);
      mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_1', LastName: 'Diaz' });
      const test = crmAccountTest('salesforce');
      const data = await credentialWithDefaults(new TerminalSalesforceApi(), { clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: pem });
      const ok = await test.call(new CredentialTestContext(additionalData({})), { id: '1', name: 'SF', type: 'terminalSalesforceApi', data });
      assert.deepEqual(ok, { status: 'OK', message: 'salesforce answered: customers can be read' });
      assert.equal(mock.tokenRequests, 1);
      const wrongKey = await test.call(new CredentialTestContext(additionalData({})), { id: '1', name: 'SF', type: 'terminalSalesforceApi', data: { ...data, clientId: 'someOtherApp' } });
      assert.equal(wrongKey.status, 'Error');
      assert.match(wrongKey.message, /^salesforce: the token request .* was refused: .* — check the consumer key/);
    });
  });

  describe('OAuth2 credentials', () => {
    it('HubSpot: its authorization and token URLs, and scopes for contacts and deals', async () => {
      const data = await credentialWithDefaults(new TerminalHubSpotOAuth2Api(), {});
      assert.equal(data.authUrl, 'https://app.hubspot.com/oauth/authorize');
      assert.equal(data.accessTokenUrl, 'https://api.hubapi.com/oauth/2026-03/token');
      assert.deepEqual(String(data.scope).split(' ').sort(), ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.objects.deals.write', 'oauth']);
      assert.equal(new TerminalHubSpotOAuth2Api().extends[0], 'oAuth2Api');
    });

    it('Zoho: the data centre chosen picks its accounts server for the consent screen and the token', async () => {
      for (const [dc, urls] of Object.entries(ZOHO_DATA_CENTERS)) {
        const data = await credentialWithDefaults(new TerminalZohoOAuth2Api(), { dataCenter: dc });
        assert.equal(data.authUrl, `${urls.accounts}/oauth/v2/auth`, dc);
        assert.equal(data.accessTokenUrl, `${urls.accounts}/oauth/v2/token`, dc);
      }
      // Records, and the org's details (its time zone is the day a deal's Closing_Date is in); Zoho separates scopes by commas.
      assert.deepEqual(String((await credentialWithDefaults(new TerminalZohoOAuth2Api(), {})).scope).split(','), ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ', 'ZohoSearch.securesearch.READ']);
      const options = new TerminalZohoOAuth2Api().properties.find((p) => p.name === 'dataCenter')!.options as { value: string }[];
      assert.deepEqual(options.map((o) => o.value).sort(), Object.keys(ZOHO_DATA_CENTERS).sort(), 'every data centre the core knows is offered');
    });

    it('Zoho: a CRM adapter made from the credential reads through n8n, signed with the token n8n keeps, at the API domain Zoho named', async () => {
      const data = await credentialWithDefaults(new TerminalZohoOAuth2Api(), {
        dataCenter: 'eu',
        clientId: '1000.ZOHOCLIENT',
        clientSecret: 'zoho-secret',
        oauthTokenData: { access_token: '1000.live.token', refresh_token: '1000.refresh.token', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 },
      });
      const contacts = nock('https://www.zohoapis.eu', { reqheaders: { authorization: 'Bearer 1000.live.token' } })
        .get('/crm/v8/Contacts')
        .query(true)
        .reply(200, { data: [{ id: '4876876000000624001', Terminal_CRM_Id: 'cus_1', First_Name: 'Ana', Last_Name: 'Diaz', Email: 'ana@example.com', Modified_Time: '2026-03-02T10:00:00+01:00' }], info: { per_page: 1, count: 1, page: 1, more_records: false } });
      const ctx = oauthContext('terminalZohoOAuth2Api', data);
      const adapter = crmAdapterFromRecord('zoho', data, n8nHttpTransport(ctx, 'terminalZohoOAuth2Api', crmBaseUrlFromRecord('zoho', data)));
      const page = await adapter.changedCustomers(null, 1);
      assert.ok(contacts.isDone());
      assert.deepEqual(page.customers.map((c) => [c.crmId, c.externalId]), [['4876876000000624001', 'cus_1']]);
    });
  });
});

describe('n8n: the Zoho credential\'s Time Zone', () => {
  const CREDS = { clientId: '1000.ZOHOCLIENT', clientSecret: 'zoho-secret', refreshToken: '1000.refresh.token' };

  /**
   * A node context with the credential whose n8n request helper hands each request to Zoho's contract mock, signed as
   * Zoho wants it (n8n's own OAuth2 signing is covered above).
   */
  function nodeContext(data: ICredentialDataDecryptedObject): IExecuteFunctions {
    const zoho = zohoAxiosTransport(parseZohoSettings({ ...CREDS, dataCenter: 'eu' }));
    return {
      getCredentials: async () => data,
      helpers: {
        httpRequestWithAuthentication: async (_type: string, o: IHttpRequestOptions) => {
          const res = await zoho.request({ method: o.method as HttpRequest['method'], url: o.url, qs: o.qs as HttpRequest['qs'], body: o.body, headers: o.headers as Record<string, string> });
          return { statusCode: res.status, headers: res.headers, body: res.body };
        },
      },
    } as unknown as IExecuteFunctions;
  }

  it('is an optional text field, empty by default (read from Zoho)', async () => {
    const field = new TerminalZohoOAuth2Api().properties.find((p) => p.name === 'timeZone')!;
    assert.deepEqual([field.displayName, field.type, field.default, field.required], ['Time Zone', 'string', '', undefined]);
    assert.equal((await credentialWithDefaults(new TerminalZohoOAuth2Api(), {})).timeZone, '');
  });

  it('reaches the adapter: a deal\'s Closing_Date is the sale\'s day in it, and Zoho is not asked for the org\'s', async () => {
    // A connection made before the pack asked for ZohoCRM.org.READ: the org's zone cannot be read.
    const mock = new ZohoMock({ ...CREDS, apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu', scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'] }).start();
    const contact = mock.seed('Contacts', { Terminal_CRM_Id: 'cus_1', Last_Name: 'Diaz', Email: 'ana@example.com' });
    const data = await credentialWithDefaults(new TerminalZohoOAuth2Api(), {
      dataCenter: 'eu', clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, timeZone: 'America/Los_Angeles',
      oauthTokenData: { access_token: '1000.live.token', refresh_token: CREDS.refreshToken, api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 },
    });
    const adapter = await crmAdapterFromNode(nodeContext(data), crmCredentialOf('zoho', undefined));
    // 18:30 on 1 March in Los Angeles: 01:30 on the 2nd in UTC.
    const sale = {
      externalId: 'stripe:pi_1', customerExternalId: 'cus_1', customerCrmId: contact.id, source: 'stripe', paymentId: 'pi_1',
      amount: { minor: 4599, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded' as const, occurredAt: '2026-03-02T01:30:00Z',
    };
    assert.equal((await adapter.upsertPayments([sale]))[0]!.status, 'synced');
    assert.deepEqual(mock.where('Deals', 'Terminal_Payment_Key', 'stripe:pi_1').map((d) => d.Closing_Date), ['2026-03-01']);
    assert.equal(mock.callsTo('GET', '/crm/v8/org').length, 0);
    assert.deepEqual(adapter.notes!(), []);
  });

  it('one the core does not take is named as n8n labels it', async () => {
    const data = await credentialWithDefaults(new TerminalZohoOAuth2Api(), { dataCenter: 'eu', clientId: CREDS.clientId, clientSecret: CREDS.clientSecret, timeZone: 'PST', oauthTokenData: { refresh_token: CREDS.refreshToken, api_domain: 'https://www.zohoapis.eu' } });
    await assert.rejects(crmAdapterFromNode(nodeContext(data), crmCredentialOf('zoho', undefined)), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^Time Zone: "PST" is not an IANA time zone\. Fix: use the IANA name of the org's time zone .*or leave it empty to read it from Zoho$/);
      return true;
    });
  });
});

describe('n8n: the HTTP transport the core gets inside n8n', () => {
  const zoho = () =>
    credentialWithDefaults(new TerminalZohoOAuth2Api(), {
      dataCenter: 'eu',
      clientId: '1000.ZOHOCLIENT',
      clientSecret: 'zoho-secret',
      oauthTokenData: { access_token: '1000.expired.token', refresh_token: '1000.refresh.token', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 },
    });

  it('lets n8n refresh an expired OAuth2 token on the 401 and retry, so the core sees the answer of the retried call', async () => {
    const data = await zoho();
    const api = nock('https://www.zohoapis.eu')
      .get('/crm/v8/Contacts').query(true).matchHeader('authorization', 'Bearer 1000.expired.token')
      .reply(401, { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' })
      .get('/crm/v8/Contacts').query(true).matchHeader('authorization', 'Bearer 1000.fresh.token')
      .reply(200, { data: [], info: { per_page: 1, count: 0, page: 1, more_records: false } });
    const token = nock('https://accounts.zoho.eu').post('/oauth/v2/token').reply(200, { access_token: '1000.fresh.token', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 });
    const http = n8nHttpTransport(oauthContext('terminalZohoOAuth2Api', data), 'terminalZohoOAuth2Api', 'https://www.zohoapis.eu');
    const res = await http.request({ method: 'GET', url: '/crm/v8/Contacts', qs: { per_page: 1 } });
    assert.equal(res.status, 200);
    assert.ok(token.isDone(), 'the token was refreshed once');
    assert.ok(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`);
  });

  it('hands a 4xx back as the vendor answered it (status, headers, parsed body) instead of throwing', async () => {
    const data = await zoho();
    nock('https://www.zohoapis.eu')
      .get('/crm/v8/Deals/1').reply(404, { code: 'INVALID_URL_PATTERN', message: 'Please check if the URL trying to access is a correct one', status: 'error' }, { 'x-request-id': 'r1' });
    const http = n8nHttpTransport(oauthContext('terminalZohoOAuth2Api', data), 'terminalZohoOAuth2Api', 'https://www.zohoapis.eu');
    const res = await http.request({ method: 'GET', url: '/crm/v8/Deals/1' });
    assert.equal(res.status, 404);
    assert.equal((res.body as { code: string }).code, 'INVALID_URL_PATTERN');
    assert.equal(res.headers['x-request-id'], 'r1');
  });
});

/** An n8n execution context of a node that uses an OAuth2 credential, with the credential's data as stored. */
function oauthContext(type: string, data: ICredentialDataDecryptedObject): ExecuteContext {
  const helper = new (class extends StaticCredentialsHelper {
    override getParentTypes(): string[] {
      return ['oAuth2Api'];
    }
    override async getDecrypted(_a: unknown, _d: INodeCredentialsDetails): Promise<ICredentialDataDecryptedObject> {
      return data;
    }
  })({});
  return credentialExecuteContext(type, helper);
}

describe("n8n: the Pipedrive credential's Person Field Keys (JSON)", () => {
  const KEYS = { customerIdField: '9dc80c50d78a15643bfc4ca79d76156a73a1a4d8', paymentKeyField: '5b1c7e3f8a2d4c6b9e0f1a2b3c4d5e6f7a8b9c0d' };
  const TIER_FIELD = 'f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e';
  afterEach(() => pipedriveNock.cleanAll());

  it("takes Segment's and Loyalty's fields to the person fields it names, where n8n had nowhere to map them and every field update was refused", async () => {
    const mock = new PipedriveMock({ apiToken: 'pd-token', ...KEYS, personFields: [TIER_FIELD] }).start();
    const data = await credentialWithDefaults(new TerminalPipedriveApi(), { apiToken: 'pd-token', ...KEYS, fieldMap: JSON.stringify({ loyalty_tier: TIER_FIELD }) });
    const adapter = crmAdapterFromRecord('pipedrive', data);
    const customer = { externalId: 'cus_AAAAAAAAAAAAAAAAAAAAA1', profile: { givenName: 'Ana', familyName: 'Lopez', email: 'ana@example.com' } };
    const [c] = await adapter.upsertCustomers([customer]);
    const [r] = await adapter.updateFields([{ customerExternalId: customer.externalId, fields: { loyalty_tier: 'Gold' } }]);
    assert.deepEqual(r, { externalId: customer.externalId, status: 'synced', crmId: (c as { crmId: string }).crmId });
    assert.equal(mock.personsWithCustomerId(customer.externalId)[0]!.custom_fields[TIER_FIELD], 'Gold');
  });

  it('is optional and empty by default; text that is not a JSON object is refused before any request, named by its label', async () => {
    assert.equal((await credentialWithDefaults(new TerminalPipedriveApi(), {})).fieldMap, '');
    const labels = crmFieldLabels('terminalPipedriveApi');
    for (const fieldMap of ['{"loyalty_tier": ', '["loyalty_tier"]']) {
      const record = { apiToken: 'pd-token', ...KEYS, fieldMap };
      assert.throws(() => crmAdapterFromRecord('pipedrive', record, undefined, labels), /^InputError: Person Field Keys \(JSON\): is not (valid JSON|a JSON object)/);
      assert.throws(() => crmBaseUrlFromRecord('pipedrive', record, labels), /^InputError: Person Field Keys \(JSON\): is not (valid JSON|a JSON object)/);
    }
  });

  it('an empty secret the record needs is named by its label too', () => {
    const labels = crmFieldLabels('terminalDynamicsApi');
    assert.throws(() => crmAdapterFromRecord('dynamics', { orgUrl: 'https://contoso.crm.dynamics.com', tenantId: 'tenant', clientId: 'app' }, undefined, labels), (e: unknown) => e instanceof InputError && e.field === labels.clientSecret && e.field !== 'clientSecret');
  });
});
