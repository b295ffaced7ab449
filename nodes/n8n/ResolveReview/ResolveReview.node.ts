import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { parseReviewAction, resolveReview } from '../../core/identity/resolve-review';
import { openDatabase } from '../../core/store/open-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

export class ResolveReview implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Resolve Review',
    name: 'resolveReview',
    icon: { light: 'file:../icons/matchCustomer.svg', dark: 'file:../icons/matchCustomer.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["decision"] === "link" ? "Link to the candidate" : "Keep apart" }}',
    description: 'Links a review payment to the customer Match Customer proposed, or keeps them apart',
    defaults: { name: 'Resolve Review' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName:
          'Put this after CRM Upsert on the Needs Review path, or after a person answered (a Wait, a form, an approval message). CRM Upsert recorded the review payment under a new customer.<ul><li>Link to Candidate merges that customer into the one Match Customer proposed ("match.candidateId"), with its keys, cards and payments, recorded with your reason (undo with "terminal-crm unmerge").</li><li>Keep Apart leaves both as separate customers and remembers it, so no later payment merges them automatically (a Link overrides it).</li></ul>Each item gets "review" with what was done; running it again for the same payment changes nothing.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Decision',
        name: 'decision',
        type: 'options',
        options: [
          { name: 'Link to Candidate', value: 'link', description: 'Same person: merge the new customer into the candidate' },
          { name: 'Keep Apart', value: 'keep-apart', description: 'Different people: leave both customers as they are, and never merge them automatically' },
        ],
        default: 'link',
        description: 'What to do with each review payment; map it from a person\'s answer with an expression',
      },
      {
        displayName: 'Candidate Customer ID',
        name: 'candidateId',
        type: 'string',
        default: '={{ $json.match.candidateId }}',
        description: 'The known customer Match Customer proposed',
      },
      {
        displayName: 'Recorded Customer ID',
        name: 'recordedId',
        type: 'string',
        default: '={{ $json.crm.customerId }}',
        description: 'The new customer CRM Upsert recorded the payment under',
      },
      {
        displayName: 'Reason',
        name: 'reason',
        type: 'string',
        default: '',
        placeholder: 'Same person, confirmed at the till',
        description: 'Why; kept with the merge as its evidence',
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    try {
      const store = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
      const db = await openDatabase(store.storeUrl);
      const out: INodeExecutionData[] = [];
      for (let i = 0; i < items.length; i++) {
        const review = await resolveReview(db, {
          action: parseReviewAction(this.getNodeParameter('decision', i), 'Decision'),
          candidateId: String(this.getNodeParameter('candidateId', i, '') ?? ''),
          recordedId: String(this.getNodeParameter('recordedId', i, '') ?? ''),
          reason: this.getNodeParameter('reason', i, '') as string,
          actor: 'n8n',
          via: `n8n ${this.getNode().name}`,
        });
        out.push({ json: { ...items[i]!.json, review: toItemJson(review) }, pairedItem: { item: i } });
      }
      return [out];
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
  }
}
