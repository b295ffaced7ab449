import { deployFlows, exampleFlow, getFlows, type FlowNode } from '../../../../sandbox/run/node-red/admin-api';
import { configurePaymentFlow, type PaymentFlowSetup } from '../../../../sandbox/run/node-red/payment-flow';
import { waitForWebhook } from '../../../../sandbox/run/shared/webhook-ready';

/** The placeholder URL each example's http request node ships with, which an operator replaces (a comment says so). */
export const EXAMPLE_PLACEHOLDERS = {
  'high-value-alert': 'https://example.com/replace-with-your-alert-url',
  'loyalty-welcome': 'https://example.com/replace-with-your-message-url',
} as const;
export type ExampleName = keyof typeof EXAMPLE_PLACEHOLDERS;

export interface DeployedExample {
  flow: FlowNode[];
  webhookUrl: string;
}

/**
 * Each example as Import → Examples gets it, set up as an operator would (trigger path, signing secret, store and
 * token key, the http request node's URL), deployed beside the flows already running.
 */
export async function deployExamples(
  baseUrl: string,
  moduleName: string,
  setup: Omit<PaymentFlowSetup, 'path'>,
  urls: Record<ExampleName, string>,
): Promise<Record<ExampleName, DeployedExample>> {
  const deployed = await getFlows(baseUrl);
  const out = {} as Record<ExampleName, DeployedExample>;
  for (const name of Object.keys(EXAMPLE_PLACEHOLDERS) as ExampleName[]) {
    const path = `/e2e/${name}`;
    const flow = configurePaymentFlow(await exampleFlow(baseUrl, moduleName, name), { ...setup, path }).map((node) => {
      if (node.type !== 'http request') return node;
      if (node.url !== EXAMPLE_PLACEHOLDERS[name]) throw new Error(`examples/${name}.json: the http request URL is ${String(node.url)}, not the placeholder`);
      return { ...node, url: urls[name] };
    });
    out[name] = { flow, webhookUrl: `${baseUrl}${path}` };
  }
  await deployFlows(baseUrl, [...deployed, ...Object.values(out).flatMap((e) => e.flow)]);
  for (const e of Object.values(out)) await waitForWebhook(e.webhookUrl, 15_000);
  return out;
}
