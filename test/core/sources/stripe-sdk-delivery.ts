import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import { stripeRequest } from '../../support/stripe-delivery';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';

const stripe = new Stripe('sk_test_sdk_delivery');

/**
 * A Stripe event as a Stripe witness test delivers it: signed by stripe-node's own test helper
 * (generateTestHeaderString), checked back by stripe-node itself (constructEventAsync), then handed to the core as a
 * trigger does.
 */
export async function deliverSdkSigned(event: object): Promise<WebhookOutcome> {
  const body = JSON.stringify(event, null, 2);
  const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
  const parsed = await stripe.webhooks.constructEventAsync(body, header, TEST_WEBHOOK_SECRET);
  assert.equal(parsed.id, (event as { id: string }).id, 'stripe-node accepts its own signature');
  return receiveWebhook('stripe', stripeRequest({ body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header } }), {
    credentials: { signingSecret: [TEST_WEBHOOK_SECRET] },
  });
}
