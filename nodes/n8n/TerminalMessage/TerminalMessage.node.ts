import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { flushQueuedMessages, messageStep } from '../../core/messages/message-step';
import { DECLINE_RULE_LIMITS } from '../../core/messages/decline-rate';
import { MAX_RECENT_PAYMENTS, messageSettingsFromForm, type MessageSettings } from '../../core/messages/settings';
import { openDatabase } from '../../core/store/open-database';
import type { SqlDatabase } from '../../core/store/sql-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { choiceOf } from '../shared/choice';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';

const compose = { show: { operation: ['compose'] } };
const customerKinds = { show: { operation: ['compose'], kind: ['thank-you', 'loyalty-welcome', 'refund'] } };
const alertKinds = { show: { operation: ['compose'], kind: ['high-value-alert', 'failed-payments'] } };
const declines = { show: { operation: ['compose'], kind: ['failed-payments'] } };
/** The editor stops at what the run takes (numberPrecision 0: whole numbers). */
const { windowMinutes: WINDOW, minDeclines: MIN_DECLINES, minRate: MIN_RATE } = DECLINE_RULE_LIMITS;

const FORM: INodeProperties[] = [
  {
    displayName: 'Shop Name',
    name: 'shopName',
    type: 'string',
    default: '',
    placeholder: 'Café Lumen',
    description: 'How the shop is named in messages',
    displayOptions: compose,
  },
  {
    displayName: 'Alert Recipient',
    name: 'to',
    type: 'string',
    default: '',
    placeholder: 'sales@yourshop.com',
    description: 'Who gets the alert (put in "message.to"); leave empty to set the recipient in the email step',
    displayOptions: alertKinds,
  },
  {
    displayName: 'Locale',
    name: 'locale',
    type: 'string',
    default: 'en-US',
    description: 'How amounts and numbers are written (en-US: $1,234.50; de-DE: 1.234,50 €; ja-JP: ￥1,235)',
    displayOptions: compose,
  },
  {
    displayName: 'Location Names',
    name: 'locationNames',
    type: 'string',
    typeOptions: { rows: 3 },
    default: '',
    placeholder: 'tml_123=Main Street',
    description: 'One terminal location ID=Name per line, so messages say "Main Street" rather than the ID',
    displayOptions: compose,
  },
  {
    displayName: 'Quiet Hours From',
    name: 'quietStart',
    type: 'string',
    default: '',
    placeholder: '21:00',
    description: 'Messages composed from this local time are held until Quiet Hours Until, then sent by the Send Queued Messages operation. Empty: no quiet hours.',
    displayOptions: customerKinds,
  },
  {
    displayName: 'Quiet Hours Until',
    name: 'quietEnd',
    type: 'string',
    default: '',
    placeholder: '08:00',
    description: 'The local time quiet hours end and held messages may go (HH:MM)',
    displayOptions: customerKinds,
  },
  {
    displayName: 'Time Zone',
    name: 'timeZone',
    type: 'string',
    default: 'UTC',
    placeholder: 'Europe/Paris',
    description: 'The shop’s time zone, for quiet hours',
    displayOptions: customerKinds,
  },
  {
    displayName: 'Recent Payments Listed',
    name: 'recentPayments',
    type: 'number',
    default: 5,
    typeOptions: { minValue: 0, maxValue: MAX_RECENT_PAYMENTS, numberPrecision: 0 },
    description: "How many of the customer's latest payments the alert lists; 0: none",
    displayOptions: { show: { operation: ['compose'], kind: ['high-value-alert'] } },
  },
  {
    displayName: 'Count Declines Per',
    name: 'declinesPer',
    type: 'options',
    options: [
      { name: 'Terminal', value: 'terminal' },
      { name: 'Location', value: 'location' },
    ],
    default: 'terminal',
    description: 'Whether declines are counted for each terminal or for each location (all its terminals together)',
    displayOptions: declines,
  },
  {
    displayName: 'Window (Minutes)',
    name: 'windowMinutes',
    type: 'number',
    default: 15,
    typeOptions: { minValue: WINDOW.min, maxValue: WINDOW.max, numberPrecision: 0 },
    description: 'The declines and attempts counted are those of the last this many minutes, up to the decline being looked at',
    displayOptions: declines,
  },
  {
    displayName: 'Minimum Declines',
    name: 'minDeclines',
    type: 'number',
    default: 3,
    typeOptions: { minValue: MIN_DECLINES.min, numberPrecision: 0 },
    description: 'Alert when at least this many payments were declined within the window…',
    displayOptions: declines,
  },
  {
    displayName: 'Minimum Decline Rate',
    name: 'minRate',
    type: 'number',
    default: 0.3,
    typeOptions: { minValue: MIN_RATE.min, maxValue: MIN_RATE.max, numberPrecision: 2 },
    description: '…and they are at least this share of the attempts (0.3 = 30%). One alert per window.',
    displayOptions: declines,
  },
];

/** The form's labels, for errors: a wrong field is named as the editor shows it. */
const LABELS: Record<string, string> = { kind: 'Message', ...Object.fromEntries(FORM.map((p) => [p.name, p.displayName])) };

const OPERATION: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  options: [
    { name: 'Compose', value: 'compose', action: 'Compose a message for each payment', description: 'Adds "message" (to, subject, text, amountText; phone for a thank-you) to the items that call for one; the others stop here' },
    { name: 'Send Queued Messages', value: 'flush', action: 'Release messages held by quiet hours', description: 'After a Schedule Trigger: outputs the messages of the chosen kind whose quiet hours are over, once each, at most 100 per run (the rest go with the next run)' },
  ],
  default: 'compose',
};

export class TerminalMessage implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Message',
    name: 'terminalMessage',
    icon: { light: 'file:terminalMessage.svg', dark: 'file:terminalMessage.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["operation"] === "flush" ? "Send queued messages" : $parameter["kind"] }}',
    description: 'Words a thank-you, alert, loyalty or refund message for a terminal payment, once per payment, with amounts as their currency writes them',
    defaults: { name: 'Terminal Message' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }],
    properties: [
      OPERATION,
      {
        displayName: 'Message',
        name: 'kind',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: 'Failed-Payment Alert', value: 'failed-payments', description: 'After Tokenize: declines above a rate per terminal or location, with the reasons' },
          { name: 'High-Value Alert', value: 'high-value-alert', description: 'After Segment Customer: to sales, with segment, lifetime value and recent payments' },
          { name: 'Loyalty Welcome', value: 'loyalty-welcome', description: 'After Loyalty Enroll’s second output: enrollment or tier change, with tier and points' },
          { name: 'Refund', value: 'refund', description: 'After Loyalty Enroll (or CRM Upsert): the refund and the points taken back (never for a refund the processor reversed)' },
          { name: 'Thank-You', value: 'thank-you', description: 'After CRM Upsert: a completed payment, once (never a decline, refund or repeat)' },
        ],
        default: 'thank-you',
        // Shown for Send Queued Messages too, which releases the messages of this kind only: each workflow's schedule
        // sends its own, through its own steps.
      },
      {
        displayName:
          'Items that call for no message (a decline for a thank-you, a payment Stripe delivered twice, a customer who is not high value) stop here, so connect the email, Slack or SMS step straight after it and map "message.to", "message.subject" and "message.text" (a Slack step: "message.slackText", escaped for Slack; an SMS step: "message.phone", E.164, set on a thank-you when the customer\'s phone is known).',
        name: 'notice',
        type: 'notice',
        default: '',
        displayOptions: compose,
      },
      ...FORM,
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const store = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let db: SqlDatabase;
    let operation: string;
    try {
      operation = choiceOf(OPERATION, this.getNodeParameter('operation', 0, 'compose'));
      db = await openDatabase(store.storeUrl);
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    if (operation === 'flush') {
      try {
        const kind = messageSettingsFromForm({ kind: this.getNodeParameter('kind', 0, 'thank-you') }, LABELS).kind;
        return [(await flushQueuedMessages(db, new Date(), 100, kind)).map((json) => ({ json: toItemJson(json), pairedItem: { item: 0 } }))];
      } catch (error) {
        throw toNodeError(this.getNode(), error);
      }
    }
    const out: INodeExecutionData[] = [];
    const items = this.getInputData();
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const pairedItem = { item: itemIndex };
      try {
        const form = Object.fromEntries([{ name: 'kind' }, ...FORM].map((p) => [p.name, this.getNodeParameter(p.name, itemIndex, '')]));
        const settings: MessageSettings = messageSettingsFromForm(form, LABELS);
        const result = await messageStep(items[itemIndex]!.json, { db, settings });
        for (const json of result.items) out.push({ json: toItemJson(json), pairedItem });
      } catch (error) {
        if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
        out.push({ json: { error: errorMessage(error) }, pairedItem });
      }
    }
    return [out];
  }
}
