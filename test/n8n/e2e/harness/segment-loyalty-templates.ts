import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePaymentWorkflow, type N8nWorkflowFile, type PaymentWorkflow, type PaymentWorkflowSettings } from '../../../../sandbox/run/n8n/payment-workflow';
import type { RestSession } from '../../../../sandbox/run/n8n/rest-session';
import { repoRoot } from '../../../../sandbox/run/shared/repo-root';

/** The placeholder URLs the templates ship with, which an operator replaces (a sticky note says so). */
export const PLACEHOLDERS = {
  'high-value-alert.json': 'https://example.com/replace-with-your-alert-url',
  'loyalty-welcome.json': 'https://example.com/replace-with-your-message-url',
} as const;

/**
 * A shipped template with its placeholder URL replaced, as the operator does, then imported with the credentials
 * and published in the running n8n beside the payment workflow (each template has its own webhook id).
 */
export async function publishTemplate(
  rest: RestSession,
  baseUrl: string,
  settings: PaymentWorkflowSettings,
  file: keyof typeof PLACEHOLDERS,
  url: string,
): Promise<PaymentWorkflow> {
  const text = readFileSync(join(repoRoot(), 'templates', 'n8n', file), 'utf8');
  if (!text.includes(PLACEHOLDERS[file])) throw new Error(`templates/n8n/${file} no longer contains ${PLACEHOLDERS[file]}`);
  const template = JSON.parse(text.split(PLACEHOLDERS[file]).join(url)) as N8nWorkflowFile;
  return ensurePaymentWorkflow(rest, baseUrl, settings, template);
}
