import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { parseRegion } from '../../core/config/settings';
import { matchStep, openCrm } from '../../core/steps/steps';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { mapItems } from '../shared/map-items';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

export class MatchCustomer implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Match Customer',
    name: 'matchCustomer',
    icon: { light: 'file:../icons/matchCustomer.svg', dark: 'file:../icons/matchCustomer.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Find the customer of each payment',
    description: 'Finds the customer a tokenized terminal payment belongs to, or decides to create a new one',
    defaults: { name: 'Match Customer' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName:
          'Looks the payment up in the store by payment, processor customer, email, phone and card token. The result is added to each item under "match": the customer found (if any) and the decision: link to that customer, create a new one, or review when it is not sure. Nothing is written here; CRM Upsert does that.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let setup: { crm: Awaited<ReturnType<typeof openCrm>>; defaultRegion: ReturnType<typeof parseRegion> };
    try {
      setup = { crm: await openCrm({ storeUrl: settings.storeUrl }), defaultRegion: parseRegion(settings.defaultRegion, 'Default Region') };
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    return [await mapItems(this, (json) => matchStep(json, setup.crm, { defaultRegion: setup.defaultRegion }))];
  }
}
