import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCrm } from '../crm/sandbox-crm';
import { repoRoot } from '../shared/repo-root';
import { waitForWebhook } from '../shared/webhook-ready';
import { withCrm } from './crm-credential';
import { applyCrm, assignCredentials, publish, savedByWebhookId, type CredentialRefs, type N8nWorkflowFile } from './payment-workflow';
import type { RestSession } from './rest-session';

export function readThankYouTemplate(repoDir: string = repoRoot()): N8nWorkflowFile {
  return JSON.parse(readFileSync(join(repoDir, 'templates', 'n8n', 'thank-you.json'), 'utf8')) as N8nWorkflowFile;
}

/** n8n's own SMTP credential pointed at the sandbox's mail catcher (no TLS, no login), made or updated in place. */
export async function upsertMailCatcherCredential(rest: RestSession, smtp: { host: string; port: number }): Promise<CredentialRefs> {
  const body = {
    name: 'Sandbox mail catcher',
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

export interface ThankYouWorkflow {
  workflowId: string;
  /** Its trigger's production URL: the sandbox posts Stripe's simulated events here. */
  webhookUrl: string;
  imported: boolean;
}

/**
 * templates/n8n/thank-you.json imported as shipped, with what the operator fills in: the Stripe and store
 * credentials (`refs`), the CRM, and the SMTP credential of the mail catcher; published. On later starts the saved
 * copy (found by its trigger's webhook id) is kept with the operator's edits; the SMTP credential is updated in
 * place, so a new mail port reaches it.
 */
export async function ensureThankYouWorkflow(
  rest: RestSession,
  baseUrl: string,
  refs: CredentialRefs,
  smtp: { host: string; port: number },
  crm: SandboxCrm,
  template = readThankYouTemplate(),
): Promise<ThankYouWorkflow> {
  const trigger = template.nodes.find((n) => n.type.endsWith('.terminalTrigger'));
  if (!trigger?.webhookId) throw new Error('templates/n8n/thank-you.json has no Terminal Payment Trigger with a fixed webhookId');
  const all = { ...refs, ...(await upsertMailCatcherCredential(rest, smtp)) };
  const found = (await savedByWebhookId(rest)).get(trigger.webhookId);
  let workflowId: string;
  if (found) {
    workflowId = found.id;
    await applyCrm(rest, found, crm, all);
  } else {
    const { name, nodes, connections, settings } = await assignCredentials(rest, withCrm(template, crm), all);
    const unsent = nodes.filter((n) => n.type === 'n8n-nodes-base.emailSend' && !n.credentials?.smtp).map((n) => n.name);
    if (unsent.length) throw new Error(`n8n offered no SMTP credential for ${unsent.join(', ')} of the thank-you template`);
    const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', { name, nodes, connections, settings, active: false });
    workflowId = saved.id;
    await publish(rest, saved.id, saved.versionId);
  }
  const webhookUrl = `${baseUrl}/webhook/${trigger.webhookId}/webhook`;
  await waitForWebhook(webhookUrl);
  return { workflowId, webhookUrl, imported: !found };
}
