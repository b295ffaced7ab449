import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { scrubStrings } from '../nodes/core/pan-scrub';
import { sendToTerminalWorkflowId, type sendToTerminal, type SendToTerminalWorkflowInput } from '../workflows/send-to-terminal';
import { DEFAULT_TASK_QUEUE } from './start-payment/task-queue';

/**
 * Starts the sendToTerminal workflow of a sale, under `send-to-terminal-<vendor>-<reference>`. The input is scrubbed
 * first, as the sources scrub an event (card numbers with any track data after them, security codes and PINs typed
 * after their names, card-secret fields dropped): a workflow's input is in its Temporal history before the workflow
 * runs, and a description, a reference or a CRM record id is text someone typed. The reference is scrubbed as the
 * payment's copy of it will be (the sale's metadata, scrubbed by the source), so the payment's `paymentArrived`
 * reaches this workflow.
 */
export async function startSendToTerminal(
  client: Client,
  input: SendToTerminalWorkflowInput,
  options: { taskQueue?: string } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof sendToTerminal>> {
  const scrubbed = scrubStrings(input);
  return client.workflow.start<typeof sendToTerminal>('sendToTerminal', {
    workflowId: sendToTerminalWorkflowId(scrubbed.vendor, scrubbed.sale.reference),
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [scrubbed],
  });
}
