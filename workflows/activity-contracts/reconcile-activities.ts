/**
 * What the reconcile workflow asks of its activity. Types only: workflow code names them with `import type`, so the
 * workflow bundle never loads the activities (temporal/activities/reconcile-activities.ts implements them).
 */

export interface ReconcileInput {
  source: string;
  /** ISO times: the period compared. */
  since: string;
  until: string;
  crm?: string;
  repair?: boolean;
  limit?: number;
  /** Stripe, Square: how many hours past the period's end a sale a reader stored offline in it counts in it (1 to 720; the source's own when absent). */
  offlineGraceHours?: number;
}

/** Counts and the first keys of each finding: the whole report can be large, and it goes into the workflow's history. */
export interface ReconcileSummary {
  source: string;
  since: string;
  until: string;
  crm?: string;
  processorPayments: number;
  ledgerPayments: number;
  clean: boolean;
  missing: string[];
  duplicated: string[];
  mismatched: string[];
  unknown: string[];
  backfilled?: string[];
  requeued?: string[];
  unfixable?: Array<{ key: string; reason: string }>;
}

export interface ReconcileActivities {
  reconcileActivity(input: ReconcileInput): Promise<ReconcileSummary>;
}
