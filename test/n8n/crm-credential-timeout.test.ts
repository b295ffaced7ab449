import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { ExecuteContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, ICredentialType, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { TerminalDynamicsApi } from '../../credentials/TerminalDynamicsApi.credentials';
import { TerminalHubSpotApi } from '../../credentials/TerminalHubSpotApi.credentials';
import { TerminalHubSpotOAuth2Api } from '../../credentials/TerminalHubSpotOAuth2Api.credentials';
import { TerminalPipedriveApi } from '../../credentials/TerminalPipedriveApi.credentials';
import { TerminalSalesforceApi } from '../../credentials/TerminalSalesforceApi.credentials';
import { TerminalZohoOAuth2Api } from '../../credentials/TerminalZohoOAuth2Api.credentials';
import { CRM_CREDENTIALS, crmAdapterFromNode, crmCredentialOf, crmTimeoutMs } from '../../nodes/n8n/shared/crm-credentials';
import { DEFAULT_N8N_HTTP_TIMEOUT_MS } from '../../nodes/n8n/shared/n8n-http-transport';
import type { Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { credentialExecuteContext } from './support/credential-execute-context';
import { credentialWithDefaults } from './support/credential-request-test';
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
/** Pipedrive's custom field keys (40 hex characters) the account names. */
const PIPEDRIVE_FIELDS = { customerIdField: '9c1e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c', paymentKeyField: '0b2d4f6a8c1e3a5c7e9b1d3f5a7c9e1b3d5f7a9c' };
const CREDENTIALS: Record<string, { type: ICredentialType; defaultMs: number }> = {
  terminalHubSpotApi: { type: new TerminalHubSpotApi(), defaultMs: 10_000 },
  terminalHubSpotOAuth2Api: { type: new TerminalHubSpotOAuth2Api(), defaultMs: 10_000 },
  terminalPipedriveApi: { type: new TerminalPipedriveApi(), defaultMs: 10_000 },
  terminalZohoOAuth2Api: { type: new TerminalZohoOAuth2Api(), defaultMs: 10_000 },
  terminalSalesforceApi: { type: new TerminalSalesforceApi(), defaultMs: 30_000 },
  terminalDynamicsApi: { type: new TerminalDynamicsApi(), defaultMs: 120_000 },
};

/** A node context whose n8n request helper records what it was asked and answers an empty 200. */
function recordingContext(data: ICredentialDataDecryptedObject) {
  const asked: IHttpRequestOptions[] = [];
  const ctx = {
    getCredentials: async () => data,
    helpers: {
      httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
        asked.push(options);
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { status: 'COMPLETE', results: [], data: [], success: true } };
      },
    },
  } as unknown as IExecuteFunctions;
  return { ctx, asked };
}

describe('n8n: every CRM credential has a Timeout (ms) the CRM nodes use', () => {
  it('each pack CRM credential offers it, with its default and a help text that says what happens on a timeout', async () => {
    assert.deepEqual(Object.keys(CREDENTIALS).sort(), CRM_CREDENTIALS.map((c) => c.type).sort(), 'every CRM credential the nodes offer');
    for (const [name, { type, defaultMs }] of Object.entries(CREDENTIALS)) {
      const field = type.properties.find((p) => p.name === 'timeoutMs');
      assert.ok(field, `${name} has a timeoutMs field`);
      assert.deepEqual([field.displayName, field.type, field.default], ['Timeout (ms)', 'number', defaultMs], name);
      assert.match(field.description ?? '', /outbox/, `${name}: the help says the records stay queued`);
      assert.equal((await credentialWithDefaults(type, {})).timeoutMs, defaultMs, `${name}: a new credential carries the default`);
    }
  });

  it('HubSpot and Pipedrive requests go to n8n with the credential’s timeout', async () => {
    for (const [crm, data, call] of [
      ['hubspot', { accessToken: PAT, baseUrl: 'https://api.hubapi.com', timeoutMs: 2_500 }, 'upsertCustomers'],
      ['pipedrive', { apiToken: 'pd-token', baseUrl: 'https://api.pipedrive.com', ...PIPEDRIVE_FIELDS, timeoutMs: 2_500 }, 'changedCustomers'],
    ] as const) {
      const { ctx, asked } = recordingContext(data);
      const adapter = await crmAdapterFromNode(ctx, crmCredentialOf(crm, 'accessToken'));
      const run = call === 'upsertCustomers' ? adapter.upsertCustomers([{ externalId: 'cus_1', profile: { email: 'ana@example.com' } }]) : adapter.changedCustomers(null, 1);
      await run.catch(() => undefined);
      assert.ok(asked.length > 0, `${crm}: a request went through n8n`);
      assert.deepEqual([...new Set(asked.map((o) => o.timeout))], [2_500], `${crm}: every request with the credential's timeout`);
    }
  });

  it('a credential saved before the field existed keeps the earlier timeout', async () => {
    const { ctx, asked } = recordingContext({ apiToken: 'pd-token', baseUrl: 'https://api.pipedrive.com', ...PIPEDRIVE_FIELDS });
    await (await crmAdapterFromNode(ctx, crmCredentialOf('pipedrive', undefined))).changedCustomers(null, 1).catch(() => undefined);
    assert.deepEqual([...new Set(asked.map((o) => o.timeout))], [DEFAULT_N8N_HTTP_TIMEOUT_MS]);
  });

  it('inside n8n, a HubSpot that holds its answer is given up at the credential’s timeout, not 30 s later', { timeout: 10_000 }, async () => {
    // A real socket that never answers (nock's delay does not hold n8n's requests).
    const asked: string[] = [];
    const server = createServer((req) => void asked.push(`${req.method} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const data = await credentialWithDefaults(new TerminalHubSpotApi(), { accessToken: PAT, baseUrl, timeoutMs: 300 });
      const adapter = await crmAdapterFromNode(executeContext('terminalHubSpotApi', data), crmCredentialOf('hubspot', 'accessToken'));
      const started = Date.now();
      const outcome = await adapter.upsertCustomers([{ externalId: 'cus_1', profile: { email: 'ana@example.com' } }]).then(
        (results) => results.map((r) => (r.status === 'retry' ? `retry: ${r.error.message}` : r.status)).join(', '),
        (e: Error) => e.message,
      );
      const took = Date.now() - started;
      for (let i = 0; i < 50 && asked.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      // The account's details first (given up at the timeout too; the batch goes on without them), then the batch.
      assert.deepEqual(asked, ['GET /account-info/v3/details', 'POST /crm/v3/objects/contacts/batch/upsert'], `the requests reached HubSpot (${outcome})`);
      assert.ok(took < 2_000, `given up after ${took} ms`);
      // A batch without an answer fails whole (CrmTransientError): the outbox counts an attempt and sends it again.
      assert.match(outcome, /^(retry: )?hubspot: no answer from POST \/crm\/v3\/objects\/contacts\/batch\/upsert/, outcome);
    } finally {
      nock.disableNetConnect();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads the field as whole milliseconds, and names it when it is not', () => {
    assert.equal(crmTimeoutMs(undefined), undefined);
    assert.equal(crmTimeoutMs(''), undefined);
    assert.equal(crmTimeoutMs(1_500), 1_500);
    assert.equal(crmTimeoutMs(' 2000 '), 2_000);
    for (const bad of [0, -5, 1.5, 'soon']) {
      assert.throws(() => crmTimeoutMs(bad), (e: Error & { field?: string }) => e.field === 'Timeout (ms)' && /whole milliseconds/.test(e.message), String(bad));
    }
  });
});

/** A real n8n execution context of a node with this credential (n8n's own request helper and its timeout). */
function executeContext(type: string, data: ICredentialDataDecryptedObject): ExecuteContext {
  return credentialExecuteContext(type, new StaticCredentialsHelper({ [type]: data }));
}
