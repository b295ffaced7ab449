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
import { endpointState, secretsFor, stripeCredential } from './stripe-credential';
import { checkStripeEndpoint, createStripeEndpoint, deleteStripeEndpointOf } from './stripe-endpoint-lifecycle';
import { answerWebhook } from './answer-webhook';

export class TerminalTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Payment Trigger',
    name: 'terminalTrigger',
    icon: { light: 'file:../icons/terminalTrigger.svg', dark: 'file:../icons/terminalTrigger.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ "Stripe Terminal: " + $parameter["events"].length + " event type(s)" }}',
    description: 'Starts the workflow when a card terminal reports a payment, a refund or a failed payment',
    defaults: { name: 'Terminal Payment Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [
      {
        name: 'stripeTerminalApi',
        required: true,
        displayOptions: { show: { source: ['stripe'] } },
      },
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
        displayName:
          'Use the Production URL above as the endpoint URL in Stripe (Dashboard → Developers → Webhooks → Add endpoint). If the credential has a secret API key, the trigger adds that endpoint in Stripe by itself when you publish the workflow and removes it when you unpublish.',
        name: 'setupNotice',
        type: 'notice',
        default: '',
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
    ],
  };

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        const credential = await stripeCredential(this);
        // Without a secret key the operator adds the endpoint in the Dashboard: there is nothing to register.
        if (!credential.secretKey) return true;
        return await checkStripeEndpoint(this, credential.secretKey);
      },
      async create(this: IHookFunctions): Promise<boolean> {
        const credential = await stripeCredential(this);
        if (!credential.secretKey) return true;
        await createStripeEndpoint(this, credential.secretKey);
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        const credential = await stripeCredential(this);
        return await deleteStripeEndpointOf(this, credential.secretKey);
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const source = this.getNodeParameter('source', 'stripe') as string;
    const events = this.getNodeParameter('events', []) as string[];
    const credential = await stripeCredential(this);
    const secrets = secretsFor(credential, endpointState(this.getWorkflowStaticData('node') as IDataObject));
    return await answerWebhook(this, source, secrets, events);
  }
}
