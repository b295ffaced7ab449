import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { parseReviewAction, resolveReview } from '../../core/identity/resolve-review';
import { openDatabase } from '../../core/store/open-database';
import type { SqlDatabase } from '../../core/store/sql-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
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
    let db: SqlDatabase;
    try {
      db = await openDatabase(readCrmStoreCredential(await this.getCredentials('terminalCrmStore')).storeUrl);
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    const out: INodeExecutionData[] = [];
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const pairedItem = { item: itemIndex };
      // The item goes on with a field added: its files (what the person deciding attached) go on with it.
      const binary = items[itemIndex]!.binary ? { binary: items[itemIndex]!.binary } : {};
      try {
        const review = await resolveReview(db, {
          action: parseReviewAction(this.getNodeParameter('decision', itemIndex), 'Decision'),
          candidateId: this.getNodeParameter('candidateId', itemIndex, ''),
          recordedId: this.getNodeParameter('recordedId', itemIndex, ''),
          reason: this.getNodeParameter('reason', itemIndex, ''),
          actor: 'n8n',
          via: `n8n ${this.getNode().name}`,
        });
        out.push({ json: { ...items[itemIndex]!.json, review: toItemJson(review) }, ...binary, pairedItem });
      } catch (error) {
        if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
        // Unlike mapItems, the item is kept: it comes after CRM Upsert (tokenized), and the person deciding needs
        // to see which payment the error belongs to.
        out.push({ json: { ...items[itemIndex]!.json, error: errorMessage(error) }, ...binary, pairedItem });
      }
    }
    return [out];
  }
}
