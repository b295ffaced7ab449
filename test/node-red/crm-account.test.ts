import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import register from '../../nodes/node-red/crm-account';
import type { CrmAccountNode } from '../../nodes/node-red/shared/crm-account-node';
import { InputError } from '../../nodes/core/errors';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { SalesforceMock, type Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { ZohoMock } from '../core/crm/saas/mocks/zoho-mock';
import { fakeRed } from './support/fake-red';

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

function account(def: Record<string, unknown>, creds: Record<string, string>) {
  const red = fakeRed();
  register(red.RED);
  const node = red.create('crm-account', { id: 'acct', name: 'Main CRM', ...def }, creds);
  return { node: node as unknown as CrmAccountNode & { warnings: unknown[] }, red };
}

describe('Node-RED: crm-account', () => {
  it('HubSpot: the adapter signs with the private app token from the encrypted credentials, at the base URL given', async () => {
    const mock = await HubSpotMock.start({ baseUrl: 'https://api-eu1.hubapi.com', privateAppToken: PAT });
    mock.seed('contacts', { terminal_crm_id: 'cus_1', email: 'ana@example.com', firstname: 'Ana' });
    const { node } = account({ crm: 'hubspot', baseUrl: 'https://api-eu1.hubapi.com' }, { accessToken: PAT });
    assert.deepEqual(node.warnings, []);
    assert.equal(node.crmName(), 'hubspot');
    const adapter = node.adapter();
    assert.equal(node.adapter(), adapter, 'one adapter (and one token cache) per account');
    const page = await adapter.changedCustomers(null, 10);
    assert.deepEqual(page.customers.map((c) => [c.externalId, c.profile.givenName]), [['cus_1', 'Ana']]);
    // The account's details (its time zone, read before the first call) go with the same token as the search.
    assert.deepEqual(mock.calls.map((c) => [c.path, c.authorization]), [['/account-info/v3/details', `Bearer ${PAT}`], ['/crm/v3/objects/contacts/search', `Bearer ${PAT}`]]);
  });

  it('passes on only the chosen CRM’s fields: what another choice left behind is ignored', () => {
    const { node } = account(
      { crm: 'pipedrive', baseUrl: '', orgUrl: 'https://old.crm.dynamics.com', customerIdField: 'a'.repeat(40), paymentKeyField: 'b'.repeat(40), settings: '' },
      { apiToken: 'pd-token', accessToken: PAT, privateKey: 'left from salesforce' },
    );
    assert.deepEqual(node.crmRecord(), { apiToken: 'pd-token', customerIdField: 'a'.repeat(40), paymentKeyField: 'b'.repeat(40) });
    assert.equal(node.adapter().name, 'pipedrive');
  });

  it('Salesforce: a private key pasted on one line still signs the JWT the token endpoint verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const oneLine = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '');
    const mock = new SalesforceMock({ publicKey }).install(nock);
    mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_7', LastName: 'Diaz', Email: 'd@example.com' });
    const { node } = account({ crm: 'salesforce', authFlow: 'jwt_bearer', username: 'integration@acme.example' }, { clientId: '3MVG9consumerKey', privateKey: oneLine });
    const page = await node.adapter().changedCustomers(null, 10);
    assert.deepEqual(page.customers.map((c) => c.externalId), ['cus_7']);
    assert.equal(mock.tokenRequests, 1);
  });

  it('names the missing field by its label at deploy and again when a node asks for the adapter', () => {
    const { node } = account({ crm: 'dynamics', orgUrl: 'https://contoso.crm.dynamics.com', tenantId: 'tenant' }, { clientId: 'app' });
    assert.equal(node.warnings.length, 1);
    assert.match(String(node.warnings[0]), /^CRM account "Main CRM": Client secret: is empty\. Fix: /);
    assert.throws(() => node.adapter(), (e: unknown) => e instanceof InputError && e.field === 'Client secret');
  });

  it('Zoho: the Time zone field reaches the adapter: a deal\'s Closing_Date is the sale\'s day there, and Zoho is not asked for the org\'s', async () => {
    const creds = { clientId: '1000.CLIENTID', clientSecret: 'zoho-secret', refreshToken: '1000.refresh.token' };
    // A connection made before the pack asked for ZohoCRM.org.READ: the org's zone cannot be read.
    const mock = new ZohoMock({ ...creds, apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu', scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'] }).start();
    const contact = mock.seed('Contacts', { Terminal_CRM_Id: 'cus_1', Last_Name: 'Diaz', Email: 'ana@example.com' });
    const { node } = account({ crm: 'zoho', dataCenter: 'eu', timeZone: ' America/Los_Angeles ' }, creds);
    assert.deepEqual(node.warnings, []);
    // 18:30 on 1 March in Los Angeles: 01:30 on the 2nd in UTC.
    const sale = {
      externalId: 'stripe:pi_1', customerExternalId: 'cus_1', customerCrmId: contact.id, source: 'stripe', paymentId: 'pi_1',
      amount: { minor: 4599, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded' as const, occurredAt: '2026-03-02T01:30:00Z',
    };
    const adapter = node.adapter();
    assert.equal((await adapter.upsertPayments([sale]))[0]!.status, 'synced');
    assert.deepEqual(mock.where('Deals', 'Terminal_Payment_Key', 'stripe:pi_1').map((d) => d.Closing_Date), ['2026-03-01']);
    assert.equal(mock.callsTo('GET', '/crm/v8/org').length, 0);
    assert.deepEqual(adapter.notes!(), []);
  });

  it('Zoho: a Time zone the core does not take is named by its label, at deploy and when a node asks for the adapter', () => {
    const { node } = account({ crm: 'zoho', dataCenter: 'eu', timeZone: 'PST' }, { clientId: 'c', clientSecret: 's', refreshToken: 'r' });
    assert.equal(node.warnings.length, 1);
    assert.match(String(node.warnings[0]), /^CRM account "Main CRM": Time zone: "PST" is not an IANA time zone\. Fix: use the IANA name of the org's time zone .*or leave it empty to read it from Zoho$/);
    assert.throws(() => node.adapter(), (e: unknown) => e instanceof InputError && e.field === 'Time zone');
  });

  it('refuses a CRM it has no adapter for', () => {
    const { node } = account({ crm: 'sugarcrm' }, {});
    assert.throws(() => node.adapter(), /^InputError: CRM: "sugarcrm" is not a CRM the pack has an adapter for\. Fix: choose one of: hubspot, salesforce, dynamics, pipedrive, zoho$/);
  });
});
