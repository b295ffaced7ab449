import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import { receiveWebhook, type WebhookOutcome } from '../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../nodes/core/sources/source';

/** A simulator delivery ({body, headers}) as the request a trigger hands the core. */
export function stripeRequest(d: { body: string; headers: Record<string, string> }, receivedAt = new Date()): WebhookRequest {
  return { rawBody: Buffer.from(d.body), headers: { ...d.headers }, method: 'POST', url: 'https://hooks.example.com/webhooks/stripe', receivedAt };
}

/** Verifies a Stripe delivery with the given secrets, as every trigger does (no inbox). */
export function receiveStripe(d: { body: string; headers: Record<string, string> }, secrets: readonly string[]): Promise<WebhookOutcome> {
  return receiveWebhook('stripe', stripeRequest(d), { credentials: { signingSecret: [...secrets] } });
}

/** The one event a genuine Stripe delivery carries; throws with the outcome when it was not accepted. */
export async function verifiedStripeEvent(d: { body: string; headers: Record<string, string> }, secrets: readonly string[]): Promise<PaymentEvent> {
  const out = await receiveStripe(d, secrets);
  if (out.events.length !== 1) throw new Error(`expected one accepted event: ${JSON.stringify(out)}`);
  return out.events[0]!;
}
