import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowNode } from './admin-api';

/**
 * The example flow shipped in examples/ (Node-RED lists it under Import → Examples → <package>). It is also the
 * Node-RED template: there is no copy under templates/ (see templates/node-red/README.md).
 */
export const PAYMENT_TO_CRM_EXAMPLE = 'payment-to-crm';

/** The example read from the repo, for callers that do not go through a running Node-RED's library API. */
export function readPaymentToCrmExample(repoDir: string): FlowNode[] {
  return JSON.parse(readFileSync(join(repoDir, 'examples', `${PAYMENT_TO_CRM_EXAMPLE}.json`), 'utf8')) as FlowNode[];
}

export interface PaymentFlowSetup {
  path: string;
  webhookSecret: string;
  storeUrl: string;
  tokenKeys: string;
  defaultRegion?: string;
}

function single(flow: FlowNode[], type: string): FlowNode {
  const found = flow.filter((n) => n.type === type);
  if (found.length !== 1) throw new Error(`the example flow should have one "${type}" node, it has ${found.length}`);
  return found[0]!;
}

/**
 * Fills in what an operator fills in after importing the example: the trigger's path, the signing secret and
 * the store with its token key. Credentials ride along in the deploy, as the editor sends them.
 */
export function configurePaymentFlow(example: readonly FlowNode[], s: PaymentFlowSetup): FlowNode[] {
  const flow = structuredClone(example) as FlowNode[];
  single(flow, 'terminal-trigger').path = s.path;
  single(flow, 'stripe-terminal-account').credentials = { webhookSecrets: s.webhookSecret };
  const store = single(flow, 'terminal-crm-store');
  store.storeUrl = s.storeUrl;
  if (s.defaultRegion) store.defaultRegion = s.defaultRegion;
  store.credentials = { tokenKeys: s.tokenKeys };
  return flow;
}

export function nodeOfType(flow: readonly FlowNode[], type: string): FlowNode {
  return single(flow as FlowNode[], type);
}
