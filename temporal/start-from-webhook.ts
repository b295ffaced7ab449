import type { Client } from '@temporalio/client';
import { receiveWebhook, type ReceiveOptions, type WebhookOutcome } from '../nodes/core/pipeline/receive-webhook';
import type { Source, WebhookRequest } from '../nodes/core/sources/source';
import { paymentWorkflowKindFromEnv, startPaymentWorkflowOfKind, type PaymentWorkflowKind } from './start-payment/payment-workflow-setting';

export type WebhookStartOutcome = WebhookOutcome & { workflowIds: string[] };

/**
 * A webhook receiver's whole job on Temporal: verify and normalize with the core, keep the events in the inbox,
 * then hand each event to its workflow (id from the namespaced event id, so a redelivery joins the first run).
 * A rejected delivery returns before any workflow exists; answer the processor with `outcome.answer`.
 * The workflow is paymentSaga, or paymentToCrm with `workflow: 'classic'` (default: TERMINAL_CRM_PAYMENT_WORKFLOW).
 * `eager`: the client is on the connection of a worker in this process (see startPaymentSagaEagerly).
 */
export async function startFromWebhook(
  client: Client,
  source: string | Source<unknown>,
  request: WebhookRequest,
  receive: ReceiveOptions,
  options: { taskQueue?: string; workflow?: PaymentWorkflowKind; eager?: boolean } = {},
): Promise<WebhookStartOutcome> {
  const kind = options.workflow ?? paymentWorkflowKindFromEnv();
  const outcome = await receiveWebhook(source, request, receive);
  const workflowIds: string[] = [];
  // A redelivery of an event kept but never finished (our answer was lost because the start failed) starts it
  // now: the start joins a run that exists, so it is never started twice.
  const unfinished = receive.inbox?.notDone && outcome.report.duplicates.length > 0 ? await receive.inbox.notDone(outcome.report.duplicates) : [];
  for (const event of [...outcome.events, ...unfinished]) workflowIds.push(await startPaymentWorkflowOfKind(client, event, kind, { taskQueue: options.taskQueue, eager: options.eager }));
  return { ...outcome, workflowIds };
}
