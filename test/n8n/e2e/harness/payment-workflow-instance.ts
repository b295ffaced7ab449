import { join } from 'node:path';
import { ensureEngine } from '../../../../sandbox/install';
import { startN8nWithPaymentWorkflow, type N8nPaymentInstance } from '../../../../sandbox/run/n8n/payment-instance';
import { packRepo } from '../../../../sandbox/run/shared/pack';
import { E2E_OWNER } from './e2e-owner';

export interface PaymentWorkflowOptions {
  /** A fresh folder for the tarball, n8n's user folder and its log. */
  workDir: string;
  storeUrl: string;
  signingSecret: string;
  tokenKeys: string;
  defaultRegion?: string;
  /** More settings for n8n's process (e.g. N8N_CONCURRENCY_PRODUCTION_LIMIT). */
  env?: Record<string, string>;
}

/**
 * A real n8n with the pack installed from its tarball and templates/n8n/payment-to-crm.json imported and
 * published, as the sandbox runs it. The caller must `await instance.n8n.stop()`.
 */
export async function startPaymentWorkflow(opts: PaymentWorkflowOptions): Promise<N8nPaymentInstance & { timings: { packMs: number } }> {
  const engine = await ensureEngine('n8n');
  const packed = await packRepo(engine.node, join(opts.workDir, 'pack'));
  // n8n's process takes this process's environment (start-n8n.ts), which has no other way in: set for its start only.
  const before = Object.fromEntries(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, opts.env);
  const instance = await startN8nWithPaymentWorkflow({
    engine,
    userFolder: join(opts.workDir, 'n8n'),
    packed,
    owner: E2E_OWNER,
    settings: { storeUrl: opts.storeUrl, signingSecret: opts.signingSecret, tokenKeys: opts.tokenKeys, defaultRegion: opts.defaultRegion ?? 'US' },
  }).finally(() => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return { ...instance, timings: { ...instance.timings, packMs: packed.ms } };
}
