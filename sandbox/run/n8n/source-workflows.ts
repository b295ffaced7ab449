import { createHash } from 'node:crypto';
import { waitForWebhook } from '../shared/webhook-ready';
import type { SandboxCrm } from '../crm/sandbox-crm';
import { withCrm } from './crm-credential';
import { applyCrm, assignCredentials, nodeTypes, publish, readPaymentTemplate, savedByWebhookId, type NodeTypeDescription } from './payment-workflow';
import type { CredentialRefs, N8nWorkflowFile } from './workflow-file';
import type { RestSession } from './rest-session';

/** The trigger's node type in the pack; the template's copy for each source differs only in it. */
const TRIGGER_TYPE_SUFFIX = '.terminalTrigger';

/** One source's copy of the template: its name, its trigger's Source (and gateway configuration) and credential. */
export interface SourceWorkflowSpec {
  /** The trigger's Source option: square, adyen, adyen-terminal, zettle, clover, sumup, generic. */
  source: string;
  /** Shown in the workflow's name: "Terminal payments to CRM (Square)". */
  label: string;
  /** The credential record (the core's field names); only the fields the n8n credential type has are saved. */
  credential: Record<string, string>;
  /** For the generic source: the gateway configuration the trigger's "Gateway Configuration (JSON)" holds. */
  genericConfig?: unknown;
}

export interface SourceWorkflow {
  source: string;
  workflowId: string;
  webhookUrl: string;
  imported: boolean;
}

/** A fixed webhook id per source, made from the template's, so a restart finds the copy it imported before. */
export function sourceWebhookId(templateWebhookId: string, source: string): string {
  const h = createHash('sha256').update(`${templateWebhookId}:${source}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The payment template as an operator would set it up for another processor: the trigger's Source switched (its
 * Stripe-only event list dropped), the gateway configuration filled in for a generic source, and the Stripe setup
 * note left out. Every step after the trigger is the template's own.
 */
export function templateForSource(template: N8nWorkflowFile, spec: Omit<SourceWorkflowSpec, 'credential'>): N8nWorkflowFile {
  const trigger = template.nodes.find((n) => n.type.endsWith(TRIGGER_TYPE_SUFFIX));
  if (!trigger?.webhookId) throw new Error('the n8n payment template has no Terminal Payment Trigger with a fixed webhookId');
  const nodes = template.nodes
    .filter((n) => !(n.type === 'n8n-nodes-base.stickyNote' && n.name === 'Setup'))
    .map((n) => {
      if (n !== trigger) return structuredClone(n);
      const { events: _stripeOnly, ...parameters } = (n.parameters ?? {}) as Record<string, unknown>;
      return {
        ...structuredClone(n),
        webhookId: sourceWebhookId(trigger.webhookId!, spec.source),
        parameters: {
          ...parameters,
          source: spec.source,
          ...(spec.genericConfig === undefined ? {} : { genericConfig: JSON.stringify(spec.genericConfig, null, 2) }),
        },
      };
    });
  return { ...structuredClone(template), name: `${template.name ?? 'Terminal payments to CRM'} (${spec.label})`, nodes };
}

interface CredentialType {
  name: string;
  displayName: string;
  properties: Array<{ name: string; type?: string; default?: unknown }>;
}

/** The n8n credential type the trigger shows for a source (from the installed node's description). */
function credentialTypesBySource(types: readonly NodeTypeDescription[]): Map<string, string> {
  const trigger = types.find((t) => t.name.endsWith(TRIGGER_TYPE_SUFFIX));
  if (!trigger) throw new Error('the installed pack has no Terminal Payment Trigger');
  const out = new Map<string, string>();
  for (const c of trigger.credentials ?? []) for (const s of c.displayOptions?.show?.source ?? []) out.set(String(s), c.name);
  return out;
}

/** Creates each source's credential, or updates the one of that type and name, as the credential dialog would. */
async function upsertSourceCredentials(rest: RestSession, specs: readonly SourceWorkflowSpec[], types: readonly NodeTypeDescription[]): Promise<CredentialRefs> {
  const bySource = credentialTypesBySource(types);
  const credentialTypes = await rest.editorFile<CredentialType[]>('/types/credentials.json');
  const existing = await rest.request<Array<{ id: string; name: string; type: string }>>('GET', '/credentials');
  const refs: CredentialRefs = {};
  for (const spec of specs) {
    const type = bySource.get(spec.source);
    const described = credentialTypes.find((t) => t.name === type);
    if (!type || !described) throw new Error(`the installed Terminal Payment Trigger has no credential type for the source "${spec.source}"`);
    // Every field of the credential's form: the record's value, else the form's default (so a value set on an
    // earlier start and not now, such as Square's notification URL, is reset rather than kept).
    const data = Object.fromEntries(
      described.properties.filter((p) => p.type !== 'notice').map((p) => [p.name, spec.credential[p.name] ?? p.default ?? '']),
    );
    const body = { type, name: described.displayName, data };
    const found = existing.find((c) => c.type === type && c.name === body.name);
    const saved = found
      ? await rest.request<{ id: string; name: string }>('PATCH', `/credentials/${found.id}`, body)
      : await rest.request<{ id: string; name: string }>('POST', '/credentials', body);
    refs[type] = { id: saved.id, name: saved.name };
  }
  return refs;
}

/**
 * One published copy of the payment template per source, each with its own trigger URL, credential and the shared
 * store credential (`storeRef`). Safe on every start: credentials are updated in place, and a copy imported before
 * (found by its webhook id) is kept with the operator's edits and only published if it is not.
 */
export async function ensureSourceWorkflows(
  rest: RestSession,
  baseUrl: string,
  specs: readonly SourceWorkflowSpec[],
  /** The store's credential and the CRM's, shared with the payment workflow. */
  storeRef: CredentialRefs,
  crm: SandboxCrm = { name: 'local' },
  template = readPaymentTemplate(),
): Promise<SourceWorkflow[]> {
  const types = await nodeTypes(rest);
  const refs = { ...storeRef, ...(await upsertSourceCredentials(rest, specs, types)) };
  const saved = await savedByWebhookId(rest);
  // One source at a time would wait on n8n's activation of each in turn; they are independent workflows.
  const out = await Promise.all(
    specs.map(async (spec): Promise<SourceWorkflow> => {
      const copy = templateForSource(template, spec);
      const webhookId = copy.nodes.find((n) => n.type.endsWith(TRIGGER_TYPE_SUFFIX))!.webhookId!;
      const found = saved.get(webhookId);
      let workflowId: string;
      if (found) {
        workflowId = found.id;
        await applyCrm(rest, found, crm, refs, types);
      } else {
        const { name, nodes, connections, settings } = await assignCredentials(rest, withCrm(copy, crm), refs, types);
        const created = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', { name, nodes, connections, settings, active: false });
        workflowId = created.id;
        await publish(rest, created.id, created.versionId);
      }
      return { source: spec.source, workflowId, webhookUrl: `${baseUrl}/webhook/${webhookId}/webhook`, imported: !found };
    }),
  );
  await Promise.all(out.map((w) => waitForWebhook(w.webhookUrl)));
  return out;
}
