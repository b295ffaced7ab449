import { proxyActivities } from '@temporalio/workflow';
import type { CustomerRefreshResult } from '../nodes/core/crm/saas/customer-refresh';
import type { CrmDrainSummary, CrmSyncActivities, CrmSyncInput } from './activity-contracts/crm-sync-activities';
import { SCHEDULED_RUN_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';

/**
 * A drain stops starting batches at its deadline (50 s by default), so its activity ends well inside this timeout.
 * A failed run is retried a couple of times; after that the next scheduled run carries on (the outbox and the
 * change-feed cursor are in the store, nothing is lost). A credential the CRM refuses fails at once, with the fix.
 * The activities heartbeat while they work: an attempt whose worker died, or whose result a restarting Temporal
 * server never heard, is retried within the heartbeat timeout, where the schedule skipped every run until the
 * start-to-close timeout ran out.
 */
const { crmSyncDrain, crmSyncRefresh } = proxyActivities<CrmSyncActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: SCHEDULED_RUN_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: ['InputError'] },
});

export interface CrmSyncResult {
  drain: CrmDrainSummary;
  refresh: CustomerRefreshResult;
}

/**
 * One scheduled sync of a CRM (Temporal Schedule "terminal-crm-sync-<crm>"): what waits in the outbox is sent,
 * then the store's copy of the CRM's customers is refreshed from its change feed, so the matcher sees what sales
 * changed in the CRM without a CRM call per payment. Deterministic: it only orchestrates, the activities do all I/O.
 */
export async function crmSync(input: CrmSyncInput): Promise<CrmSyncResult> {
  const drain = await crmSyncDrain(input);
  const refresh = await crmSyncRefresh(input);
  return { drain, refresh };
}
