import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { ExecuteContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { TerminalDynamicsApi } from '../../credentials/TerminalDynamicsApi.credentials';
import { TerminalSalesforceApi } from '../../credentials/TerminalSalesforceApi.credentials';
import type { CrmAdapter, CrmCustomer } from '../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError } from '../../nodes/core/crm/saas/crm-errors';
import { forgetSharedTokens } from '../../nodes/core/http/token-cache';
import { crmAdapterFromNode, crmCredentialOf } from '../../nodes/n8n/shared/crm-credentials';
import { DynamicsMock } from '../core/crm/saas/mocks/dynamics-mock';
import { SalesforceMock, type Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { credentialExecuteContext } from './support/credential-execute-context';
import { credentialWithDefaults } from './support/credential-request-test';
import { StaticCredentialsHelper } from './support/static-credentials-helper';

/**
 * Salesforce and Dynamics 365 inside n8n: their credentials have no `authenticate` (the core signs Salesforce's JWT
 * and caches both tokens), yet every request, the token request too, goes through n8n's httpRequestWithAuthentication
 * with the credential, which sends it as it is (n8n's CredentialsHelper.authenticate returns the request unchanged for
 * a type without `authenticate`, as the StaticCredentialsHelper here does).
 */

let nock: Nock;
before(async () => {
  nock = (await import('nock')).default;
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  // Each case's mocks issue their own tokens: none is carried from one case to the next.
  forgetSharedTokens();
});
after(() => {
  nock.enableNetConnect();
  nock.restore();
});

interface Sent {
  type: string;
  method: string;
  url: string;
  authorization?: string;
  body: unknown;
  status?: number;
  answer?: unknown;
}

/**
 * A node context whose httpRequestWithAuthentication records each request and hands it to n8n-core's own, in a real
 * execution context of a node with the credential, which sends it (to the nock'ed CRM mocks).
 */
function recordingContext(type: string, data: ICredentialDataDecryptedObject): { ctx: IExecuteFunctions; sent: Sent[] } {
  const real = executeContext(type, data);
  const sent: Sent[] = [];
  const ctx = {
    getCredentials: (t: string) => real.getCredentials(t, 0),
    helpers: {
      httpRequestWithAuthentication: async (credentialType: string, o: IHttpRequestOptions) => {
        const headers = (o.headers ?? {}) as Record<string, string>;
        const call: Sent = { type: credentialType, method: String(o.method), url: o.url, authorization: headers.authorization, body: o.body };
        sent.push(call);
        try {
          const res = (await real.helpers.httpRequestWithAuthentication.call(real, credentialType, o)) as { statusCode: number; body: unknown };
          call.status = res.statusCode;
          call.answer = res.body;
          return res;
        } catch (e) {
          // n8n threw the status instead of answering it (after its own retry of a 401).
          call.status = (e as { cause?: { response?: { status?: number } } }).cause?.response?.status;
          throw e;
        }
      },
    },
  } as unknown as IExecuteFunctions;
  return { ctx, sent };
}

function executeContext(type: string, data: ICredentialDataDecryptedObject): ExecuteContext {
  return credentialExecuteContext(type, new StaticCredentialsHelper({ [type]: data }));
}

const customer = (n: number): CrmCustomer => ({ externalId: `cus_${n}`, profile: { givenName: `Ana${n}`, familyName: 'Diaz', email: `ana${n}@example.com` } });
const form = (body: unknown) => Object.fromEntries(new URLSearchParams(String(body)));
const tokenOf = (call: Sent | undefined) => (call?.answer as { access_token?: string } | undefined)?.access_token;

/**
 * One more upsert after the CRM has ended the session: what n8n sent for it, and each request as [method, URL with
 * `base` taken off, status], for the test to compare with a 401, the token request and the retry.
 */
async function upsertAfterTheSessionEnded(adapter: CrmAdapter, sent: readonly Sent[], base: string): Promise<{ renewal: Sent[]; steps: (string | number | undefined)[][] }> {
  const earlier = sent.length;
  const [second] = await adapter.upsertCustomers([customer(2)]);
  assert.equal(second!.status, 'synced', JSON.stringify(second));
  const renewal = sent.slice(earlier);
  return { renewal, steps: renewal.map((c) => [c.method, c.url.replace(base, ''), c.status]) };
}

describe('n8n: Salesforce and Dynamics 365 requests go through httpRequestWithAuthentication, signed with the core’s token', () => {
  it('Salesforce: the JWT token request and every API call go through n8n with the credential; an ended session is renewed once and the call retried', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mock = new SalesforceMock({ publicKey }).install(nock);
    const data = await credentialWithDefaults(new TerminalSalesforceApi(), {
      clientId: '3MVG9consumerKey',
      username: 'integration@acme.example',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const { ctx, sent } = recordingContext('terminalSalesforceApi', data);
    const adapter = await crmAdapterFromNode(ctx, crmCredentialOf('salesforce', undefined));

    const [first] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(first!.status, 'synced', JSON.stringify(first));
    assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', 'cus_1').length, 1);
    assert.deepEqual([...new Set(sent.map((c) => c.type))], ['terminalSalesforceApi']);
    assert.equal(sent.length, mock.tokenRequests + mock.calls.length, 'every request Salesforce got came through n8n');
    const [token, ...api] = sent;
    assert.deepEqual([token!.method, token!.url, token!.authorization], ['POST', 'https://login.salesforce.com/services/oauth2/token', undefined]);
    assert.equal(form(token!.body).grant_type, 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.ok(api.length > 0);
    for (const call of api) {
      assert.ok(call.url.startsWith(`${mock.instanceUrl}/services/data/`), `at the instance URL the token named: ${call.url}`);
      assert.equal(call.authorization, `Bearer ${tokenOf(token)}`, call.url);
    }

    mock.expireSessions();
    const { renewal, steps } = await upsertAfterTheSessionEnded(adapter, sent, mock.instanceUrl);
    assert.equal(mock.tokenRequests, 2);
    assert.deepEqual(
      steps,
      [
        ['PATCH', `/services/data/${mock.apiVersion}/composite/sobjects/Contact/Terminal_CRM_Id__c`, 401],
        ['POST', 'https://login.salesforce.com/services/oauth2/token', 200],
        ['PATCH', `/services/data/${mock.apiVersion}/composite/sobjects/Contact/Terminal_CRM_Id__c`, 200],
      ],
      'the 401 comes back to the core at once (n8n does not send it again unchanged), which renews the token and retries once',
    );
    assert.deepEqual(mock.calls.map((c) => c.status).filter((s) => s === 401), [401], 'Salesforce saw the ended session once');
    assert.equal(renewal[0]!.authorization, `Bearer ${tokenOf(token)}`);
    assert.equal(renewal[2]!.authorization, `Bearer ${tokenOf(renewal[1])}`);
    assert.notEqual(tokenOf(renewal[1]), tokenOf(token));
  });

  it('Dynamics 365: the Entra ID token request and every Web API call go through n8n with the credential; an expired token is renewed once and the call retried', async () => {
    // The mock's clock runs ahead when the test says so: Dataverse sees the token expired while the core still keeps it.
    let ahead = 0;
    const mock = new DynamicsMock({ now: () => Date.now() + ahead }).install(nock);
    const creds = { orgUrl: mock.orgUrl, tenantId: mock.tenantId, clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'secret-value' };
    const { ctx, sent } = recordingContext('terminalDynamicsApi', await credentialWithDefaults(new TerminalDynamicsApi(), creds));
    const adapter = await crmAdapterFromNode(ctx, crmCredentialOf('dynamics', undefined));

    const [first] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(first!.status, 'synced', JSON.stringify(first));
    assert.equal(mock.byKey('contact', 'cus_1').length, 1);
    assert.deepEqual([...new Set(sent.map((c) => c.type))], ['terminalDynamicsApi']);
    assert.equal(sent.length, mock.tokenRequests + mock.calls.length, 'every request Entra ID and Dataverse got came through n8n');
    const [token, ...api] = sent;
    assert.deepEqual([token!.method, token!.url, token!.authorization], ['POST', `https://login.microsoftonline.com/${creds.tenantId}/oauth2/v2.0/token`, undefined]);
    assert.deepEqual(form(token!.body), { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: `${mock.orgUrl}/.default` });
    assert.ok(api.length > 0);
    for (const call of api) {
      assert.ok(call.url.startsWith(`${mock.orgUrl}/api/data/`), call.url);
      assert.equal(call.authorization, `Bearer ${tokenOf(token)}`, call.url);
    }

    ahead = 3600_000;
    const { renewal, steps } = await upsertAfterTheSessionEnded(adapter, sent, mock.orgUrl);
    assert.equal(mock.tokenRequests, 2);
    assert.deepEqual(
      steps,
      [
        ['POST', '/api/data/v9.2/$batch', 401],
        ['POST', `https://login.microsoftonline.com/${creds.tenantId}/oauth2/v2.0/token`, 200],
        ['POST', '/api/data/v9.2/$batch', 200],
      ],
      'the 401 comes back to the core at once (n8n does not send it again unchanged), which renews the token and retries once',
    );
    assert.deepEqual(mock.calls.map((c) => c.status).filter((s) => s === 401), [401], 'Dataverse saw the expired token once');
    assert.equal(renewal[2]!.authorization, `Bearer ${tokenOf(renewal[1])}`);
    assert.notEqual(tokenOf(renewal[1]), tokenOf(token));
  });

  it('executions share the login: a node builds its adapter for every execution, and the second execution signs with the first one\'s token; another secret logs in anew', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const salesforce = new SalesforceMock({ publicKey }).install(nock);
    const sfData = await credentialWithDefaults(new TerminalSalesforceApi(), {
      clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const execution = async (type: string, data: ICredentialDataDecryptedObject, crm: 'salesforce' | 'dynamics', n: number) => {
      const { ctx, sent } = recordingContext(type, data);
      const [result] = await (await crmAdapterFromNode(ctx, crmCredentialOf(crm, undefined))).upsertCustomers([customer(n)]);
      assert.equal(result!.status, 'synced', JSON.stringify(result));
      return sent;
    };
    const first = await execution('terminalSalesforceApi', sfData, 'salesforce', 1);
    const second = await execution('terminalSalesforceApi', sfData, 'salesforce', 2);
    assert.equal(salesforce.tokenRequests, 1, 'Salesforce was asked to log in once for two executions');
    assert.ok(second.length > 0 && second.every((c) => c.authorization === `Bearer ${tokenOf(first[0])}`), 'the second execution signed with the first one\'s token');

    const dynamics = new DynamicsMock().install(nock);
    const creds = { orgUrl: dynamics.orgUrl, tenantId: dynamics.tenantId, clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'secret-value' };
    const dyData = await credentialWithDefaults(new TerminalDynamicsApi(), creds);
    await execution('terminalDynamicsApi', dyData, 'dynamics', 3);
    await execution('terminalDynamicsApi', dyData, 'dynamics', 4);
    assert.equal(dynamics.tokenRequests, 1, 'Entra ID was asked once for two executions');
    // A secret changed in the credential is another login, not the token the old one got: Entra ID refuses this one.
    await assert.rejects(execution('terminalDynamicsApi', await credentialWithDefaults(new TerminalDynamicsApi(), { ...creds, clientSecret: 'mistyped' }), 'dynamics', 5), CrmAuthError);
    assert.equal(dynamics.tokenRequests, 2, 'a changed secret is another login');
  });

  it('Dynamics 365: a secret Entra ID refuses is one token request through n8n, and an auth error with Entra’s reason and the fix', async () => {
    const mock = new DynamicsMock().install(nock);
    const creds = { orgUrl: mock.orgUrl, tenantId: mock.tenantId, clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'rotated' };
    const { ctx, sent } = recordingContext('terminalDynamicsApi', await credentialWithDefaults(new TerminalDynamicsApi(), creds));
    const adapter = await crmAdapterFromNode(ctx, crmCredentialOf('dynamics', undefined));
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /AADSTS7000215: Invalid client secret provided.*the secret's Value/s.test(e.message));
    assert.deepEqual(sent.map((c) => [c.url, c.status]), [[`https://login.microsoftonline.com/${creds.tenantId}/oauth2/v2.0/token`, 401]]);
    assert.equal(mock.tokenRequests, 1, 'Entra ID was asked once');
    assert.equal(mock.calls.length, 0);
  });
});
