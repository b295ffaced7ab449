import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { adyenSource } from '../../../nodes/core/sources/adyen';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { tempStore, testKeys } from '../../support/temp-store';
import standardChip from './fixtures/adyen/authorisation-chip.json';
import standardRefund from './fixtures/adyen/refund-partial.json';
import { parseAdditionalResponse } from '../../../nodes/core/sources/adyen-nexo';
import { adyenTerminalSource } from '../../../nodes/core/sources/adyen-terminal';
import { adyenTerminalDelivery, adyenTerminalMessage } from '../../../sandbox/simulator/adyen-events';
import { adyenRequest, assertNoCardNumber, basicAuth, clone, memoryInbox } from './adyen-test-support';
import applePay from './fixtures/adyen-terminal/payment-applepay-json-additional-data.json';
import cancelled from './fixtures/adyen-terminal/payment-cancelled.json';
import chip from './fixtures/adyen-terminal/payment-chip.json';
import declined from './fixtures/adyen-terminal/payment-declined.json';
import keyed from './fixtures/adyen-terminal/payment-keyed.json';
import swipe from './fixtures/adyen-terminal/payment-swipe.json';
import reversal from './fixtures/adyen-terminal/reversal-response.json';
import transactionStatus from './fixtures/adyen-terminal/transaction-status-repeated-payment.json';
import vendorEncrypted from './fixtures/adyen-terminal/vendor-encrypted-payment.json';
import vendorEventNotification from './fixtures/adyen-terminal/vendor-event-notification-reject.json';
import vendorSyncSuccess from './fixtures/adyen-terminal/vendor-payment-sync-success.json';

/** The key the library's own encrypted fixture was made with (encryptedCloudDeviceApi.spec.ts). */
const VENDOR_KEY = { keyIdentifier: 'Key123456789crypt', passphrase: 'P@ssw0rd123456', keyVersion: '1' };
const OUR_KEY = { keyIdentifier: 'ShopKeyId', passphrase: 'correct horse battery staple', keyVersion: 3 };
const BASIC = { basicUsername: 'adyen-events', basicPassword: 'tr0ub4dor&3' };
const AUTH = basicAuth(BASIC.basicUsername, BASIC.basicPassword);

const receive = (body: string | object, credentials: Record<string, unknown>, headers: Record<string, string> = {}, inbox = memoryInbox()) =>
  receiveWebhook(adyenTerminalSource, adyenRequest(body, headers, 'https://shop.example/webhooks/adyen-terminal'), { credentials, inbox });

async function accepted(body: string | object, credentials: Record<string, unknown> = BASIC, headers: Record<string, string> = AUTH) {
  const out = await receive(body, credentials, headers);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.deepEqual(out.answer, { status: 200, contentType: 'text/plain', body: '[accepted]' });
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

type Envelope = { SaleToPOIResponse: Record<string, unknown> & { PaymentResponse: Record<string, any>; MessageHeader: Record<string, unknown> } };
const payment = (m: unknown) => (m as Envelope).SaleToPOIResponse.PaymentResponse;

describe('Adyen Terminal API: encrypted messages (SecurityTrailer)', () => {
  it('decrypts and verifies the library\'s own encrypted payment with its key, every field', async () => {
    const e = await accepted(vendorEncrypted, VENDOR_KEY, {});
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'adyen:terminal:CmI6001759412052007.VP57CW8P77C64Q75:PaymentResponse',
      source: 'adyen',
      type: 'PaymentResponse',
      kind: 'payment',
      paymentId: 'VP57CW8P77C64Q75',
      amount: { minor: 100, currency: 'EUR' },
      status: 'succeeded',
      occurredAt: '2025-10-02T13:34:13.582Z',
      livemode: false,
      card: {
        brand: 'mastercard', last4: '9999', bin: '541333', expMonth: 2, expYear: 2028, funding: 'credit', entryMode: 'contactless',
        identity: { kind: 'fingerprint', value: 'G955479533593347' },
      },
      terminal: { readerId: 'V400m-347374578', locationId: 'NL' },
      customerHints: {},
      metadata: {
        result: 'Success', transactionId: 'CmI6001759412052007.VP57CW8P77C64Q75', tenderReference: 'CmI6001759412052007',
        pspReference: 'VP57CW8P77C64Q75', saleTransactionId: '406aa21f8b', saleId: '406aa21f8b', serviceId: '406aa21f8b',
        merchantReference: '406aa21f8b', paymentMethodVariant: 'mc', posEntryMode: 'CLESS_CHIP',
      },
    });
  });

  it('accepts a payment encrypted with the library\'s NexoSecurityManager under the shop\'s own key', async () => {
    const d = adyenTerminalDelivery('contactless', OUR_KEY, { amount: '12.50', pspReference: 'NC6HT9CRT65ZGN82', shopperEmail: 'sam@example.com' });
    assert.ok(JSON.parse(d.body).SaleToPOIResponse.NexoBlob, 'the body is encrypted');
    assert.doesNotMatch(d.body, /NC6HT9CRT65ZGN82/, 'nothing of the payment is readable outside the blob');
    const e = await accepted(d.body, { ...OUR_KEY, keyVersion: '3' }, {});
    assert.deepEqual([e.amount, e.card?.entryMode, e.customerHints.email, e.metadata.pspReference], [{ minor: 1250, currency: 'EUR' }, 'contactless', 'sam@example.com', 'NC6HT9CRT65ZGN82']);
  });

  it('rejects a wrong passphrase, another key, a changed blob or HMAC, and an unknown crypto version, each with its reason', async () => {
    const wrongPass = await receive(vendorEncrypted, { ...VENDOR_KEY, passphrase: 'not-the-passphrase' });
    assert.equal(wrongPass.status, 400);
    assert.match(wrongPass.rejected ?? '', /did not decrypt and verify.*check passphrase/);

    const otherKey = await receive(vendorEncrypted, { ...VENDOR_KEY, keyVersion: '2' });
    assert.match(otherKey.rejected ?? '', /encrypted with another key.*keyVersion/);

    const blob = clone(vendorEncrypted) as { SaleToPOIResponse: { NexoBlob: string; SecurityTrailer: Record<string, unknown> } };
    const b = Buffer.from(blob.SaleToPOIResponse.NexoBlob, 'base64');
    b[40] = b[40]! ^ 0x01;
    blob.SaleToPOIResponse.NexoBlob = b.toString('base64');
    assert.match((await receive(blob, VENDOR_KEY)).rejected ?? '', /did not decrypt and verify/);

    const hmac = clone(vendorEncrypted) as typeof blob;
    hmac.SaleToPOIResponse.SecurityTrailer.Hmac = Buffer.alloc(32, 7).toString('base64');
    const forgedHmac = await receive(hmac, VENDOR_KEY);
    assert.equal(forgedHmac.status, 400);
    assert.deepEqual(forgedHmac.events, []);

    const version = clone(vendorEncrypted) as typeof blob;
    version.SaleToPOIResponse.SecurityTrailer.AdyenCryptoVersion = 0;
    assert.match((await receive(version, VENDOR_KEY)).rejected ?? '', /AdyenCryptoVersion 0 is not supported/);
  });

  it('rejects an encrypted message when only Basic auth is configured, saying which key fields to fill in', async () => {
    const out = await receive(vendorEncrypted, BASIC, AUTH);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /encrypted .* no terminal key is configured; fill in keyIdentifier, passphrase and keyVersion/);
  });
});

describe('Adyen Terminal API: plain messages from Adyen\'s cloud (Basic auth)', () => {
  it('maps a chip payment with Basic auth to a PaymentEvent, every field', async () => {
    const e = await accepted(chip);
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'adyen:terminal:Ko8B001741947727016.QFQTPCQ8HXSKGK82:PaymentResponse',
      source: 'adyen',
      type: 'PaymentResponse',
      kind: 'payment',
      paymentId: 'QFQTPCQ8HXSKGK82',
      amount: { minor: 4599, currency: 'EUR' },
      status: 'succeeded',
      occurredAt: '2025-03-14T09:22:07.016Z',
      livemode: false,
      card: {
        brand: 'visa', last4: '1881', bin: '417666', expMonth: 3, expYear: 2030, funding: 'debit', entryMode: 'chip',
        identity: { kind: 'fingerprint', value: 'H167852639363479' },
      },
      terminal: { readerId: 'V400m-324688179', locationId: 'AMS-Centraal' },
      customerHints: { processorCustomerId: 'cust-ana-17', email: 'Ana@Example.com', name: 'Ana Diaz' },
      metadata: {
        order: 'A-17', result: 'Success', transactionId: 'Ko8B001741947727016.QFQTPCQ8HXSKGK82', tenderReference: 'Ko8B001741947727016',
        pspReference: 'QFQTPCQ8HXSKGK82', saleTransactionId: 'ORDER-1042', saleId: 'POS-Till-1', serviceId: '7301', merchantReference: 'ORDER-1042',
        paymentMethodVariant: 'visadebit', posEntryMode: 'ICC',
      },
    });
  });

  it('rejects a plain message without, or with the wrong, Basic auth', async () => {
    const missing = await receive(chip, BASIC, {});
    assert.equal(missing.status, 400);
    assert.match(missing.rejected ?? '', /Authorization header is missing/);
    const wrong = await receive(chip, BASIC, basicAuth('adyen-events', 'guess'));
    assert.equal(wrong.rejected, 'the Basic auth username or password does not match the configured ones');
  });

  it('rejects a message that is neither encrypted nor authenticated by Basic auth', async () => {
    const out = await receive(chip, VENDOR_KEY, AUTH);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /not encrypted \(no SecurityTrailer\) and no Basic auth is configured/);
  });

  it('answers a missing, partial or malformed credential with 500 and the field', async () => {
    const none = await receive(chip, {});
    assert.equal(none.status, 500);
    assert.match(none.misconfigured ?? '', /^basicUsername: .*set the Basic auth username and password .* or the terminal key .*ADYEN_TERMINAL_USERNAME/);
    const partial = await receive(chip, { keyIdentifier: 'ShopKeyId', keyVersion: '1' });
    assert.match(partial.misconfigured ?? '', /^passphrase: .*the terminal key is only partly configured.*ADYEN_TERMINAL_PASSPHRASE/);
    const version = await receive(chip, { ...VENDOR_KEY, keyVersion: 'one' });
    assert.match(version.misconfigured ?? '', /^keyVersion: .*whole number.*ADYEN_TERMINAL_KEY_VERSION/);
  });

  it('reads the key version as digits alone, a whole number from 1 (Number() took 0x10 for 16 and 1e1 for 10)', () => {
    const parse = (keyVersion: unknown) => adyenTerminalSource.credentials.safeParse({ ...BASIC, keyVersion });
    for (const [given, read] of [['1', 1], [' 16 ', 16], [2, 2], ['2147483647', 2147483647], ['', undefined]] as const) {
      const r = parse(given);
      assert.ok(r.success, `${JSON.stringify(given)}: ${r.error?.message}`);
      assert.equal(r.data.keyVersion, read, JSON.stringify(given));
    }
    for (const bad of ['0x10', '1e1', '0', '-1', '+1', '1.0', '01', '2147483648', 1.5, 0]) {
      const r = parse(bad);
      assert.ok(!r.success, `${JSON.stringify(bad)} accepted`);
      assert.match(r.error.issues[0]!.message, /is not a key version: write the whole number from 1 .* in digits alone/, JSON.stringify(bad));
    }
  });

  it('reads Live Account as on or off in every spelling the README gives, and refuses any other text rather than take it for a test account', () => {
    const live = (value: unknown) => adyenTerminalSource.credentials.safeParse({ ...BASIC, live: value });
    for (const on of [true, 'true', 'live', 'LIVE', '1', 'yes', 'on']) assert.equal(live(on).data?.live, true, JSON.stringify(on));
    for (const off of [false, 'false', 'test', '0', 'no', 'off']) assert.equal(live(off).data?.live, false, JSON.stringify(off));
    assert.equal(live('').data?.live, undefined);
    for (const typo of ['ture', 'flase', 'prod']) {
      const r = live(typo);
      assert.ok(!r.success, `${typo} accepted`);
      assert.equal(r.error.issues[0]!.message, `"${typo}" is neither on nor off: write true, live, 1, yes or on for a live account, or false, test, 0, no or off for a test account`);
    }
  });

  it("takes a Basic auth pair alone as the editors save it, with Key Version's default 1 and no key beside it", async () => {
    const out = await receive(chip, { ...BASIC, keyIdentifier: '', passphrase: '', keyVersion: '1' }, AUTH);
    assert.equal(out.status, 200, out.misconfigured ?? out.rejected);
    assert.equal(out.events.length, 1);
    const half = await receive(chip, { ...BASIC, passphrase: 'secret', keyVersion: '1' }, AUTH);
    assert.match(half.misconfigured ?? '', /^keyIdentifier: .*the terminal key is only partly configured/);
  });

  it('reads the library\'s own sync payment: tapped card, BIN and last four from the additional data, never the masked number', async () => {
    const e = await accepted(vendorSyncSuccess);
    assert.deepEqual(e.card, {
      brand: 'mastercard', last4: '3511', bin: '541333', expMonth: 12, expYear: 2025, entryMode: 'contactless',
      identity: { kind: 'fingerprint', value: 'M900978995070104' },
    });
    assert.deepEqual([e.paymentId, e.amount, e.terminal?.readerId], ['8515565295894301', { minor: 100, currency: 'EUR' }, 'P400Plus-123456789']);
    assert.doesNotMatch(JSON.stringify(e), /411111|1225/, 'nothing of CardData.MaskedPan or SensitiveCardData');
  });

  it('reads a Base64 JSON AdditionalResponse and keeps Apple Pay as the wallet', async () => {
    const e = await accepted(applePay);
    assert.deepEqual(e.card, {
      brand: 'visa', last4: '0504', bin: '489537', expMonth: 8, expYear: 2029, funding: 'credit', entryMode: 'contactless', wallet: 'apple_pay',
      identity: { kind: 'fingerprint', value: 'F758505419855455' },
    });
    assert.deepEqual(e.terminal, { readerId: 'S1F2-000158213621', locationId: 'AMS-Centraal' });
  });

  it('maps swipe, keyed and Google Pay entry', async () => {
    const swiped = await accepted(swipe);
    assert.deepEqual([swiped.card?.entryMode, swiped.card?.brand, swiped.customerHints.name, swiped.amount], ['swipe', 'amex', 'SAM LEE', { minor: 6400, currency: 'USD' }]);
    assert.equal((await accepted(keyed)).card?.entryMode, 'keyed');
    for (const format of ['url', 'json'] as const) {
      const g = await accepted(adyenTerminalDelivery('google_pay', { username: BASIC.basicUsername, password: BASIC.basicPassword }, { additionalDataFormat: format }).body);
      assert.deepEqual([g.card?.wallet, g.card?.entryMode], ['google_pay', 'contactless']);
    }
  });

  it('maps a refused payment to a failure with the error condition, the refusal reason and the amount asked for', async () => {
    const e = await accepted(declined);
    assert.deepEqual(
      { kind: e.kind, status: e.status, failure: e.failure, amount: e.amount, paymentId: e.paymentId, last4: e.card?.last4 },
      {
        kind: 'failure', status: 'failed', failure: { code: 'Refusal', message: 'Not enough balance' }, amount: { minor: 12000, currency: 'EUR' },
        paymentId: 'RZ9G2N4LQK5HWT82', last4: '1881',
      },
    );
  });

  it('records a cancelled result with no AmountsResp as a failure of the amount asked for, read from posadditionalamounts', async () => {
    const e = await accepted(cancelled);
    assert.deepEqual(
      { kind: e.kind, status: e.status, failure: e.failure, amount: e.amount, paymentId: e.paymentId, card: e.card },
      {
        kind: 'failure', status: 'failed', failure: { code: 'Cancel', message: 'CANCELLED' }, amount: { minor: 1000, currency: 'EUR' },
        paymentId: 'W3VQ8K2M7TRZ6G82', card: undefined,
      },
    );
  });

  it('ignores a result that started no transaction (no POIData), with the reason', async () => {
    const busy = clone(declined) as unknown as Envelope;
    delete payment(busy).POIData;
    payment(busy).Response.ErrorCondition = 'Busy';
    const out = await receive(busy, BASIC, AUTH);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0] ?? '', /no transaction was started on the terminal \(Busy\)/);
  });

  it('never takes an unreferenced refund (PaymentType Refund) for a sale: acknowledged, not passed on, with the reason', async () => {
    const refund = clone(chip) as unknown as Envelope;
    payment(refund).PaymentResult.PaymentType = 'Refund';
    const out = await receive(refund, BASIC, AUTH);
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0] ?? '', /unreferenced refund at the terminal \(PaymentType Refund, Success\)/);
    // The same message as a sale ("Normal", nexo's default) is one.
    const sale = clone(chip) as unknown as Envelope;
    payment(sale).PaymentResult.PaymentType = 'Normal';
    const e = await accepted(sale);
    assert.deepEqual([e.kind, e.amount], ['payment', { minor: 4599, currency: 'EUR' }]);
  });

  it('acknowledges the library\'s event notification (Reject) and a ReversalResponse, and passes neither on', async () => {
    const event = await receive(vendorEventNotification, BASIC, AUTH);
    assert.equal(event.status, 200);
    assert.equal(event.answer.body, '[accepted]');
    assert.deepEqual(event.events, []);
    assert.match(event.report.ignored[0] ?? '', /^Event type "EventNotification" is not processed: a terminal event \("Reject"\)/);
    const reversed = await receive(reversal, BASIC, AUTH);
    assert.deepEqual(reversed.events, []);
    assert.match(reversed.report.ignored[0] ?? '', /^Event type "ReversalResponse" is not processed/);
  });

  it('knows a result asked for again (TransactionStatusResponse) as the same event, so the inbox drops it', async () => {
    const inbox = memoryInbox();
    const first = await receive(chip, BASIC, AUTH, inbox);
    const again = await receive(transactionStatus, BASIC, AUTH, inbox);
    assert.equal(first.events.length, 1);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.report.duplicates, [first.events[0]!.id]);
  });

  it('reads field names whatever their case (MaskedPAN, poiid) and keeps only BIN and last four of an unmasked number', async () => {
    const relayed = clone(chip) as unknown as Envelope;
    const header = relayed.SaleToPOIResponse.MessageHeader;
    header.poiid = header.POIID;
    delete header.POIID;
    const card = payment(relayed).PaymentResult.PaymentInstrumentData.CardData;
    delete card.MaskedPan;
    card.MaskedPAN = '4111111111111111';
    card.SensitiveCardData = { PAN: '4111111111111111', ExpiryDate: '0330', TrackData: [{ Value: ';4111111111111111=30031010000000000000?' }] };
    payment(relayed).Response.AdditionalResponse = 'posEntryMode=ICC&paymentMethod=visa';
    const e = await accepted(relayed);
    assert.deepEqual([e.card?.bin, e.card?.last4, e.terminal?.readerId], ['411111', '1111', 'V400m-324688179']);
    assertNoCardNumber(e, ['Ko8B001741947727016']);
  });

  it('turns decimal AuthorizedAmounts into ISO minor units: JPY, KWD, BHD, ISK, MGA, CLP', async () => {
    const cases = [['1200', 'JPY', 1200], ['1.25', 'KWD', 1250], ['5.005', 'BHD', 5005], ['1500', 'ISK', 1500], ['5000', 'MGA', 500000], ['2500', 'CLP', 2500]] as const;
    for (const [value, currency, minor] of cases) {
      const m = clone(chip) as unknown as Envelope;
      payment(m).PaymentResult.AmountsResp = { AuthorizedAmount: Number(value), Currency: currency };
      payment(m).POIData.POITransactionID.TransactionID = `Ko8B00174194772${currency}.PSP${currency}`;
      assert.deepEqual((await accepted(m)).amount, { minor, currency });
    }
    const tooPrecise = clone(chip) as unknown as Envelope;
    payment(tooPrecise).PaymentResult.AmountsResp = { AuthorizedAmount: 1.2345, Currency: 'KWD' };
    const out = await receive(tooPrecise, BASIC, AUTH);
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /AuthorizedAmount: 1\.2345 KWD has more decimals than KWD's 3/);
  });

  it('counts the purchase only, never the cash back: AmountsResp.CashBackAmount (exact decimals), else posAmountCashbackValue', async () => {
    // Adyen's cashback example in EUR: 10 bought, 20 cash, 30 authorised.
    const withCash = clone(chip) as unknown as Envelope;
    payment(withCash).PaymentResult.AmountsResp = { AuthorizedAmount: 30, CashBackAmount: 20, Currency: 'EUR' };
    assert.deepEqual((await accepted(withCash)).amount, { minor: 1000, currency: 'EUR' });
    // Decimals that floating point gets wrong (12.345 - 2.1 is 10.245000000000001).
    const kwd = clone(chip) as unknown as Envelope;
    payment(kwd).PaymentResult.AmountsResp = { AuthorizedAmount: 12.345, CashBackAmount: 2.1, Currency: 'KWD' };
    assert.deepEqual((await accepted(kwd)).amount, { minor: 10245, currency: 'KWD' });
    // Only the additional data says it (minor units), as a relay that trims AmountsResp leaves it.
    const relayed = clone(chip) as unknown as Envelope;
    payment(relayed).PaymentResult.AmountsResp = { AuthorizedAmount: 30, Currency: 'EUR' };
    payment(relayed).Response.AdditionalResponse += '&posAmountCashbackValue=2000';
    assert.deepEqual((await accepted(relayed)).amount, { minor: 1000, currency: 'EUR' });
    // More cash back than the total is no payment the pack can read.
    const over = clone(chip) as unknown as Envelope;
    payment(over).PaymentResult.AmountsResp = { AuthorizedAmount: 10, CashBackAmount: 20, Currency: 'EUR' };
    assert.match((await receive(over, BASIC, AUTH)).rejected ?? '', /cash back of 20\.00 EUR does not fit in the payment's 10\.00 EUR/);
    // All of it cash (a cash-out, nothing bought): acknowledged, and no payment of nothing recorded.
    const cashOut = clone(chip) as unknown as Envelope;
    payment(cashOut).PaymentResult.AmountsResp = { AuthorizedAmount: 20, CashBackAmount: 20, Currency: 'EUR' };
    const out = await receive(cashOut, BASIC, AUTH);
    assert.deepEqual([out.status, out.events.length], [200, 0]);
    assert.match(out.report.ignored.join(' '), /cash-out of 20\.00 EUR with no purchase/);
  });

  it("is the payment Adyen's standard webhooks report: their AUTHORISATION of it adds no second sale, and their refund is set against it", async () => {
    // The same chip sale (PSP reference QFQTPCQ8HXSKGK82, EUR 45.99) as the Terminal API and the standard webhooks
    // report it, and the standard REFUND of 15.00 naming it as originalReference (signed with the library's test key).
    const terminalSale = await accepted(chip);
    const standard = async (fixture: object) => {
      const out = await receiveWebhook(adyenSource, adyenRequest(fixture), { credentials: { hmacKey: 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00' }, inbox: memoryInbox() });
      assert.equal(out.events.length, 1, JSON.stringify(out.report));
      return out.events[0]!;
    };
    const [authorisation, refund] = [await standard(standardChip), await standard(standardRefund)];
    assert.deepEqual([terminalSale.source, terminalSale.paymentId], [authorisation.source, authorisation.paymentId]);
    const s = await tempStore();
    try {
      for (const e of [terminalSale, authorisation, refund]) await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(e)), testKeys()), s.crm)], s.crm);
      const state = (await paymentState(s.db, 'adyen', 'QFQTPCQ8HXSKGK82'))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor], [4599, 1500, 3099]);
      assert.equal((await s.db.all('SELECT payment_id FROM ledger_payments')).length, 1, 'one payment, not one per channel');
    } finally {
      await s.remove();
    }
  });

  it('marks events live when the credential says so (a Terminal API message does not)', async () => {
    assert.equal((await accepted(chip, { ...BASIC, live: 'true' })).livemode, true);
  });

  it('lets no card number through in any fixture\'s output', async () => {
    const references = ['Ko8B001741947727016', 'Ko8B001741951812333', 'Ko8B001742030073110', 'Ko8B001742031602781', 'Ko8B001742032968054', 'Ko8B001742033431211',
      'CmI6001759412052007', '4r7i001556529591000', '8515565295894301', 'H167852639363479', 'F758505419855455', 'A903358129487230', 'M900978995070104',
      'G955479533593347'];
    for (const body of [chip, applePay, swipe, keyed, declined, cancelled, vendorSyncSuccess, transactionStatus]) assertNoCardNumber(await receive(body, BASIC, AUTH), references);
    assertNoCardNumber(await receive(vendorEncrypted, VENDOR_KEY, {}), references);
  });
});

describe('Adyen Terminal API: AdditionalResponse formats', () => {
  it('reads URL-encoded pairs, Base64 JSON (nested or flat) and an already decoded object alike', () => {
    const pairs = { cardBin: '541333', cardSummary: '9999', message: 'a b/c' };
    const url = 'cardBin=541333&cardSummary=9999&message=a+b%2Fc';
    assert.deepEqual(parseAdditionalResponse(url), pairs);
    assert.deepEqual(parseAdditionalResponse(Buffer.from(JSON.stringify({ additionalData: pairs })).toString('base64')), pairs);
    assert.deepEqual(parseAdditionalResponse(Buffer.from(JSON.stringify(pairs)).toString('base64')), pairs);
    assert.deepEqual(parseAdditionalResponse({ additionalData: pairs }), pairs);
    assert.deepEqual(parseAdditionalResponse(undefined), {});
  });

  it('keeps the top-level keys of an already decoded object beside its additionalData, as the Base64 text of it keeps them', () => {
    const decoded = { additionalData: { pspReference: 'P1' }, refusalReason: 'Refused', store: 'S1' };
    const expected = { pspReference: 'P1', refusalReason: 'Refused', store: 'S1' };
    assert.deepEqual(parseAdditionalResponse(Buffer.from(JSON.stringify(decoded)).toString('base64')), expected);
    assert.deepEqual(parseAdditionalResponse(decoded), expected);
  });

  it('reads URL-encoded pairs exactly as URLSearchParams does, odd escapes, repeats and empty pairs included', () => {
    const texts = [
      'a=1&b=2&a=3',
      '&&a=1&&b=&c&=d&e==f',
      'iso8601TxDate=2026-03-14T10%3A00%3A00.000Z&cardHolderName=J%C3%BCrgen+M%C3%BCller',
      'k%2Bey=v+a+l%2Bue&sp%20ace=%20',
      'bad=%zz&x=1',
      'trail=%E2%82',
      'notutf8=%FF%FE&y=2',
      'lone=%ED%A0%80',
      '__proto__=x&constructor=y',
      'emoji=%F0%9F%98%80&plus=+',
    ];
    for (const text of texts) {
      const expected: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(text)) expected[k] = v;
      const got = parseAdditionalResponse(text);
      assert.deepEqual(got, expected, text);
      assert.deepEqual(Object.keys(got), Object.keys(expected), text);
    }
  });

  it('the simulator\'s plain message is what the source reads back', () => {
    const m = adyenTerminalMessage('declined', { amount: '20.00', currency: 'EUR' });
    const extra = parseAdditionalResponse(payment(m).Response.AdditionalResponse);
    assert.deepEqual([extra.posOriginalAmountValue, extra.posOriginalAmountCurrency, payment(m).Response.ErrorCondition], ['2000', 'EUR', 'Refusal']);
  });
});
