import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import { assertNoPanDigits, fixture, plainRequest } from './generic-support';

// Fixtures: Worldline Connect (formerly Ingenico ePayments) webhooks, shaped per connect-sdk-nodejs's
// WebhooksEvent / PaymentResponse / RefundResponse types, and Cashfree PG payment webhooks per
// cashfree-pg-sdk-nodejs's PaymentWebhook type; see fixtures/generic/SOURCES.md.
const worldlineConfig = fixture('worldline-config.json');
const worldline = createGenericSource(worldlineConfig);
const vector = fixture('worldline-connect-sdk-vector.json');
const WORLDLINE_SECRET = vector.secretKey as string;
const RECEIVED = new Date('2026-03-14T10:21:09Z');

/** Signs as Worldline does: X-GCS-Signature = base64(HMAC-SHA256(secret key, body)), X-GCS-KeyId names the key. */
const worldlineRequest = (payload: object | string, secret = WORLDLINE_SECRET) => {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = createHmac('sha256', secret).update(body).digest('base64');
  return plainRequest(body, { 'content-type': 'application/json', 'x-gcs-signature': signature, 'x-gcs-keyid': vector.keyId }, RECEIVED);
};

const acceptWorldline = async (payload: object) => {
  const out = await receiveWebhook(worldline, worldlineRequest(payload), { credentials: { secret: WORLDLINE_SECRET } });
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  assertNoPanDigits(out);
  return out.events[0]!;
};

describe('generic source, HMAC: a Worldline (ex-Ingenico) gateway', () => {
  it("accepts the Worldline SDK's own test vector: body, secret key and X-GCS-Signature, byte for byte", async () => {
    const req = plainRequest(vector.body, { 'X-GCS-Signature': vector.signature, 'X-GCS-KeyId': vector.keyId }, RECEIVED);
    const out = await receiveWebhook(worldline, req, { credentials: { secret: WORLDLINE_SECRET } });
    assert.equal(out.status, 200, JSON.stringify(out.answer));
    const [e] = out.events;
    assert.equal(e!.id, 'worldline-estate:8ee793f6-4553-4749-85dc-f2ef095c5ab0');
    assert.equal(e!.paymentId, '200001681810');
    assert.deepEqual(e!.amount, { minor: 1000, currency: 'EUR' });
    assert.equal(e!.occurredAt, '2017-02-02T10:24:14.040Z');
    assert.equal(e!.card, undefined, 'a bank transfer has no card');
  });

  it('rejects the SDK vector once its body changes, as the SDK does with its invalid body', async () => {
    const changed = vector.body.replace('"2017-02-02T11:24:14.040+0100"', '"2017-02-02T11:25:14.040+0100"');
    const out = await receiveWebhook(worldline, plainRequest(changed, { 'X-GCS-Signature': vector.signature }, RECEIVED), { credentials: { secret: WORLDLINE_SECRET } });
    assert.equal(out.status, 400);
    assert.equal(out.rejected, 'the X-GCS-Signature signature does not match the configured secret (a wrong secret or signed string, or the request changed after signing)');
  });

  it('normalizes a captured card payment: only the last four of the masked card number, expiry, brand by product id', async () => {
    const e = await acceptWorldline(fixture('worldline-payment-captured-card.json'));
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'worldline-estate:3c6b4e2a-9f41-4d6e-b8a2-6f0c1d2e7a95',
      source: 'worldline-estate',
      type: 'payment.captured',
      kind: 'payment',
      paymentId: '200001681811',
      amount: { minor: 4599, currency: 'EUR' },
      status: 'succeeded',
      occurredAt: '2026-03-14T09:21:07.412Z',
      livemode: true,
      card: { brand: 'mastercard', last4: '4444', expMonth: 3, expYear: 2030, entryMode: 'unknown' },
      customerHints: { name: 'Ana Diaz' },
      metadata: {
        eventType: 'payment.captured', processorStatus: 'CAPTURED', merchantReference: 'A-1017',
        worldlineId: '000002000001435700120000100001', merchantId: '20000',
      },
    });
  });

  it('keeps the Apple Pay wallet and the network of a mobile payment', async () => {
    const e = await acceptWorldline(fixture('worldline-payment-paid-apple-pay.json'));
    assert.equal(e.card?.wallet, 'apple_pay');
    assert.equal(e.card?.brand, 'visa');
  });

  it('maps a rejected payment to a failure with the error code and message', async () => {
    const e = await acceptWorldline(fixture('worldline-payment-rejected.json'));
    assert.equal(e.kind, 'failure');
    assert.equal(e.status, 'failed');
    assert.deepEqual(e.failure, { code: '430330', message: 'Not authorised' });
    assert.equal(e.card?.last4, '9995');
  });

  it("maps a partial refund with Worldline's cumulative refunded total, and tells it from a full one", async () => {
    const e = await acceptWorldline(fixture('worldline-refund-refunded-partial.json'));
    assert.equal(e.kind, 'refund');
    assert.equal(e.paymentId, '200001681811', 'the same payment reference as the captured payment');
    assert.deepEqual(e.amount, { minor: 1500, currency: 'EUR' });
    assert.deepEqual(e.refundedTotal, { minor: 2500, currency: 'EUR' });
    assert.equal(e.refund, undefined, 'a running total the gateway reports is cumulative, as the contract reads no refund field');
    assert.equal(e.status, 'partially_refunded');
    const full = fixture('worldline-refund-refunded-partial.json');
    full.refund.refundOutput.cardRefundMethodSpecificOutput.totalAmountRefunded = 4599;
    assert.equal((await acceptWorldline(full)).status, 'refunded');
  });

  it('maps a chargeback notification to an open dispute on the payment', async () => {
    const e = await acceptWorldline(fixture('worldline-payment-chargeback-notification.json'));
    assert.equal(e.kind, 'dispute');
    assert.equal(e.status, 'disputed');
    assert.deepEqual(e.dispute, { id: '200001681811', processorStatus: 'CHARGEBACK_NOTIFICATION' });
  });

  it('normalizes the gateway object handed over directly (a redrive or a poll) as it does a webhook item', async () => {
    const payload = fixture('worldline-payment-captured-card.json');
    const [direct] = await worldline.normalize(payload, { secret: [WORLDLINE_SECRET] }, { now: () => RECEIVED });
    assert.deepEqual(direct, await acceptWorldline(payload));
  });

  it('names a missing or undecodable signature header', async () => {
    const req = worldlineRequest(fixture('worldline-payment-captured-card.json'));
    delete req.headers['x-gcs-signature'];
    const missing = await receiveWebhook(worldline, req, { credentials: { secret: WORLDLINE_SECRET } });
    assert.equal(missing.rejected, 'the X-GCS-Signature header is missing');
    req.headers['x-gcs-signature'] = 'not base64!';
    const garbled = await receiveWebhook(worldline, req, { credentials: { secret: WORLDLINE_SECRET } });
    assert.equal(garbled.status, 400);
    assert.equal(garbled.rejected, 'the X-GCS-Signature header is not a base64 signature');
  });

  it('reads every currency with ISO exponents, and with an override when the gateway has its own', async () => {
    const payment = (currency: string, amount: number) => {
      const p = fixture('worldline-payment-captured-card.json');
      p.payment.paymentOutput.amountOfMoney = { amount, currencyCode: currency };
      return p;
    };
    for (const [currency, amount] of [['JPY', 1200], ['KWD', 1250], ['BHD', 12500], ['ISK', 1234], ['MGA', 2500000], ['CLP', 15990]] as const) {
      assert.deepEqual((await acceptWorldline(payment(currency, amount))).amount, { minor: amount, currency });
    }
    const overridden = createGenericSource({ ...worldlineConfig, mapping: { ...worldlineConfig.mapping, exponents: { JPY: 2, ISK: 2 } } });
    const yen = await receiveWebhook(overridden, worldlineRequest(payment('JPY', 120000)), { credentials: { secret: WORLDLINE_SECRET } });
    assert.deepEqual(yen.events[0]?.amount, { minor: 1200, currency: 'JPY' });
  });
});

describe('generic source, HMAC: a gateway that signs a timestamp (Cashfree)', () => {
  const cashfreeConfig = fixture('cashfree-config.json');
  const cashfree = createGenericSource(cashfreeConfig);
  const SECRET = 'cfsk_ma_test_1d2f0c9a7e3b4c5d';
  const signedAt = new Date('2026-03-14T10:20:41Z');
  /** Cashfree's PGVerifyWebhookSignature: base64(HMAC-SHA256(client secret, x-webhook-timestamp + raw body)). */
  const cashfreeRequest = (payload: object, timestamp = String(signedAt.getTime()), receivedAt = new Date(signedAt.getTime() + 3000)) => {
    const body = JSON.stringify(payload);
    const signature = createHmac('sha256', SECRET).update(timestamp + body).digest('base64');
    return plainRequest(body, { 'x-webhook-signature': signature, 'x-webhook-timestamp': timestamp, 'x-webhook-version': '2025-01-01' }, receivedAt);
  };
  const receive = (req: ReturnType<typeof cashfreeRequest>) => receiveWebhook(cashfree, req, { credentials: { secret: SECRET } });

  it('accepts a success webhook: decimal amount, BIN and last four from the masked card number, event id from a template', async () => {
    const out = await receive(cashfreeRequest(fixture('cashfree-payment-success.json')));
    assert.equal(out.status, 200, JSON.stringify(out.answer));
    assertNoPanDigits(out);
    const e = out.events[0]!;
    assert.equal(e.id, 'cashfree-counter:PAYMENT_SUCCESS_WEBHOOK:1453002795');
    assert.equal(e.paymentId, '1453002795');
    assert.deepEqual(e.amount, { minor: 100, currency: 'INR' });
    assert.equal(e.occurredAt, '2026-03-14T10:20:29.000Z');
    assert.deepEqual(e.card, { brand: 'visa', bin: '470613', last4: '2123', funding: 'credit', entryMode: 'unknown', identity: { kind: 'fingerprint', value: '5d8a7a55-12c1-4a9b-9a6e-cc2d2b66f2b1' } });
    assert.deepEqual(e.customerHints, { processorCustomerId: '7112AAA812234', email: 'priya@example.in', phone: '9908734801', name: 'Priya Raman' });
    assert.equal(e.metadata.orderId, 'order_OFR_2');
    assert.doesNotMatch(JSON.stringify(out), /470613XXXXXX2123/, 'the masked card number itself is not kept');
  });

  it('maps a failed payment with its error', async () => {
    const out = await receive(cashfreeRequest(fixture('cashfree-payment-failed.json')));
    const e = out.events[0]!;
    assert.equal(e.kind, 'failure');
    assert.deepEqual(e.failure, { code: 'TRANSACTION_DECLINED', message: 'issuer bank or payment service provider declined the transaction' });
  });

  it('accepts a timestamp in seconds or milliseconds and refuses one outside the tolerance', async () => {
    const payload = fixture('cashfree-payment-success.json');
    assert.equal((await receive(cashfreeRequest(payload, String(Math.floor(signedAt.getTime() / 1000))))).status, 200);
    const stale = await receive(cashfreeRequest(payload, String(signedAt.getTime()), new Date(signedAt.getTime() + 301_000)));
    assert.equal(stale.status, 400);
    assert.equal(stale.rejected, 'the x-webhook-timestamp is 301 s old, more than the 300 s tolerance (a replayed delivery, or a clock that is off)');
    const req = cashfreeRequest(payload);
    req.headers['x-webhook-timestamp'] = String(signedAt.getTime() + 1000);
    assert.match((await receive(req)).rejected ?? '', /signature does not match/, 'the timestamp is part of what is signed');
    delete req.headers['x-webhook-timestamp'];
    assert.equal((await receive(req)).rejected, 'the x-webhook-timestamp header is missing');
  });

  it('a longer tolerance is the operator\'s to set', async () => {
    const lenient = createGenericSource({ ...cashfreeConfig, hmac: { ...cashfreeConfig.hmac, toleranceSeconds: 900 } });
    const out = await receiveWebhook(lenient, cashfreeRequest(fixture('cashfree-payment-success.json'), String(signedAt.getTime()), new Date(signedAt.getTime() + 600_000)), { credentials: { secret: SECRET } });
    assert.equal(out.status, 200);
  });
});

describe('generic source, HMAC: signed strings over the URL and method, prefixes, other algorithms', () => {
  const payload = JSON.stringify(fixture('worldline-payment-captured-card.json'));
  const config = (hmac: object) => ({ ...worldlineConfig, hmac: { ...worldlineConfig.hmac, ...hmac } });
  const URL = 'https://shop.example.com/webhooks/worldline-estate';

  it('verifies "sha512=<hex>" over "{method} {url}\\n{body}" and rejects a request sent to another URL', async () => {
    const source = createGenericSource(config({ header: 'X-Signature', algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=', signedString: '{method} {url}\n{body}' }));
    const sig = createHmac('sha512', WORLDLINE_SECRET).update(`POST ${URL}\n${payload}`).digest('hex');
    const good = plainRequest(payload, { 'X-Signature': `sha512=${sig}` }, RECEIVED, URL);
    assert.equal((await receiveWebhook(source, good, { credentials: { secret: WORLDLINE_SECRET } })).status, 200);
    const elsewhere = plainRequest(payload, { 'X-Signature': `sha512=${sig}` }, RECEIVED, `${URL}-copy`);
    assert.equal((await receiveWebhook(source, elsewhere, { credentials: { secret: WORLDLINE_SECRET } })).status, 400);
    const unprefixed = plainRequest(payload, { 'X-Signature': sig }, RECEIVED, URL);
    assert.equal((await receiveWebhook(source, unprefixed, { credentials: { secret: WORLDLINE_SECRET } })).rejected, 'the X-Signature header does not start with "sha512="');
  });

  it('verifies sha1 with a hex key, and tries each secret of a rotation', async () => {
    const key = '6f1c2a9b8e7d3c4b5a69788796a5b4c3';
    const source = createGenericSource(config({ algorithm: 'sha1', encoding: 'hex', secretEncoding: 'hex' }));
    const sig = createHmac('sha1', Buffer.from(key, 'hex')).update(payload).digest('hex');
    const req = plainRequest(payload, { 'X-GCS-Signature': sig }, RECEIVED);
    assert.equal((await receiveWebhook(source, req, { credentials: { secret: `00112233445566778899aabbccddeeff,${key}` } })).status, 200);
    const notHex = await receiveWebhook(source, req, { credentials: { secret: 'not-a-hex-key' } });
    assert.equal(notHex.status, 500);
    assert.match(notHex.misconfigured ?? '', /^secret: .*the secret is not a hex key, as hmac.secretEncoding says/);
  });
});
