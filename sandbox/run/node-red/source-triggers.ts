import { createHash } from 'node:crypto';
import { SOURCE_ACCOUNT_FIELDS } from '../../../nodes/node-red/shared/trigger-accounts';
import type { FlowNode } from './admin-api';
import { nodeOfType } from './payment-flow';

/** One more processor feeding the example flow: a trigger of its own with its config node. */
export interface SourceTriggerSpec {
  /** The trigger's Source: square, adyen, adyen-terminal, zettle, clover, sumup, generic. */
  source: string;
  /** The trigger's and its config node's name: "Square". */
  label: string;
  /** The credential record (the core's field names), split into the config node's properties and secrets. */
  credential: Record<string, string>;
  /** For the generic source: the gateway configuration its config node holds. */
  genericConfig?: unknown;
}

/** The config nodes' plain properties; every other field is one of Node-RED's encrypted credentials. */
const PLAIN_FIELDS = new Set(['notificationUrl', 'baseUrl', 'keyIdentifier', 'keyVersion', 'username', 'basicUsername', 'merchantId', 'merchantCode', 'config']);

/** A Node-RED node id (16 hex digits), fixed per source and role, so a restart finds the nodes it added before. */
function derivedId(exampleTriggerId: string, source: string, role: 'trigger' | 'account'): string {
  return createHash('sha256').update(`${exampleTriggerId}:${source}:${role}`).digest('hex').slice(0, 16);
}

export function sourceNodeIds(example: readonly FlowNode[], source: string): { trigger: string; account: string } {
  const trigger = nodeOfType(example, 'terminal-trigger').id;
  return { trigger: derivedId(trigger, source, 'trigger'), account: derivedId(trigger, source, 'account') };
}

/** The path each source's trigger listens on, as the trigger defaults it. */
export const sourcePath = (source: string) => `/terminal-crm/${source}`;

function accountSettings(spec: SourceTriggerSpec): { plain: Record<string, string>; credentials: Record<string, string> } {
  const record = spec.genericConfig === undefined ? spec.credential : { ...spec.credential, config: JSON.stringify(spec.genericConfig) };
  const plain: Record<string, string> = {};
  const credentials: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) (PLAIN_FIELDS.has(k) ? plain : credentials)[k] = v;
  return { plain, credentials };
}

/** The trigger (wired to the example's tokenize step, using the example's store) and its config node. */
export function sourceTriggerNodes(example: readonly FlowNode[], spec: SourceTriggerSpec, row: number): FlowNode[] {
  const field = SOURCE_ACCOUNT_FIELDS[spec.source];
  if (!field) throw new Error(`the Node-RED trigger has no config node for the source "${spec.source}"`);
  const exampleTrigger = nodeOfType(example, 'terminal-trigger');
  const tokenize = nodeOfType(example, 'terminal-tokenize');
  const store = nodeOfType(example, 'terminal-crm-store');
  const ids = sourceNodeIds(example, spec.source);
  const { plain, credentials } = accountSettings(spec);
  return [
    {
      id: ids.trigger,
      type: 'terminal-trigger',
      z: exampleTrigger.z,
      name: spec.label,
      source: spec.source,
      [field.property]: ids.account,
      store: store.id,
      path: sourcePath(spec.source),
      x: exampleTrigger.x,
      y: 240 + 50 * row,
      wires: [[tokenize.id]],
    },
    { id: ids.account, type: field.type, name: spec.label, ...plain, credentials },
  ];
}

/**
 * The flows with a trigger per source added to the example's tab the first time; on later starts the deployed
 * triggers (with the operator's edits, e.g. a moved path) are kept and only their config nodes' settings are
 * applied again. Node-RED never hands credentials back, so they ride along in every deploy.
 */
export function withSourceTriggers(flows: readonly FlowNode[], example: readonly FlowNode[], specs: readonly SourceTriggerSpec[]): FlowNode[] {
  const out = [...flows];
  specs.forEach((spec, row) => {
    const ids = sourceNodeIds(example, spec.source);
    const at = out.findIndex((n) => n.id === ids.account);
    if (at < 0 || !out.some((n) => n.id === ids.trigger)) {
      const fresh = sourceTriggerNodes(example, spec, row);
      for (const node of fresh) {
        const i = out.findIndex((n) => n.id === node.id);
        if (i >= 0) out[i] = node;
        else out.push(node);
      }
      return;
    }
    const { plain, credentials } = accountSettings(spec);
    // A property set on an earlier start and not now (SQUARE_WEBHOOK_URL unset since) is cleared, not kept.
    const cleared = Object.fromEntries(Object.keys(out[at]!).filter((k) => PLAIN_FIELDS.has(k)).map((k) => [k, '']));
    out[at] = { ...out[at]!, ...cleared, ...plain, credentials };
  });
  return out;
}
