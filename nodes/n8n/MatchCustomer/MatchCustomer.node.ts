import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { parseRegion } from '../../core/config/settings';
import type { Crm } from '../../core/contracts/crm';
import type { MatchConfig } from '../../core/match/match-config';
import { matchConfigFromSettings, matchOutputOf, type MatchSettings } from '../../core/match/operator-settings';
import { warmMatchIndexOnce } from '../../core/match/warm-once';
import { matchStepSettled } from '../../core/steps/match-settled';
import { openCrm } from '../../core/steps/steps';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

// Version 1 had one output; workflows made with it keep it (review payments leave there too), so upgrading the
// package cannot strand a payment on an output nobody connected.
const OUTPUTS_BY_VERSION =
  '={{ $nodeVersion >= 2 ? [{ "type": "main", "displayName": "Matched or New" }, { "type": "main", "displayName": "Needs Review" }] : ["main"] }}';

export class MatchCustomer implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Match Customer',
    name: 'matchCustomer',
    icon: { light: 'file:../icons/matchCustomer.svg', dark: 'file:../icons/matchCustomer.dark.svg' },
    group: ['transform'],
    version: [1, 2],
    defaultVersion: 2,
    subtitle: 'Find the customer of each payment',
    description: 'Finds the customer a tokenized terminal payment belongs to, or decides to create a new one',
    defaults: { name: 'Match Customer' },
    inputs: [NodeConnectionTypes.Main],
    outputs: OUTPUTS_BY_VERSION,
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      {
        displayName:
          'Looks each payment up in the store and adds "match" to the item: the decision, the customer ID, a confidence from 0 to 1, what it matched on, and an explanation listing which fields agreed or disagreed and what each weighed. Nothing is written here; CRM Upsert records the payment.<ul><li>Matched or New (first output): "link", the payment belongs to a known customer (same payment, processor customer, email, phone or card, or details that agree at or above the Link Threshold); or "create", nobody known, CRM Upsert makes a new customer.</li><li>Needs Review (second output): "review", the details point to a known customer ("candidateId") but only with a confidence between the Review Threshold and the Link Threshold. Send these to a person; connect CRM Upsert here too so the payment is still recorded (under a new customer, which Resolve Review can link to the candidate or keep apart).</li></ul>',
        name: 'notice',
        type: 'notice',
        default: '',
        displayOptions: { show: { '@version': [2] } },
      },
      {
        displayName:
          'Looks the payment up in the store by payment, processor customer, email, phone and card token. The result is added to each item under "match": the customer found (if any) and the decision: link to that customer, create a new one, or review when it is not sure. All three leave on the one output of this version; add the node again for a separate "Needs Review" output.',
        name: 'noticeV1',
        type: 'notice',
        default: '',
        displayOptions: { show: { '@version': [1] } },
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Auto-Merge',
            name: 'autoMerge',
            type: 'boolean',
            default: true,
            description:
              'Whether to merge two known customers when a payment shows they are one person (e.g. its card is on one and its email on the other) and their details agree. Every merge is recorded with its evidence; undo one with "terminal-crm unmerge".',
          },
          {
            displayName: 'Link Threshold',
            name: 'linkThreshold',
            type: 'number',
            default: 0.9,
            typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
            description: 'A payment whose details agree with a customer at or above this confidence (0 to 1) is linked to them. Raise it to link less and review more.',
          },
          {
            displayName: 'Review Threshold',
            name: 'reviewThreshold',
            type: 'number',
            default: 0.5,
            typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
            description:
              'Between this and the Link Threshold a payment goes to "Needs Review"; below it a new customer is made. Must not be above the Link Threshold; equal to it means no review.',
          },
          {
            displayName: 'Use Field-by-Field Matching',
            name: 'fieldByField',
            type: 'boolean',
            default: true,
            description:
              'Whether to compare name, address, email, phone, birth date and card details when no exact key (payment, processor customer, email, phone, card token) finds the customer. Off: only exact keys link, everything else is a new customer.',
          },
        ],
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let setup: { crm: Crm; config: MatchConfig };
    try {
      const options = this.getNodeParameter('options', 0, {}) as MatchSettings;
      const config = matchConfigFromSettings({ ...options, defaultRegion: parseRegion(settings.defaultRegion, 'Default Region') });
      setup = { crm: await openCrm({ storeUrl: settings.storeUrl }), config };
      // The first execution in this process loads the customers; the others find them loaded.
      await warmMatchIndexOnce(setup.crm, config);
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    const separateReview = this.getNode().typeVersion >= 2;
    const outputs: INodeExecutionData[][] = separateReview ? [[], []] : [[]];
    const items = this.getInputData();
    // All items in one batch: one payment-id lookup and one index refresh for the execution, not one per item.
    const continueOnFail = this.continueOnFail();
    const results = await matchStepSettled(items.map((item) => item.json), setup.crm, setup.config, { stopAtFirstError: !continueOnFail });
    for (const [itemIndex, result] of results.entries()) {
      const pairedItem = { item: itemIndex };
      if (result.ok) {
        outputs[separateReview ? matchOutputOf(result.value) : 0]!.push({ json: toItemJson(result.value), pairedItem });
      } else {
        // As in mapItems: the failed item's input is not passed on, since it may still hold card data.
        if (!continueOnFail) throw toNodeError(this.getNode(), result.error, itemIndex);
        outputs[0]!.push({ json: { error: errorMessage(result.error) }, pairedItem });
      }
    }
    return outputs;
  }
}
