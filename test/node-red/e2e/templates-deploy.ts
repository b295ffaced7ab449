import { deployFlows, exampleFlow, getFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { configurePaymentFlow, type PaymentFlowSetup } from '../../../sandbox/run/node-red/payment-flow';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';

export const SLACK_PLACEHOLDER = 'https://example.com/replace-with-your-slack-webhook-url';
export const TEMPLATE_EXAMPLES = ['thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync'] as const;
export type TemplateExample = (typeof TEMPLATE_EXAMPLES)[number];

export interface DeployedTemplate {
  flow: FlowNode[];
  webhookUrl: string;
}

/**
 * Each template example as Import → Examples gets it from the running Node-RED, with what an operator fills in:
 * the trigger path, the signing secret, the store and token key, the SMTP server of every "terminal send
 * message" node and the Slack URL of every http request. Deployed beside the flows already running.
 */
export async function deployTemplateExamples(
  baseUrl: string,
  moduleName: string,
  setup: Omit<PaymentFlowSetup, 'path'>,
  smtp: { host: string; port: number; from: string },
  slackUrl: (name: TemplateExample) => string,
): Promise<Record<TemplateExample, DeployedTemplate>> {
  const out = {} as Record<TemplateExample, DeployedTemplate>;
  for (const name of TEMPLATE_EXAMPLES) {
    const path = `/e2e/${name}`;
    const flow = configurePaymentFlow(await exampleFlow(baseUrl, moduleName, name), { ...setup, path }).map((node): FlowNode => {
      if (node.type === 'terminal-send-message') return { ...node, host: smtp.host, port: smtp.port, secure: false, from: smtp.from, credentials: { user: '', password: '' } };
      if (node.type !== 'http request') return node;
      if (node.url !== SLACK_PLACEHOLDER) throw new Error(`examples/${name}.json: the http request URL is ${String(node.url)}, not the placeholder`);
      return { ...node, url: slackUrl(name) };
    });
    out[name] = { flow, webhookUrl: `${baseUrl}${path}` };
  }
  await deployFlows(baseUrl, [...(await getFlows(baseUrl)), ...Object.values(out).flatMap((e) => e.flow)]);
  for (const e of Object.values(out)) await waitForWebhook(e.webhookUrl, 15_000);
  return out;
}
