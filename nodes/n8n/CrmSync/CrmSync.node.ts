import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { openDatabase } from '../../core/store/open-database';
import { withCrmAlertMessage } from '../../core/messages/crm-alert-message';
import { crmSyncLimits, DEFAULT_SYNC_DEADLINE_SECONDS, MAX_SYNC_DEADLINE_SECONDS, runCrmSync } from '../../core/outbox/sync-run';
import { crmAccountTest } from '../shared/crm-account-test';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';
import { crmAdapterFromNode, crmCredentialOf, HUBSPOT_AUTHENTICATION } from '../shared/crm-credentials';

export class CrmSync implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'CRM Sync',
    name: 'crmSync',
    icon: { light: 'file:crmSync.svg', dark: 'file:crmSync.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ { hubspot: "HubSpot", salesforce: "Salesforce", dynamics: "Dynamics 365", pipedrive: "Pipedrive", zoho: "Zoho CRM" }[$parameter["crm"]] }}',
    description: "Sends what waits in the store's outbox to a CRM, within its batch size and rate limit; run it on a schedule",
    defaults: { name: 'CRM Sync' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Result', 'Alerts'],
    usableAsTool: true,
    credentials: [
      { name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' },
      // Literal entries (not mapped from CRM_CREDENTIALS): n8n's lint reads testedBy from the source as written.
      { name: 'terminalHubSpotApi', required: true, displayOptions: { show: { crm: ['hubspot'], authentication: ['accessToken'] } } },
      { name: 'terminalHubSpotOAuth2Api', required: true, displayOptions: { show: { crm: ['hubspot'], authentication: ['oAuth2'] } } },
      { name: 'terminalSalesforceApi', required: true, testedBy: 'terminalSalesforceApiTest', displayOptions: { show: { crm: ['salesforce'] } } },
      { name: 'terminalDynamicsApi', required: true, displayOptions: { show: { crm: ['dynamics'] } } },
      { name: 'terminalPipedriveApi', required: true, displayOptions: { show: { crm: ['pipedrive'] } } },
      { name: 'terminalZohoOAuth2Api', required: true, displayOptions: { show: { crm: ['zoho'] } } },
    ],
    properties: [
      {
        displayName:
          'Put this after a Schedule Trigger. Each run sends what CRM Upsert, Segment and Loyalty left queued for the CRM: customers first, in the CRM\'s batch size, within its rate limit. The first output says how many records were synced, rejected (the CRM\'s reason is kept), left to retry or given up on; the second has one item per record given up on, with the reason and a worded message (message.subject, message.text) for an email node.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'CRM',
        name: 'crm',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: 'Dynamics 365', value: 'dynamics' },
          { name: 'HubSpot', value: 'hubspot' },
          { name: 'Pipedrive', value: 'pipedrive' },
          { name: 'Salesforce', value: 'salesforce' },
          { name: 'Zoho CRM', value: 'zoho' },
        ],
        default: 'hubspot',
        description: 'The CRM whose queued records are sent',
      },
      HUBSPOT_AUTHENTICATION,
      {
        displayName: 'Max Batches',
        name: 'maxBatches',
        type: 'number',
        typeOptions: { minValue: 0, numberPrecision: 0 },
        default: 0,
        description: 'Send at most this many batches per run; 0 for no limit',
      },
      {
        displayName: 'Deadline (Seconds)',
        name: 'deadlineSeconds',
        type: 'number',
        typeOptions: { minValue: 0, maxValue: MAX_SYNC_DEADLINE_SECONDS },
        default: DEFAULT_SYNC_DEADLINE_SECONDS,
        description: 'Start no batch after this many seconds (a batch under way finishes); what is left goes with the next run. Keep it below the schedule\'s interval.',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest, terminalSalesforceApiTest: crmAccountTest('salesforce') } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    try {
      const credential = crmCredentialOf(this.getNodeParameter('crm', 0), this.getNodeParameter('authentication', 0, 'accessToken'));
      const limits = crmSyncLimits(
        { maxBatches: this.getNodeParameter('maxBatches', 0, 0), deadlineSeconds: this.getNodeParameter('deadlineSeconds', 0, DEFAULT_SYNC_DEADLINE_SECONDS) },
        { maxBatches: 'Max Batches', deadlineSeconds: 'Deadline (Seconds)' },
      );
      const store = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
      const db = await openDatabase(store.storeUrl);
      const adapter = await crmAdapterFromNode(this, credential);
      const { summary, alerts } = await runCrmSync(db, adapter, limits, credential.label);
      // What the CRM's adapter fell back on (Zoho dating deals by UTC days): nothing failed, but someone should know.
      for (const note of summary.notes ?? []) this.logger.warn(`CRM Sync (${summary.crm}): ${note}`);
      // One run whatever the input held (a schedule sends one item): the result pairs with the first.
      return [[{ json: toItemJson(summary), pairedItem: { item: 0 } }], alerts.map((a) => ({ json: toItemJson(withCrmAlertMessage(a)), pairedItem: { item: 0 } }))];
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
  }
}
