import { deployFlows, exampleFlow, getFlows } from '../../../sandbox/run/node-red/admin-api';
import type { FlowNode } from '../../../sandbox/run/node-red/admin-api';
import type { PaymentFlowSetup } from '../../../sandbox/run/node-red/payment-flow';
import { configureMessageFlow, TEMPLATE_EXAMPLES, type SmsGateway, type TemplateExample } from '../../../sandbox/run/node-red/template-flows';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';

export type { TemplateExample } from '../../../sandbox/run/node-red/template-flows';

export interface DeployedTemplate {
  flow: FlowNode[];
  webhookUrl: string;
}

/**
 * Each template example as Import → Examples gets it from the running Node-RED, filled in as the sandbox fills it
 * (sandbox/run/node-red/template-flows.ts) with the trigger path /e2e/<name>; deployed beside the flows already
 * running.
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
    const flow = configureMessageFlow(await exampleFlow(baseUrl, moduleName, name), { ...setup, path }, { smtp, from: smtp.from, slackUrl: slackUrl(name), sms });
    out[name] = { flow, webhookUrl: `${baseUrl}${path}` };
  }
  await deployFlows(baseUrl, [...(await getFlows(baseUrl)), ...Object.values(out).flatMap((e) => e.flow)]);
  for (const e of Object.values(out)) await waitForWebhook(e.webhookUrl, 15_000);
  return out;
}
