import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import { paymentKeyOf } from '../../nodes/core/ledger/ledger-event';
import { paymentEventSignal, type paymentSaga } from '../../workflows/payment-saga';
import { DEFAULT_TASK_QUEUE } from './task-queue';
import { paymentWorkflowId } from './start-payment-workflow';

/**
 * A payment's saga id: the payment's namespaced key through the same id function as paymentToCrm's, so every
 * event of one payment (the sale, its refunds, its disputes) reaches one run: `payment-<source>:<paymentId>`.
 */
export const paymentSagaWorkflowId = (event: Pick<PaymentEvent, 'source' | 'paymentId'>) => paymentWorkflowId(paymentKeyOf(event));

/**
 * Hands an event to its payment's saga with signal-with-start: a running saga gets it queued behind what it is
 * doing (a refund waits for its sale), otherwise a run starts with it. A redelivery to a running saga is applied
 * once (the run remembers event ids); to a finished one it starts a run whose steps find the event recorded
 * (every step is idempotent by event id). Returns at once with the workflow id.
 */
export async function startPaymentSaga(client: Client, event: PaymentEvent, options: { taskQueue?: string } = {}): Promise<WorkflowHandleWithSignaledRunId<typeof paymentSaga>> {
  return client.workflow.signalWithStart<typeof paymentSaga, [PaymentEvent]>('paymentSaga', {
    workflowId: paymentSagaWorkflowId(event),
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [],
    signal: paymentEventSignal,
    signalArgs: [event],
  });
}

/**
 * Like startPaymentSaga, for a client on the connection of a worker in this process that polls the task queue:
 * a payment with no running saga starts with eager start, so the server hands the run's first workflow task
 * straight back to that worker in its answer instead of through the task queue (its store steps, local activities,
 * then run at once). The run is durably started all the same; should the worker die, the task goes to another one.
 * A running saga gets the event by signal-with-start as always (eager start cannot signal). Returns the workflow id.
 */
export async function startPaymentSagaEagerly(client: Client, event: PaymentEvent, options: { taskQueue?: string } = {}): Promise<string> {
  const workflowId = paymentSagaWorkflowId(event);
  try {
    await client.workflow.start<typeof paymentSaga>('paymentSaga', {
      workflowId,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [event],
      workflowIdConflictPolicy: 'FAIL',
      requestEagerStart: true,
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Running: queued behind what it does. Finished meanwhile: signal-with-start begins the next run.
    await startPaymentSaga(client, event, options);
  }
  return workflowId;
}
