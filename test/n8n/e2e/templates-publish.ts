import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignCredentials, publish, type CredentialRefs, type N8nWorkflowFile } from '../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import { repoRoot } from '../../../sandbox/run/shared/repo-root';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';

/** The Slack placeholder the alert templates ship with (a sticky note says to replace it). */
export const SLACK_PLACEHOLDER = 'https://example.com/replace-with-your-slack-webhook-url';

/** n8n's own SMTP credential, as an operator fills it in for a mail server without TLS or login (the test's catcher). */
export async function createSmtpCredential(rest: RestSession, smtp: { host: string; port: number }): Promise<CredentialRefs> {
  const saved = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
    name: 'Mail catcher (e2e)',
    type: 'smtp',
    data: { user: '', password: '', host: smtp.host, port: smtp.port, secure: false, disableStartTls: true, hostName: '' },
  });
  return { smtp: { id: saved.id, name: saved.name } };
}

export interface PublishedTemplate {
  workflowId: string;
  webhookUrl: string;
}

/**
 * A template from templates/n8n/ as shipped, with only what the operator fills in: the Slack URL (when it has
 * one), the credentials the editor offers for each node, and whatever else `fillIn` sets (a node switched on, a
 * credential the editor lets the operator pick). Imported and published beside the others.
 */
export async function publishTemplate(
  rest: RestSession,
  baseUrl: string,
  file: string,
  refs: CredentialRefs,
  slackUrl?: string,
  fillIn: (template: N8nWorkflowFile) => N8nWorkflowFile = (t) => t,
): Promise<PublishedTemplate> {
  let text = readFileSync(join(repoRoot(), 'templates', 'n8n', file), 'utf8');
  if (slackUrl) {
    if (!text.includes(SLACK_PLACEHOLDER)) throw new Error(`templates/n8n/${file} no longer contains ${SLACK_PLACEHOLDER}`);
    text = text.split(SLACK_PLACEHOLDER).join(slackUrl);
  }
  const template = fillIn(await assignCredentials(rest, JSON.parse(text) as N8nWorkflowFile, refs));
  const trigger = template.nodes.find((n) => n.type.endsWith('.terminalTrigger'));
  if (!trigger?.webhookId) throw new Error(`templates/n8n/${file} has no trigger with a fixed webhook id`);
  const missing = template.nodes.filter((n) => n.type === 'n8n-nodes-base.emailSend' && !n.credentials?.smtp).map((n) => n.name);
  if (missing.length) throw new Error(`no SMTP credential was offered for ${missing.join(', ')}`);
  const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
    name: template.name, nodes: template.nodes, connections: template.connections, settings: template.settings, active: false,
  });
  await publish(rest, saved.id, saved.versionId);
  const webhookUrl = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
  await waitForWebhook(webhookUrl);
  return { workflowId: saved.id, webhookUrl };
}
