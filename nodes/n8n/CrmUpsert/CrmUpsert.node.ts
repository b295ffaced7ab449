import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { CrmAdapter } from '../../core/crm/saas/crm-adapter';
import type { PaymentMessage } from '../../core/contracts/payment-message';
import { upsertItemProblems, upsertStepSettled } from '../../core/steps/upsert-settled';
import { crmWaitMs, DEFAULT_CRM_WAIT_SECONDS, parseUpsertCrmName, upsertToCrmStep, type SaasCrmTarget } from '../../core/steps/upsert-to-crm';
import { openDatabase } from '../../core/store/open-database';
import { crmAdapterFromNode, crmCredentialOf, HUBSPOT_AUTHENTICATION } from '../shared/crm-credentials';
import { crmAccountTest } from '../shared/crm-account-test';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

const SAAS = ['dynamics', 'hubspot', 'pipedrive', 'salesforce', 'zoho'];

export class CrmUpsert implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'CRM Upsert',
    name: 'crmUpsert',
    icon: { light: 'file:../icons/crmUpsert.svg', dark: 'file:../icons/crmUpsert.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle:
      '={{ { local: "Local SQL Store", hubspot: "HubSpot", salesforce: "Salesforce", dynamics: "Dynamics 365", pipedrive: "Pipedrive", zoho: "Zoho CRM" }[$parameter["crm"]] }}',
    description: 'Records each matched payment and its customer in the store, then sends them to the CRM chosen, once per event',
    defaults: { name: 'CRM Upsert' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [
      { name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' },
      { name: 'terminalHubSpotApi', required: true, displayOptions: { show: { crm: ['hubspot'], authentication: ['accessToken'] } } },
      { name: 'terminalHubSpotOAuth2Api', required: true, displayOptions: { show: { crm: ['hubspot'], authentication: ['oAuth2'] } } },
      { name: 'terminalSalesforceApi', required: true, testedBy: 'terminalSalesforceApiTest', displayOptions: { show: { crm: ['salesforce'] } } },
      { name: 'terminalDynamicsApi', required: true, displayOptions: { show: { crm: ['dynamics'] } } },
      { name: 'terminalPipedriveApi', required: true, displayOptions: { show: { crm: ['pipedrive'] } } },
      { name: 'terminalZohoOAuth2Api', required: true, displayOptions: { show: { crm: ['zoho'] } } },
    ],
    properties: [
      {
        displayName: 'CRM',
        name: 'crm',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: 'Dynamics 365', value: 'dynamics', description: 'Contacts and payments in Dataverse, after the store' },
          { name: 'HubSpot', value: 'hubspot', description: 'Contacts and deals, after the store' },
          { name: 'Local SQL Store', value: 'local', description: 'Customers and transactions in the store set in the Terminal CRM Store credential only' },
          { name: 'Pipedrive', value: 'pipedrive', description: 'Persons and deals, after the store' },
          { name: 'Salesforce', value: 'salesforce', description: 'Contacts and payments, after the store' },
          { name: 'Zoho CRM', value: 'zoho', description: 'Contacts and deals, after the store' },
        ],
        default: 'local',
        description: 'Where customers and payments go. The store always keeps them; a SaaS CRM gets them through the store’s outbox.',
      },
      HUBSPOT_AUTHENTICATION,
      {
        displayName: 'Wait for CRM (Seconds)',
        name: 'waitSeconds',
        type: 'number',
        typeOptions: { minValue: 0, maxValue: 120 },
        default: DEFAULT_CRM_WAIT_SECONDS,
        description:
          'How long to send to the CRM before the items go on. What is not sent by then stays queued (the item says why and when it is tried next) and goes with the next CRM Sync.',
        displayOptions: { show: { crm: SAAS } },
      },
      {
        displayName:
          'Items must come from Match Customer. All items of a run are written together. A payment already recorded is not written twice (its result says "duplicate"), so Stripe retries are safe. With a SaaS CRM, each item’s crm.sync says whether it reached the CRM: synced, queued (with the reason and the next attempt), rejected (with the CRM’s message), or dead (given up after its retries, with the reason); crm.sync.notes, when there is one, says what was fitted to the CRM’s field lengths in that item’s records (a name cut, an email left out).',
        name: 'notice',
        type: 'notice',
        default: '',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest, terminalSalesforceApiTest: crmAccountTest('salesforce') } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const payloads = this.getInputData().map((item) => item.json);
    let write: (valid: readonly unknown[]) => Promise<PaymentMessage[]>;
    try {
      const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
      const crm = parseUpsertCrmName(this.getNodeParameter('crm', 0, 'local'), 'CRM');
      const db = await openDatabase(settings.storeUrl);
      const target = crm === 'local' ? undefined : await saasTarget(this, crm);
      write = (valid) => upsertToCrmStep(valid, db, target);
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    if (!this.continueOnFail()) {
      // All or nothing: a bad item stops the node before anything of this run is written.
      const problems = upsertItemProblems(payloads);
      const bad = problems.findIndex(Boolean);
      if (bad >= 0) throw toNodeError(this.getNode(), problems[bad], bad);
      try {
        const written = await write(payloads);
        return [written.map((message, itemIndex) => ({ json: toItemJson(message), pairedItem: { item: itemIndex } }))];
      } catch (error) {
        throw toNodeError(this.getNode(), error);
      }
    }
    const results = await upsertStepSettled(payloads, write);
    return [
      results.map((result, itemIndex) => ({
        json: result.ok ? toItemJson(result.value) : { error: errorMessage(result.error) },
        pairedItem: { item: itemIndex },
      })),
    ];
  }
}

/**
 * The SaaS CRM behind the node's credential. A credential n8n cannot give or the core cannot use is not a reason
 * to lose the run's payments: they are recorded, queued, and each item says why it waits.
 */
async function saasTarget(ctx: IExecuteFunctions, crm: Exclude<ReturnType<typeof parseUpsertCrmName>, 'local'>): Promise<SaasCrmTarget> {
  const waitMs = crmWaitMs(ctx.getNodeParameter('waitSeconds', 0, DEFAULT_CRM_WAIT_SECONDS), 'Wait for CRM (Seconds)');
  const credential = crmCredentialOf(crm, ctx.getNodeParameter('authentication', 0, 'accessToken'));
  let adapter: CrmAdapter | undefined;
  let problem: unknown;
  try {
    adapter = await crmAdapterFromNode(ctx, credential);
  } catch (e) {
    problem = e;
  }
  return {
    crm,
    waitMs,
    adapter: () => {
      if (!adapter) throw problem instanceof Error ? problem : new Error(String(problem));
      return adapter;
    },
  };
}
