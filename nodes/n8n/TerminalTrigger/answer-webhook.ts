import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { receiveWebhook } from '../../core/pipeline/receive-webhook';
import { toItemJson } from '../shared/item-json';
import { toNodeError } from '../shared/node-error';

/** The bits of n8n's request/response (Express) the trigger uses. */
interface WebhookRequest {
  rawBody?: Buffer;
  readRawBody?: () => Promise<void>;
  headers: Record<string, string | string[] | undefined>;
}
interface WebhookResponse {
  status(code: number): WebhookResponse;
  json(body: unknown): unknown;
}

/**
 * Verifies one delivery and answers it. The trigger writes its own answers (noWebhookResponse) so a bad
 * signature can get a 400 with the reason, which Stripe shows in its delivery log.
 */
export async function answerWebhook(
  ctx: IWebhookFunctions,
  source: string,
  secrets: string[],
  selectedEvents: readonly string[],
): Promise<IWebhookResponseData> {
  const req = ctx.getRequestObject() as unknown as WebhookRequest;
  const res = ctx.getResponseObject() as unknown as WebhookResponse;
  // The signature covers the exact bytes sent; n8n keeps them as rawBody next to the parsed body.
  if (!req.rawBody && req.readRawBody) await req.readRawBody();
  const rawBody = req.rawBody ?? Buffer.alloc(0);

  let outcome: ReturnType<typeof receiveWebhook>;
  try {
    outcome = receiveWebhook(source, { rawBody, headers: req.headers }, secrets);
  } catch (error) {
    throw toNodeError(ctx.getNode(), error);
  }

  if (outcome.status === 500) {
    ctx.logger.error(`Terminal Payment Trigger: ${outcome.misconfigured}`);
    res.status(500).json({ received: false, error: outcome.misconfigured });
    return { noWebhookResponse: true };
  }
  if (outcome.status === 400) {
    res.status(400).json({ received: false, rejected: outcome.rejected });
    return { noWebhookResponse: true };
  }
  if (!outcome.accepted) {
    res.status(200).json({ received: true, ignored: outcome.ignored });
    return { noWebhookResponse: true };
  }
  const event = outcome.event;
  if (!selectedEvents.includes(event.type)) {
    res.status(200).json({ received: true, ignored: `Event type "${event.type}" is not selected in this trigger` });
    return { noWebhookResponse: true };
  }
  res.status(200).json({ received: true, id: event.id });
  return { noWebhookResponse: true, workflowData: [[{ json: toItemJson(event) }]] };
}
