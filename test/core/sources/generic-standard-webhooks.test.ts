import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { tempStore } from '../../support/temp-store';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { DODO_TEST_SECRET, MemoryInbox, assertNoPanDigits, fixture, standardWebhooksRequest } from './generic-support';

// Fixtures: Dodo Payments webhook events (Standard Webhooks), shaped per dodopayments-typescript's WebhookPayload,
// Payment, Refund and GetDispute types; see fixtures/generic/SOURCES.md.
const config = fixture('dodo-config.json');
const source = createGenericSource(config);
const credentials = { secret: DODO_TEST_SECRET };
const receive = (payload: object | string, signing = {}, creds: unknown = credentials, inbox?: MemoryInbox) =>
  receiveWebhook(source, standardWebhooksRequest(payload, signing), { credentials: creds, inbox });

const accepted = async (payload: object, signing = {}) => {
  const out = await receive(payload, signing);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  assertNoPanDigits(out);
  return out.events[0]!;
};

describe('generic source, Standard Webhooks: signature', () => {
  const chip = fixture('dodo-payment-succeeded-chip.json');

  it('accepts a delivery signed by the standardwebhooks package and normalizes every field', async () => {
    const e = await accepted(chip);
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'dodo-pos:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      source: 'dodo-pos',
      type: 'payment.succeeded',
      kind: 'payment',
      paymentId: 'pay_2IjeQm4hqU6RA4Z4kwDee',
      amount: { minor: 4599, currency: 'USD' },
      status: 'succeeded',
      occurredAt: '2026-03-14T10:21:07.412Z',
      livemode: false,
      card: {
        brand: 'mastercard', last4: '4444', funding: 'debit', entryMode: 'chip',
        identity: { kind: 'fingerprint', value: 'pm_Qs8vXo21LmT0' },
      },
      terminal: { readerId: 'tmr_frontdesk_1', locationId: 'loc_soma' },
      customerHints: { processorCustomerId: 'cus_Yf0vA3nR8kEw', email: 'ana.diaz@example.com', phone: '+14155550100', name: 'Ana Diaz', postalCode: '94105' },
      metadata: { eventType: 'payment.succeeded', webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', processorStatus: 'succeeded', order: 'A-1017' },
    });
  });

  it("signs the way the vendor's verifier checks: Webhook#verify accepts what the source accepts", async () => {
    const now = new Date();
    const req = standardWebhooksRequest(chip, { signedAt: now, receivedAt: now });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(new Webhook(DODO_TEST_SECRET).verify(req.rawBody, headers), chip);
    const out = await receiveWebhook(source, req, { credentials });
    assert.equal(out.status, 200);
  });

  for (const [what, change] of [
    ['the body', (r: ReturnType<typeof standardWebhooksRequest>) => { r.rawBody = Buffer.from(r.rawBody.toString().replace('4599', '9599')); }],
    ['the webhook-id', (r: ReturnType<typeof standardWebhooksRequest>) => { r.headers['webhook-id'] = 'msg_other'; }],
    ['the webhook-timestamp', (r: ReturnType<typeof standardWebhooksRequest>) => { r.headers['webhook-timestamp'] = String(Number(r.headers['webhook-timestamp']) - 1); }],
  ] as const) {
    it(`rejects a delivery whose ${what} changed after signing, with the reason`, async () => {
      const req = standardWebhooksRequest(chip);
      change(req);
      const out = await receiveWebhook(source, req, { credentials });
      assert.equal(out.status, 400);
      assert.match(out.rejected ?? '', /no webhook-signature matches the configured secret/);
      assert.deepEqual(out.events, []);
    });
  }

  it('names a missing header', async () => {
    const req = standardWebhooksRequest(chip);
    delete req.headers['webhook-signature'];
    const out = await receiveWebhook(source, req, { credentials });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^the webhook-signature header is missing/);
  });

  it('checks the 5-minute tolerance against the time the request was received, not the wall clock', async () => {
    const signedAt = new Date('2026-03-14T10:21:08Z');
    const at = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
    assert.equal((await receive(chip, { signedAt, receivedAt: at(299) })).status, 200);
    const stale = await receive(chip, { signedAt, receivedAt: at(301) });
    assert.equal(stale.status, 400);
    assert.equal(stale.rejected, 'the webhook-timestamp is 301 s old, more than the 300 s tolerance (a replayed delivery, or a clock that is off)');
    const future = await receive(chip, { signedAt, receivedAt: at(-301) });
    assert.equal(future.status, 400);
    assert.match(future.rejected ?? '', /301 s in the future/);
  });

  it('accepts the new or the old secret while the gateway rotates it, and a header with both signatures', async () => {
    const newSecret = 'whsec_bmV3LXNlY3JldC1mb3ItZG9kby1wb3M=';
    const rotating = { secret: `${newSecret}, ${DODO_TEST_SECRET}` };
    assert.equal((await receive(chip, { secret: newSecret }, rotating)).status, 200);
    assert.equal((await receive(chip, {}, rotating)).status, 200);
    const req = standardWebhooksRequest(chip, { secret: newSecret });
    const old = standardWebhooksRequest(chip).headers['webhook-signature'];
    req.headers['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} ${old}`;
    assert.equal((await receiveWebhook(source, req, { credentials })).status, 200);
    assert.equal((await receive(chip, { secret: newSecret })).status, 400);
  });

  it('answers 500 naming the credential field and its variable when no secret is set, or a secret is not whsec_ base64', async () => {
    const none = await receive(chip, {}, {});
    assert.equal(none.status, 500);
    assert.match(none.misconfigured ?? '', /^secret: .*no webhook secret is configured for the dodo-pos source.*Fix: fill in "secret" .*TERMINAL_CRM_WEBHOOK_SECRET/);
    const bad = await receive(chip, {}, { secret: 'whsec_not base64!' });
    assert.equal(bad.status, 500);
    assert.match(bad.misconfigured ?? '', /the secret is not a Standard Webhooks secret \("whsec_" followed by base64\)/);
    assert.doesNotMatch(bad.misconfigured ?? '', /not base64!/, 'the secret itself is never quoted');
    // Cut short (under four base64 characters): Node's base64 reads it, the standardwebhooks package does not.
    const cut = await receive(chip, {}, { secret: 'whsec_c2V' });
    assert.equal(cut.status, 500);
    assert.match(cut.misconfigured ?? '', /^secret: .*the secret is not a Standard Webhooks secret \("whsec_" followed by base64\)/);
  });

  it('refuses a genuine delivery whose body is not JSON', async () => {
    const out = await receive('payment ok');
    assert.equal(out.status, 400);
    assert.equal(out.rejected, 'body: the delivery is not JSON. Fix: configure the gateway to send JSON webhooks');
  });

  it('drops a redelivery of the same webhook-id through the inbox', async () => {
    const inbox = new MemoryInbox();
    const first = await receive(chip, {}, credentials, inbox);
    const again = await receive(chip, { receivedAt: new Date('2026-03-14T10:22:00Z') }, credentials, inbox);
    assert.deepEqual(first.report.accepted, ['dodo-pos:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W']);
    assert.equal(again.status, 200);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.report.duplicates, ['dodo-pos:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W']);
    // The gateway's retry an hour later: the same webhook-id, signed again at its own time.
    const retry = await receive(chip, { signedAt: new Date('2026-03-14T11:21:08Z') }, credentials, inbox);
    assert.deepEqual([retry.status, retry.events, retry.report.duplicates], [200, [], ['dodo-pos:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W']]);
  });

  it('takes a secret without its "whsec_" prefix as the same key, as the standardwebhooks package does', async () => {
    assert.equal((await receive(fixture('dodo-payment-succeeded-chip.json'), {}, { secret: DODO_TEST_SECRET.slice('whsec_'.length) })).status, 200);
  });
});

describe('generic source, Standard Webhooks: normalize', () => {
  it('maps the entry mode from the value map and keeps Apple Pay and Google Pay wallets', async () => {
    const cases: [string, string, string | undefined][] = [
      ['dodo-payment-succeeded-chip.json', 'chip', undefined],
      ['dodo-payment-succeeded-apple-pay.json', 'contactless', 'apple_pay'],
      ['dodo-payment-succeeded-google-pay.json', 'contactless', 'google_pay'],
      ['dodo-payment-succeeded-fallback.json', 'fallback', undefined],
      ['dodo-payment-succeeded-keyed.json', 'keyed', undefined],
    ];
    for (const [name, entryMode, wallet] of cases) {
      const e = await accepted(fixture(name));
      assert.equal(e.card?.entryMode, entryMode, name);
      assert.equal(e.card?.wallet, wallet, name);
    }
  });

  it('an entry mode outside the value map is "unknown", not passed through', async () => {
    const chip = fixture('dodo-payment-succeeded-chip.json');
    chip.data.metadata.entry_mode = 'ICC';
    assert.equal((await accepted(chip)).card?.entryMode, 'unknown');
  });

  it('maps a decline (a swiped card) with its code and message', async () => {
    const e = await accepted(fixture('dodo-payment-failed.json'));
    assert.equal(e.kind, 'failure');
    assert.equal(e.status, 'failed');
    assert.equal(e.card?.entryMode, 'swipe');
    assert.deepEqual(e.failure, { code: 'INSUFFICIENT_FUNDS', message: 'The card has insufficient funds. Ask the customer for another payment method.' });
    assert.deepEqual(e.amount, { minor: 2500000, currency: 'MGA' });
  });

  it('maps a partial refund onto the payment it refunds', async () => {
    const e = await accepted(fixture('dodo-refund-succeeded-partial.json'));
    assert.equal(e.kind, 'refund');
    assert.equal(e.paymentId, 'pay_2IjeQm4hqU6RA4Z4kwDee');
    assert.equal(e.status, 'partially_refunded');
    assert.deepEqual(e.amount, { minor: 1500, currency: 'USD' });
    // Dodo reports no cumulative total, so the refund's own amount stands in for it.
    assert.deepEqual(e.refundedTotal, { minor: 1500, currency: 'USD' });
    assert.equal(e.card, undefined);
    assert.equal(e.metadata.refundId, 'ref_5Tg7Yh9Uj1Ik3Ol5Pa7Sd');
  });

  it('counts two partial refunds of a gateway that reports no running total as both given back, in the ledger', async () => {
    const sale = await accepted(fixture('dodo-payment-succeeded-chip.json'), { messageId: 'msg_sale' });
    const first = await accepted(fixture('dodo-refund-succeeded-partial.json'), { messageId: 'msg_refund_1' });
    const second = fixture('dodo-refund-succeeded-partial.json');
    second.data.refund_id = 'ref_8Kp2Wq4Er6Ty8Ui0Op2As';
    const again = await accepted(second, { messageId: 'msg_refund_2' });
    // Each event is one refund of its own amount (the event id naming it), not a running total of 1500.
    assert.deepEqual([first.refund, again.refund], [{ cumulative: false }, { cumulative: false }]);
    const s = await tempStore();
    try {
      await recordPaymentEvents(s.db, [sale, first, again]);
      await recordPaymentEvents(s.db, [first]);
      const state = (await paymentState(s.db, 'dodo-pos', 'pay_2IjeQm4hqU6RA4Z4kwDee'))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor], [4599, 3000, 1599], 'each refund once, the replay of the first not again');
    } finally {
      await s.remove();
    }
  });

  it('maps a dispute while open and when lost', async () => {
    const opened = await accepted(fixture('dodo-dispute-opened.json'));
    assert.equal(opened.kind, 'dispute');
    assert.equal(opened.status, 'disputed');
    assert.equal(opened.paymentId, 'pay_2IjeQm4hqU6RA4Z4kwDee');
    assert.deepEqual(opened.amount, { minor: 4599, currency: 'USD' });
    assert.deepEqual(opened.dispute, { id: 'dsp_3Qw5Er7Ty9Ui1Op3As5Df', reason: 'product_not_received', processorStatus: 'dispute_opened' });
    const lost = await accepted(fixture('dodo-dispute-lost.json'));
    assert.equal(lost.status, 'refunded');
    assert.equal(lost.dispute?.processorStatus, 'dispute_lost');
  });

  it('acknowledges an event type the configuration does not handle, and passes nothing on', async () => {
    const out = await receive(fixture('dodo-payment-processing.json'));
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.deepEqual(out.report.ignored, ['Event type "payment.processing" is not processed: the dodo-pos source processes only payment.succeeded, payment.failed, refund.succeeded, dispute.opened, dispute.won, dispute.lost (handledEventTypes)']);
  });

  it('reads livemode from the payload when the operator maps it', async () => {
    const mapped = createGenericSource({ ...config, mapping: { ...config.mapping, livemode: { path: '$.data.metadata.mode', map: { live: 'true', test: 'false' } } } });
    const chip = fixture('dodo-payment-succeeded-chip.json');
    chip.data.metadata.mode = 'live';
    const live = await receiveWebhook(mapped, standardWebhooksRequest(chip), { credentials });
    assert.equal(live.events[0]?.livemode, true);
    chip.data.metadata.mode = 'test';
    const test = await receiveWebhook(mapped, standardWebhooksRequest(chip), { credentials });
    assert.equal(test.events[0]?.livemode, false);
  });

  it('keeps a gateway\'s numeric payment id whole, even one that passes the Luhn check: it is an id, not a card', async () => {
    const chip = fixture('dodo-payment-succeeded-chip.json');
    chip.data.payment_id = '2026120300000017';
    const out = await receive(chip);
    assert.equal(out.events[0]?.paymentId, '2026120300000017');
  });

  it('scrubs a card number typed into a mapped metadata field', async () => {
    const e = await accepted(fixture('dodo-payment-succeeded-keyed.json'));
    assert.equal(e.metadata.note, 'phone order, card [redacted card number] read out by the customer');
  });

  it('refuses a delivery whose mapped amount is missing, naming the paths and the fix', async () => {
    const chip = fixture('dodo-payment-succeeded-chip.json');
    delete chip.data.total_amount;
    const out = await receive(chip);
    assert.equal(out.status, 400);
    assert.equal(
      out.rejected,
      'mapping.amount: $.data.total_amount | $.data.amount found nothing in the payment.succeeded event (the amount). Fix: point mapping.amount at the field holding the amount in this event (a list of paths is tried in order, for gateways that move it between event types)',
    );
  });

  it('refuses a decimal where minor units are mapped, and says to map amountDecimal', async () => {
    const chip = fixture('dodo-payment-succeeded-chip.json');
    chip.data.total_amount = 45.99;
    const out = await receive(chip);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^mapping\.amount: \$\.data\.total_amount holds 45\.99, not a whole number of minor units\. Fix: .*map "amountDecimal"/);
  });
});

describe('generic source, Standard Webhooks: currencies', () => {
  const withCurrency = (currency: string, amount: number) => {
    const chip = fixture('dodo-payment-succeeded-chip.json');
    chip.data.currency = currency;
    chip.data.total_amount = amount;
    return chip;
  };

  it('reads minor units with ISO 4217 exponents, as Dodo documents (yen for JPY, fils for KWD)', async () => {
    for (const [currency, amount, minor] of [
      ['JPY', 1200, 1200], ['KWD', 1250, 1250], ['BHD', 12500, 12500], ['ISK', 1234, 1234], ['MGA', 2500000, 2500000], ['CLP', 15990, 15990],
    ] as const) {
      const e = await accepted(withCurrency(currency, amount));
      assert.deepEqual(e.amount, { minor, currency });
    }
  });

  it('refuses a numeric currency code naming mapping.currency and the map that reads it, and takes it mapped', async () => {
    for (const amounts of [{}, { amount: undefined, amountDecimal: '$.data.total_amount' }]) {
      const numeric = createGenericSource({ ...config, mapping: { ...config.mapping, ...amounts } });
      const out = await receiveWebhook(numeric, standardWebhooksRequest(withCurrency('978', 4599)), { credentials });
      assert.equal(out.status, 400);
      assert.equal(
        out.rejected,
        'mapping.currency: $.data.currency holds "978", not a three-letter ISO 4217 code. Fix: point mapping.currency at the currency\'s letters, or map the gateway\'s codes to them, such as {"path": "$.data.currency", "map": {"978": "EUR", "840": "USD"}}',
      );
    }
    const mapped = createGenericSource({ ...config, mapping: { ...config.mapping, currency: { path: '$.data.currency', map: { 978: 'EUR' } } } });
    const out = await receiveWebhook(mapped, standardWebhooksRequest(withCurrency('978', 4599)), { credentials });
    assert.deepEqual(out.events[0]?.amount, { minor: 4599, currency: 'EUR' });
  });

  it('reads a value named like an object property ("constructor", "toString") as one its value map does not name', async () => {
    for (const [field, value, expected] of [['entry_mode', 'constructor', 'unknown'], ['payment_method_type', 'toString', undefined], ['payment_method_type', 'APPLE_PAY', 'apple_pay']] as const) {
      const chip = fixture('dodo-payment-succeeded-chip.json');
      if (field === 'entry_mode') chip.data.metadata.entry_mode = value;
      else chip.data.payment_method_type = value;
      const e = await accepted(chip);
      assert.equal(field === 'entry_mode' ? e.card?.entryMode : e.card?.wallet, expected, value);
    }
  });

  it("applies the operator's exponent overrides for a gateway that writes ISK with two decimals, and refuses digits below a krona", async () => {
    const isk2 = createGenericSource({ ...config, mapping: { ...config.mapping, exponents: { ISK: 2 } } });
    const ok = await receiveWebhook(isk2, standardWebhooksRequest(withCurrency('ISK', 123400)), { credentials });
    assert.deepEqual(ok.events[0]?.amount, { minor: 1234, currency: 'ISK' });
    const bad = await receiveWebhook(isk2, standardWebhooksRequest(withCurrency('ISK', 123456)), { credentials });
    assert.equal(bad.status, 400);
    assert.match(bad.rejected ?? '', /^mapping\.amount: 123456 ISK in the processor's units has digits below ISK's smallest unit/);
  });
});

describe('generic source, Standard Webhooks: a batch under itemsPath', () => {
  // An Adyen standard notification (notificationItems[].NotificationRequestItem, per @adyen/api-library's typings)
  // relayed by a Standard Webhooks sender: one signature covers the whole batch.
  const relay = createGenericSource(fixture('adyen-relay-config.json'));
  const batch = fixture('adyen-notification-batch.json');

  it('turns each item into its own event and acknowledges the item types it does not handle', async () => {
    const out = await receiveWebhook(relay, standardWebhooksRequest(batch), { credentials });
    assert.equal(out.status, 200);
    assertNoPanDigits(out);
    assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.status, e.paymentId, e.amount.minor]), [
      ['adyen-relay:AUTHORISATION:QFQTPCQ8HXSKGK82', 'payment', 'succeeded', 'QFQTPCQ8HXSKGK82', 1250],
      ['adyen-relay:AUTHORISATION:LDC2GH8W6ZNG5S82', 'failure', 'failed', 'LDC2GH8W6ZNG5S82', 3000],
      ['adyen-relay:REFUND:X8RFKWZ9WWNKGK82', 'refund', 'refunded', 'V4HZ4RBFJGXXGN82', 500],
    ]);
    const [sale, refused] = out.events;
    assert.deepEqual(sale!.card, { brand: 'visa', last4: '0010', bin: '411111', expMonth: 3, expYear: 2030, entryMode: 'unknown' });
    assert.equal(sale!.occurredAt, '2026-03-14T09:21:07.000Z');
    assert.equal(sale!.livemode, true);
    assert.deepEqual(refused!.failure, { message: 'Refused' });
    assert.equal(out.report.ignored.length, 1);
    assert.match(out.report.ignored[0]!, /^Event type "REPORT_AVAILABLE" is not processed/);
  });

  it('keeps the good items of a batch when one is malformed, and reports it', async () => {
    const broken = structuredClone(batch);
    delete broken.notificationItems[0].NotificationRequestItem.amount.value;
    const out = await receiveWebhook(relay, standardWebhooksRequest(broken), { credentials });
    assert.equal(out.status, 200);
    assert.equal(out.events.length, 2);
    assert.ok(out.report.ignored.some((m) => m.startsWith('malformed: mapping.amount: $.NotificationRequestItem.amount.value found nothing in the AUTHORISATION event')), JSON.stringify(out.report));
  });

  it('rejects the whole batch when one item was changed after signing', async () => {
    const req = standardWebhooksRequest(batch);
    req.rawBody = Buffer.from(req.rawBody.toString().replace('"value":500', '"value":5000'));
    const out = await receiveWebhook(relay, req, { credentials });
    assert.equal(out.status, 400);
    assert.deepEqual(out.events, []);
  });

  it('without a mapped event id, numbers the items of the message: "<webhook-id>:<index>"', async () => {
    const cfg = fixture('adyen-relay-config.json');
    delete cfg.mapping.eventId;
    const out = await receiveWebhook(createGenericSource(cfg), standardWebhooksRequest(batch, { messageId: 'msg_batch_1' }), { credentials });
    assert.deepEqual(out.events.map((e) => e.id), ['adyen-relay:msg_batch_1:0', 'adyen-relay:msg_batch_1:1', 'adyen-relay:msg_batch_1:2']);
  });

  it('refuses a delivery whose itemsPath is not a list, naming the setting', async () => {
    const out = await receiveWebhook(relay, standardWebhooksRequest({ live: 'false', notificationItems: { one: 1 } }), { credentials });
    assert.equal(out.status, 400);
    assert.equal(out.rejected, 'mapping.itemsPath: "$.notificationItems" is not a list in this delivery. Fix: point it at the array of events in the gateway\'s batch, such as "$.events"');
  });
});
