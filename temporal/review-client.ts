import type { Client } from '@temporalio/client';
import type { ReviewResolution } from '../nodes/core/match/review-resolution';
import { pendingReviewQuery, resolveReviewSignal, type PendingReview } from '../workflows/review';

/** What `terminal-crm review` needs of Temporal; a fake in its tests. */
export interface ReviewClient {
  /** Ids of the running payment workflows in the task queue. */
  runningPaymentWorkflows(): AsyncIterable<string>;
  pendingReview(workflowId: string): Promise<PendingReview | null>;
  resolveReview(workflowId: string, resolution: ReviewResolution): Promise<void>;
  close(): Promise<void>;
}

/**
 * `terminal-crm review` over a Temporal client. Waiting payments are found without custom search attributes:
 * the running payment workflows (paymentToCrm, paymentSaga) of the task queue are listed (default visibility) and each is asked whether it
 * waits. Fine for a shop's open payments; a backlog of thousands would want a search attribute instead.
 */
export function temporalReviewClient(client: Client, taskQueue: string): ReviewClient {
  const quoted = taskQueue.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return {
    async *runningPaymentWorkflows() {
      // Both payment workflows wait for reviews: paymentToCrm per event, paymentSaga per payment.
      const query = `(WorkflowType = 'paymentToCrm' OR WorkflowType = 'paymentSaga') AND ExecutionStatus = 'Running' AND TaskQueue = '${quoted}'`;
      for await (const execution of client.workflow.list({ query })) yield execution.workflowId;
    },
    pendingReview: (workflowId) => client.workflow.getHandle(workflowId).query(pendingReviewQuery),
    resolveReview: (workflowId, resolution) => client.workflow.getHandle(workflowId).signal(resolveReviewSignal, resolution),
    close: () => client.connection.close(),
  };
}
