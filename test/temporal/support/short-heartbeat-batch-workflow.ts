import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { BatchActivities } from '../../../workflows/activity-contracts/batch-activities';
import type { LoyaltyReviewSummary, SegmentBatchSummary } from '../../../nodes/core/segment/scheduled-run';

/**
 * The segment batch workflow's activity, `runSegmentBatch`, under a heartbeat timeout chosen by the test and a
 * single attempt: an attempt whose heartbeats stop for longer fails the workflow instead of being retried.
 */
export async function shortHeartbeatBatch(asOf: string, heartbeatTimeout: NonNullable<ActivityOptions['heartbeatTimeout']>): Promise<SegmentBatchSummary | null> {
  const { runSegmentBatch } = proxyActivities<BatchActivities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout, retry: { maximumAttempts: 1 } });
  return runSegmentBatch(asOf);
}

/** The segment batch workflow's other activity, `reviewLoyalty`, the same way. */
export async function shortHeartbeatReview(asOf: string, heartbeatTimeout: NonNullable<ActivityOptions['heartbeatTimeout']>): Promise<LoyaltyReviewSummary | null> {
  const { reviewLoyalty } = proxyActivities<BatchActivities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout, retry: { maximumAttempts: 1 } });
  return reviewLoyalty(asOf);
}
