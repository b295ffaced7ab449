import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebhooksHelper } from 'square';
import { formatMoney } from '../../../nodes/core/contracts/money';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { SQUARE_EXPONENTS, SQUARE_HANDLED_EVENT_TYPES, squareSource } from '../../../nodes/core/sources/square';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { squareSignatureOf } from '../../../sandbox/simulator/square-events';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { deliveryOf, KEY, squareFixture, URL_, type SquareFixture } from './square-fixtures';

const CREDS = { signatureKey: KEY };
const receive = (event: object, opts: Parameters<typeof deliveryOf>[1] = {}, credentials: object = CREDS) =>
  receiveWebhook(squareSource, deliveryOf(event, opts), { credentials });

async function accept(event: object, credentials: object = CREDS): Promise<PaymentEvent> {
  const out = await receive(event, {}, credentials);
  assert.equal(out.status, 200, JSON.stringify(out.answer));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

async function ignoredBecause(event: object, pattern: RegExp): Promise<void> {
  const out = await receive(event);
  assert.equal(out.status, 200);
  assert.deepEqual(out.events, []);
  assert.equal(out.report.ignored.length, 1, JSON.stringify(out.report));
  assert.match(out.report.ignored[0]!, pattern);
}

const CHIP_PAYMENT = 'bP9mKz4TqXw2LrV7nJc8sHdY3fAZY';
const LOCATION = 'L7K3PWQ9ZR2VD';
const ledgerDir = tempDir('tcrm-square-');
after(async () => {
  await closeAllDatabases();
  ledgerDir.remove();
});

describe('Square source: signature', () => {
  const chip = squareFixture('payment-created-emv');

  it('accepts a delivery signed for the notification URL, and signs exactly as the Square SDK checks', async () => {
    const req = deliveryOf(chip);
    const sdk = await WebhooksHelper.verifySignature({
      requestBody: req.rawBody.toString('utf8'), signatureHeader: String(req.headers['x-square-hmacsha256-signature']), signatureKey: KEY, notificationUrl: URL_,
    });
    assert.equal(sdk, true);
    const out = await receiveWebhook(squareSource, req, { credentials: CREDS });
    assert.equal(out.status, 200);
    assert.deepEqual(out.report.accepted, ['square:3b6e1a2c-5d4f-4e8a-9b7c-1d2e3f4a5b6c']);
    assert.deepEqual(JSON.parse(out.answer.body), { received: true, accepted: ['square:3b6e1a2c-5d4f-4e8a-9b7c-1d2e3f4a5b6c'] });
  });

  it('rejects a body changed after signing, with the reason', async () => {
    const req = deliveryOf(chip);
    req.rawBody = Buffer.from(req.rawBody.toString('utf8').replace('"amount":4599', '"amount":9599'));
    const out = await receiveWebhook(squareSource, req, { credentials: CREDS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^the x-square-hmacsha256-signature header does not match this body signed for https:\/\/shop\.example\.com\/webhooks\/square/);
    assert.deepEqual(out.events, []);
  });

  it('rejects a delivery signed for another URL, and says to check notificationUrl', async () => {
    const out = await receive(chip, { signUrl: 'https://attacker.example.net/hook', url: URL_ });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /notification URL is exactly the one in the subscription \(behind a proxy, set notificationUrl to the public URL\)/);
  });

  it('behind a proxy, checks the public URL set in the credential instead of the one the engine saw', async () => {
    const internal = { url: 'http://10.0.0.7:5678/webhook/square' };
    const without = await receive(chip, internal);
    assert.equal(without.status, 400);
    const withUrl = await receive(chip, internal, { ...CREDS, notificationUrl: URL_ });
    assert.equal(withUrl.status, 200);
    assert.equal(withUrl.events.length, 1);
  });

  it('refuses a request URL that is not a full URL when no notificationUrl is set', async () => {
    const out = await receive(chip, { url: '/webhooks/square' });
    assert.equal(out.status, 400);
    assert.equal(out.rejected, 'Square signs the full notification URL and "/webhooks/square" is not one; set notificationUrl in the Square credential to the subscription\'s URL');
  });

  it('rejects a missing or altered signature header', async () => {
    const missing = deliveryOf(chip);
    delete missing.headers['x-square-hmacsha256-signature'];
    assert.equal((await receiveWebhook(squareSource, missing, { credentials: CREDS })).rejected, 'the x-square-hmacsha256-signature header is missing');
    missing.headers['x-square-signature'] = 'uSf4Ze7Cv4Dk6lx5Yhx1cwqS2Kk=';
    assert.match((await receiveWebhook(squareSource, missing, { credentials: CREDS })).rejected ?? '', /only the legacy HMAC-SHA1 x-square-signature came/);

    const altered = deliveryOf(chip);
    const sig = String(altered.headers['x-square-hmacsha256-signature']);
    altered.headers['x-square-hmacsha256-signature'] = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    const out = await receiveWebhook(squareSource, altered, { credentials: CREDS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /does not match/);
  });

  it('rejects another subscription\'s key, and accepts either key while one is being rotated', async () => {
    assert.equal((await receive(chip, { key: 'whsk_other' })).status, 400);
    const rotating = await receive(chip, { key: 'whsk_new' }, { signatureKey: 'whsk_old, whsk_new' });
    assert.equal(rotating.status, 200);
    assert.equal(rotating.events.length, 1);
  });

  it('answers a missing or blank signature key with 500 and the fix, so Square retries until it is set', async () => {
    for (const credentials of [{}, { signatureKey: '  ' }, { signatureKey: [] }]) {
      const out = await receiveWebhook(squareSource, deliveryOf(chip), { credentials });
      assert.equal(out.status, 500);
      assert.match(out.misconfigured ?? '', /^signatureKey: the Square credential is not usable: no Square webhook signature key is configured; copy it from the Developer Console .*Fix: fill in "signatureKey" in the Square credential \(or set SQUARE_WEBHOOK_SIGNATURE_KEY for the sandbox and the worker\)$/);
    }
    const badUrl = await receiveWebhook(squareSource, deliveryOf(chip), { credentials: { ...CREDS, notificationUrl: 'shop.example.com/hook' } });
    assert.equal(badUrl.status, 500);
    assert.match(badUrl.misconfigured ?? '', /^notificationUrl: .*is not a usable URL: it has no scheme.*Fix: .*SQUARE_WEBHOOK_URL/);
  });

  it('rejects a genuine body older than Square\'s 72-hour retry window as a replay, by the request\'s clock', async () => {
    const created = Date.parse(chip.created_at);
    const stale = await receive(chip, { receivedAt: new Date(created + 73 * 3_600_000 + 60_000) });
    assert.equal(stale.status, 400);
    assert.equal(stale.rejected, 'the event was created at 2026-11-20T17:42:10.118Z, 73 hours before it arrived; Square stops retrying after 72 hours, so this delivery is a replay');
    const lateRetry = await receive(chip, { receivedAt: new Date(created + 71 * 3_600_000) });
    assert.equal(lateRetry.status, 200);
  });

  it('refuses a correctly signed body that is not UTF-8, which the SDK would read differently', async () => {
    const text = JSON.stringify(chip).replace('"Table 4"', '"Table \u0000"');
    const bytes = Buffer.from(text, 'utf8');
    bytes[bytes.indexOf(0)] = 0xff; // an invalid UTF-8 byte inside the note
    const signature = squareSignatureOf(bytes, URL_, KEY);
    const sdk = await WebhooksHelper.verifySignature({ requestBody: bytes.toString('utf8'), signatureHeader: signature, signatureKey: KEY, notificationUrl: URL_ });
    assert.equal(sdk, false, 'the SDK hashes the decoded string, so it disagrees with the raw-byte signature');
    const out = await receiveWebhook(squareSource, { ...deliveryOf(chip), rawBody: bytes, headers: { 'x-square-hmacsha256-signature': signature } }, { credentials: CREDS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /not valid UTF-8/);
  });

  it('refuses a signed body that is not JSON, naming the body', async () => {
    const req = deliveryOf(chip);
    req.rawBody = Buffer.from('merchant_id=ML8Z2QXN1RT4W');
    req.headers['x-square-hmacsha256-signature'] = squareSignatureOf(req.rawBody, URL_, KEY);
    const out = await receiveWebhook(squareSource, req, { credentials: CREDS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^body: the Square delivery is not JSON/);
  });

  it('answers a replayed delivery 2xx and does not pass it on twice', async () => {
    const seen = new Set<string>();
    const inbox: Inbox = {
      async accept(events) {
        const fresh = events.filter((e) => !seen.has(e.id));
        fresh.forEach((e) => seen.add(e.id));
        return { fresh, duplicates: events.filter((e) => !fresh.includes(e)).map((e) => e.id) };
      },
      async markDone() {},
    };
    const req = deliveryOf(chip);
    const first = await receiveWebhook(squareSource, req, { credentials: CREDS, inbox });
    const again = await receiveWebhook(squareSource, req, { credentials: CREDS, inbox });
    assert.equal(first.events.length, 1);
    assert.equal(again.status, 200);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.report.duplicates, ['square:3b6e1a2c-5d4f-4e8a-9b7c-1d2e3f4a5b6c']);
  });
});

describe('Square source: payments', () => {
  it('maps a chip sale with its tip, card, device, location and buyer, every field', async () => {
    const e = await accept(squareFixture('payment-created-emv'));
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'square:3b6e1a2c-5d4f-4e8a-9b7c-1d2e3f4a5b6c',
      source: 'square',
      type: 'payment.created',
      kind: 'payment',
      paymentId: CHIP_PAYMENT,
      amount: { minor: 4599, currency: 'USD' },
      status: 'succeeded',
      occurredAt: '2026-11-20T17:42:06.518Z',
      livemode: true,
      card: {
        brand: 'mastercard', last4: '9029', bin: '540988', expMonth: 11, expYear: 2029, funding: 'credit', entryMode: 'chip',
        identity: { kind: 'fingerprint', value: 'sq-1-Tvruf3vPQxlvI6n0IcKYfBukrcv6IqWr8UyBdViWXU2yzGn5VMJvrsHMKpINMhPmVg' },
      },
      terminal: { readerId: 'dbb5d83a-7838-11ea-bc55-0242ac130003', locationId: LOCATION },
      customerHints: { processorCustomerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', email: 'amelia.earhart@example.com', name: 'AMELIA EARHART' },
      metadata: {
        merchant_id: 'ML8Z2QXN1RT4W', location_id: LOCATION, order_id: 'pRsjRTgFWATl7so6DxdKBJa7ssbZY', receipt_number: 'bP9m', note: 'Table 4',
        payment_status: 'COMPLETED', card_status: 'CAPTURED', entry_method: 'EMV', square_product: 'SQUARE_POS',
        application_id: 'sq0idp-w46nJ_NCNDMSOywaCY0mwA', device_name: 'Front counter', tip_minor: '500',
      },
    });
  });

  it('maps a contactless debit tap on a Square Terminal', async () => {
    const e = await accept(squareFixture('payment-updated-contactless'));
    assert.equal(e.type, 'payment.updated');
    assert.deepEqual(e.amount, { minor: 1250, currency: 'EUR' });
    assert.deepEqual(e.card, {
      brand: 'mastercard', last4: '4444', bin: '555555', expMonth: 3, expYear: 2030, funding: 'debit', entryMode: 'contactless',
      identity: { kind: 'fingerprint', value: 'sq-1-Qw3rTy7uI9oP1aS5dF8gH2jK4lZ6xC0vB3nM7qW9eR1tY5uI8oP2aS4dF6gH8jK0lZ' },
    });
    assert.deepEqual(e.terminal, { readerId: '22cd266c-6246-4c06-9983-67f0c26346b0', locationId: LOCATION });
    assert.deepEqual(e.customerHints, {});
    assert.equal(e.metadata.terminal_checkout_id, '08YceKh7B3ZqO');
    assert.equal(e.metadata.square_product, 'TERMINAL_API');
  });

  it('keeps the wallet of an Apple Pay tap; a Google Pay tap, which Square does not flag, is a plain contactless card', async () => {
    const apple = await accept(squareFixture('payment-updated-apple-pay'));
    assert.deepEqual({ wallet: apple.card?.wallet, entry: apple.card?.entryMode, brand: apple.card?.brand, amount: apple.amount }, {
      wallet: 'apple_pay', entry: 'contactless', brand: 'amex', amount: { minor: 875, currency: 'GBP' },
    });
    const google = await accept(squareFixture('payment-updated-google-pay'));
    assert.equal(google.card?.wallet, undefined);
    assert.deepEqual({ entry: google.card?.entryMode, funding: google.card?.funding, brand: google.card?.brand, amount: google.amount }, {
      entry: 'contactless', funding: 'prepaid', brand: 'visa', amount: { minor: 2300, currency: 'AUD' },
    });
  });

  it('maps a swiped card and turns the card\'s SURNAME/GIVEN into a name', async () => {
    const e = await accept(squareFixture('payment-updated-swiped'));
    assert.equal(e.card?.entryMode, 'swipe');
    assert.equal(e.card?.brand, 'discover');
    assert.equal(e.customerHints.name, 'SAM RIVERA');
    assert.deepEqual(e.amount, { minor: 3410, currency: 'CAD' });
  });

  it('records a card keyed in at a Square device, and ignores one keyed in the Virtual Terminal (online)', async () => {
    const keyed = await accept(squareFixture('payment-created-keyed-pos'));
    assert.equal(keyed.card?.entryMode, 'keyed');
    assert.equal(keyed.customerHints.postalCode, '94107');
    await ignoredBecause(squareFixture('payment-created-keyed-virtual-terminal'), /^Event type "payment\.created" is not processed: a keyed payment taken without a Square device \(VIRTUAL_TERMINAL\) is an online one$/);
  });

  it('maps a declined card to a failure with Square\'s error code', async () => {
    const e = await accept(squareFixture('payment-updated-declined'));
    assert.deepEqual({ kind: e.kind, status: e.status, amount: e.amount, failure: e.failure, last4: e.card?.last4, paymentStatus: e.metadata.payment_status }, {
      kind: 'failure', status: 'failed', amount: { minor: 2200, currency: 'USD' },
      failure: { code: 'GENERIC_DECLINE', message: "Authorization error: 'GENERIC_DECLINE'" }, last4: '0002', paymentStatus: 'FAILED',
    });
  });

  it('waits for capture: an APPROVED authorization and a CANCELED one are acknowledged and not recorded', async () => {
    const approved = squareFixture('payment-created-emv-approved');
    await ignoredBecause(approved, /the card is authorized but not captured yet; the sale is recorded when Square reports the payment COMPLETED/);
    approved.data.object.payment.status = 'CANCELED';
    approved.data.object.payment.card_details.status = 'VOIDED';
    await ignoredBecause(approved, /the authorization was voided before capture: no money moved and the card was not declined/);
  });

  it('ignores cash, wallets such as Cash App Pay, and cards on file', async () => {
    const cash = squareFixture('payment-created-emv');
    cash.data.object.payment.source_type = 'CASH';
    delete cash.data.object.payment.card_details;
    await ignoredBecause(cash, /only card payments are processed, this one is CASH/);
    const onFile = squareFixture('payment-created-emv');
    onFile.data.object.payment.card_details.entry_method = 'ON_FILE';
    await ignoredBecause(onFile, /a card on file was charged; no card was at a reader/);
  });

  it('scrubs a card number typed into the note, and no output carries a 13–19 digit run', async () => {
    const event = squareFixture('payment-created-emv');
    event.data.object.payment.note = 'customer read out 4111 1111 1111 1111 by phone';
    const e = await accept(event);
    assert.equal(e.metadata.note, 'customer read out [redacted card number] by phone');
    const names: SquareFixture[] = [
      'payment-created-emv', 'payment-updated-contactless', 'payment-updated-apple-pay', 'payment-updated-google-pay', 'payment-updated-swiped',
      'payment-created-keyed-pos', 'payment-updated-declined', 'payment-updated-contactless-jpy', 'refund-updated-completed', 'dispute-created',
      'dispute-state-updated-won', 'dispute-state-updated-lost',
    ];
    for (const name of names) {
      const out = await receive(squareFixture(name));
      assert.equal(out.events.length, 1, name);
      assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, name);
    }
  });

  it('says which account it came from: Square-Environment, else the base URL', async () => {
    const chip = squareFixture('payment-created-emv');
    const sandboxHeader = await receive(chip, { headers: { 'square-environment': 'Sandbox' } });
    assert.equal(sandboxHeader.events[0]!.livemode, false);
    const noHeader = deliveryOf(chip);
    delete noHeader.headers['square-environment'];
    const sandboxUrl = await receiveWebhook(squareSource, noHeader, { credentials: { ...CREDS, baseUrl: 'https://connect.squareupsandbox.com' } });
    assert.equal(sandboxUrl.events[0]!.livemode, false);
    assert.equal((await receiveWebhook(squareSource, noHeader, { credentials: CREDS })).events[0]!.livemode, true);
  });

  it('uses the offline payment\'s own clock for when it happened', async () => {
    const event = squareFixture('payment-created-emv');
    event.data.object.payment.is_offline_payment = true;
    event.data.object.payment.offline_payment_details = { client_created_at: '2026-11-20T15:01:02.000Z' };
    const e = await accept(event);
    assert.equal(e.occurredAt, '2026-11-20T15:01:02.000Z');
    assert.equal(e.metadata.offline, 'true');
  });
});

describe('Square source: amounts', () => {
  it('follows ISO 4217 exponents, as Square documents ("smallest denomination"), with no exceptions of its own', () => {
    assert.deepEqual(SQUARE_EXPONENTS, {});
  });

  it('keeps JPY in yen', async () => {
    const e = await accept(squareFixture('payment-updated-contactless-jpy'));
    assert.deepEqual(e.amount, { minor: 1200, currency: 'JPY' });
    assert.equal(e.card?.brand, 'jcb');
  });

  for (const [currency, amount, shown] of [
    ['KWD', 1250, '1.250 KWD'], ['BHD', 7505, '7.505 BHD'], ['ISK', 1500, '1500 ISK'], ['MGA', 25000, '250.00 MGA'], ['CLP', 5000, '5000 CLP'], ['JPY', 980, '980 JPY'],
  ] as const) {
    it(`reads ${amount} ${currency} as ${shown}, in a sale and in its refund`, async () => {
      const sale = squareFixture('payment-updated-contactless-jpy');
      const p = sale.data.object.payment;
      for (const field of ['amount_money', 'total_money', 'approved_money']) p[field] = { amount, currency };
      const e = await accept(sale);
      assert.deepEqual(e.amount, { minor: amount, currency });
      assert.equal(formatMoney(e.amount), shown);
      const refund = squareFixture('refund-updated-completed');
      refund.data.object.refund.amount_money = { amount, currency };
      const r = await accept(refund);
      assert.deepEqual(r.refundedTotal, { minor: amount, currency });
    });
  }
});

describe('Square source: refunds', () => {
  it('records a COMPLETED partial refund against the payment it refunds', async () => {
    const e = await accept(squareFixture('refund-updated-completed'));
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'square:f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c',
      source: 'square',
      type: 'refund.updated',
      kind: 'refund',
      paymentId: CHIP_PAYMENT,
      amount: { minor: 1000, currency: 'USD' },
      refundedTotal: { minor: 1000, currency: 'USD' },
      refund: { id: `${CHIP_PAYMENT}_R7dGfh2Kq9mWzX3vLp5tNcY8bJs4aE6uPoI1yT0rQ`, cumulative: false },
      status: 'partially_refunded',
      occurredAt: '2026-11-21T09:14:31.372Z',
      livemode: true,
      terminal: { locationId: LOCATION },
      customerHints: {},
      metadata: {
        merchant_id: 'ML8Z2QXN1RT4W',
        refund_id: `${CHIP_PAYMENT}_R7dGfh2Kq9mWzX3vLp5tNcY8bJs4aE6uPoI1yT0rQ`,
        refund_status: 'COMPLETED',
        reason: 'Cold coffee',
        order_id: 'haOyDuHiqtAXMk0d8pDKXpL7Jg4F',
        location_id: LOCATION,
        refund_scope: 'unknown',
      },
    });
  });

  it('counts two partial refunds of one payment by their ids, without an access token, and a refund told twice once', async () => {
    const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'square-refunds.db')}`);
    const record = (events: PaymentEvent[]) => recordPaymentEvents(db, events);
    await record([await accept(squareFixture('payment-created-emv'))]);
    const refund = (refundId: string, eventId: string, amount: number) => {
      const r = squareFixture('refund-updated-completed');
      r.event_id = eventId;
      Object.assign(r.data.object.refund, { id: `${CHIP_PAYMENT}_${refundId}`, amount_money: { amount, currency: 'USD' } });
      return r;
    };
    // 10.00, then 5.00, then Square's second notification of the 5.00 refund (another event, the same refund).
    const outcomes = await record([
      await accept(refund('R1', 'e1a2b3c4-0000-4000-8000-000000000001', 1000)),
      await accept(refund('R2', 'e1a2b3c4-0000-4000-8000-000000000002', 500)),
      await accept(refund('R2', 'e1a2b3c4-0000-4000-8000-000000000003', 500)),
    ]);
    assert.deepEqual(outcomes.map((o) => o.delta.refundedMinor), [1000, 500, 0]);
    assert.equal((await paymentState(db, 'square', CHIP_PAYMENT))!.refundedMinor, 1500);
  });

  it('waits for a PENDING refund, and ignores rejected, failed and cash refunds', async () => {
    await ignoredBecause(squareFixture('refund-created-pending'), /the refund is pending; it is recorded when refund\.updated reports it COMPLETED/);
    for (const [status, why] of [['REJECTED', /rejected: no money went back/], ['FAILED', /failed: no money went back/]] as const) {
      const refund = squareFixture('refund-updated-completed');
      refund.data.object.refund.status = status;
      await ignoredBecause(refund, why);
    }
    const cash = squareFixture('refund-updated-completed');
    cash.data.object.refund.destination_type = 'CASH';
    // A cash sale's refund in cash looks like a card sale's refund in cash until the payment is read.
    await ignoredBecause(cash, /the refund went to CASH, not to a card; with an access token the payment is read, and a refund of a card sale in another tender counts/);
  });
});

describe('Square source: disputes', () => {
  it('maps dispute.created to an open dispute of the sale, with Square\'s reason and state', async () => {
    const e = await accept(squareFixture('dispute-created'));
    assert.deepEqual(
      { id: e.id, kind: e.kind, type: e.type, paymentId: e.paymentId, amount: e.amount, status: e.status, occurredAt: e.occurredAt, dispute: e.dispute, card: e.card, terminal: e.terminal, customerHints: e.customerHints, brand: e.metadata.card_brand },
      {
        id: 'square:a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d', kind: 'dispute', type: 'dispute.created', paymentId: CHIP_PAYMENT, amount: { minor: 4599, currency: 'USD' },
        status: 'disputed', occurredAt: '2026-11-25T14:02:53.902Z', dispute: { id: 'ORSEVtZAJxb37RA1EiGw', reason: 'NO_KNOWLEDGE', processorStatus: 'EVIDENCE_REQUIRED' },
        card: undefined, terminal: { locationId: LOCATION }, customerHints: {}, brand: 'MASTERCARD',
      },
    );
  });

  it('closes a won dispute as succeeded and a lost one as refunded', async () => {
    const won = await accept(squareFixture('dispute-state-updated-won'));
    assert.deepEqual([won.status, won.dispute], ['succeeded', { id: 'ORSEVtZAJxb37RA1EiGw', reason: 'NO_KNOWLEDGE', processorStatus: 'WON' }]);
    const lost = await accept(squareFixture('dispute-state-updated-lost'));
    assert.deepEqual([lost.status, lost.dispute?.processorStatus, lost.paymentId], ['refunded', 'LOST', CHIP_PAYMENT]);
  });

  for (const [state, status] of [
    ['ACCEPTED', 'refunded'], ['INQUIRY_CLOSED', 'succeeded'], ['INQUIRY_EVIDENCE_REQUIRED', 'disputed'], ['INQUIRY_PROCESSING', 'disputed'], ['PROCESSING', 'disputed'],
  ] as const) {
    it(`maps dispute state ${state} to ${status}`, async () => {
      const event = squareFixture('dispute-state-updated-won');
      event.data.object.dispute.state = state;
      assert.equal((await accept(event)).status, status);
    });
  }

  it('reads the dispute under the key the SDK types name ("object") and the deprecated dispute.state.changed', async () => {
    const event = squareFixture('dispute-state-updated-lost');
    event.type = 'dispute.state.changed';
    event.data.object = { object: event.data.object.dispute };
    const e = await accept(event);
    assert.deepEqual([e.type, e.status, e.dispute?.id], ['dispute.state.changed', 'refunded', 'ORSEVtZAJxb37RA1EiGw']);
  });
});

describe('Square source: other events', () => {
  it('acknowledges an event type it does not process (2xx) and passes nothing on', async () => {
    await ignoredBecause(squareFixture('customer-created'), /^Event type "customer\.created" is not processed: only payment\.created, payment\.updated, refund\.created/);
    const evidence = squareFixture('dispute-created');
    evidence.type = 'dispute.evidence.added';
    await ignoredBecause(evidence, /dispute\.evidence\.added/);
  });

  it('refuses a signed JSON object that is not a Square event, naming the field', async () => {
    const out = await receive({ created_at: '2026-11-20T17:42:10.118Z', hello: 'world' });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^event: this is not a Square webhook event/);
  });

  it('lists the event types it handles for the editors', () => {
    assert.deepEqual([...squareSource.handledEventTypes], [...SQUARE_HANDLED_EVENT_TYPES]);
    assert.deepEqual(squareSource.env, {
      signatureKey: 'SQUARE_WEBHOOK_SIGNATURE_KEY', notificationUrl: 'SQUARE_WEBHOOK_URL', accessToken: 'SQUARE_ACCESS_TOKEN', baseUrl: 'SQUARE_BASE_URL',
      apiVersion: 'SQUARE_API_VERSION', locationId: 'SQUARE_LOCATION_ID',
    });
  });
});
