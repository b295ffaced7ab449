import type { BackfillProgress, BackfillState } from '../../nodes/core/backfill';

/**
 * What the backfill workflow asks of its activities. Types only: workflow code names them with `import type`, so
 * the workflow bundle never loads the activities (temporal/activities/backfill-activities.ts implements them).
 */

/** What a backfill workflow is asked to read; times are ISO strings. */
export interface BackfillInput {
  source: string;
  since: string;
  /** Now, when the backfill first starts, if absent. */
  until?: string;
  /** A SaaS CRM whose outbox gets what is recorded (CRM Sync sends it at the CRM's rate). */
  crm?: string;
  /** Payments per page asked of the processor. */
  limit?: number;
  /**
   * Stripe, Square: how many hours past the window's end the processor's list is read for sales a reader stored
   * offline in it (1 to 720; the source's own when absent). Not part of the workflow id.
   */
  offlineGraceHours?: number;
  /** Forget a stored position and read the window again (the ledger finds what it has as duplicates). */
  restart?: boolean;
}

export interface BackfillActivities {
  /**
   * Opens (or resumes) the backfill: its state as the store holds it, with `until` fixed. States come back with their
   * progress worked out (rate, ETA), which the workflow cannot import from the core.
   */
  openBackfillActivity(input: BackfillInput): Promise<BackfillProgress>;
  /** One page from `state`; returns the state after it. */
  backfillPageActivity(input: BackfillInput, state: BackfillState): Promise<BackfillProgress>;
}
