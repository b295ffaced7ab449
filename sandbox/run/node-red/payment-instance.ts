import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NpmEngine } from '../../install';
import { installPack, readManifest, type PackedRepo } from '../shared/pack';
import { waitForWebhook } from '../shared/webhook-ready';
import { deployFlows, exampleFlow, getFlows, type FlowNode } from './admin-api';
import { PAYMENT_TO_CRM_EXAMPLE, withPaymentFlow, type PaymentFlowSetup } from './payment-flow';
import { sourceNodeIds, withSourceTriggers, type SourceTriggerSpec } from './source-triggers';
import { writeNodeRedSettings } from './settings';
import { startNodeRed, type RunningNodeRed } from './start-node-red';
import type { SandboxCrm } from '../crm/sandbox-crm';
import { withSandboxCrm } from './crm-account';
import { TEMPLATE_EXAMPLES, withMessageFlow, type TemplateExample } from './template-flows';

/** The sender of the sandbox's Node-RED mail: the address tells which engine sent it. */
export const SENDER_NODE_RED = 'Your Shop <hello+node-red@yourshop.example>';

export interface NodeRedPaymentOptions {
  engine: Pick<NpmEngine, 'node' | 'binPath'>;
  userDir: string;
  packed: Pick<PackedRepo, 'tarball' | 'sha256'>;
  port: number;
  /** Keep it the same for a userDir: Node-RED encrypts the deployed credentials with it. */
  credentialSecret: string;
  setup: PaymentFlowSetup;
  /** The other sources, each with its own trigger feeding the example's steps (the example's trigger is Stripe's). */
  sources?: readonly SourceTriggerSpec[];
  /** The CRM the example flows' CRM Upserts write to; default the local store. */
  crm?: SandboxCrm;
  /**
   * The mail catcher: every message example (thank-you, high-value alert, loyalty welcome, failed-payment alert,
   * refund sync) is deployed with its SMTP server and its Slack receiver (`<slackUrl>/<example>`), sending from
   * `<local>+node-red@<domain>` so its mail tells which engine sent it. Unset, they are not deployed.
   */
  messages?: { smtp: { host: string; port: number }; slackUrl: string };
  /** Node-RED's environment (the CRM account's plain fields read `${VARIABLE}` from it); default this process's. */
  env?: NodeJS.ProcessEnv;
  logFile?: string;
}

export interface NodeRedPaymentInstance {
  nodeRed: RunningNodeRed;
  /** Every deployed node, the example's included. */
  flows: FlowNode[];
  /** The trigger's URL, where Stripe would POST. */
  webhookUrl: string;
  /** Each of `sources`' trigger URL, by source. */
  sourceUrls: Record<string, string>;
  /** Each message example's trigger URL, when `messages` was given. */
  templateUrls: Partial<Record<TemplateExample, string>>;
  /** False when the example was deployed already (a restart of the same userDir). */
  deployedNow: boolean;
  timings: { installMs: number; startupMs: number; deployMs: number };
}

/**
 * A real Node-RED with the pack installed from its tarball into the user directory (skipped when that tarball is
 * installed already) and the shipped example flow, as the editor's Import → Examples gets it, deployed with the
 * given settings. The caller must `await instance.nodeRed.stop()`.
 */
export async function startNodeRedWithPaymentFlow(o: NodeRedPaymentOptions): Promise<NodeRedPaymentInstance> {
  mkdirSync(o.userDir, { recursive: true });
  const { ms: installMs } = await installPack(o.engine.node, o.packed, o.userDir);
  writeNodeRedSettings(o.userDir, { port: o.port, credentialSecret: o.credentialSecret });
  const nodeRed = await startNodeRed({ node: o.engine.node, redJs: o.engine.binPath, userDir: o.userDir, port: o.port, logFile: o.logFile, env: o.env });
  try {
    return await nodeRed.explain(async () => {
      const deploying = performance.now();
      const example = await exampleFlow(nodeRed.baseUrl, readManifest().name, PAYMENT_TO_CRM_EXAMPLE);
      const deployed = existsSync(join(o.userDir, 'flows.json')) ? await getFlows(nodeRed.baseUrl) : [];
      const messages = o.messages;
      const templates = messages ? await Promise.all(TEMPLATE_EXAMPLES.map(async (name) => ({ name, flow: await exampleFlow(nodeRed.baseUrl, readManifest().name, name) }))) : [];
      let flows = withSourceTriggers(withPaymentFlow(deployed, example, o.setup), example, o.sources ?? []);
      for (const t of templates) {
        flows = withMessageFlow(flows, t.flow, o.setup, { smtp: messages!.smtp, slackUrl: `${messages!.slackUrl}/${t.name}`, from: SENDER_NODE_RED });
      }
      const upserts = new Set([...example, ...templates.flatMap((t) => t.flow)].filter((n) => n.type === 'terminal-crm-upsert').map((n) => n.id));
      flows = withSandboxCrm(flows, upserts, o.crm ?? { name: 'local' });
      await deployFlows(nodeRed.baseUrl, flows);
      const exampleIds = new Set(example.map((n) => n.id));
      const trigger = flows.find((n) => n.type === 'terminal-trigger' && exampleIds.has(n.id));
      if (!trigger) throw new Error(`the deployed flow "${PAYMENT_TO_CRM_EXAMPLE}" has lost its Terminal Trigger; delete that flow tab in the editor and start again to get a fresh copy`);
      const urlOf = (node: FlowNode) => {
        const path = String(node.path ?? '');
        return `${nodeRed.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
      };
      const webhookUrl = urlOf(trigger);
      const sourceUrls = Object.fromEntries(
        (o.sources ?? []).map((spec) => [spec.source, urlOf(flows.find((n) => n.id === sourceNodeIds(example, spec.source).trigger)!)]),
      );
      const templateUrls: Partial<Record<TemplateExample, string>> = {};
      for (const t of templates) {
        const trigger = flows.find((n) => n.type === 'terminal-trigger' && t.flow.some((e) => e.id === n.id));
        if (!trigger) throw new Error(`the deployed flow "${t.name}" has lost its Terminal Trigger; delete that flow tab in the editor and start again to get a fresh copy`);
        templateUrls[t.name] = urlOf(trigger);
      }
      await Promise.all([webhookUrl, ...Object.values(sourceUrls), ...Object.values(templateUrls)].map((url) => waitForWebhook(url, 15_000)));
      return {
        nodeRed,
        flows,
        webhookUrl,
        sourceUrls,
        templateUrls,
        deployedNow: !deployed.some((n) => exampleIds.has(n.id)),
        timings: { installMs, startupMs: nodeRed.startupMs, deployMs: performance.now() - deploying },
      };
    });
  } catch (e) {
    await nodeRed.stop();
    throw e;
  }
}
