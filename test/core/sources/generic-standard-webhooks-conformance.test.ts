import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { tempStore } from '../../support/temp-store';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { MemoryInbox } from './generic-support';

/**
 * Conformance with the Standard Webhooks specification (standard-webhooks/standard-webhooks, spec/standard-webhooks.md)
 * and its reference verifier, the `standardwebhooks` package: headers webhook-id, webhook-timestamp (Unix seconds) and
 * webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", space-separated), the secret "whsec_" + base64,
 * a five-minute tolerance, and the payload {type, timestamp, data}. Every delivery here is signed with Webhook#sign,
 * and the source must accept exactly what Webhook#verify accepts.
 */

/** The specification's example secret, message id, timestamp, body and signature. */
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const config = {
  name: 'sw-gateway',
  mapping: {
    eventType: '$.type',
    kindByType: { 'payment.succeeded': 'payment', 'payment.failed': 'failure', 'refund.succeeded': 'refund', 'dispute.created': 'dispute' },
    paymentId: ['$.data.payment_id', '$.data.id'],
    amount: '$.data.amount',
    currency: { path: '$.data.currency', default: 'USD' },
    refundedTotal: '$.data.refunded_total',
    paymentTotal: '$.data.payment_total',
    card: { brand: '$.data.card.brand', last4: '$.data.card.last4', bin: '$.data.card.bin', entryMode: '$.data.card.entry_mode' },
    customer: { id: '$.data.customer.id', email: '$.data.customer.email' },
    failure: { code: '$.data.failure_code' },
  },
};
const source = createGenericSource(config);
const credentials = { secret: SPEC.secret };
const CTX = { now: () => new Date(SPEC.timestamp * 1000) };

function delivery(payload: object, { id = 'msg_2Lh9KQv4x1Zb7', signedAt = new Date('2026-05-04T12:00:00Z'), receivedAt = new Date(signedAt.getTime() + 1500) } = {}): WebhookRequest {
  const body = JSON.stringify(payload);
  return {
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)), 'webhook-signature': new Webhook(SPEC.secret).sign(id, signedAt, body) },
    method: 'POST',
    url: 'https://shop.example.com/webhooks/sw-gateway',
    receivedAt,
  };
}

/** What the package's verify says of a request at the moment it was received. */
function packageVerdict(req: WebhookRequest): string {
  const realNow = Date.now;
  Date.now = () => req.receivedAt.getTime();
  try {
    new Webhook(SPEC.secret).verify(req.rawBody, Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])));
    return 'accepted';
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  } finally {
    Date.now = realNow;
  }
}

const card = { brand: 'MASTERCARD', last4: '4444', bin: '555555', entry_mode: 'contactless' };

describe('generic source conformance: Standard Webhooks', () => {
  it("verifies the specification's own example signature", async () => {
    const req: WebhookRequest = {
      rawBody: Buffer.from(SPEC.body),
      headers: { 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature },
      method: 'POST',
      url: 'https://shop.example.com/webhooks/sw-gateway',
      receivedAt: new Date(SPEC.timestamp * 1000),
    };
    const verified = await source.verify(req, source.credentials.parse(credentials), CTX);
    assert.equal(verified.items.length, 1);
    const wrong = { ...req, headers: { ...req.headers, 'webhook-signature': 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=' } };
    await assert.rejects(source.verify(wrong, source.credentials.parse(credentials), CTX), /no webhook-signature matches/);
  });

  it('reads the webhook-signature entries as Webhook#verify does: a header sent twice, a v1a entry, other versions', async () => {
    const payload = { type: 'payment.succeeded', timestamp: '2026-05-04T12:00:00Z', data: { id: 'pay_S1', amount: 1000, currency: 'EUR' } };
    const other = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    for (const spell of [
      (good: string) => `${good}, ${other}`, // two webhook-signature headers, as Node joins them
      (good: string) => `${other}, ${good}`,
      (good: string) => `v1a,${Buffer.alloc(64).toString('base64')} ${good}`,
      (good: string) => `${other} ${good}`,
      (good: string) => `v2,${good.slice(3)}`,
      (good: string) => `V1,${good.slice(3)}`,
    ]) {
      const req = delivery(payload);
      const header = spell(String(req.headers['webhook-signature']));
      req.headers['webhook-signature'] = header;
      const out = await receiveWebhook(source, req, { credentials });
      assert.equal(out.status === 200 ? 'accepted' : 'refused', packageVerdict(req).split(':')[0], `${header}: ${out.rejected ?? 'accepted'}`);
    }
  });

  it('accepts and refuses at the five-minute edge exactly as Webhook#verify does (its clock in whole seconds)', async () => {
    const signedAt = new Date('2026-05-04T12:00:00Z');
    const payload = { type: 'payment.succeeded', timestamp: '2026-05-04T12:00:00.123456Z', data: { payment_id: 'pay_1', amount: 1000, currency: 'EUR' } };
    for (const ms of [299_000, 300_000, 300_600, 300_999, 301_000, -300_000, -300_600, -301_000]) {
      const req = delivery(payload, { signedAt, receivedAt: new Date(signedAt.getTime() + ms) });
      const out = await receiveWebhook(source, req, { credentials });
      assert.equal(out.status === 200 ? 'accepted' : 'refused', packageVerdict(req).split(':')[0], `received ${ms} ms after signing: ${out.rejected ?? 'accepted'}`);
    }
  });

  it('maps a payment, a partial refund, a decline and a dispute of the {type, timestamp, data} payload', async () => {
    const inbox = new MemoryInbox();
    const send = async (payload: object, id: string) => {
      const out = await receiveWebhook(source, delivery(payload, { id }), { credentials, inbox });
      assert.equal(out.status, 200, JSON.stringify(out));
      return out.events[0]!;
    };
    const sale = await send({ type: 'payment.succeeded', timestamp: '2026-05-04T11:59:58.412937Z', data: { id: 'pay_7Qm2', amount: 4599, currency: 'GBP', card, customer: { id: 'cus_91', email: 'ana@example.com' } } }, 'msg_sale');
    assert.deepEqual(
      [sale.id, sale.kind, sale.paymentId, sale.amount, sale.occurredAt, sale.card?.brand, sale.card?.bin, sale.card?.last4, sale.card?.entryMode, sale.customerHints.processorCustomerId],
      ['sw-gateway:msg_sale', 'payment', 'pay_7Qm2', { minor: 4599, currency: 'GBP' }, '2026-05-04T11:59:58.412Z', 'mastercard', '555555', '4444', 'contactless', 'cus_91'],
    );
    const refund = await send({ type: 'refund.succeeded', timestamp: '2026-05-04T12:10:00Z', data: { id: 'ref_1', payment_id: 'pay_7Qm2', amount: 1500, refunded_total: 1500, payment_total: 4599, currency: 'GBP' } }, 'msg_refund');
    assert.deepEqual([refund.kind, refund.paymentId, refund.amount.minor, refund.refundedTotal?.minor, refund.status], ['refund', 'pay_7Qm2', 1500, 1500, 'partially_refunded']);
    const decline = await send({ type: 'payment.failed', timestamp: '2026-05-04T12:11:00Z', data: { id: 'pay_8Zx', amount: 2000, currency: 'GBP', failure_code: 'card_declined', card } }, 'msg_fail');
    assert.deepEqual([decline.kind, decline.status, decline.failure?.code], ['failure', 'failed', 'card_declined']);
    const dispute = await send({ type: 'dispute.created', timestamp: '2026-05-05T08:00:00Z', data: { payment_id: 'pay_7Qm2', amount: 3099, currency: 'GBP' } }, 'msg_dispute');
    assert.deepEqual([dispute.kind, dispute.paymentId, dispute.amount.minor, dispute.status], ['dispute', 'pay_7Qm2', 3099, 'disputed']);
    const again = await receiveWebhook(source, delivery({ type: 'payment.succeeded', timestamp: '2026-05-04T11:59:58Z', data: { id: 'pay_7Qm2', amount: 4599, currency: 'GBP' } }, { id: 'msg_sale' }), { credentials, inbox });
    assert.deepEqual([again.status, again.events.length], [200, 0]);
  });

  it('records a refund once the gateway says it succeeded: one pending or failed is acknowledged, and no money in the ledger', async () => {
    const withStatus = createGenericSource({
      ...config,
      mapping: { ...config.mapping, status: '$.data.status', kindByType: { ...config.mapping.kindByType, 'refund.updated': 'refund', 'refund.failed': 'refund' } },
    });
    const refund = (type: string, status: string, id: string, amount: number) =>
      delivery({ type, timestamp: '2026-05-04T12:10:00Z', data: { id, payment_id: 'pay_P1', amount, status, currency: 'GBP' } }, { id: `msg_${id}_${status}` });
    const events: PaymentEvent[] = [];
    const ignored: string[] = [];
    for (const req of [
      delivery({ type: 'payment.succeeded', timestamp: '2026-05-04T11:59:58Z', data: { id: 'pay_P1', amount: 4599, status: 'succeeded', currency: 'GBP' } }, { id: 'msg_sale_p1' }),
      refund('refund.updated', 'pending', 'ref_1', 1500),
      refund('refund.succeeded', 'succeeded', 'ref_1', 1500),
      refund('refund.failed', 'failed', 'ref_2', 1000),
    ]) {
      const out = await receiveWebhook(withStatus, req, { credentials });
      assert.equal(out.status, 200, JSON.stringify(out.answer));
      events.push(...out.events);
      ignored.push(...out.report.ignored);
    }
    assert.deepEqual(events.map((e) => [e.kind, e.status, e.amount.minor]), [['payment', 'succeeded', 4599], ['refund', 'refunded', 1500]]);
    assert.deepEqual(ignored, [
      'Event type "refund.updated" is not processed: the refund is pending ($.data.status is "pending"): it is recorded when the gateway reports it succeeded',
      'Event type "refund.failed" is not processed: the refund failed ($.data.status is "failed"): no money went back',
    ]);
    const s = await tempStore();
    try {
      await recordPaymentEvents(s.db, events);
      const state = (await paymentState(s.db, 'sw-gateway', 'pay_P1'))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor], [4599, 1500]);
    } finally {
      await s.remove();
    }
  });

  it("takes an unmapped event time from the payload's timestamp, so a retry signed later happened when the first try did", async () => {
    const payload = { type: 'payment.succeeded', timestamp: '2026-05-04T11:59:58Z', data: { id: 'pay_R1', amount: 1250, currency: 'EUR' } };
    const first = await receiveWebhook(source, delivery(payload, { id: 'msg_retry', signedAt: new Date('2026-05-04T12:00:00Z') }), { credentials });
    const retry = await receiveWebhook(source, delivery(payload, { id: 'msg_retry', signedAt: new Date('2026-05-04T13:30:00Z') }), { credentials });
    assert.deepEqual([first.events[0]?.occurredAt, retry.events[0]?.occurredAt], ['2026-05-04T11:59:58.000Z', '2026-05-04T11:59:58.000Z']);
    // No timestamp in the payload: the signed time stands in, as before.
    const bare = await receiveWebhook(source, delivery({ type: 'payment.succeeded', data: { id: 'pay_R2', amount: 1250, currency: 'EUR' } }), { credentials });
    assert.equal(bare.events[0]?.occurredAt, '2026-05-04T12:00:00.000Z');
  });

  it('reads minor units by ISO 4217: yen with no decimals, dinar with three, kronor with two', async () => {
    for (const [currency, amount] of [['JPY', 4500], ['KWD', 12345], ['SEK', 9950], ['NOK', 12900], ['DKK', 7500]] as const) {
      const out = await receiveWebhook(source, delivery({ type: 'payment.succeeded', timestamp: '2026-05-04T12:00:00Z', data: { id: `pay_${currency}`, amount, currency } }), { credentials });
      assert.deepEqual(out.events[0]?.amount, { minor: amount, currency });
    }
  });
});
