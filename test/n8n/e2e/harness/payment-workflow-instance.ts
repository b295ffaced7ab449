import { join } from 'node:path';
import { ensureEngine } from '../../../../sandbox/install';
import { assignCredentials, type CredentialRefs } from '../../support/assign-credentials';
import { paymentToCrmTemplate } from '../../support/template';
import { createCredentials, importAndPublish } from './import-workflow';
import { installPack, packRepo } from './install-pack';
import { ownerSession, type RestSession } from './rest-session';
import { startN8n, type RunningN8n } from './start-n8n';
import { waitUntil } from './wait-until';

export interface PaymentWorkflowInstance {
  n8n: RunningN8n;
  rest: RestSession;
  workflowId: string;
  /** The trigger's production URL, where Stripe would POST. */
  webhookUrl: string;
  credentials: CredentialRefs;
  timings: { packMs: number; installMs: number; startupMs: number; publishMs: number };
}

export interface PaymentWorkflowOptions {
  /** A fresh folder for the tarball, n8n's user folder and its log. */
  workDir: string;
  storeUrl: string;
  signingSecret: string;
  tokenKeys: string;
  defaultRegion?: string;
}

/**
 * A real n8n with the pack installed from its tarball and templates/n8n/payment-to-crm.json imported and
 * published, ready for deliveries. The caller must `await instance.n8n.stop()`.
 */
export async function startPaymentWorkflow(opts: PaymentWorkflowOptions): Promise<PaymentWorkflowInstance> {
  const engine = await ensureEngine('n8n');
  const userFolder = join(opts.workDir, 'n8n');
  const { tarball, ms: packMs } = await packRepo(engine.node, join(opts.workDir, 'pack'));
  const { ms: installMs } = await installPack(engine.node, tarball, userFolder);
  const n8n = await startN8n(userFolder, { engine });
  try {
    const published = Date.now();
    const rest = await ownerSession(n8n.baseUrl);
    const credentials = await createCredentials(rest, [
      { type: 'stripeTerminalApi', name: 'Stripe Terminal', data: { secretKey: '', signingSecret: opts.signingSecret } },
      { type: 'terminalCrmStore', name: 'Terminal CRM Store', data: { storeUrl: opts.storeUrl, tokenKeys: opts.tokenKeys, defaultRegion: opts.defaultRegion ?? 'US' } },
    ]);
    const template = paymentToCrmTemplate();
    const trigger = template.nodes.find((node) => node.type.endsWith('.terminalTrigger'));
    if (!trigger?.webhookId) throw new Error('templates/n8n/payment-to-crm.json has no Terminal Payment Trigger with a fixed webhookId');
    const { id: workflowId } = await importAndPublish(rest, { ...assignCredentials(template, credentials), name: template.name ?? 'Terminal payments to CRM' });
    const webhookUrl = `${n8n.baseUrl}/webhook/${trigger.webhookId}/webhook`;
    // Live once the trigger itself answers: an unsigned POST gets its 400, not n8n's 404 for unknown webhooks.
    await waitUntil('the production webhook to answer', 30_000, async () => {
      const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return res.status === 400 ? true : undefined;
    });
    return { n8n, rest, workflowId, webhookUrl, credentials, timings: { packMs, installMs, startupMs: n8n.startupMs, publishMs: Date.now() - published } };
  } catch (e) {
    const tail = n8n.logTail();
    await n8n.stop();
    throw new Error(`${(e as Error).message}\n--- n8n log ---\n${tail}`);
  }
}
