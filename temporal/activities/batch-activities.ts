import { Context } from '@temporalio/activity';
import type { LoyaltyProgram } from '../../nodes/core/loyalty/program';
import { fieldsTargetOf } from '../../nodes/core/outbox/field-updates';
import { reviewLoyalty as review, type LoyaltyReviewProgress } from '../../nodes/core/loyalty/review';
import { runSegmentBatch as runBatch, type BatchCheckpoint, type BatchProgress } from '../../nodes/core/segment/batch';
import { parseSegmentConfig, type SegmentConfig } from '../../nodes/core/segment/config';
import { InputError } from '../../nodes/core/errors';
import { summarizeBatch, summarizeReview } from '../../nodes/core/segment/scheduled-run';
import { openDatabase } from '../../nodes/core/store/open-database';
import { failFastOnInputError } from './fail-fast';
import type { BatchActivities } from '../../workflows/activity-contracts/batch-activities';

/** Outside a Temporal activity (a test calling it directly) there is no one to heartbeat to. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Heartbeats carry the progress and the checkpoint: a worker that died mid-run is noticed within the heartbeat
 * timeout, not hours later, and the retry goes on from the last checkpoint instead of starting over.
 */
function heartbeating(): { onProgress?: (p: BatchProgress) => void; resumeFrom?: BatchCheckpoint } {
  const context = activityContext();
  if (!context) return {};
  const last = context.info.heartbeatDetails as Partial<BatchProgress> | undefined;
  return { onProgress: (p) => context.heartbeat(p), ...(last?.checkpoint ? { resumeFrom: last.checkpoint } : {}) };
}

function asOfDate(asOf: string): Date {
  const at = new Date(asOf);
  if (Number.isNaN(at.getTime())) throw new InputError('asOf', `"${asOf}" is not a time`, 'start the batch with an ISO time such as 2025-07-01T03:00:00Z, or without asOf for now');
  return at;
}

export function createBatchActivities(settings: { storeUrl: string; segment?: SegmentConfig | null; loyalty?: LoyaltyProgram | null }): BatchActivities {
  const config = settings.segment === undefined ? parseSegmentConfig() : settings.segment;
  const program = settings.loyalty ?? null;
  const db = () => openDatabase(settings.storeUrl);
  // A SaaS CRM named for the worker gets the batch's changed fields through the outbox (the sync schedule sends them).
  const crm = fieldsTargetOf(process.env.TERMINAL_CRM_CRM, 'TERMINAL_CRM_CRM');
  return {
    runSegmentBatch: async (asOf) => {
      if (!config) return null;
      return failFastOnInputError(async () => summarizeBatch(await runBatch(await db(), config, { asOf: asOfDate(asOf), ...heartbeating(), ...(crm ? { crm } : {}) })));
    },
    reviewLoyalty: async (asOf) => {
      if (!program) return null;
      // Its progress is the heartbeat: the review lets the event loop turn as it goes, so the SDK can send it.
      const context = activityContext();
      const onProgress = context ? (p: LoyaltyReviewProgress) => context.heartbeat(p) : undefined;
      return failFastOnInputError(async () =>
        summarizeReview(program.id, await review(await db(), program, { asOf: asOfDate(asOf), ...(crm ? { crm } : {}), ...(onProgress ? { onProgress } : {}) })),
      );
    },
  };
}
