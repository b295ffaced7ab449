import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ICredentialDataDecryptedObject, IConnections, IHttpRequestOptions, INode, INodeExecutionData } from 'n8n-workflow';
import { newCustomerId } from '../../nodes/core/crm/upsert-payments';
import { readLocalCustomerFields } from '../../nodes/core/crm/customer-fields';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { TOKEN } from '../core/crm/saas/hubspot-kit';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { tempStore } from '../support/temp-store';
import { outputsOf } from './support/outputs';
import { PACKAGE } from './support/package-node-types';
import { runWorkflow, type WorkflowJson, storeCredentials } from './support/run-workflow';
import { StaticCredentialsHelper } from './support/static-credentials-helper';

type Store = Awaited<ReturnType<typeof tempStore>>;

const CONTACT_PROPERTIES = [
  'email', 'firstname', 'lastname', 'terminal_crm_id',
  'terminal_crm_segment', 'terminal_crm_rfm', 'terminal_crm_p_alive', 'terminal_crm_expected_value', 'terminal_crm_high_value', 'terminal_crm_at_risk',
  'loyalty_tier', 'loyalty_points', 'loyalty_member_since',
];

const credentials = { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' }, terminalHubSpotApi: { id: '2', name: 'HubSpot' } };
const node = (name: string, type: string, parameters: INode['parameters'] = {}): INode => ({
  id: name, name, type: `${PACKAGE}.${type}`, typeVersion: 1, position: [0, 0], parameters, credentials,
});

function chain(...tail: INode[]): WorkflowJson {
  const nodes = [node('Tokenize', 'tokenize'), node('Match Customer', 'matchCustomer'), node('CRM Upsert', 'crmUpsert'), ...tail];
  const connections: IConnections = {};
  for (let i = 0; i < nodes.length - 1; i++) connections[nodes[i]!.name] = { main: [[{ node: nodes[i + 1]!.name, type: 'main', index: 0 }]] };
  return { name: 'fields to HubSpot', nodes, connections, settings: { executionOrder: 'v1' } };
}

const hubspot = { crm: 'hubspot', authentication: 'accessToken', waitForCrmSeconds: 5 };

describe('n8n: Segment Customer and Loyalty Enroll with HubSpot chosen', () => {
  let store: Store;
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  const authenticate = StaticCredentialsHelper.prototype.authenticate;
  before(async () => {
    store = await tempStore();
    nock = (await import('nock')).default;
    nock.disableNetConnect();
    // What n8n's credentials helper does with the credential's `authenticate` (a Bearer header from accessToken).
    StaticCredentialsHelper.prototype.authenticate = async function (c: ICredentialDataDecryptedObject, type: string, options: IHttpRequestOptions) {
      return type === 'terminalHubSpotApi' ? { ...options, headers: { ...options.headers, Authorization: `Bearer ${String(c.accessToken)}` } } : options;
    };
  });
  afterEach(() => nock.cleanAll());
  after(async () => {
    StaticCredentialsHelper.prototype.authenticate = authenticate;
    nock.enableNetConnect();
    nock.restore();
    await store.remove();
  });
  const creds = () => ({
    ...storeCredentials(store.url),
    terminalHubSpotApi: { accessToken: TOKEN, baseUrl: 'https://api.hubapi.com' },
  });

  it('each item says its fields reached HubSpot (the contact id), and the contact holds them; the store keeps its copy', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: TOKEN, properties: { contacts: CONTACT_PROPERTIES } });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 60_000, email: 'vip@example.com', card: { fingerprint: 'fp_vip' } }));
    const payment = normalizeStripeEvent(event);
    // CRM Upsert (local here) has already put the customer into HubSpot.
    const contact = mock.seed('contacts', { terminal_crm_id: newCustomerId(payment), email: 'vip@example.com' });

    const wf = chain(
      node('Segment Customer', 'segment', { ...hubspot, currency: 'USD', highValuePayment: 500 }),
      node('Loyalty Enroll', 'loyaltyEnroll', { ...hubspot, programId: 'n8n-club', tiers: { tier: [{ name: 'Gold', minSpend: 0, multiplier: 1 }] } }),
    );
    const r = await runWorkflow(wf, 'Tokenize', [{ json: JSON.parse(JSON.stringify(payment)) } as INodeExecutionData], creds());
    assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
    const [out, enrolled] = outputsOf(r, 'Loyalty Enroll');
    assert.equal((enrolled![0]!.json.loyalty as { crmSync: { status: string } }).crmSync.status, 'synced', 'the enrollment item says so too');
    const item = out![0]!.json as { segment: { customerId: string; crmSync: Record<string, unknown> }; loyalty: { crmSync: Record<string, unknown> } };
    assert.deepEqual([item.segment.crmSync.status, item.segment.crmSync.crm, item.segment.crmSync.crmId], ['synced', 'hubspot', contact.id]);
    assert.deepEqual([item.loyalty.crmSync.status, item.loyalty.crmSync.crmId], ['synced', contact.id]);

    const props = mock.recordBy('contacts', 'terminal_crm_id', item.segment.customerId)[0]!.properties;
    assert.deepEqual([props.terminal_crm_segment, props.terminal_crm_high_value, props.loyalty_tier, props.loyalty_points], ['New', 'true', 'Gold', '600']);
    assert.ok(mock.calls.every((c) => c.authorization === `Bearer ${TOKEN}`), 'through n8n with the credential');
    const local = await readLocalCustomerFields(store.db, item.segment.customerId);
    assert.deepEqual([local.terminal_crm_segment, local.loyalty_tier], ['New', 'Gold']);
  });

  it('with Local (the default) writes only the store’s copy and calls no CRM', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: TOKEN });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1_000, email: 'local@example.com', card: { fingerprint: 'fp_local' } }));
    const r = await runWorkflow(chain(node('Segment Customer', 'segment')), 'Tokenize', [{ json: JSON.parse(JSON.stringify(normalizeStripeEvent(event))) } as INodeExecutionData], creds());
    const segment = outputsOf(r, 'Segment Customer')[0]![0]!.json.segment as { customerId: string; crmSync?: unknown };
    assert.equal(segment.crmSync, undefined);
    assert.equal(mock.calls.length, 0);
    assert.equal((await readLocalCustomerFields(store.db, segment.customerId)).terminal_crm_segment, 'New');
  });
});
