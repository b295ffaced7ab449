import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { DEFAULT_TASK_QUEUE } from './task-queue';

/** `firstExecutionRunId` is the run that applies (or applied) the event, also when the start found it already there. */
export type PaymentWorkflowHandle = WorkflowHandleWithFirstExecutionRunId<typeof paymentToCrm>;

/** The processor's event id is the idempotency key: one event, one workflow id. */
export const paymentWorkflowId = (eventId: string) => `payment-${eventId}`;

/**
 * Starts the payment→CRM workflow for a normalized event, once. A redelivery while the first run is still going
 * joins it (USE_EXISTING); a redelivery after it completed is refused by the server and answered with the
 * completed run's handle. Only a run that failed, timed out or was terminated may be started again
 * (ALLOW_DUPLICATE_FAILED_ONLY): that is how an operator replays an event after fixing its cause. Even then the
 * CRM upsert is idempotent by event id, so nothing is applied twice.
 *
 * The event goes into the workflow history as it is: the source has already scrubbed card numbers, and the
 * card is known only by the processor's fingerprint (not card data), which the first activity replaces with
 * the pack's token. Tokenizing here instead would put the token keys into every process that starts workflows.
 */
export async function startPaymentWorkflow(
  client: Client,
  event: PaymentEvent,
  options: { taskQueue?: string } = {},
): Promise<PaymentWorkflowHandle> {
  const workflowId = paymentWorkflowId(event.id);
  try {
    return await client.workflow.start<typeof paymentToCrm>('paymentToCrm', {
      workflowId,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [event],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Refused only when the latest run completed, so that run is the one that applied the event.
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    return Object.assign(client.workflow.getHandle<typeof paymentToCrm>(workflowId, runId, { firstExecutionRunId: runId }), { firstExecutionRunId: runId });
  }
}
