import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { keyProviderFromSpec, tokenizeStep } from '../../core/steps/steps';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { mapItems } from '../shared/map-items';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

export class Tokenize implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Tokenize',
    name: 'tokenize',
    icon: { light: 'file:../icons/tokenize.svg', dark: 'file:../icons/tokenize.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Card identity → token',
    description: 'Replaces the card identity of a terminal payment with a keyed token, so no card data goes further',
    defaults: { name: 'Tokenize' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName:
          'Put this node right after the Terminal Payment Trigger. It keeps only the first six and last four digits of the card, turns the processor\'s card fingerprint into a token made with your Token Keys, and removes any card number typed into other fields. Match Customer and CRM Upsert refuse payments that skipped it.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let keys: ReturnType<typeof keyProviderFromSpec>;
    try {
      keys = keyProviderFromSpec(settings.tokenKeys, 'Token Keys');
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    return [await mapItems(this, (json) => tokenizeStep(json, keys))];
  }
}
