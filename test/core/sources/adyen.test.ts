import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hmacValidator } from '@adyen/api-library';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { isReportOnSale } from '../../../nodes/core/contracts/payment-event';
import { adyenSource } from '../../../nodes/core/sources/adyen';
import { adyenItemSignature, verifyAdyenItem } from '../../../nodes/core/sources/adyen-hmac';
import { ADYEN_EXPONENTS, adyenMoney } from '../../../nodes/core/sources/adyen-money';
import { entryModeFromPosEntryMode, fundingOf } from '../../../nodes/core/sources/adyen-fields';
import { adyenBatchDelivery, adyenDelivery, adyenNotificationItem } from '../../../sandbox/simulator/adyen-events';
import { adyenRequest, assertNoCardNumber, basicAuth, clone, memoryInbox } from './adyen-test-support';
import adjustment from './fixtures/adyen/authorisation-adjustment.json';
import applePay from './fixtures/adyen/authorisation-applepay.json';
import chip from './fixtures/adyen/authorisation-chip.json';
import contactless from './fixtures/adyen/authorisation-contactless.json';
import currencies from './fixtures/adyen/authorisation-currencies.json';
import googlePay from './fixtures/adyen/authorisation-googlepay.json';
import keyed from './fixtures/adyen/authorisation-keyed.json';
import refused from './fixtures/adyen/authorisation-refused.json';
import swipe from './fixtures/adyen/authorisation-swipe.json';
import batch from './fixtures/adyen/batch-two-sales.json';
import cancellation from './fixtures/adyen/cancellation.json';
import expire from './fixtures/adyen/expire.json';
import technicalCancel from './fixtures/adyen/technical-cancel.json';
import voidPendingRefund from './fixtures/adyen/void-pending-refund.json';
import capture from './fixtures/adyen/capture.json';
import captureFailed from './fixtures/adyen/capture-failed.json';
import captureRecaptured from './fixtures/adyen/capture-recaptured.json';
import chargebackLost from './fixtures/adyen/chargeback-lost.json';
import chargebackOpened from './fixtures/adyen/chargeback-notification.json';
import chargebackReversed from './fixtures/adyen/chargeback-reversed.json';
import refundFailed from './fixtures/adyen/refund-failed.json';
import refundPartial from './fixtures/adyen/refund-partial.json';
import refundedReversed from './fixtures/adyen/refunded-reversed.json';
import refundWithData from './fixtures/adyen/refund-with-data.json';
import reportAvailable from './fixtures/adyen/report-available.json';
import testNotification from './fixtures/adyen/test-notification.json';

/** The key the fixtures are signed with: the one in the library's own hmacValidator.spec.ts. */
const KEY = 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00';
const OTHER_KEY = 'AA'.repeat(32);

type Delivery = { live: string; notificationItems: { NotificationRequestItem: Record<string, unknown> }[] };
const items = (d: Delivery) => d.notificationItems.map((e) => e.NotificationRequestItem);
const firstItem = (d: Delivery) => d.notificationItems[0]!.NotificationRequestItem as { amount: { value: number }; additionalData: Record<string, string> };

const receive = (body: string | object, credentials: Record<string, unknown> = { hmacKey: KEY }, headers: Record<string, string> = {}) =>
  receiveWebhook(adyenSource, adyenRequest(body, headers), { credentials });

async function accepted(body: object, credentials?: Record<string, unknown>) {
  const out = await receive(body, credentials);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.deepEqual(out.answer, { status: 200, contentType: 'text/plain', body: '[accepted]' });
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

const ALL_FIXTURES = [adjustment, applePay, chip, contactless, currencies, googlePay, keyed, refused, swipe, batch, cancellation, expire, technicalCancel, voidPendingRefund, capture, captureFailed, captureRecaptured, chargebackLost,
  chargebackOpened, chargebackReversed, refundFailed, refundPartial, refundedReversed, refundWithData, reportAvailable, testNotification] as Delivery[];

describe('Adyen webhooks: HMAC signatures', () => {
  it('computes the signature of the library\'s own test vector (hmacValidator.spec.ts)', () => {
    const item = {
      pspReference: 'pspReference', originalReference: 'originalReference', merchantAccountCode: 'merchantAccount', merchantReference: 'reference',
      amount: { currency: 'EUR', value: 1000 }, eventCode: 'CAPTURE', success: 'true',
      additionalData: { hmacSignature: 'xhpHvYq2u2Np0rstbZ6QjLGu7JWhvf7Iwaa6EviJSX0=' },
    };
    assert.equal(adyenItemSignature(item, KEY).toString('base64'), 'xhpHvYq2u2Np0rstbZ6QjLGu7JWhvf7Iwaa6EviJSX0=');
    assert.deepEqual(verifyAdyenItem(item, [KEY]), { ok: true });
    assert.equal(verifyAdyenItem({ ...item, merchantReference: 'other' }, [KEY]).ok, false);
  });

  it('signs every fixture item exactly as the library\'s calculateHmac does, and verifies it', () => {
    const validator = new hmacValidator();
    let checked = 0;
    for (const d of ALL_FIXTURES) {
      for (const item of items(d)) {
        const signature = (item.additionalData as Record<string, string>).hmacSignature;
        assert.equal(validator.calculateHmac(item as never, KEY), signature);
        assert.equal(adyenItemSignature(item, KEY).toString('base64'), signature);
        assert.deepEqual(verifyAdyenItem(item, [KEY]), { ok: true });
        checked += 1;
      }
    }
    assert.equal(checked, 32);
  });

  it('accepts a genuine delivery and answers exactly "[accepted]" as text/plain', async () => {
    const out = await receive(chip);
    assert.equal(out.status, 200);
    assert.deepEqual(out.answer, { status: 200, contentType: 'text/plain', body: '[accepted]' });
    assert.deepEqual(out.report.accepted, ['adyen:QFQTPCQ8HXSKGK82:AUTHORISATION:true']);
  });

  it('rejects an item whose amount was changed after signing, naming its pspReference', async () => {
    const tampered = clone(chip);
    firstItem(tampered).amount.value = 1;
    const out = await receive(tampered);
    assert.equal(out.status, 401);
    assert.deepEqual(out.events, []);
    assert.match(out.rejected ?? '', /HMAC signature does not match the configured key/);
    assert.deepEqual(out.report.forged.map((f) => f.reference), ['QFQTPCQ8HXSKGK82']);
  });

  it('rejects an item without hmacSignature and says where to switch signing on', async () => {
    const unsigned = clone(chip);
    delete firstItem(unsigned).additionalData.hmacSignature;
    const out = await receive(unsigned);
    assert.equal(out.status, 401);
    assert.match(out.rejected ?? '', /no additionalData\.hmacSignature.*Customer Area/);
  });

  it('rejects a delivery signed with another key', async () => {
    const out = await receive(adyenDelivery('chip', OTHER_KEY).body);
    assert.equal(out.status, 401);
    assert.match(out.rejected ?? '', /does not match/);
  });

  it('accepts either of two keys while the HMAC key is being replaced', async () => {
    const out = await receive(adyenDelivery('chip', OTHER_KEY).body, { hmacKey: `${KEY}, ${OTHER_KEY}` });
    assert.equal(out.status, 200);
    assert.equal(out.events.length, 1);
  });

  it('drops and reports the forged item of a batch, passes the genuine one, and still answers "[accepted]"', async () => {
    const mixed = clone(batch);
    (mixed.notificationItems[1]!.NotificationRequestItem as { amount: { value: number } }).amount.value = 1;
    const out = await receive(mixed);
    assert.equal(out.status, 200);
    assert.deepEqual(out.answer, { status: 200, contentType: 'text/plain', body: '[accepted]' });
    assert.deepEqual(out.events.map((e) => e.paymentId), ['PB1KQ8HXSKGK8201']);
    assert.deepEqual(out.report.forged, [{ index: 1, reference: 'PB1KQ8HXSKGK8202', reason: "the item's HMAC signature does not match the configured key" }]);
  });

  it('checks Basic auth in constant time when it is configured: missing, wrong and right', async () => {
    const credentials = { hmacKey: KEY, basicUsername: 'adyen-ws', basicPassword: 's3cret!' };
    const missing = await receive(chip, credentials);
    assert.equal(missing.status, 400);
    assert.match(missing.rejected ?? '', /Authorization header is missing/);
    const wrong = await receive(chip, credentials, basicAuth('adyen-ws', 'guess'));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.rejected, 'the Basic auth username or password does not match the configured ones');
    const right = await receive(chip, credentials, basicAuth('adyen-ws', 's3cret!'));
    assert.equal(right.status, 200);
    assert.equal(right.events.length, 1);
  });

  it('answers a missing or unusable credential with 500 and the field to fill in', async () => {
    const none = await receive(chip, {});
    assert.equal(none.status, 500);
    assert.match(none.misconfigured ?? '', /^hmacKey: .*no Adyen HMAC key.*Fix: fill in "hmacKey" .*ADYEN_HMAC_KEY/);
    const notHex = await receive(chip, { hmacKey: 'my-secret' });
    assert.equal(notHex.status, 500);
    assert.match(notHex.misconfigured ?? '', /^hmacKey: .*hexadecimal/);
    const halfPair = await receive(chip, { hmacKey: KEY, basicUsername: 'adyen-ws' });
    assert.equal(halfPair.status, 500);
    assert.match(halfPair.misconfigured ?? '', /^basicPassword: .*ADYEN_WEBHOOK_PASSWORD/);
  });

  it('refuses a body that is not an Adyen notification with 400 and why', async () => {
    assert.match((await receive('not json')).rejected ?? '', /not JSON/);
    const empty = await receive({ live: 'false', notificationItems: [] });
    assert.equal(empty.status, 400);
    assert.match(empty.rejected ?? '', /no notificationItems/);
  });

  it('acknowledges the Customer Area\'s test webhook once its signature verified, and passes nothing on', async () => {
    const out = await receive(testNotification);
    assert.equal(out.status, 200);
    assert.equal(out.answer.body, '[accepted]');
    assert.deepEqual(out.events, []);
    assert.equal(out.report.control?.kind, 'test');
    assert.match(out.report.control?.note ?? '', /HMAC signature verified/);
  });

  it('acknowledges an event code it does not process (REPORT_AVAILABLE) with "[accepted]" and ignores it', async () => {
    const out = await receive(reportAvailable);
    assert.equal(out.status, 200);
    assert.equal(out.answer.body, '[accepted]');
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0] ?? '', /^Event type "REPORT_AVAILABLE" is not processed/);
  });

  it('answers a redelivery "[accepted]" again and does not pass it on twice', async () => {
    const inbox = memoryInbox();
    const first = await receiveWebhook(adyenSource, adyenRequest(chip), { credentials: { hmacKey: KEY }, inbox });
    const again = await receiveWebhook(adyenSource, adyenRequest(chip), { credentials: { hmacKey: KEY }, inbox });
    assert.equal(first.events.length, 1);
    assert.deepEqual(again.events, []);
    assert.equal(again.answer.body, '[accepted]');
    assert.deepEqual(again.report.duplicates, ['adyen:QFQTPCQ8HXSKGK82:AUTHORISATION:true']);
  });
});

describe('Adyen webhooks: normalize', () => {
  it('maps a chip AUTHORISATION to a PaymentEvent, every field', async () => {
    const e = await accepted(chip);
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'adyen:QFQTPCQ8HXSKGK82:AUTHORISATION:true',
      source: 'adyen',
      type: 'AUTHORISATION',
      kind: 'payment',
      paymentId: 'QFQTPCQ8HXSKGK82',
      amount: { minor: 4599, currency: 'EUR' },
      status: 'succeeded',
      occurredAt: '2025-03-14T09:22:07.000Z',
      livemode: false,
      card: {
        brand: 'visa', last4: '1881', bin: '417666', expMonth: 3, expYear: 2030, funding: 'debit', entryMode: 'chip',
        identity: { kind: 'fingerprint', value: 'H167852639363479' },
      },
      terminal: { readerId: 'V400m-324688179' },
      customerHints: { processorCustomerId: 'cust-ana-17', email: 'Ana@Example.com', name: 'Ana Diaz' },
      metadata: {
        order: 'A-17', eventCode: 'AUTHORISATION', pspReference: 'QFQTPCQ8HXSKGK82', merchantReference: 'POS-1042',
        merchantAccountCode: 'TerminalCrmShopNL', paymentMethod: 'visa', paymentMethodVariant: 'visadebit', posEntryMode: 'ICC', authCode: '033899',
      },
    });
  });

  it('reads the entry mode from posEntryMode: contactless, swipe, keyed', async () => {
    const tap = await accepted(contactless);
    assert.deepEqual(tap.card, {
      brand: 'mastercard', last4: '4444', bin: '555555', expMonth: 11, expYear: 2028, funding: 'credit', entryMode: 'contactless',
      identity: { kind: 'fingerprint', value: 'M469509594859802' },
    });
    assert.deepEqual(tap.customerHints, {}, 'the terminal\'s "N/A" is not a cardholder name');
    assert.deepEqual(tap.amount, { minor: 1250, currency: 'GBP' });
    const swiped = await accepted(swipe);
    assert.equal(swiped.card?.entryMode, 'swipe');
    assert.equal(swiped.card?.brand, 'amex');
    assert.equal(swiped.customerHints.name, 'SAM LEE', 'the card\'s "SURNAME/GIVEN" as a CRM shows it');
    assert.equal((await accepted(keyed)).card?.entryMode, 'keyed');
  });

  it('keeps Apple Pay and Google Pay as the wallet, from paymentMethodVariant', async () => {
    const apple = await accepted(applePay);
    assert.deepEqual(apple.card, {
      brand: 'visa', last4: '0504', bin: '489537', expMonth: 8, expYear: 2029, funding: 'credit', entryMode: 'contactless', wallet: 'apple_pay',
      identity: { kind: 'fingerprint', value: 'F758505419855455' },
    });
    const google = await accepted(googlePay);
    assert.equal(google.card?.wallet, 'google_pay');
    assert.equal(google.card?.brand, 'mastercard');
  });

  it('maps a refused AUTHORISATION to a failure with Adyen\'s reason', async () => {
    const e = await accepted(refused);
    assert.equal(e.id, 'adyen:RZ9G2N4LQK5HWT82:AUTHORISATION:false');
    assert.equal(e.kind, 'failure');
    assert.equal(e.status, 'failed');
    assert.equal(e.paymentId, 'RZ9G2N4LQK5HWT82');
    assert.deepEqual(e.failure, { message: 'Not enough balance' });
    assert.deepEqual(e.amount, { minor: 12000, currency: 'EUR' });
    assert.equal(e.card?.last4, '1881');
    assert.equal(e.metadata.refusalReasonRaw, '51 : Insufficient funds');
  });

  it('passes a CAPTURE on as the same payment (same paymentId), so the ledger enriches the sale instead of counting it twice', async () => {
    const sale = await accepted(chip);
    const captured = await accepted(capture);
    assert.equal(captured.kind, 'payment');
    assert.equal(captured.paymentId, sale.paymentId);
    assert.notEqual(captured.id, sale.id);
    assert.deepEqual(captured.amount, sale.amount);
    assert.deepEqual(captured.card, { brand: 'visa', entryMode: 'unknown' }, 'a capture names only the scheme');
  });

  it('maps CAPTURE_FAILED to a void of the capture its pspReference names, on the sale originalReference names, and every successful CAPTURE to money moving for that capture', async () => {
    const sale = await accepted(chip);
    const failed = await accepted(captureFailed);
    assert.deepEqual(
      { id: failed.id, type: failed.type, kind: failed.kind, paymentId: failed.paymentId, amount: failed.amount, status: failed.status, sale: failed.sale, failure: failed.failure },
      {
        id: 'adyen:V3T8QXJ2LN4FDW82:CAPTURE_FAILED:true:2025-03-17T07:02:41.000Z', type: 'CAPTURE_FAILED', kind: 'failure', paymentId: sale.paymentId, amount: sale.amount,
        status: 'failed', sale: { voided: true, captureId: 'V3T8QXJ2LN4FDW82' }, failure: { code: 'CAPTURE_FAILED', message: 'Capture Failed' },
      },
    );
    assert.deepEqual([(await accepted(capture)).sale, (await accepted(capture)).id], [{ voided: false, captureId: 'V3T8QXJ2LN4FDW82' }, 'adyen:V3T8QXJ2LN4FDW82:CAPTURE:true']);
    assert.equal(sale.sale, undefined, 'an AUTHORISATION says nothing of a capture');
    // Adyen's re-capture comes under the capture's pspReference with the same code and outcome: its reason makes it an event of its own.
    const again = await accepted(captureRecaptured);
    assert.deepEqual([again.id, again.kind, again.paymentId, again.sale, again.occurredAt], [
      'adyen:V3T8QXJ2LN4FDW82:CAPTURE:true:recaptured:2025-03-19T06:48:15.000Z', 'payment', sale.paymentId, { voided: false, captureId: 'V3T8QXJ2LN4FDW82' }, '2025-03-19T06:48:15.000Z',
    ]);
  });

  it('a capture that fails again after its re-capture is a report of its own; the same report delivered again is not', async () => {
    // Adyen sends each report under the capture's pspReference, code and outcome: only the time it was generated differs.
    const later = (body: Delivery, eventDate: string): Delivery => {
      const d = clone(body);
      const item = d.notificationItems[0]!.NotificationRequestItem;
      item.eventDate = eventDate;
      (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
      return d;
    };
    const first = await accepted(captureFailed);
    const again = await accepted(later(captureFailed, '2025-03-24T09:10:00+01:00'));
    assert.notEqual(again.id, first.id);
    assert.deepEqual([again.kind, again.paymentId, again.sale, again.occurredAt], ['failure', first.paymentId, first.sale, '2025-03-24T08:10:00.000Z']);
    assert.equal((await accepted(captureFailed)).id, first.id, 'a redelivery keeps its id');
    const recaptures = [await accepted(captureRecaptured), await accepted(later(captureRecaptured, '2025-03-26T07:00:00+01:00'))];
    assert.notEqual(recaptures[0]!.id, recaptures[1]!.id);
    assert.equal((await accepted(captureRecaptured)).id, recaptures[0]!.id);
    assert.equal((await accepted(later(capture, '2025-03-26T07:00:00+01:00'))).id, (await accepted(capture)).id, 'a capture is one report: its pspReference is its own');
  });

  it('maps an AUTHORISATION_ADJUSTMENT to a report on the sale originalReference names: its authorisation now holds the amount', async () => {
    const sale = await accepted(chip);
    const e = await accepted(adjustment);
    assert.deepEqual([e.id, e.kind, e.paymentId, e.status, e.sale, e.amount, e.occurredAt], [
      'adyen:KJ7RWX4TQ9LM5B82:AUTHORISATION_ADJUSTMENT:true', 'payment', sale.paymentId, 'succeeded', { voided: false, adjusted: true }, { minor: 5599, currency: 'EUR' }, '2025-03-14T09:41:30.000Z',
    ]);
    assert.equal(isReportOnSale(e), true, 'not the sale: it carries no card or shopper');
    const edited = (edit: (item: Record<string, unknown>) => void): Delivery => {
      const body = clone(adjustment) as Delivery;
      const item = body.notificationItems[0]!.NotificationRequestItem;
      edit(item);
      (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
      return body;
    };
    for (const [why, body] of [
      ['refused: the authorisation stands', edited((item) => { item.success = 'false'; item.reason = 'Refused'; })],
      ['names no payment', edited((item) => { delete item.originalReference; })],
    ] as const) {
      const out = await receive(body);
      assert.deepEqual([out.status, out.events, out.report.ignored.length], [200, [], 1], why);
      assert.match(out.report.ignored[0] ?? '', why.startsWith('refused') ? /did not adjust the authorisation \(success "false": Refused\): it stands at its amount/ : /names no originalReference/);
    }
  });

  it('a CAPTURE_FAILED naming no originalReference voids nothing: no sale of ours has its pspReference', async () => {
    const body = clone(captureFailed) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    delete item.originalReference;
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const e = await accepted(body);
    assert.deepEqual([e.kind, e.paymentId, e.sale], ['failure', 'V3T8QXJ2LN4FDW82', undefined]);
  });

  it('maps a partial REFUND to a refund of the original payment, the refunded amount as Adyen reports it', async () => {
    const e = await accepted(refundPartial);
    assert.deepEqual(
      { id: e.id, kind: e.kind, paymentId: e.paymentId, amount: e.amount, refundedTotal: e.refundedTotal, status: e.status, occurredAt: e.occurredAt },
      {
        id: 'adyen:Z7CB3QKN9PXLRV82:REFUND:true', kind: 'refund', paymentId: 'QFQTPCQ8HXSKGK82', amount: { minor: 1500, currency: 'EUR' },
        refundedTotal: { minor: 1500, currency: 'EUR' }, status: 'partially_refunded', occurredAt: '2025-03-20T15:45:10.000Z',
      },
    );
    assert.equal(e.metadata.originalReference, 'QFQTPCQ8HXSKGK82');
    assert.deepEqual(e.refund, { id: 'Z7CB3QKN9PXLRV82', cumulative: false }, 'the refund goes by its own pspReference, which its failure names');
  });

  it('maps REFUND_FAILED and REFUNDED_REVERSED to a reversal of the refund their pspReference names, on the payment originalReference names', async () => {
    for (const [delivery, code] of [[refundFailed, 'REFUND_FAILED'], [refundedReversed, 'REFUNDED_REVERSED']] as const) {
      const e = await accepted(delivery);
      assert.deepEqual(
        { id: e.id, type: e.type, kind: e.kind, paymentId: e.paymentId, amount: e.amount, refund: e.refund, refundedTotal: e.refundedTotal },
        {
          id: `adyen:Z7CB3QKN9PXLRV82:${code}:true`, type: code, kind: 'refund', paymentId: 'QFQTPCQ8HXSKGK82', amount: { minor: 1500, currency: 'EUR' },
          refund: { id: 'Z7CB3QKN9PXLRV82', cumulative: false, reversed: true }, refundedTotal: undefined,
        },
      );
    }
    // Integrations are seen sending REFUND_FAILED with success "false": the code is what counts.
    const body = clone(refundFailed) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    item.success = 'false';
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    assert.deepEqual((await accepted(body)).refund, { id: 'Z7CB3QKN9PXLRV82', cumulative: false, reversed: true });
  });

  it('maps a REFUND_FAILED that names no originalReference to the reversal of the unreferenced refund its pspReference is (its own payment)', async () => {
    const body = clone(refundFailed) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    delete item.originalReference;
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const e = await accepted(body);
    assert.deepEqual([e.kind, e.paymentId, e.refund], ['refund', 'Z7CB3QKN9PXLRV82', { id: 'Z7CB3QKN9PXLRV82', cumulative: false, reversed: true }]);
  });

  it('maps a CANCELLATION to a void of the cancelled sale: the authorisation never became money', async () => {
    const e = await accepted(cancellation);
    assert.deepEqual([e.kind, e.paymentId, e.status, e.sale, e.failure?.code, e.amount], ['failure', 'NC6HT9CRT65ZGN82', 'failed', { voided: true }, 'CANCELLATION', { minor: 1250, currency: 'GBP' }]);
  });

  it('maps a TECHNICAL_CANCEL (a cancel by the merchant\'s own reference) to a void of the sale, as a CANCELLATION', async () => {
    const e = await accepted(technicalCancel);
    assert.deepEqual([e.kind, e.paymentId, e.status, e.sale, e.failure?.code, e.card?.brand], ['failure', 'NC6HT9CRT65ZGN82', 'failed', { voided: true }, 'TECHNICAL_CANCEL', 'mastercard']);
  });

  it('maps a VOID_PENDING_REFUND (an unreferenced refund cancelled before it was carried out) to the reversal of that refund, on its own payment', async () => {
    const e = await accepted(voidPendingRefund);
    const refund = await accepted(refundWithData);
    assert.deepEqual([e.kind, e.paymentId, e.refund, e.amount], ['refund', refund.paymentId, { id: refund.refund!.id, cumulative: false, reversed: true }, { minor: 2500, currency: 'EUR' }]);
    const body = clone(voidPendingRefund) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    item.success = 'false';
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const refused = await receive(body);
    assert.deepEqual([refused.status, refused.events], [200, []], 'not cancelled: the refund stands');
  });

  it('maps an EXPIRE (the uncaptured rest of an authorisation expired) to a void of the sale its pspReference names, as a cancellation', async () => {
    const e = await accepted(expire);
    assert.deepEqual([e.kind, e.paymentId, e.status, e.sale, e.failure?.code, e.amount], ['failure', 'NC6HT9CRT65ZGN82', 'failed', { voided: true }, 'EXPIRE', { minor: 1250, currency: 'GBP' }]);
    assert.equal(e.id, 'adyen:NC6HT9CRT65ZGN82:EXPIRE:true', 'named apart from the AUTHORISATION under the same pspReference');
  });

  it('maps a CANCEL_OR_REFUND by its additionalData "modification.action": a cancel is a void of the sale, a refund a refund', async () => {
    const statusOf = async (action: string) => {
      const body = clone(cancellation) as Delivery;
      const item = body.notificationItems[0]!.NotificationRequestItem;
      item.eventCode = 'CANCEL_OR_REFUND';
      item.pspReference = `CR${action.toUpperCase()}5ZGN82`;
      item.additionalData = { 'modification.action': action };
      (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
      const e = await accepted(body);
      return [e.kind, e.status, e.metadata.modificationAction];
    };
    assert.deepEqual(await statusOf('cancel'), ['failure', 'failed', 'cancel']);
    assert.deepEqual(await statusOf('refund'), ['refund', 'partially_refunded', 'refund']);
  });

  it('maps a REFUND_WITH_DATA (an unreferenced refund at the terminal) to a refund that is its own payment, with the card it paid', async () => {
    const e = await accepted(refundWithData);
    assert.deepEqual(
      { id: e.id, type: e.type, kind: e.kind, paymentId: e.paymentId, amount: e.amount, refundedTotal: e.refundedTotal, refund: e.refund, status: e.status },
      {
        id: 'adyen:W9KQ4TRC2XHLZN82:REFUND_WITH_DATA:true', type: 'REFUND_WITH_DATA', kind: 'refund', paymentId: 'W9KQ4TRC2XHLZN82',
        amount: { minor: 2500, currency: 'EUR' }, refundedTotal: { minor: 2500, currency: 'EUR' },
        refund: { id: 'W9KQ4TRC2XHLZN82', cumulative: false, unreferenced: true }, status: 'refunded',
      },
      'it names no sale: the payment is its own pspReference',
    );
    assert.deepEqual(e.card, {
      brand: 'mastercard', last4: '0029', bin: '541333', expMonth: 3, expYear: 2030, funding: 'debit', entryMode: 'unknown',
      identity: { kind: 'fingerprint', value: 'H167852639363482' },
    });
    assert.deepEqual([e.terminal, e.customerHints], [{ readerId: 'V400m-324688179', locationId: 'Amsterdam-01' }, { name: 'Ruben Return' }]);
  });

  it('a REFUND_WITH_DATA is never set against a sale: an originalReference on it stays in the metadata; not carried out or not at a terminal, it is ignored', async () => {
    const variant = async (change: (item: Record<string, unknown>, data: Record<string, string>) => void) => {
      const body = clone(refundWithData) as Delivery;
      const item = body.notificationItems[0]!.NotificationRequestItem;
      change(item, item.additionalData as Record<string, string>);
      (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
      return receive(body);
    };
    const named = (await variant((item) => { item.originalReference = 'QFQTPCQ8HXSKGK82'; })).events[0]!;
    assert.deepEqual([named.paymentId, named.refund?.unreferenced, named.metadata.originalReference], ['W9KQ4TRC2XHLZN82', true, 'QFQTPCQ8HXSKGK82']);
    const refused = await variant((item) => { item.success = 'false'; item.reason = 'Refused'; });
    assert.deepEqual([refused.status, refused.events], [200, []]);
    assert.match(refused.report.ignored[0] ?? '', /REFUND_WITH_DATA.*success "false"/);
    const online = await variant((_, data) => { data.shopperInteraction = 'ContAuth'; });
    assert.deepEqual(online.events, []);
    assert.match(online.report.ignored[0] ?? '', /REFUND_WITH_DATA.*not taken at a terminal \(shopperInteraction "ContAuth"\)/);
  });

  it('ignores a capture request Adyen did not carry out (success "false"): the authorisation stands, and no card was declined', async () => {
    const body = clone(capture) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    item.success = 'false';
    item.reason = 'Insufficient balance on payment';
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const out = await receive(body);
    assert.deepEqual([out.status, out.events], [200, []]);
    assert.match(out.report.ignored[0] ?? '', /CAPTURE.*success "false": Insufficient balance on payment.*authorisation stands/);
  });

  it('ignores a refund Adyen did not carry out (success "false")', async () => {
    const failedRefund = adyenDelivery('partial_refund', KEY, { originalReference: 'QFQTPCQ8HXSKGK82' });
    const body = JSON.parse(failedRefund.body) as Delivery;
    const item = body.notificationItems[0]!.NotificationRequestItem;
    item.success = 'false';
    (item.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const out = await receive(body);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0] ?? '', /REFUND.*success "false"/);
  });

  it('follows a dispute: opened (disputed), lost (refunded), reversed (succeeded), all under the payment it disputes', async () => {
    const opened = await accepted(chargebackOpened);
    assert.deepEqual(
      { id: opened.id, kind: opened.kind, type: opened.type, paymentId: opened.paymentId, status: opened.status, dispute: opened.dispute, amount: opened.amount },
      {
        id: 'adyen:GQ4TN8WZ5LKXHB82:NOTIFICATION_OF_CHARGEBACK:true:Undefended', kind: 'dispute', type: 'NOTIFICATION_OF_CHARGEBACK',
        paymentId: 'QFQTPCQ8HXSKGK82', status: 'disputed',
        dispute: { id: 'GQ4TN8WZ5LKXHB82', reason: 'Fraudulent Transaction', processorStatus: 'Undefended' }, amount: { minor: 4599, currency: 'EUR' },
      },
    );
    const lost = await accepted(chargebackLost);
    assert.deepEqual([lost.status, lost.dispute?.processorStatus, lost.paymentId], ['refunded', 'Lost', 'QFQTPCQ8HXSKGK82']);
    const won = await accepted(chargebackReversed);
    assert.deepEqual([won.status, won.dispute?.processorStatus], ['succeeded', 'Won']);
    assert.equal(new Set([opened.id, lost.id, won.id]).size, 3);
  });

  it('falls back on the event code when a dispute carries no disputeStatus (payments processed in Brazil)', async () => {
    const lost = adyenNotificationItem('chargeback_lost', KEY, { originalReference: 'QFQTPCQ8HXSKGK82' });
    delete (lost.additionalData as Record<string, string>).disputeStatus;
    (lost.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(lost as never, KEY);
    const won = adyenNotificationItem('chargeback_won', KEY, { originalReference: 'QFQTPCQ8HXSKGK82' });
    delete (won.additionalData as Record<string, string>).disputeStatus;
    (won.additionalData as Record<string, string>).hmacSignature = new hmacValidator().calculateHmac(won as never, KEY);
    const out = await receive(adyenBatchDelivery([lost, won]).body);
    assert.deepEqual(out.events.map((e) => [e.type, e.status]), [['CHARGEBACK', 'disputed'], ['CHARGEBACK_REVERSED', 'succeeded']]);
  });

  it('converts Adyen\'s minor units to ISO ones: JPY, KWD, BHD as they are; ISK and CLP from two decimals; MGA per ISO', async () => {
    const out = await receive(currencies);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events.map((e) => e.amount), [
      { minor: 1200, currency: 'JPY' },
      { minor: 1250, currency: 'KWD' },
      { minor: 5005, currency: 'BHD' },
      { minor: 1500, currency: 'ISK' },
      { minor: 500000, currency: 'MGA' },
      { minor: 2500, currency: 'CLP' },
    ]);
  });

  it('keeps Adyen\'s own table: CVE and IDR without decimals, and refuses an ISK amount that does not end in 00', () => {
    assert.deepEqual(adyenMoney(1500, 'CVE'), { minor: 150000, currency: 'CVE' });
    assert.deepEqual(adyenMoney(25000, 'IDR'), { minor: 2500000, currency: 'IDR' });
    assert.deepEqual([ADYEN_EXPONENTS.CLP, ADYEN_EXPONENTS.ISK, ADYEN_EXPONENTS.CVE, ADYEN_EXPONENTS.IDR, ADYEN_EXPONENTS.MGA], [2, 2, 0, 0, undefined]);
    assert.throws(() => adyenMoney(150050, 'ISK'), /^InputError: amount: 150050 ISK in the processor's units has digits below ISK's smallest unit/);
  });

  it('passes the item\'s live flag on as livemode', async () => {
    const e = await accepted(JSON.parse(adyenDelivery('chip', KEY, { live: true }).body));
    assert.equal(e.livemode, true);
  });

  it('ignores a payment that was not taken at a terminal (shopperInteraction Ecommerce)', async () => {
    const online = clone(chip);
    const item = firstItem(online);
    item.additionalData.shopperInteraction = 'Ecommerce';
    item.additionalData.hmacSignature = new hmacValidator().calculateHmac(item as never, KEY);
    const out = await receive(online);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0] ?? '', /not taken at a terminal/);
  });

  it('lets no card number through: not in any fixture\'s output, nor one a clerk typed into metadata', async () => {
    // The card alias (H167852639363479) is Adyen's PCI-safe reference for the card, not its number.
    const aliases = ALL_FIXTURES.flatMap((d) => items(d).map((i) => (i.additionalData as Record<string, string>).alias)).filter((a): a is string => Boolean(a));
    for (const d of ALL_FIXTURES) assertNoCardNumber(await receive(d), aliases);
    const typed = await receive(adyenDelivery('chip', KEY, { metadata: { note: 'card 4111 1111 1111 1111 declined first' } }).body);
    assert.equal(typed.events[0]?.metadata.note, 'card [redacted card number] declined first');
    assertNoCardNumber(typed, ['H167852639363479']);
  });
});

describe('Adyen webhooks: values Adyen may write', () => {
  it('reads every fundingSource its library lists, the misspelt DEFFERED_DEBIT included', () => {
    assert.deepEqual(
      ['CHARGE', 'CREDIT', 'DEBIT', 'PREPAID', 'PREPAID_RELOADABLE', 'PREPAID_NONRELOADABLE', 'DEFFERED_DEBIT', 'DEFERRED_DEBIT', 'GIFT'].map(fundingOf),
      ['credit', 'credit', 'debit', 'prepaid', 'prepaid', 'prepaid', 'credit', 'credit', 'unknown'],
    );
  });

  it('reads posEntryMode by pattern', () => {
    assert.deepEqual(
      ['ICC', 'CLESS_CHIP', 'CLESS_SWIPE', 'MSR', 'MAGSTRIPE', 'MAGSTRIPE_FALLBACK', 'MKE', 'KEYED', 'ECOMMERCE'].map(entryModeFromPosEntryMode),
      ['chip', 'contactless', 'contactless', 'swipe', 'swipe', 'fallback', 'keyed', 'keyed', 'unknown'],
    );
  });
});
