import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCrm } from '../crm/sandbox-crm';
import { repoRoot } from '../shared/repo-root';
import { waitForWebhook } from '../shared/webhook-ready';
import { withCrm } from './crm-credential';
import { applyCrm, assignCredentials, publish, savedByWebhookId } from './payment-workflow';
import type { CredentialRefs, N8nWorkflowFile } from './workflow-file';
import type { RestSession } from './rest-session';

/** The message templates of templates/n8n/, each beside the payment template. */
export const MESSAGE_TEMPLATES = ['thank-you', 'high-value-alert', 'loyalty-welcome', 'failed-payment-alert', 'refund-sync'] as const;
export type MessageTemplate = (typeof MESSAGE_TEMPLATES)[number];

/** The Slack placeholder the alert templates ship with (a sticky note says to replace it). */
export const SLACK_PLACEHOLDER = 'https://example.com/replace-with-your-slack-webhook-url';

/** templates/n8n/<name>.json as shipped; with `slackUrl`, the Slack placeholder replaced as the operator would. */
export function readTemplate(name: string, slackUrl?: string, repoDir: string = repoRoot()): N8nWorkflowFile {
  const file = `templates/n8n/${name}.json`;
  let text = readFileSync(join(repoDir, file), 'utf8');
  if (slackUrl) {
    if (!text.includes(SLACK_PLACEHOLDER)) throw new Error(`${file} no longer contains ${SLACK_PLACEHOLDER}`);
    text = text.split(SLACK_PLACEHOLDER).join(slackUrl);
  }
  return JSON.parse(text) as N8nWorkflowFile;
}

export function readThankYouTemplate(repoDir: string = repoRoot()): N8nWorkflowFile {
  return readTemplate('thank-you', undefined, repoDir);
}

/** Whether the template posts to Slack (the alert templates), so it needs a Slack URL filled in. */
export function postsToSlack(name: string, repoDir: string = repoRoot()): boolean {
  return readFileSync(join(repoDir, 'templates', 'n8n', `${name}.json`), 'utf8').includes(SLACK_PLACEHOLDER);
}

/** n8n's own SMTP credential for a mail server without TLS or login (the sandbox's catcher), made or updated in place. */
export async function upsertSmtpCredential(rest: RestSession, smtp: { host: string; port: number }, name = 'Sandbox mail catcher'): Promise<CredentialRefs> {
  const body = {
    name,
    type: 'smtp',
    data: { user: '', password: '', host: smtp.host, port: smtp.port, secure: false, disableStartTls: true, hostName: '' },
  };
  const existing = await rest.request<Array<{ id: string; name: string; type: string }>>('GET', '/credentials');
  const found = existing.find((c) => c.type === body.type && c.name === body.name);
  const saved = found
    ? await rest.request<{ id: string; name: string }>('PATCH', `/credentials/${found.id}`, body)
    : await rest.request<{ id: string; name: string }>('POST', '/credentials', body);
  return { smtp: { id: saved.id, name: saved.name } };
}

export interface TemplateWorkflow {
  name: string;
  workflowId: string;
  /** Its trigger's production URL, where Stripe's events go. */
  webhookUrl: string;
  /** False when a saved copy (found by its trigger's webhook id) was kept. */
  imported: boolean;
}

export interface TemplateFillIn {
  /** The template's own Slack URL (the alert templates post there). */
  slackUrl?: string;
  /** The CRM its CRM Upsert writes to (default the local store). */
  crm?: SandboxCrm;
  /** Anything else the operator changes before saving: a node switched on, another webhook id. */
  edit?: (template: N8nWorkflowFile) => N8nWorkflowFile;
}

/** The trigger's production URL: n8n serves a fixed webhookId at /webhook/<id>/webhook. */
function webhookUrlOf(baseUrl: string, template: N8nWorkflowFile, name: string): string {
  const trigger = template.nodes.find((n) => n.type.endsWith('.terminalTrigger'));
  if (!trigger?.webhookId) throw new Error(`templates/n8n/${name}.json has no Terminal Payment Trigger with a fixed webhookId`);
  return `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
}

/**
 * A template imported as shipped with what the operator fills in — the credentials the editor offers for each
 * node (`refs`: Stripe, the store, SMTP…), the Slack URL, the CRM — saved and published beside the others.
 */
export async function importTemplate(rest: RestSession, baseUrl: string, name: string, refs: CredentialRefs, fill: TemplateFillIn = {}): Promise<TemplateWorkflow> {
  const shipped = readTemplate(name, fill.slackUrl);
  const assigned = await assignCredentials(rest, fill.crm ? withCrm(shipped, fill.crm) : shipped, refs);
  const template = fill.edit ? fill.edit(assigned) : assigned;
  const webhookUrl = webhookUrlOf(baseUrl, template, name);
  const unsent = template.nodes.filter((n) => n.type === 'n8n-nodes-base.emailSend' && !n.credentials?.smtp).map((n) => n.name);
  if (unsent.length) throw new Error(`n8n offered no SMTP credential for ${unsent.join(', ')} of templates/n8n/${name}.json`);
  const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
    name: template.name, nodes: template.nodes, connections: template.connections, settings: template.settings, active: false,
  });
  await publish(rest, saved.id, saved.versionId);
  await waitForWebhook(webhookUrl);
  return { name, workflowId: saved.id, webhookUrl, imported: true };
}

/**
 * The sandbox's copy of a template: imported and published on the first start; on later starts the saved copy
 * (found by its trigger's webhook id) is kept with the operator's edits, with only the CRM applied again (the
 * SMTP credential is updated in place by upsertSmtpCredential, so a new mail port reaches it).
 */
export async function ensureTemplateWorkflow(rest: RestSession, baseUrl: string, name: string, refs: CredentialRefs, fill: TemplateFillIn = {}): Promise<TemplateWorkflow> {
  const shipped = readTemplate(name);
  const webhookUrl = webhookUrlOf(baseUrl, shipped, name);
  const webhookId = webhookUrl.split('/').at(-2)!;
  const found = (await savedByWebhookId(rest)).get(webhookId);
  if (!found) return importTemplate(rest, baseUrl, name, refs, fill);
  await applyCrm(rest, found, fill.crm ?? { name: 'local' }, refs);
  await waitForWebhook(webhookUrl);
  return { name, workflowId: found.id, webhookUrl, imported: false };
}

/** Every Send Email node's sender with `+<tag>` added to its address: the sandbox's mail shows which engine sent it. */
export function sendingAs(tag: string) {
  return (t: N8nWorkflowFile): N8nWorkflowFile => ({
    ...t,
    nodes: t.nodes.map((n) => {
      const from = (n.parameters as { fromEmail?: unknown } | undefined)?.fromEmail;
      if (n.type !== 'n8n-nodes-base.emailSend' || typeof from !== 'string') return n;
      return { ...n, parameters: { ...(n.parameters as Record<string, unknown>), fromEmail: from.replace(/([^<\s@]+)@/, `$1+${tag}@`) } };
    }),
  });
}
