import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { INodeExecutionData } from 'n8n-workflow';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import type { CrmSync } from '../../nodes/core/contracts/payment-message';
import { matchStep, tokenizeStep } from '../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { TerminalSalesforceApi } from '../../credentials/TerminalSalesforceApi.credentials';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { SalesforceMock, type Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { tempStore, TEST_TOKEN_KEYS, testKeys } from '../support/temp-store';
import { assignCredentials } from './support/assign-credentials';
import { credentialWithDefaults } from './support/credential-request-test';
import { outputOf, runWorkflow } from './support/run-workflow';
import { paymentToCrmTemplate } from './support/template';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

/** A temporary store and nock with the network off, for the tests of the describe block that calls it. */
function storeWithNock(): { store: Awaited<ReturnType<typeof tempStore>>; nock: Nock } {
  const env = {} as { store: Awaited<ReturnType<typeof tempStore>>; nock: Nock };
  before(async () => {
    env.nock = (await import('nock')).default;
    env.nock.disableNetConnect();
    env.store = await tempStore();
  });
  afterEach(() => env.nock.cleanAll());
  after(async () => {
    env.nock.enableNetConnect();
    await env.store.remove();
  });
  return env;
}

/**
 * CRM Upsert set to a SaaS CRM, run in-process by n8n-core: a credential the CRM refuses, or one n8n cannot give,
 * never costs the payment. (The credentials helper here signs nothing, as a credential with a wrong token would.)
 */
describe('n8n: CRM Upsert into HubSpot when the credential does not work', () => {
  const env = storeWithNock();

  const workflow = () => {
    const wf = assignCredentials(paymentToCrmTemplate(), { terminalCrmStore: { id: '1', name: 'Store' }, terminalHubSpotApi: { id: '3', name: 'HubSpot' } });
    wf.nodes = wf.nodes.map((n) => (n.name === 'CRM Upsert' ? { ...n, parameters: { ...n.parameters, crm: 'hubspot', authentication: 'accessToken', waitSeconds: 3 }, credentials: { ...n.credentials, terminalHubSpotApi: { id: '3', name: 'HubSpot' } } } : n));
    return wf;
  };
  const matchedItem = async (email: string): Promise<INodeExecutionData> => {
    const event = JSON.parse(JSON.stringify(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 2200, email })))));
    return { json: JSON.parse(JSON.stringify(await matchStep(tokenizeStep(event, testKeys()), env.store.crm))) };
  };
  const storeCredential = () => ({ storeUrl: env.store.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });

  it('HubSpot refuses the token: the run succeeds, the payment is in the store, the item says queued with HubSpot’s reason', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT });
    const item = await matchedItem('n8n-refused@example.com');
    const run = await runWorkflow(workflow(), 'CRM Upsert', [item], {
      terminalCrmStore: storeCredential(),
      terminalHubSpotApi: { accessToken: 'pat-na1-revoked', baseUrl: mock.baseUrl },
    });
    assert.equal(run.status, 'success', run.data.resultData.error?.message);
    const [out] = outputOf(run, 'CRM Upsert');
    const crm = out!.json.crm as { outcome: string; sync: CrmSync };
    assert.equal(crm.outcome, 'recorded');
    assert.equal(crm.sync.status, 'queued', JSON.stringify(crm.sync));
    assert.match(crm.sync.status === 'queued' ? crm.sync.reason : '', /^hubspot: .*Authentication credentials not found/);
    assert.ok(mock.calls.some((c) => c.status === 401), 'HubSpot was asked and said 401');
    assert.ok(await env.store.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [item.json.id as string]));
    const rows = await env.store.db.all<{ state: string; attempts: number }>("SELECT state, attempts FROM outbox WHERE crm = 'hubspot' ORDER BY id");
    assert.deepEqual(rows.map((r) => [r.state, Number(r.attempts)]), [['pending', 0], ['pending', 0]], 'queued for CRM Sync, no attempt spent');
  });

  it('no HubSpot credential n8n can give: the payment is recorded and queued with the reason', async () => {
    const item = await matchedItem('n8n-nocred@example.com');
    const run = await runWorkflow(workflow(), 'CRM Upsert', [item], { terminalCrmStore: storeCredential() });
    assert.equal(run.status, 'success', run.data.resultData.error?.message);
    const crm = outputOf(run, 'CRM Upsert')[0]!.json.crm as { sync: CrmSync };
    assert.equal(crm.sync.status, 'queued');
    assert.match(crm.sync.status === 'queued' ? crm.sync.reason : '', /^hubspot: .*terminalHubSpotApi/);
    assert.ok(await env.store.db.get('SELECT 1 FROM transactions WHERE event_id = ?', [item.json.id as string]));
  });
});

/** CRM Upsert into Salesforce, whose credential the core signs itself (a JWT), so n8n's helper gives it as it is. */
describe('n8n: CRM Upsert into Salesforce tells each item what was fitted to the Contact', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const env = storeWithNock();

  it("puts the notes on the item's own crm.sync.notes, and none on an item with nothing fitted", async () => {
    const mock = new SalesforceMock({ publicKey }).install(env.nock);
    const wf = assignCredentials(paymentToCrmTemplate(), { terminalCrmStore: { id: '1', name: 'Store' } });
    wf.nodes = wf.nodes.map((n) => (n.name === 'CRM Upsert' ? { ...n, parameters: { ...n.parameters, crm: 'salesforce', waitSeconds: 5 }, credentials: { ...n.credentials, terminalSalesforceApi: { id: '4', name: 'Salesforce' } } } : n));
    // A card's holder name is the customer's name, whole: it goes to LastName, which takes 80.
    const name = 'Maria-Fernanda-Guadalupe-Concepcion-Alejandra de los Santos Featherstonehaugh-Cholmondeley'; // 90 characters
    const item = async (email: string, holder?: string): Promise<INodeExecutionData> => {
      const event = JSON.parse(JSON.stringify(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 2200, email, name: holder })))));
      return { json: JSON.parse(JSON.stringify(await matchStep(tokenizeStep(event, testKeys()), env.store.crm))) };
    };
    const salesforce = await credentialWithDefaults(new TerminalSalesforceApi(), {
      clientId: '3MVG9consumerKey',
      username: 'integration@acme.example',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const run = await runWorkflow(wf, 'CRM Upsert', [await item('n8n-long@example.com', name), await item('n8n-short@example.com', 'Noa Lang')], {
      terminalCrmStore: { storeUrl: env.store.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' },
      terminalSalesforceApi: salesforce,
    });
    assert.equal(run.status, 'success', run.data.resultData.error?.message);
    const [long, short] = outputOf(run, 'CRM Upsert').map((o) => o.json.crm as { customerId: string; sync: CrmSync });
    assert.equal(long!.sync.status, 'synced', JSON.stringify(long!.sync));
    assert.deepEqual(long!.sync.notes, [`${long!.customerId}: LastName cut to 80 characters, the most Salesforce takes (the pack keeps it whole)`]);
    assert.equal(mock.find('Contact', 'Terminal_CRM_Id__c', long!.customerId)[0]!.LastName, name.slice(0, 80));
    assert.deepEqual([short!.sync.status, 'notes' in short!.sync], ['synced', false]);
  });
});
