import type { Client } from '@temporalio/client';
import { receiveWebhook, type WebhookOutcome } from '../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../nodes/core/sources/source';
import { startPaymentWorkflow } from './start-payment-workflow';

export type WebhookStartOutcome =
  | Exclude<WebhookOutcome, { accepted: true }>
  | { status: 200; accepted: true; eventId: string; workflowId: string };

/**
 * A webhook receiver's whole job on Temporal: verify and normalize with the core, then hand the event to a
 * workflow. A rejected signature returns before any workflow exists; answer the processor with `status`.
 */
export async function startFromWebhook(
  client: Client,
  sourceName: string,
  request: WebhookRequest,
  signingSecrets: readonly string[],
  options: { taskQueue?: string } = {},
): Promise<WebhookStartOutcome> {
  const outcome = receiveWebhook(sourceName, request, signingSecrets);
  if (!outcome.accepted) return outcome;
  const handle = await startPaymentWorkflow(client, outcome.event, options);
  return { status: 200, accepted: true, eventId: outcome.event.id, workflowId: handle.workflowId };
}
