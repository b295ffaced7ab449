import type { Client } from '@temporalio/client';
import type { PaymentEvent } from '../nodes/core/contracts/payment-event';
import { DEFAULT_REDRIVE_AFTER_MS, redriveIntoWorkflows, type RedriveReport } from '../nodes/core/inbox/redrive';
import { REDRIVE_AFTER_ENV, redriveAfterMs } from '../nodes/core/inbox/redrive-settings';
import { openDatabase } from '../nodes/core/store/open-database';
import type { SqlDatabase } from '../nodes/core/store/sql-database';
import { startPeriodicPass, type PeriodicPass } from './periodic-pass';
import { DEFAULT_PAYMENT_WORKFLOW, paymentWorkflowKindFromEnv, startPaymentWorkflowOfKind, type PaymentWorkflowKind } from './start-payment/payment-workflow-setting';

export interface RedriveLoopOptions {
  client: Client;
  db: SqlDatabase;
  taskQueue: string;
  /** Grace period before an accepted event is redriven (ms). */
  olderThanMs: number;
  /** Between runs (ms); by default the grace period, between 1 s and 1 min. */
  everyMs?: number;
  log?: (line: string) => void;
  /** paymentSaga (the default) or paymentToCrm (classic), as the webhook entry starts them. */
  workflow?: PaymentWorkflowKind;
}

export type RunningRedriveLoop = PeriodicPass<RedriveReport<string>>;

/**
 * The worker's redrive: every event a trigger on this store accepted and nothing finished — the webhook entry kept
 * it and then lost Temporal before the start, or an n8n or Node-RED on the same store stopped before CRM Upsert —
 * becomes its payment workflow. The workflow id is the event's (payment-<event id>), so an event whose workflow is
 * running already joins it instead of starting another; the workflow's upsert marks the event done. Events are
 * claimed for the grace period (at least a minute), so a workflow still running is not started again each pass.
 * The inbox keeps the workflow each event went to, so `terminal-crm inbox` shows it in that workflow, not failed,
 * while the run goes on (retrying a CRM that is down, say) after the claim runs out.
 */
export function startRedriveLoop(o: RedriveLoopOptions): RunningRedriveLoop {
  const log = o.log ?? (() => undefined);
  return startPeriodicPass({
    everyMs: o.everyMs ?? Math.min(60_000, Math.max(1_000, o.olderThanMs)),
    pass: () =>
      redriveIntoWorkflows(o.db, (event) => startPaymentWorkflowOfKind(o.client, event as PaymentEvent, o.workflow ?? DEFAULT_PAYMENT_WORKFLOW, { taskQueue: o.taskQueue }), {
        olderThanMs: o.olderThanMs,
        leaseMs: Math.max(60_000, o.olderThanMs),
      }),
    onResult: (r) => {
      if (r.redriven.length || r.failed.length) log(`Redrive: ${r.redriven.length} started (${r.redriven.map((x) => x.result).join(', ')}), ${r.failed.length} failed${r.failed.length ? `: ${r.failed[0]!.error}` : ''}`);
    },
    onError: (e) => log(`Redrive failed: ${e instanceof Error ? e.message : String(e)}`),
  });
}

/**
 * TERMINAL_CRM_REDRIVE_AFTER: the worker's grace period ("5m" by default, "30s", "0"), or "off" for no redrive in
 * this worker (another process redrives the store). Null when off.
 */
export async function startRedriveLoopFromEnv(client: Client, env: NodeJS.ProcessEnv, o: { storeUrl: string; taskQueue: string; log?: (line: string) => void }): Promise<RunningRedriveLoop | null> {
  const olderThanMs = redriveAfterMs(REDRIVE_AFTER_ENV, env[REDRIVE_AFTER_ENV], DEFAULT_REDRIVE_AFTER_MS);
  if (olderThanMs === null) return null;
  return startRedriveLoop({ client, db: await openDatabase(o.storeUrl || undefined), taskQueue: o.taskQueue, olderThanMs, log: o.log, workflow: paymentWorkflowKindFromEnv(env) });
}
