import type {
  IDataObject,
  IHookFunctions,
  INodeType,
  INodeTypeDescription,
  IWebhookFunctions,
  IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../core/sources/stripe-terminal';
import { stripeEventTypeOptions, TERMINAL_SOURCES } from './source-options';
import { sourceCredentialRecord } from './source-credentials';
import { stripeCredential } from '../shared/stripe-credential';
import { checkStripeEndpoint, createStripeEndpoint, deleteStripeEndpointOf } from './stripe-endpoint-lifecycle';
import { triggerPublicUrl } from '../../core/pipeline/trigger-public-url';
import { answerWebhook } from './answer-webhook';
import { triggerSource } from './trigger-source';
import { STRIPE_SETUP_NOTICE, TRIGGER_PANEL } from './trigger-panel';
import { sourceCredentialTest, webhookOrTokenCredentialTest } from './test-source-credential';
import { terminalCrmStoreTest } from '../shared/test-crm-store';
import { stripeCredentialTest } from '../shared/test-stripe-credential';

export class TerminalTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Payment Trigger',
    name: 'terminalTrigger',
    icon: { light: 'file:../icons/terminalTrigger.svg', dark: 'file:../icons/terminalTrigger.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["source"] }}',
    description: 'Starts the workflow when a card terminal (Stripe, Square, Adyen, Zettle, Clover, SumUp or any signed webhook) reports a payment, a refund, a dispute or a failed payment',
    defaults: { name: 'Terminal Payment Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    triggerPanel: TRIGGER_PANEL,
    credentials: [
      // One credential type per source (source-credentials.ts); those with nothing at the vendor to call are tested
      // by checking their fields (test-source-credential.ts).
      { name: 'stripeTerminalApi', required: true, displayOptions: { show: { source: ['stripe'] } }, testedBy: 'stripeCredentialTest' },
      { name: 'terminalSquareApi', required: true, displayOptions: { show: { source: ['square'] } }, testedBy: 'webhookOrTokenCredentialTest' },
      { name: 'terminalAdyenWebhookApi', required: true, displayOptions: { show: { source: ['adyen'] } }, testedBy: 'sourceCredentialTest' },
      { name: 'terminalAdyenTerminalApi', required: true, displayOptions: { show: { source: ['adyen-terminal'] } }, testedBy: 'sourceCredentialTest' },
      { name: 'terminalZettleApi', required: true, displayOptions: { show: { source: ['zettle'] } }, testedBy: 'webhookOrTokenCredentialTest' },
      { name: 'terminalCloverApi', required: true, displayOptions: { show: { source: ['clover'] } }, testedBy: 'sourceCredentialTest' },
      { name: 'terminalSumUpApi', required: true, displayOptions: { show: { source: ['sumup'] } } },
      { name: 'terminalGenericWebhookApi', required: true, displayOptions: { show: { source: ['generic'] } }, testedBy: 'sourceCredentialTest' },
      // The inbox: each verified event is kept before the processor gets its 2xx, and a replay is answered and dropped.
      { name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' },
    ],
    webhooks: [
      {
        name: 'default',
        httpMethod: 'POST',
        // The trigger answers every request itself: 400 for a bad signature, 200 for the rest.
        responseMode: 'onReceived',
        path: 'webhook',
      },
    ],
    properties: [
      {
        displayName: STRIPE_SETUP_NOTICE,
        name: 'setupNotice',
        type: 'notice',
        default: '',
        displayOptions: { show: { source: ['stripe'] } },
      },
      {
        displayName:
          "Use the Production URL above as the notification URL of your processor's webhook (Square: Developer Dashboard → Webhooks; Adyen: Customer Area → Developers → Webhooks; Adyen Terminal API: the event URL of your terminals' settings, or where your POS app hands over each result; Zettle: Pusher API subscription; Clover: App Settings → Webhooks; SumUp: the return URL of your checkouts). Every delivery is verified before anything else happens; a replayed delivery is answered and dropped.",
        name: 'setupNoticeOther',
        type: 'notice',
        default: '',
        displayOptions: { hide: { source: ['stripe'] } },
      },
      {
        displayName: 'Source',
        name: 'source',
        type: 'options',
        noDataExpression: true,
        options: TERMINAL_SOURCES,
        default: 'stripe',
        description: 'The payment processor your card terminals report to',
      },
      {
        displayName: 'Event Types',
        name: 'events',
        type: 'multiOptions',
        noDataExpression: true,
        displayOptions: { show: { source: ['stripe'] } },
        options: stripeEventTypeOptions(),
        default: [...STRIPE_HANDLED_EVENT_TYPES],
        description:
          'Which Stripe events start the workflow. Other events are answered with "200 OK" and dropped. Only card-present payments (Stripe Terminal) are passed on.',
      },
      {
        displayName: 'Gateway Configuration (JSON)',
        name: 'genericConfig',
        type: 'json',
        displayOptions: { show: { source: ['generic'] } },
        default: '{\n  "name": "generic",\n  "scheme": "standard-webhooks",\n  "mapping": {}\n}',
        description:
          'How your gateway signs and where its fields are: "name" (namespaces event IDs), "scheme" ("standard-webhooks", or "hmac" with an "hmac" object: header, algorithm, encoding, prefix, signedString, timestampHeader, toleranceSeconds, secretEncoding) and "mapping" (JSON paths for eventId, eventType, paymentId, amount, currency, card and customer fields). See the README, "Other gateways".',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Public URL',
            name: 'publicUrl',
            type: 'string',
            default: '',
            placeholder: 'https://pay-hooks.example.com/webhook/…',
            description:
              "The URL your processor calls, when n8n sits behind a proxy or tunnel that changes it. Square signs this URL together with the body, so it must match the subscription exactly (the Square credential's Notification URL, when set, is used instead). Leave empty to use the Production URL.",
          },
        ],
      },
    ],
  };

  methods = { credentialTest: { sourceCredentialTest, stripeCredentialTest, terminalCrmStoreTest, webhookOrTokenCredentialTest } };

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        // Only Stripe's endpoint is registered by the trigger; the other processors are set up in their dashboards.
        if (this.getNodeParameter('source', 'stripe') !== 'stripe') return true;
        const credential = await stripeCredential(this);
        // Without a secret key the operator adds the endpoint in the Dashboard: there is nothing to register.
        if (!credential.secretKey) return true;
        return await checkStripeEndpoint(this, credential.secretKey);
      },
      async create(this: IHookFunctions): Promise<boolean> {
        if (this.getNodeParameter('source', 'stripe') !== 'stripe') return true;
        const credential = await stripeCredential(this);
        if (!credential.secretKey) return true;
        await createStripeEndpoint(this, credential.secretKey);
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        if (this.getNodeParameter('source', 'stripe') !== 'stripe') return true;
        const credential = await stripeCredential(this);
        return await deleteStripeEndpointOf(this, credential.secretKey);
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const sourceName = this.getNodeParameter('source', 'stripe') as string;
    const source = triggerSource(this, sourceName);
    const selected = sourceName === 'stripe' ? (this.getNodeParameter('events', []) as string[]) : undefined;
    const options = this.getNodeParameter('options', {}) as IDataObject;
    const publicUrl = triggerPublicUrl('Public URL', options.publicUrl) ?? this.getNodeWebhookUrl('default') ?? '';
    return await answerWebhook(this, source, await sourceCredentialRecord(this, sourceName), selected, publicUrl);
  }
}
