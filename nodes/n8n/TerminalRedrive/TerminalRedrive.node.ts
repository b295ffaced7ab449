import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { parseRegion } from '../../core/config/settings';
import { optionalSaasCrmName, SAAS_CRM_LABELS, SAAS_CRM_NAMES } from '../../core/crm/crm-names';
import { DEFAULT_REDRIVE_AFTER_MS, DEFAULT_REDRIVE_LIMIT, MIN_REDRIVE_LIMIT } from '../../core/inbox/redrive';
import { redriveLimit, redriveRunAfterMs } from '../../core/inbox/redrive-settings';
import { redrivePayments } from '../../core/pipeline/redrive-payments';
import { keyProviderFromSpec } from '../../core/steps/steps';
import { openDatabase } from '../../core/store/open-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

/** The SaaS CRMs by the names their users know, in the editor's alphabetical order. */
const SAAS_CRM_OPTIONS = SAAS_CRM_NAMES.map((crm) => ({ name: SAAS_CRM_LABELS[crm], value: crm })).sort((a, b) => a.name.localeCompare(b.name));

export class TerminalRedrive implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Redrive',
    name: 'terminalRedrive',
    icon: { light: 'file:terminalRedrive.svg', dark: 'file:terminalRedrive.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ "older than " + $parameter["olderThan"] }}',
    description: 'Finishes the payments a trigger accepted and no execution finished; run it on a schedule',
    defaults: { name: 'Terminal Redrive' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Redriven', 'Failed'],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName:
          'Put this after a Schedule Trigger (every few minutes). The Terminal Payment Trigger answers the processor as soon as it has kept the payment in the store; if this n8n stopped, or a step failed, before CRM Upsert, the processor will not send it again. Each run records those payments through Tokenize, Match Customer and CRM Upsert into the store, each exactly once, and queues each, with its customer, for every SaaS CRM the store already sends to and for the one Also Queue for CRM names (a CRM Sync sends it). The first output has one item per recorded payment, as CRM Upsert outputs it (connect Segment or Loyalty Enroll); the second, one per payment that still failed, with the reason.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Older Than',
        name: 'olderThan',
        type: 'string',
        default: '5m',
        placeholder: '5m',
        description: 'Only payments accepted at least this long ago (5m, 30s, 1h; 0 for all): an execution that is merely slow gets to finish first',
      },
      {
        displayName: 'Limit',
        name: 'limit',
        type: 'number',
        typeOptions: { minValue: MIN_REDRIVE_LIMIT, numberPrecision: 0 },
        // eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-limit -- the run's size, not results returned: the core's default, as Node-RED's At most and the CLI's --limit take it
        default: DEFAULT_REDRIVE_LIMIT,
        // eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-limit -- it bounds the waiting payments a run takes, not results returned: the first output holds those recorded, the second those that failed
        description: 'Max number of waiting payments one run takes, oldest first; the rest wait for the next run',
      },
      {
        displayName: 'Also Queue for CRM',
        name: 'crm',
        type: 'options',
        noDataExpression: true,
        options: [{ name: 'None', value: '' }, ...SAAS_CRM_OPTIONS],
        default: '',
        description:
          'Also queue each recorded payment and its customer for this SaaS CRM, even before the store has sent it anything: choose the CRM your CRM Upsert writes to, so the payments of an n8n that stopped before its first CRM Upsert reach it too. The CRMs the store already sends to are queued for either way; None: only those.',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    try {
      const olderThanMs = redriveRunAfterMs('Older Than', this.getNodeParameter('olderThan', 0, '5m'), DEFAULT_REDRIVE_AFTER_MS);
      // An expression's -5 or 2.5 is refused by name, not raised to 1 or rounded down without a word.
      const limit = redriveLimit('Limit', this.getNodeParameter('limit', 0, DEFAULT_REDRIVE_LIMIT));
      const crm = optionalSaasCrmName(this.getNodeParameter('crm', 0, ''), 'Also Queue for CRM');
      const store = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
      const report = await redrivePayments(await openDatabase(store.storeUrl), {
        keys: keyProviderFromSpec(store.tokenKeys, 'Token Keys'),
        defaultRegion: parseRegion(store.defaultRegion, 'Default Region'),
        olderThanMs,
        limit,
        crms: crm ? [crm] : [],
      });
      // One run whatever the input held (a schedule sends one item): every output item pairs with the first.
      return [
        report.redriven.map((r) => ({ json: toItemJson(r.result), pairedItem: { item: 0 } })),
        report.failed.map((f) => ({ json: toItemJson(f), pairedItem: { item: 0 } })),
      ];
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
  }
}
