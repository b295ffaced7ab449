import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { openCrm, upsertStep } from '../../core/steps/steps';
import { upsertItemProblems, upsertStepSettled } from '../../core/steps/upsert-settled';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

export class CrmUpsert implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'CRM Upsert',
    name: 'crmUpsert',
    icon: { light: 'file:../icons/crmUpsert.svg', dark: 'file:../icons/crmUpsert.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["crm"] === "local" ? "Local SQL Store" : $parameter["crm"] }}',
    description: 'Creates or updates the customer of each matched payment and records the transaction, once per event',
    defaults: { name: 'CRM Upsert' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName: 'CRM',
        name: 'crm',
        type: 'options',
        noDataExpression: true,
        options: [
          {
            name: 'Local SQL Store',
            value: 'local',
            description: 'Customers and transactions in the store set in the Terminal CRM Store credential',
          },
        ],
        default: 'local',
        description: 'Where customers and transactions are written',
      },
      {
        displayName:
          'Items must come from Match Customer. All items of a run are written together. A payment already recorded is not written twice (its result says "duplicate"), so Stripe retries are safe.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    const payloads = this.getInputData().map((item) => item.json);
    let crm: Awaited<ReturnType<typeof openCrm>>;
    try {
      crm = await openCrm({ crm: this.getNodeParameter('crm', 0, 'local') as string, storeUrl: settings.storeUrl });
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    if (!this.continueOnFail()) {
      // All or nothing: a bad item stops the node before anything of this run is written.
      const problems = upsertItemProblems(payloads);
      const bad = problems.findIndex(Boolean);
      if (bad >= 0) throw toNodeError(this.getNode(), problems[bad], bad);
      try {
        const written = await upsertStep(payloads, crm);
        return [written.map((message, itemIndex) => ({ json: toItemJson(message), pairedItem: { item: itemIndex } }))];
      } catch (error) {
        throw toNodeError(this.getNode(), error);
      }
    }
    const results = await upsertStepSettled(payloads, crm);
    return [
      results.map((result, itemIndex) => ({
        json: result.ok ? toItemJson(result.value) : { error: errorMessage(result.error) },
        pairedItem: { item: itemIndex },
      })),
    ];
  }
}
