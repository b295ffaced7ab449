import type { LoyaltyReviewSummary, SegmentBatchSummary } from '../../nodes/core/segment/scheduled-run';

/**
 * What the segment batch workflow asks of its activities. Types only: workflow code names them with `import type`,
 * so the workflow bundle never loads the activities (temporal/activities/batch-activities.ts implements them).
 */

export interface BatchActivities {
  /** Exact RFM, a fresh lifetime-value model and every customer's segment, as of `asOf` (ISO time). Null when the Segment step is off. */
  runSegmentBatch(asOf: string): Promise<SegmentBatchSummary | null>;
  /** Expires points and re-tiers members as of `asOf`. Null without a loyalty program. */
  reviewLoyalty(asOf: string): Promise<LoyaltyReviewSummary | null>;
}
