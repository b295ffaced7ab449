import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { createSource } from '../../nodes/core/sources/registry';
import { PAN_REDACTION } from '../../nodes/core/pan-scrub';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { startWebhookServer, type RunningWebhookServer } from '../../temporal/webhook-server';
import { TEST_WEBHOOK_SECRET } from '../support/temp-store';

/**
 * The webhook entry answers 503 and logs the error when handing a delivery to Temporal fails (Temporal unreachable, a
 * bug). The error may quote what it was handed: what is logged and answered is scrubbed of card data.
 */
const PAN = '4012888888881881';

describe('webhook entry: a failure to hand a delivery on is logged and answered without card data', { timeout: 20_000 }, () => {
  const lines: string[] = [];
  let http: RunningWebhookServer;
  before(async () => {
    const refuse = () => Promise.reject(new Error(`14 UNAVAILABLE: payload {"note":"card ${PAN}"} not sent`));
    const client = { workflow: { signalWithStart: refuse, start: refuse } } as unknown as Client;
    http = await startWebhookServer({
      client,
      sources: { stripe: { source: createSource('stripe'), credentials: { signingSecret: TEST_WEBHOOK_SECRET } } },
      port: 0,
      log: (l) => lines.push(l),
    });
  });
  after(() => http.close());

  it('503, its body and the log line naming the failure, the card number redacted', async () => {
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 2500 })), TEST_WEBHOOK_SECRET);
    const res = await fetch(`${http.url}/webhooks/stripe`, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
    const body = await res.text();
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(body), { error: `14 UNAVAILABLE: payload {"note":"card ${PAN_REDACTION}"} not sent` });
    assert.deepEqual(lines, [`webhook failed: 14 UNAVAILABLE: payload {"note":"card ${PAN_REDACTION}"} not sent`]);
  });
});
