import type { CredentialRefs, N8nWorkflowFile } from '../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import { importTemplate, upsertSmtpCredential } from '../../../sandbox/run/n8n/template-workflows';

/** n8n's own SMTP credential, as an operator fills it in for a mail server without TLS or login (the test's catcher). */
export function createSmtpCredential(rest: RestSession, smtp: { host: string; port: number }): Promise<CredentialRefs> {
  return upsertSmtpCredential(rest, smtp, 'Mail catcher (e2e)');
}

export interface PublishedTemplate {
  workflowId: string;
  webhookUrl: string;
}

/**
 * A template from templates/n8n/ imported as the sandbox imports it (sandbox/run/n8n/template-workflows.ts): as
 * shipped, with the Slack URL (when it has one), the credentials the editor offers for each node, and whatever
 * else `fillIn` sets (a node switched on, a credential the editor lets the operator pick); published.
 */
export function publishTemplate(
  rest: RestSession,
  baseUrl: string,
  file: string,
  refs: CredentialRefs,
  slackUrl?: string,
  fillIn?: (template: N8nWorkflowFile) => N8nWorkflowFile,
): Promise<PublishedTemplate> {
  return importTemplate(rest, baseUrl, file.replace(/\.json$/, ''), refs, { slackUrl, edit: fillIn });
}
