import { join } from 'node:path';
import type { NpmEngine } from '../../install';
import { installPack, type PackedRepo } from '../shared/pack';
import { ensurePaymentWorkflow, type PaymentWorkflow, type PaymentWorkflowSettings } from './payment-workflow';
import { ownerSession, type RestSession } from './rest-session';
import { ensureSourceWorkflows, type SourceWorkflow, type SourceWorkflowSpec } from './source-workflows';
import { startN8n, type RunningN8n } from './start-n8n';
import { ensureThankYouWorkflow, type ThankYouWorkflow } from './thank-you-workflow';

export interface N8nPaymentOptions {
  engine: Pick<NpmEngine, 'node' | 'binPath'>;
  /** n8n's user folder (N8N_USER_FOLDER): its database, settings, installed packages and log. */
  userFolder: string;
  packed: Pick<PackedRepo, 'tarball' | 'sha256'>;
  owner: { email: string; password: string; passwordHash: string };
  settings: PaymentWorkflowSettings;
  /** The other sources, each as its own copy of the template (the template itself is Stripe's). */
  sources?: readonly SourceWorkflowSpec[];
  /** The mail catcher's SMTP server: the thank-you template is imported with it; unset, it is not imported. */
  smtp?: { host: string; port: number };
  /** Default: a free port. */
  port?: number;
  /** Default: n8n.log in the user folder. */
  logFile?: string;
}

export interface N8nPaymentInstance extends PaymentWorkflow {
  /** One per entry of `sources`. */
  sourceWorkflows: SourceWorkflow[];
  /** When `smtp` was given. */
  thankYou?: ThankYouWorkflow;
  n8n: RunningN8n;
  rest: RestSession;
  timings: { installMs: number; startupMs: number; publishMs: number };
}

/**
 * A real n8n with the pack installed from its tarball (as a community package, skipped when that tarball is
 * installed already), the payment template imported and published, and a copy of it per other source if asked. The caller must `await instance.n8n.stop()`.
 */
export async function startN8nWithPaymentWorkflow(o: N8nPaymentOptions): Promise<N8nPaymentInstance> {
  const { ms: installMs } = await installPack(o.engine.node, o.packed, join(o.userFolder, '.n8n', 'nodes'));
  const n8n = await startN8n(o.userFolder, { engine: o.engine, owner: o.owner, port: o.port, logFile: o.logFile });
  try {
    const publishing = Date.now();
    const rest = await ownerSession(n8n.baseUrl, o.owner);
    const workflow = await ensurePaymentWorkflow(rest, n8n.baseUrl, o.settings);
    const crm = o.settings.crm ?? { name: 'local' as const };
    const { stripeTerminalApi: _stripe, ...shared } = workflow.credentials;
    const sourceWorkflows = o.sources?.length ? await ensureSourceWorkflows(rest, n8n.baseUrl, o.sources, shared, crm) : [];
    const thankYou = o.smtp ? await ensureThankYouWorkflow(rest, n8n.baseUrl, workflow.credentials, o.smtp, crm) : undefined;
    return { ...workflow, sourceWorkflows, thankYou, n8n, rest, timings: { installMs, startupMs: n8n.startupMs, publishMs: Date.now() - publishing } };
  } catch (e) {
    const tail = n8n.logTail();
    await n8n.stop();
    throw new Error(`${(e as Error).message}\n--- n8n log (${n8n.logFile}) ---\n${tail}`);
  }
}
