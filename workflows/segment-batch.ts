import { proxyActivities } from '@temporalio/workflow';
import type { BatchActivities } from './activity-contracts/batch-activities';
import type { LoyaltyReviewSummary, SegmentBatchSummary } from '../nodes/core/segment/scheduled-run';

/**
 * The batch reads every customer: minutes for a large store. It heartbeats after each chunk it writes, so a
 * worker that dies mid-run is noticed within the heartbeat timeout, and the retry goes on from the last
 * heartbeat's checkpoint on another worker (customers already written are not written again; repeating one is
 * safe anyway: a run only overwrites customers no payment has touched since). A failed run is retried a few
 * times; after that the next scheduled run catches up. Not the scheduled runs' 30 s: before its first chunk an
 * attempt reads every customer, scores them and fits the lifetime-value model with no heartbeat in between (on a
 * SQLite store the event loop does not turn meanwhile, so no timer could beat either), which took 30 s for 200,000
 * customers on a loaded 2-CPU machine (a store set up as bench/segment/store-batch does).
 */
const { runSegmentBatch } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 5, nonRetryableErrorTypes: ['InputError'] },
});

/** Expiring points and re-tiering members touches only members with something due: no progress to report. */
const { reviewLoyalty } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '1 hour',
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
