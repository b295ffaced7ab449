import { randomBytes } from 'node:crypto';
import type { ShippedTemplate } from './template-catalog';

type FlowNode = { id: string; type: string; [key: string]: unknown };

export interface InstalledFlow {
  id: string;
  label: string;
  nodes: number;
}

const newId = () => randomBytes(8).toString('hex');

/** Every id an example uses, replaced by a fresh one wherever it appears (z, wires, links, config references). */
function withFreshIds(nodes: readonly FlowNode[]): FlowNode[] {
  const ids = new Map(nodes.map((n) => [n.id, newId()]));
  const remap = (v: unknown): unknown => {
    if (typeof v === 'string') return ids.get(v) ?? v;
    if (Array.isArray(v)) return v.map(remap);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, remap(x)]));
    return v;
  };
  return nodes.map((n) => remap(n) as FlowNode);
}

/**
 * Adds the example as a new tab through Node-RED's Admin API (`POST /flow`), leaving the running flows alone. Ids are
 * made fresh, so installing the same example twice gives two independent tabs. Pass the Admin API token when
 * adminAuth is on.
 */
export async function installIntoNodeRed(baseUrl: string, template: ShippedTemplate, token?: string): Promise<InstalledFlow> {
  if (!Array.isArray(template.content)) throw new Error(`${template.file} is not a Node-RED flow (an array of nodes)`);
  const nodes = withFreshIds(template.content as FlowNode[]);
  const tab = nodes.find((n) => n.type === 'tab');
  const inside = nodes.filter((n) => n.type !== 'tab' && (!tab || n.z === tab.id));
  const global = nodes.filter((n) => n.type !== 'tab' && tab && n.z === undefined);
  const body = { label: typeof tab?.label === 'string' ? tab.label : template.title, info: tab?.info ?? '', nodes: inside, configs: global };
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}/flow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v1', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new Error(`Node-RED at ${baseUrl} did not answer (${(e as Error).message}): check --node-red, and that Node-RED is running`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) throw new Error(`Node-RED refused the request (HTTP ${res.status}): its adminAuth is on; pass an Admin API token with --token or NODE_RED_TOKEN`);
  if (!res.ok) throw new Error(`Node-RED did not take ${template.name} (HTTP ${res.status}): ${text.slice(0, 500)}`);
  const created = JSON.parse(text) as { id: string };
  return { id: created.id, label: body.label, nodes: inside.length + global.length };
}
