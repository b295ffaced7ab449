import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { pushSaleFromFields } from '../../core/terminal-push/sale-fields';
import { outcomeInTerms, type PushOutcome, type PushOutcomeKind, type TerminalPush } from '../../core/terminal-push/terminal-push';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalAdyenCloudTest } from './adyen-cloud-test';
import { PUSH_CREDENTIALS, terminalPushFor } from './push-credentials';
import { stripeCredentialTest } from '../shared/test-stripe-credential';
import { webhookOrTokenCredentialTest } from '../TerminalTrigger/test-source-credential';

/** What "Fail on Offline, Busy, Declined or Rejected" turns into an error; a cancel was someone's decision. */
const FAILING_OUTCOMES: ReadonlySet<PushOutcomeKind> = new Set(['offline', 'busy', 'declined', 'rejected']);

/** The sale's fields as this node's form labels them, for a refusal's message; the reader's label is the processor's. */
const SALE_LABELS: Readonly<Record<string, string>> = {
  amount: 'Amount', 'amount.minor': 'Amount', 'amount.currency': 'Currency', amountUnit: 'Amount Is In', currency: 'Currency', customerId: 'Customer ID',
  crmRecordId: 'CRM Record ID', reference: 'Reference', description: 'Description', processorCustomerId: 'Processor Customer ID',
};
const READER_LABELS: Readonly<Record<string, string>> = { stripe: 'Reader ID', square: 'Device ID', adyen: 'Terminal ID (POIID)' };

const forProcessor = (processor: string) => ({ displayOptions: { show: { processor: [processor] } } });

export class SendToTerminal implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Send to Terminal',
    name: 'sendToTerminal',
    icon: { light: 'file:../icons/sendToTerminal.svg', dark: 'file:../icons/sendToTerminal.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ { stripe: "Stripe Terminal", square: "Square Terminal", adyen: "Adyen Terminal API" }[$parameter["processor"]] }}',
    description: 'Pushes a sale from a CRM record to a card reader, with the customer in the payment so it comes back already attributed',
    defaults: { name: 'Send to Terminal' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [
      { name: PUSH_CREDENTIALS.stripe!.type, required: true, testedBy: 'stripeCredentialTest', ...forProcessor('stripe') },
      { name: PUSH_CREDENTIALS.square!.type, required: true, testedBy: 'webhookOrTokenCredentialTest', ...forProcessor('square') },
      { name: 'terminalAdyenCloudApi', required: true, testedBy: 'terminalAdyenCloudTest', ...forProcessor('adyen') },
    ],
    properties: [
      {
        displayName:
          'Puts the sale on the reader and adds "push" to the item: its outcome (sent, offline, busy, cancelled, declined or rejected), a message saying what to do next, and the payment ID. The customer and CRM record travel in the payment\'s metadata, so when the customer pays, the Terminal Payment Trigger delivers a payment that Match Customer links to this customer without guessing. Route on push.outcome with a Switch node.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Processor',
        name: 'processor',
        type: 'options',
        noDataExpression: true,
        default: 'stripe',
        options: [
          { name: 'Stripe Terminal', value: 'stripe', description: 'A card_present PaymentIntent processed on a smart reader' },
          { name: 'Square Terminal', value: 'square', description: 'A Terminal checkout on a paired Square Terminal' },
          { name: 'Adyen Terminal API (Cloud)', value: 'adyen', description: 'A payment request sent through Adyen\'s cloud; the node waits until the customer paid or the terminal gave up' },
        ],
      },
      {
        displayName: 'Reader ID',
        name: 'readerId',
        type: 'string',
        required: true,
        default: '',
        placeholder: 'tmr_…',
        description: 'The Stripe reader ID (Dashboard → Terminal → Readers)',
        ...forProcessor('stripe'),
      },
      {
        displayName: 'Device ID',
        name: 'readerId',
        type: 'string',
        required: true,
        default: '',
        description: 'The device_id of a Square Terminal paired through the Devices API (device codes from the Square Dashboard do not work here)',
        ...forProcessor('square'),
      },
      {
        displayName: 'Terminal ID (POIID)',
        name: 'readerId',
        type: 'string',
        required: true,
        default: '',
        placeholder: 'S1F2-000158123456',
        description: 'The terminal\'s model and serial number, as the Customer Area lists it',
        ...forProcessor('adyen'),
      },
      {
        displayName: 'Amount',
        name: 'amount',
        type: 'string',
        required: true,
        default: '',
        placeholder: '12.50',
        description:
          'The price, as written on the CRM record: digits and a dot for decimals (12.50; 1500 for JPY), no currency sign or thousands separator. It is converted exactly, never rounded: an amount with more decimals than the currency has is refused, and so is one the processor cannot charge exactly (MGA 12.50 at Stripe, which takes whole ariary); the refusal names the amounts to type instead.',
      },
      {
        displayName: 'Amount Is In',
        name: 'amountUnit',
        type: 'options',
        default: 'major',
        options: [
          { name: 'Major Units (12.50)', value: 'major', description: 'Dollars, euros, yen: the price as people write it' },
          { name: 'Minor Units (1250)', value: 'minor', description: 'A whole number of cents, as many APIs and databases store amounts' },
        ],
        description: 'How the Amount is written',
      },
      {
        displayName: 'Currency',
        name: 'currency',
        type: 'string',
        required: true,
        default: 'USD',
        placeholder: 'USD',
        description: 'The ISO 4217 code of the currency the reader charges in (USD, EUR, GBP, JPY…)',
      },
      {
        displayName: 'Customer ID',
        name: 'customerId',
        type: 'string',
        required: true,
        default: '={{ $json.crm.customerId }}',
        description:
          'The pack\'s customer ID (cus_…) of the person who pays. It is written to the payment, so the payment is recorded under this customer when it comes back.',
      },
      {
        displayName: 'CRM Record ID',
        name: 'crmRecordId',
        type: 'string',
        default: '',
        placeholder: 'deal-9001',
        description: 'The deal, invoice or booking the sale belongs to; travels with the payment',
      },
      {
        displayName: 'Reference',
        name: 'reference',
        type: 'string',
        required: true,
        default: '',
        placeholder: 'deal-9001',
        description:
          'A key that names this sale, such as the deal ID. Pushing the same reference again (a retried workflow) reaches a Stripe or Square reader as the same sale, which can only be paid once. Adyen has no such key: each push is a new payment request. Square takes at most 40 characters: a longer reference is rejected.',
      },
      {
        displayName: 'Description',
        name: 'description',
        type: 'string',
        default: '',
        placeholder: 'Cut and colour',
        description: 'What is being paid for; shown on the payment in the processor\'s dashboard',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Fail on Offline, Busy, Declined or Rejected',
            name: 'failOnProblem',
            type: 'boolean',
            default: false,
            description:
              'Whether to stop the workflow (or, with Continue On Fail, add "error" to the item) when the sale did not reach a customer who paid: reader offline or busy, card declined, or the request refused. Off: every outcome leaves on the output in "push", for a Switch node. A cancel is never an error.',
          },
          {
            displayName: 'Processor Customer ID',
            name: 'processorCustomerId',
            type: 'string',
            default: '',
            placeholder: 'cus_… (Stripe) or the Square customer ID',
            description: 'The processor\'s own customer ID, when the CRM knows it; attaches the payment to that customer in the processor too',
          },
        ],
      },
    ],
  };

  methods = { credentialTest: { terminalAdyenCloudTest, stripeCredentialTest, webhookOrTokenCredentialTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const out: INodeExecutionData[] = [];
    // One adapter per processor for the run; the processor may come from an expression.
    const pushes = new Map<string, TerminalPush>();
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const json = items[itemIndex]!.json;
      const pairedItem = { item: itemIndex };
      // The item goes on with a field added: its files (a quote PDF beside the deal) go on with it.
      const binary = items[itemIndex]!.binary ? { binary: items[itemIndex]!.binary } : {};
      let outcome: PushOutcome | undefined;
      try {
        const processor = this.getNodeParameter('processor', itemIndex) as string;
        let push = pushes.get(processor);
        if (!push) pushes.set(processor, (push = await terminalPushFor(this, processor, itemIndex)));
        const options = this.getNodeParameter('options', itemIndex, {}) as { failOnProblem?: boolean; processorCustomerId?: string };
        const param = (name: string) => this.getNodeParameter(name, itemIndex, '') as unknown;
        const sold = await pushSaleFromFields(push, {
          readerId: param('readerId'),
          amount: param('amount'),
          amountUnit: param('amountUnit'),
          currency: param('currency'),
          customerId: param('customerId'),
          crmRecordId: param('crmRecordId'),
          reference: param('reference'),
          description: param('description'),
          processorCustomerId: options.processorCustomerId,
        });
        outcome = outcomeInTerms(sold, { ...SALE_LABELS, readerId: READER_LABELS[processor]! });
        if (options.failOnProblem && FAILING_OUTCOMES.has(outcome.outcome)) {
          throw new NodeOperationError(this.getNode(), outcome.message, { itemIndex, description: `push.outcome is "${outcome.outcome}"` });
        }
        out.push({ json: { ...json, push: toItemJson(outcome) }, ...binary, pairedItem });
      } catch (error) {
        if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
        // The item is a CRM record, not a payment: it is kept, with the outcome when there was one.
        const failed: IDataObject = { ...json, error: errorMessage(error) };
        if (outcome) failed.push = toItemJson(outcome);
        out.push({ json: failed, ...binary, pairedItem });
      }
    }
    return [out];
  }
}
