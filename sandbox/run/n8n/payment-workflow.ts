import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCrm } from '../crm/sandbox-crm';
import { repoRoot } from '../shared/repo-root';
import { hasCrm, upsertCrmCredential, withCrm } from './crm-credential';
import { waitForWebhook } from '../shared/webhook-ready';
import type { RestSession } from './rest-session';
import type { CredentialRefs, N8nWorkflowFile } from './workflow-file';

/** The importable workflow the pack ships. */
export function readPaymentTemplate(repoDir: string = repoRoot()): N8nWorkflowFile {
  return JSON.parse(readFileSync(join(repoDir, 'templates', 'n8n', 'payment-to-crm.json'), 'utf8')) as N8nWorkflowFile;
}

export interface PaymentWorkflowSettings {
  storeUrl: string;
  tokenKeys: string;
  signingSecret: string;
  defaultRegion?: string;
  /** The CRM every CRM Upsert writes to; default the local store. */
  crm?: SandboxCrm;
}

export interface PaymentWorkflow {
  workflowId: string;
  /** The trigger's production URL, where Stripe would POST. */
  webhookUrl: string;
  credentials: CredentialRefs;
  /** False when the workflow was there already (a restart of the same n8n folder). */
  imported: boolean;
}

const CREDENTIAL_NAMES = { stripeTerminalApi: 'Stripe Terminal', terminalCrmStore: 'Terminal CRM Store' } as const;

/** Creates each credential, or updates the one of that type and name, as the credential dialog would. */
async function upsertCredentials(rest: RestSession, s: PaymentWorkflowSettings): Promise<CredentialRefs> {
  const wanted = [
    { type: 'stripeTerminalApi', name: CREDENTIAL_NAMES.stripeTerminalApi, data: { secretKey: '', signingSecret: s.signingSecret } },
    { type: 'terminalCrmStore', name: CREDENTIAL_NAMES.terminalCrmStore, data: { storeUrl: s.storeUrl, tokenKeys: s.tokenKeys, defaultRegion: s.defaultRegion ?? 'US' } },
  ];
  const existing = await rest.request<Array<{ id: string; name: string; type: string }>>('GET', '/credentials');
  const refs: CredentialRefs = {};
  for (const spec of wanted) {
    const found = existing.find((c) => c.type === spec.type && c.name === spec.name);
    const saved = found
      ? await rest.request<{ id: string; name: string }>('PATCH', `/credentials/${found.id}`, spec)
      : await rest.request<{ id: string; name: string }>('POST', '/credentials', spec);
    refs[spec.type] = { id: saved.id, name: saved.name };
  }
  return { ...refs, ...(await upsertCrmCredential(rest, s.crm ?? { name: 'local' })) };
}

export interface NodeTypeDescription {
  name: string;
  version: number | number[];
  properties?: Array<{ name: string; default?: unknown }>;
  credentials?: Array<{ name: string; displayOptions?: { show?: Record<string, unknown[]>; hide?: Record<string, unknown[]> } }>;
}

/** The installed node types' descriptions, as the editor loads them (a large file: read it once per setup). */
export function nodeTypes(rest: RestSession): Promise<NodeTypeDescription[]> {
  return rest.editorFile<NodeTypeDescription[]>('/types/nodes.json');
}

/** The credential types a node of this type and parameters shows in the editor (its displayOptions applied). */
function shownCredentials(t: NodeTypeDescription | undefined, parameters: Record<string, unknown>): string[] {
  const valueOf = (name: string) => (name in parameters ? parameters[name] : t?.properties?.find((p) => p.name === name)?.default);
  const shown = (c: NonNullable<NodeTypeDescription['credentials']>[number]) =>
    Object.entries(c.displayOptions?.show ?? {}).every(([k, values]) => values.includes(valueOf(k))) &&
    !Object.entries(c.displayOptions?.hide ?? {}).some(([k, values]) => values.includes(valueOf(k)));
  return (t?.credentials ?? []).filter(shown).map((c) => c.name);
}

/**
 * Points every node at the credential of each type its installed description shows for its parameters (read from
 * the running n8n, as the editor does), like an operator picking credentials after importing the template.
 */
export async function assignCredentials(
  rest: RestSession,
  workflow: N8nWorkflowFile,
  refs: CredentialRefs,
  types?: readonly NodeTypeDescription[],
): Promise<N8nWorkflowFile> {
  types ??= await nodeTypes(rest);
  const typeOf = (type: string, version: number) => types!.find((t) => t.name === type && (Array.isArray(t.version) ? t.version.includes(version) : t.version === version));
  const nodes = workflow.nodes.map((node) => {
    const names = shownCredentials(typeOf(node.type, node.typeVersion), (node.parameters ?? {}) as Record<string, unknown>).filter((name) => refs[name]);
    return names.length ? { ...node, credentials: Object.fromEntries(names.map((name) => [name, refs[name]!])) } : node;
  });
  return { ...workflow, nodes };
}

export interface SavedWorkflow {
  id: string;
  versionId: string;
  active: boolean;
}

/** Every saved (not archived) workflow by the webhook ids of its nodes: what was imported earlier. */
export async function savedByWebhookId(rest: RestSession): Promise<Map<string, SavedWorkflow>> {
  const all = await rest.request<Array<{ id: string; isArchived?: boolean }>>('GET', '/workflows');
  const out = new Map<string, SavedWorkflow>();
  for (const summary of all.filter((w) => !w.isArchived)) {
    const wf = await rest.request<SavedWorkflow & { nodes: Array<{ webhookId?: string }> }>('GET', `/workflows/${summary.id}`);
    for (const n of wf.nodes) if (n.webhookId) out.set(n.webhookId, { id: wf.id, versionId: wf.versionId, active: wf.active });
  }
  return out;
}

/** Publishes (n8n 2.x's "Publish", formerly "Active") the saved version, which registers its webhooks. */
export async function publish(rest: RestSession, id: string, versionId: string): Promise<void> {
  await rest.request('POST', `/workflows/${id}/activate`, { versionId });
}

/**
 * A saved workflow's CRM Upserts pointed at the sandbox's CRM (TERMINAL_CRM_CRM changed since it was imported),
 * saved and published again; untouched when they already are. The operator's other edits stay.
 */
export async function applyCrm(rest: RestSession, found: SavedWorkflow, crm: SandboxCrm, refs: CredentialRefs, types?: readonly NodeTypeDescription[]): Promise<void> {
  const wf = await rest.request<SavedWorkflow & N8nWorkflowFile>('GET', `/workflows/${found.id}`);
  if (hasCrm(wf.nodes, crm, refs)) {
    if (!found.active) await publish(rest, found.id, found.versionId);
    return;
  }
  const { nodes } = await assignCredentials(rest, withCrm(wf, crm), refs, types);
  const saved = await rest.request<{ versionId: string }>('PATCH', `/workflows/${found.id}`, { nodes, versionId: wf.versionId });
  await publish(rest, found.id, saved.versionId);
}

/**
 * templates/n8n/payment-to-crm.json imported with its credentials and published, ready for deliveries. Safe to
 * run on every start: credentials are updated in place, and a workflow already holding the template's trigger is
 * kept (with the operator's edits) and only published if it is not.
 */
export async function ensurePaymentWorkflow(rest: RestSession, baseUrl: string, settings: PaymentWorkflowSettings, template = readPaymentTemplate()): Promise<PaymentWorkflow> {
  const trigger = template.nodes.find((node) => node.type.endsWith('.terminalTrigger'));
  if (!trigger?.webhookId) throw new Error('templates/n8n/payment-to-crm.json has no Terminal Payment Trigger with a fixed webhookId');
  const credentials = await upsertCredentials(rest, settings);
  let workflowId: string;
  const found = (await savedByWebhookId(rest)).get(trigger.webhookId);
  const crm = settings.crm ?? { name: 'local' };
  if (found) {
    workflowId = found.id;
    await applyCrm(rest, found, crm, credentials);
  } else {
    const { name, nodes, connections, settings: wfSettings } = await assignCredentials(rest, withCrm(template, crm), credentials);
    const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
      name: name ?? 'Terminal payments to CRM', nodes, connections, settings: wfSettings, active: false,
    });
    workflowId = saved.id;
    await publish(rest, saved.id, saved.versionId);
  }
  const webhookUrl = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
  await waitForWebhook(webhookUrl);
  return { workflowId, webhookUrl, credentials, imported: !found };
}
