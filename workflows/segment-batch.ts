import { proxyActivities } from '@temporalio/workflow';
import type { BatchActivities } from './activity-contracts/batch-activities';
import type { LoyaltyReviewSummary, SegmentBatchSummary } from '../nodes/core/segment/scheduled-run';
import { SCHEDULED_RUN_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';

/**
 * The batch reads every customer: minutes for a large store. It heartbeats as it goes, the checkpoint after each
 * chunk it writes and, before its first chunk, whenever 50 ms of work have passed while it reads, scores and fits the
 * lifetime-value model (letting the event loop turn then: on a SQLite store nothing else would), so the scheduled
 * runs' heartbeat timeout holds for any size of store: a worker that dies mid-run is noticed within it, and the
 * retry goes on from the last heartbeat's checkpoint on another worker (customers already written are not written
 * again; repeating one is safe anyway: a run only overwrites customers no payment has touched since). A failed run is
 * retried a few times; after that the next scheduled run catches up.
 */
const { runSegmentBatch } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: SCHEDULED_RUN_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 5, nonRetryableErrorTypes: ['InputError'] },
});

/**
 * The loyalty review reads every member's tier window: minutes for a large program. It heartbeats its progress
 * (expiring, reviewing; nodes/core/loyalty/review.ts), letting the event loop turn whenever 50 ms of work have
 * passed, so a worker that dies mid-run is noticed within the scheduled runs' heartbeat timeout; the retry runs it
 * again from the start, which changes nothing twice (the review is idempotent for one asOf): what the attempt that died
 * committed was committed with the members' fields, and the retry's result counts the tier changes that attempt made too.
 */
const { reviewLoyalty } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: SCHEDULED_RUN_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 5, nonRetryableErrorTypes: ['InputError'] },
});

export interface SegmentBatchResult {
  asOf: string;
  /** Null when the Segment step is off. */
  segment: SegmentBatchSummary | null;
  /** Null without a loyalty program. */
  loyalty: LoyaltyReviewSummary | null;
}

/**
 * The scheduled run (Temporal Schedule "terminal-crm-segment-batch"): exact RFM quintiles, a fresh lifetime-value
 * model and every customer's segment, and the loyalty review (expiry, tier downgrades). As of the moment the run
 * started, unless `asOf` (ISO time) says otherwise: workflow time, so a replay computes the same.
 */
export async function segmentBatch(options: { asOf?: string } = {}): Promise<SegmentBatchResult> {
  const asOf = options.asOf ?? new Date().toISOString();
  // Independent of each other: one failing must not keep the other from running.
  const [segment, loyalty] = await Promise.allSettled([runSegmentBatch(asOf), reviewLoyalty(asOf)]);
  if (segment.status === 'rejected') throw segment.reason;
  if (loyalty.status === 'rejected') throw loyalty.reason;
  return { asOf, segment: segment.value, loyalty: loyalty.value };
}
