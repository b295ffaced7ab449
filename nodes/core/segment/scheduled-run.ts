import type { FieldsTarget } from '../outbox/field-updates';
import type { LoyaltyProgram } from '../loyalty/program';
import { reviewLoyalty, type LoyaltyReview } from '../loyalty/review';
import type { SqlDatabase } from '../store/sql-database';
import { runSegmentBatch, type BatchProgress, type BatchResult } from './batch';
import type { SegmentConfig } from './config';
import type { UnscoredPayments } from './unscored';

/**
 * The scheduled run as every scheduler reports it (a Temporal workflow's result, the `segment-batch` command's
 * output): what changed, without the fitted models' internals or the list of every re-tiered member.
 */
export interface SegmentBatchSummary {
  asOf: string;
  currencies: {
    currency: string;
    customers: number;
    runId: string;
    /** Customers whose segment differs from the one stored before the run. */
    segmentChanges: number;
    segmentCounts: Record<string, number>;
    /** Customers a payment re-scored while the run was writing; they keep the fresher answer. */
    skippedConcurrent: number;
    /** Customers whose changed fields were queued for the SaaS CRM (left out when none). */
    fieldsQueued?: number;
    /** The lifetime-value model fitted and saved, or why there is none. */
    modelId: string | null;
    modelSkipped?: string;
  }[];
  /**
   * Payments in the ledger no customer's statistics hold, so no run scores them: how many, why (linked to no
   * customer; no Segment step counted them) and the first few; left out when there are none.
   */
  unscored?: UnscoredPayments;
}

export interface LoyaltyReviewSummary {
  programId: string;
  asOf: string;
  expiredEntries: number;
  pointsExpired: number;
  upgrades: number;
  downgrades: number;
  /** Re-tiered or expired members whose fields were queued for the SaaS CRM (left out when none). */
  fieldsQueued?: number;
}

export function summarizeBatch(r: BatchResult): SegmentBatchSummary {
  return {
    asOf: r.asOf,
    currencies: r.currencies.map((c) => ({
      currency: c.currency,
      customers: c.customers,
      runId: c.runId,
      segmentChanges: c.segmentChanges,
      segmentCounts: c.segmentCounts,
      skippedConcurrent: c.skippedConcurrent,
      ...(c.fieldsQueued ? { fieldsQueued: c.fieldsQueued } : {}),
      modelId: c.model?.id ?? null,
      ...(c.modelSkipped ? { modelSkipped: c.modelSkipped } : {}),
    })),
    ...(r.unscored.payments > 0 ? { unscored: r.unscored } : {}),
  };
}

export function summarizeReview(programId: string, r: LoyaltyReview): LoyaltyReviewSummary {
  const tierChanges = r.events.filter((e) => e.type === 'tier-changed');
  return {
    programId,
    asOf: r.asOf,
    expiredEntries: r.expiredEntries,
    pointsExpired: r.pointsExpired,
    upgrades: tierChanges.filter((e) => e.direction === 'upgrade').length,
    downgrades: tierChanges.filter((e) => e.direction === 'downgrade').length,
    ...(r.fieldsQueued ? { fieldsQueued: r.fieldsQueued } : {}),
  };
}

export interface ScheduledRunOptions {
  /** Null: the Segment step is off and no scores are computed. */
  segment: SegmentConfig | null;
  /** Null: no loyalty program to review. */
  loyalty: LoyaltyProgram | null;
  asOf?: Date;
  onProgress?: (p: BatchProgress) => void;
  /** A SaaS CRM: changed fields are queued in its outbox (a CRM sync sends them); the store keeps its copy either way. */
  crm?: FieldsTarget;
}

/** Scores every customer (exact RFM, lifetime-value model, segments) and reviews the loyalty program, as of one moment. */
export async function runScheduledBatch(db: SqlDatabase, o: ScheduledRunOptions): Promise<{ segment: SegmentBatchSummary | null; loyalty: LoyaltyReviewSummary | null }> {
  const asOf = o.asOf ?? new Date();
  const segment = o.segment ? summarizeBatch(await runSegmentBatch(db, o.segment, { asOf, onProgress: o.onProgress, crm: o.crm })) : null;
  const loyalty = o.loyalty ? summarizeReview(o.loyalty.id, await reviewLoyalty(db, o.loyalty, { asOf, crm: o.crm })) : null;
  return { segment, loyalty };
}
