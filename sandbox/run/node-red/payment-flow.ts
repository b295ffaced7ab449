import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root';
import type { FlowNode } from './admin-api';

/**
 * The example flow shipped in examples/ (Node-RED lists it under Import → Examples → <package>). It is also the
 * Node-RED template: there is no copy under templates/ (see templates/node-red/README.md).
 */
export const PAYMENT_TO_CRM_EXAMPLE = 'payment-to-crm';

/** The example read from the repo, for callers that do not go through a running Node-RED's library API. */
export function readPaymentToCrmExample(repoDir: string = repoRoot()): FlowNode[] {
  return JSON.parse(readFileSync(join(repoDir, 'examples', `${PAYMENT_TO_CRM_EXAMPLE}.json`), 'utf8')) as FlowNode[];
}

export interface PaymentFlowSetup {
  /** The trigger's path; unset keeps the example's (or the operator's) path. */
  path?: string;
  webhookSecret: string;
  storeUrl: string;
  tokenKeys: string;
  defaultRegion?: string;
}

function single(flow: readonly FlowNode[], type: string): FlowNode {
  const found = flow.filter((n) => n.type === type);
  if (found.length !== 1) throw new Error(`the example flow should have one "${type}" node, it has ${found.length}`);
  return found[0]!;
}

export function nodeOfType(flow: readonly FlowNode[], type: string): FlowNode {
  return single(flow, type);
}

/** What an operator fills in after importing the example; credentials ride along in the deploy, as the editor sends them. */
function withSetup(node: FlowNode, s: PaymentFlowSetup): FlowNode {
  switch (node.type) {
    case 'terminal-trigger':
      return s.path ? { ...node, path: s.path } : node;
    case 'stripe-terminal-account':
      return { ...node, credentials: { webhookSecrets: s.webhookSecret } };
    case 'terminal-crm-store':
      return { ...node, storeUrl: s.storeUrl, ...(s.defaultRegion ? { defaultRegion: s.defaultRegion } : {}), credentials: { tokenKeys: s.tokenKeys } };
    default:
      return node;
  }
}

/** The example with the trigger's path, the signing secret and the store with its token key filled in. */
export function configurePaymentFlow(example: readonly FlowNode[], s: PaymentFlowSetup): FlowNode[] {
  for (const type of ['terminal-trigger', 'stripe-terminal-account', 'terminal-crm-store']) single(example, type);
  return structuredClone(example as FlowNode[]).map((node) => withSetup(node, s));
}

/**
 * The flows to deploy so the example runs with these settings: added beside the operator's flows the first time;
 * on later starts the deployed copy (with the operator's edits) is kept and only the settings are applied again.
 */
export function withPaymentFlow(deployed: readonly FlowNode[], example: readonly FlowNode[], s: PaymentFlowSetup): FlowNode[] {
  const ids = new Set(example.map((n) => n.id));
  if (!deployed.some((n) => ids.has(n.id))) return [...deployed, ...configurePaymentFlow(example, s)];
  return deployed.map((node) => (ids.has(node.id) ? withSetup(node, s) : node));
}
