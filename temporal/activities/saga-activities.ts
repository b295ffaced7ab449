import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MatchResult } from '../../nodes/core/contracts/customer';
import { isSaasCrmName, type SaasCrmName } from '../../nodes/core/crm/crm-names';
import { CrmError, CrmRateLimitError, CrmTransientError } from '../../nodes/core/crm/saas/crm-errors';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { applyAutoMerges } from '../../nodes/core/identity/identity-graph';
import { undoMerge } from '../../nodes/core/identity/merge-customers';
import { paymentKeyOf } from '../../nodes/core/ledger/ledger-event';
import { reverseEventPoints } from '../../nodes/core/loyalty/reverse-points';
import type { MatchConfig } from '../../nodes/core/match/match-config';
import { matchCustomer } from '../../nodes/core/match/match-customer';
import { raiseSagaAlert, rejectQueuedPayment } from '../../nodes/core/outbox/saga-alert';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { openCrm } from '../../nodes/core/steps/steps';
import { upsertToCrmStep } from '../../nodes/core/steps/upsert-to-crm';
import { readTokenizedEvent } from '../../nodes/core/contracts/payment-message';
import { openDatabase } from '../../nodes/core/store/open-database';
import { pushedSaleOf } from '../../nodes/core/terminal-push/push-metadata';
import { sendToTerminalWorkflowId } from '../../workflows/send-to-terminal';
import { INPUT_ERROR_TYPE } from './fail-fast';
import { heartbeatingEach } from './heartbeat-while-running';
import { rememberedInRun } from './remembered-in-run';
import type { ActivitySettings } from './payment-activities';
import type { RecordedMessage } from '../../workflows/activity-contracts/payment-activities';
import type { SagaActivities, SagaMerge } from '../../workflows/activity-contracts/saga-activities';

export type SagaSettings = Pick<ActivitySettings, 'storeUrl' | 'defaultRegion' | 'match' | 'loyalty'> & {
  /** The CRM payments go to (as TERMINAL_CRM_CRM): "local" or a SaaS CRM reached through the outbox. */
  crm?: string;
  /** Where the SaaS CRM's credentials are read (process.env when absent). */
  env?: NodeJS.ProcessEnv;
  /** How long the CRM sync step sends before it leaves the rest queued for CRM Sync (ms); 0 when absent: queue only. */
  crmWaitMs?: number;
};

/**
 * The core's typed errors as Temporal failures: an InputError and the CRM's non-retryable errors end the saga at
 * once (and start its compensations); a rate limit is retried after the CRM's own wait; anything else is left for
 * the retry policy.
 */
export async function typedFailures<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error && e.name === INPUT_ERROR_TYPE) {
      const { field, fix } = e as InputError;
      throw ApplicationFailure.create({ type: INPUT_ERROR_TYPE, message: e.message, nonRetryable: true, details: [{ field, fix }] });
    }
    if (e instanceof CrmError) {
      const wait = e instanceof CrmRateLimitError || e instanceof CrmTransientError ? e.retryAfterMs : undefined;
      throw ApplicationFailure.create({ type: e.name, message: e.message, nonRetryable: !e.retryable, ...(wait ? { nextRetryDelay: wait } : {}) });
    }
    throw e;
  }
}

/** Whose merge it is: the saga run (workflow id and run id) and the event it was applying. */
interface MergeMadeFor {
  sagaRun: string;
  eventId: string;
}

/** The saga run of the activity running now; null outside an activity (a test calling the step directly). */
function sagaRunOfActivity(): string | null {
  try {
    const { workflowExecution } = Context.current().info;
    return workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : null;
  } catch {
    return null;
  }
}

/** The merges, not undone, an earlier attempt of this step made for this run's event (their evidence names it). */
async function mergesMadeFor(store: SqlDatabase, madeFor: MergeMadeFor): Promise<SagaMerge[]> {
  // LIKE on the run id (a UUID: no character LIKE or JSON treats specially) narrows the rows; the evidence is then
  // read exactly.
  const runId = madeFor.sagaRun.slice(madeFor.sagaRun.lastIndexOf('/') + 1);
  const rows = await store.all<{ id: string; into_id: string; from_id: string; evidence: string }>(
    "SELECT id, into_id, from_id, evidence FROM identity_merges WHERE actor = 'auto' AND undone_at IS NULL AND evidence LIKE ? ORDER BY merged_at, id",
    [`%${runId.replace(/[\\%_"]/g, '_')}%`],
  );
  return rows
    .filter((r) => {
      const e = JSON.parse(r.evidence) as Partial<MergeMadeFor> | null;
      return e?.sagaRun === madeFor.sagaRun && e.eventId === madeFor.eventId;
    })
    .map((r) => ({ id: r.id, into: r.into_id, from: r.from_id }));
}

export function createSagaActivities(settings: SagaSettings): SagaActivities {
  const db = () => openDatabase(settings.storeUrl);
  const matchConfig: MatchConfig = { ...settings.match, defaultRegion: settings.defaultRegion };
  const crmName = (settings.crm ?? settings.env?.TERMINAL_CRM_CRM ?? process.env.TERMINAL_CRM_CRM ?? 'local').trim().toLowerCase();
  const saas: SaasCrmName | null = isSaasCrmName(crmName) ? crmName : null;
  const programId = settings.loyalty?.id ?? null;
  // Each step heartbeats while it runs, so the saga's heartbeat timeout notices an attempt whose worker died.
  return heartbeatingEach<SagaActivities>({
    sagaMatch: rememberedInRun(db, (message: PaymentMessage) =>
      typedFailures(async () => {
        const event = readTokenizedEvent(message, 'Match Customer');
        const match: MatchResult = await matchCustomer(event, { crm: await openCrm({ storeUrl: settings.storeUrl }) }, matchConfig);
        return { ...event, match };
      })),
    // Each merge's evidence names the saga run and event it was made for: an attempt after one that merged but never
    // answered (its worker gone) finds those customers one already, and reports the earlier attempt's merges instead
    // of none, so the saga can still undo them should a later step fail for good.
    sagaMerge: (message) =>
      typedFailures(async () => {
        const store = await db();
        const run = sagaRunOfActivity();
        const madeFor: MergeMadeFor | null = run ? { sagaRun: run, eventId: message.id } : null;
        const earlier = madeFor ? await mergesMadeFor(store, madeFor) : [];
        const match = madeFor && message.match.merges ? { ...message.match, merges: message.match.merges.map((p) => ({ ...p, ...madeFor })) } : message.match;
        const made = (await applyAutoMerges(store, match)).map((m) => ({ id: m.id, into: m.into, from: m.from }));
        return [...earlier, ...made];
      }),
    sagaUnmerge: (merges) =>
      typedFailures(async () => {
        const store = await db();
        const undone: string[] = [];
        for (const m of [...merges].reverse()) {
          const row = await store.get<{ undone_at: string | null }>('SELECT undone_at FROM identity_merges WHERE id = ?', [m.id]);
          // Already undone (a retried compensation): nothing left to do for it.
          if (!row || row.undone_at) continue;
          await undoMerge(store, m.id, 'saga-compensation');
          undone.push(m.id);
        }
        return undone;
      }),
    sagaCrmMode: async () => (!saas ? 'none' : (settings.crmWaitMs ?? 0) > 0 ? 'send' : 'queue'),
    sagaCrmSync: rememberedInRun(db, (message: RecordedMessage) =>
      typedFailures(async () => {
        if (!saas) return null;
        const [synced] = await upsertToCrmStep([message], await db(), {
          crm: saas,
          adapter: () => crmAdapterFromEnv(saas, settings.env ?? process.env),
          waitMs: settings.crmWaitMs ?? 0,
        });
        return synced?.crm?.sync ?? null;
      })),
    sagaMarkCrmFailed: (input) =>
      typedFailures(async () => (saas ? rejectQueuedPayment(await db(), saas, paymentKeyOf(input), `payment processing failed: ${input.reason}`) : 0)),
    sagaReversePoints: (input) =>
      typedFailures(async () => (programId ? (await reverseEventPoints(await db(), programId, input.eventId)).entries.length : 0)),
    sagaAlert: (input) =>
      typedFailures(async () => (await raiseSagaAlert(await db(), { crm: saas ?? 'local', runId: input.workflowId, paymentKey: paymentKeyOf(input), reason: input.reason })).id),
    sagaFollowUps: async (message) => {
      // Whatever the outcome: a saga re-run after a lost task meets its payment already recorded ("duplicate"),
      // and the waiting sale keeps only the first report it gets.
      const sale = pushedSaleOf(message);
      return { pushedSaleWorkflowId: sale ? sendToTerminalWorkflowId(sale.vendor, sale.reference) : null };
    },
  });
}
