import { deployFlows, exampleFlow, getFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { configurePaymentFlow, type PaymentFlowSetup } from '../../../sandbox/run/node-red/payment-flow';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';

export const SLACK_PLACEHOLDER = 'https://example.com/replace-with-your-slack-webhook-url';
/** The SMS gateway the thank-you ships with (its send SMS node is disabled until the operator fills it in). */
export const TWILIO_MESSAGES_URL = 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json';

/** A Twilio account as the operator enters it to switch the SMS on; `baseUrl` replaces https://api.twilio.com. */
export interface SmsGateway {
  baseUrl: string;
  accountSid: string;
  authToken: string;
}
export const TEMPLATE_EXAMPLES = ['thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync'] as const;
export type TemplateExample = (typeof TEMPLATE_EXAMPLES)[number];

export interface DeployedTemplate {
  flow: FlowNode[];
  webhookUrl: string;
}

/**
 * Each template example as Import → Examples gets it from the running Node-RED, with what an operator fills in:
 * the trigger path, the signing secret, the store and token key, the SMTP server of every "terminal send
 * message" node, the Slack URL of every Slack http request and, given `sms`, the thank-you's SMS switched on.
 * Deployed beside the flows already running.
 */
export async function deployTemplateExamples(
  baseUrl: string,
  moduleName: string,
  setup: Omit<PaymentFlowSetup, 'path'>,
  smtp: { host: string; port: number; from: string },
  slackUrl: (name: TemplateExample) => string,
  sms?: SmsGateway,
): Promise<Record<TemplateExample, DeployedTemplate>> {
  const out = {} as Record<TemplateExample, DeployedTemplate>;
  for (const name of TEMPLATE_EXAMPLES) {
    const path = `/e2e/${name}`;
    const flow = configurePaymentFlow(await exampleFlow(baseUrl, moduleName, name), { ...setup, path }).map((node): FlowNode => {
      if (node.type === 'terminal-send-message') return { ...node, host: smtp.host, port: smtp.port, secure: false, from: smtp.from, credentials: { user: '', password: '' } };
      if (node.type !== 'http request') return node;
      if (node.url === TWILIO_MESSAGES_URL) {
        if (!sms) return node;
        // As the comment says: the Account SID (and here the gateway) in the URL, Basic auth, the node enabled.
        const { d: _disabled, ...enabled } = node;
        const url = TWILIO_MESSAGES_URL.replace('https://api.twilio.com', sms.baseUrl).replace(/AC[X]{32}/, sms.accountSid);
        return { ...enabled, url, authType: 'basic', credentials: { user: sms.accountSid, password: sms.authToken } };
      }
      if (node.url !== SLACK_PLACEHOLDER) throw new Error(`examples/${name}.json: the http request URL is ${String(node.url)}, not the placeholder`);
      return { ...node, url: slackUrl(name) };
    });
    out[name] = { flow, webhookUrl: `${baseUrl}${path}` };
  }
  await deployFlows(baseUrl, [...(await getFlows(baseUrl)), ...Object.values(out).flatMap((e) => e.flow)]);
  for (const e of Object.values(out)) await waitForWebhook(e.webhookUrl, 15_000);
  return out;
}
