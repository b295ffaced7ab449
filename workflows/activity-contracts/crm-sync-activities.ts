import type { CustomerRefreshResult } from '../../nodes/core/crm/saas/customer-refresh';
import type { OutboxAlert } from '../../nodes/core/outbox/types';
import type { CrmSyncSummary } from '../../nodes/core/outbox/sync-run';

/**
 * What the CRM sync workflow asks of its activities. Types only: workflow code names them with `import type`, so
 * the workflow bundle never loads the activities (temporal/activities/crm-sync-activities.ts implements them).
 */

/** What one scheduled CRM sync asks for (the workflow's input). */
export interface CrmSyncInput {
  crm: string;
  /** Batches per drain at most (default: no limit). */
  maxBatches?: number;
  /** No batch is started after this many seconds (default: sync-run.ts's). */
  deadlineSeconds?: number;
  /** Change-feed pages read per refresh at most (default: customer-refresh.ts's); the next run carries on. */
  refreshPages?: number;
}

export interface CrmDrainSummary extends CrmSyncSummary {
  /** The records given up on in this run, with the CRM's reason (the outbox_alerts table keeps them all). */
  alerts: OutboxAlert[];
}

export interface CrmSyncActivities {
  /** Sends what waits in the outbox for the CRM. */
  crmSyncDrain(input: CrmSyncInput): Promise<CrmDrainSummary>;
  /** Brings the store's copy of the CRM's customers up to date from its change feed. */
  crmSyncRefresh(input: CrmSyncInput): Promise<CustomerRefreshResult>;
}
