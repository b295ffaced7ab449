import { join } from 'node:path';
import type { NpmEngine } from '../../install';
import { installPack, type PackedRepo } from '../shared/pack';
import { ensurePaymentWorkflow, type PaymentWorkflow, type PaymentWorkflowSettings } from './payment-workflow';
import { ownerSession, type RestSession } from './rest-session';
import { ensureSourceWorkflows, type SourceWorkflow, type SourceWorkflowSpec } from './source-workflows';
import { startN8n, type RunningN8n } from './start-n8n';
import { ensureTemplateWorkflow, MESSAGE_TEMPLATES, postsToSlack, sendingAs, upsertSmtpCredential, type TemplateWorkflow } from './template-workflows';

export interface N8nPaymentOptions {
  engine: Pick<NpmEngine, 'node' | 'binPath'>;
  /** n8n's user folder (N8N_USER_FOLDER): its database, settings, installed packages and log. */
  userFolder: string;
  packed: Pick<PackedRepo, 'tarball' | 'sha256'>;
  owner: { email: string; password: string; passwordHash: string };
  settings: PaymentWorkflowSettings;
  /** The other sources, each as its own copy of the template (the template itself is Stripe's). */
  sources?: readonly SourceWorkflowSpec[];
  /**
   * The mail catcher: every message template (thank-you, high-value alert, loyalty welcome, failed-payment alert,
   * refund sync) is imported with its SMTP server and its Slack receiver (`<slackUrl>/<template>`), and sends
   * from `<local>+n8n@<domain>` so its mail tells which engine sent it. Unset, they are not imported.
   */
  messages?: { smtp: { host: string; port: number }; slackUrl: string };
  /** Default: a free port. */
  port?: number;
  /** Default: n8n.log in the user folder. */
  logFile?: string;
}

export interface N8nPaymentInstance extends PaymentWorkflow {
  /** One per entry of `sources`. */
  sourceWorkflows: SourceWorkflow[];
  /** The message templates, when `messages` was given. */
  templates: TemplateWorkflow[];
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
    const templates: TemplateWorkflow[] = [];
    if (o.messages) {
      const refs = { ...workflow.credentials, ...(await upsertSmtpCredential(rest, o.messages.smtp)) };
      for (const name of MESSAGE_TEMPLATES) {
        const slackUrl = postsToSlack(name) ? `${o.messages.slackUrl}/${name}` : undefined;
        templates.push(await ensureTemplateWorkflow(rest, n8n.baseUrl, name, refs, { slackUrl, crm, edit: sendingAs('n8n') }));
      }
    }
    return { ...workflow, sourceWorkflows, templates, n8n, rest, timings: { installMs, startupMs: n8n.startupMs, publishMs: Date.now() - publishing } };
  } catch (e) {
    const tail = n8n.logTail();
    await n8n.stop();
    throw new Error(`${(e as Error).message}\n--- n8n log (${n8n.logFile}) ---\n${tail}`);
  }
}
