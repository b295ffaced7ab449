import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import type { HttpTransport } from '../../../nodes/core/http/http-transport';
import { totalsOf } from '../../../nodes/core/crm/local-sql-crm';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { pollCredentials } from '../../../nodes/core/pipeline/poll-source';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { zettleSignature, zettleSource } from '../../../nodes/core/sources/zettle';
import { canonicalPurchaseUuid } from '../../../nodes/core/sources/zettle-purchase';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { tempStore, testKeys } from '../../support/temp-store';
import { zettleDelivery } from '../../../sandbox/simulator/zettle-events';
import cashFixture from './fixtures/zettle/purchase-created-cash.json';
import chipFixture from './fixtures/zettle/purchase-created-chip.json';
import contactlessFixture from './fixtures/zettle/purchase-created-contactless.json';
import refundFixture from './fixtures/zettle/purchase-created-partial-refund.json';
import swipeFixture from './fixtures/zettle/purchase-created-swipe.json';
import productCreatedFixture from './fixtures/zettle/product-created.json';
import page1 from './fixtures/zettle/purchases-page-1.json';
import page2 from './fixtures/zettle/purchases-page-2.json';
import page3 from './fixtures/zettle/purchases-page-3.json';
import saleFixture from './fixtures/zettle/purchase-sale.json';
import refund1Fixture from './fixtures/zettle/purchase-refund-1.json';
import testMessageFixture from './fixtures/zettle/test-message.json';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/** The signing key of the subscription example in create-subscriptions.md. */
const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
const CREDENTIALS = { signingKey: KEY };
const URL_ = 'https://crm.example.com/webhooks/zettle';
const PURCHASE_API = 'https://purchase.izettle.com';
const AT = new Date('2021-04-19T13:10:00Z');

type Envelope = { timestamp?: string; payload: unknown; eventName: string };

/** The recipe of create-subscriptions.md (Python/Java samples), written out here independently of the source. */
const docSignature = (timestamp: string, payload: string, key = KEY) => createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(`${timestamp}.${payload}`, 'utf8')).digest('hex');

function request(body: string, headers: Record<string, string>, receivedAt = AT): WebhookRequest {
  return { rawBody: Buffer.from(body, 'utf8'), headers, method: 'POST', url: URL_, receivedAt };
}

function signed(envelope: Envelope, key = KEY): WebhookRequest {
  const body = JSON.stringify(envelope);
  return request(body, { 'content-type': 'application/json', 'x-izettle-signature': docSignature(envelope.timestamp!, envelope.payload as string, key) });
}

function withPayload(envelope: Envelope, change: (p: Record<string, unknown>) => void): Envelope {
  const payload = JSON.parse(envelope.payload as string) as Record<string, unknown>;
  change(payload);
  return { ...envelope, payload: JSON.stringify(payload) };
}

async function accept(req: WebhookRequest, options: Partial<Parameters<typeof receiveWebhook>[2]> = {}): Promise<PaymentEvent> {
  const out = await receiveWebhook(zettleSource, req, { credentials: CREDENTIALS, ...options });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  assertNoPan(out);
  return out.events[0]!;
}

function assertNoPan(out: unknown): void {
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
}

class MemoryInbox implements Inbox {
  readonly seen = new Set<string>();
  async accept(events: readonly PaymentEvent[]) {
    const fresh = events.filter((e) => !this.seen.has(e.id));
    for (const e of fresh) this.seen.add(e.id);
    return { fresh, duplicates: events.filter((e) => !fresh.includes(e)).map((e) => e.id) };
  }
  async markDone() {}
}

describe('Zettle source: signature (X-iZettle-Signature)', () => {
  it('signs as the documentation describes: hex HMAC-SHA256 of "<timestamp>.<payload>"', () => {
    assert.equal(zettleSignature(chipFixture.timestamp, chipFixture.payload, KEY), docSignature(chipFixture.timestamp, chipFixture.payload));
    assert.match(zettleSignature('t', 'p', KEY), /^[0-9a-f]{64}$/);
  });

  it('accepts a genuine PurchaseCreated and answers 200', async () => {
    const out = await receiveWebhook(zettleSource, signed(chipFixture), { credentials: CREDENTIALS });
    assert.equal(out.status, 200);
    assert.deepEqual(JSON.parse(out.answer.body), { received: true, accepted: ['zettle:7cdf4ae2-a110-11eb-a7f9-24cfef8c2970'] });
  });

  it('rejects a payload changed after signing, a wrong key, a missing or malformed header, with the reason', async () => {
    const tampered = signed(chipFixture);
    tampered.rawBody = Buffer.from(tampered.rawBody.toString('utf8').replace('\\"amount\\":35300', '\\"amount\\":99'));
    assert.notEqual(tampered.rawBody.toString('utf8'), JSON.stringify(chipFixture));
    const cases: [WebhookRequest, RegExp][] = [
      [tampered, /does not match/],
      [signed(chipFixture, 'another-subscriptions-key'), /does not match/],
      [request(JSON.stringify(chipFixture), {}), /^the X-iZettle-Signature header is missing$/],
      [request(JSON.stringify(chipFixture), { 'x-izettle-signature': 'sha256=abc' }), /not a hex HMAC-SHA256/],
      [request('not json', { 'x-izettle-signature': 'ab'.repeat(32) }), /not a Zettle Pusher message/],
    ];
    for (const [req, reason] of cases) {
      const out = await receiveWebhook(zettleSource, req, { credentials: CREDENTIALS });
      assert.equal(out.status, 400, JSON.stringify(out));
      assert.match(out.rejected ?? '', reason);
      assert.deepEqual(out.events, []);
    }
  });

  it('rejects a timestamp changed after signing (the timestamp is signed too)', async () => {
    const req = signed(chipFixture);
    req.rawBody = Buffer.from(JSON.stringify({ ...chipFixture, timestamp: '2021-04-19T13:09:41.000Z' }));
    const out = await receiveWebhook(zettleSource, req, { credentials: CREDENTIALS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /does not match/);
  });

  it("accepts Zettle's retry of a message signed three days ago: Zettle retries for 70 hours with the same signature", async () => {
    const out = await receiveWebhook(zettleSource, { ...signed(chipFixture), receivedAt: new Date(AT.getTime() + 3 * 86_400_000) }, { credentials: CREDENTIALS });
    assert.equal(out.status, 200);
    assert.equal(out.events.length, 1);
  });

  it('accepts any of several signing keys (one subscription per organization)', async () => {
    const out = await receiveWebhook(zettleSource, signed(chipFixture, 'k-second'), { credentials: { signingKey: `k-first, k-second` } });
    assert.equal(out.events.length, 1);
  });

  it('refuses purchases while no signing key is configured, naming the field and the variable', async () => {
    const out = await receiveWebhook(zettleSource, signed(chipFixture), { credentials: {} });
    assert.ok(out.status >= 400, JSON.stringify(out));
    assert.deepEqual(out.events, []);
    assert.match(out.rejected ?? out.misconfigured ?? '', /^signingKey: .*Fix: .*ZETTLE_SIGNING_KEY/);
  });

  it('answers a malformed credential with 500 and the fix', async () => {
    const out = await receiveWebhook(zettleSource, signed(chipFixture), { credentials: { signingKey: KEY, purchaseBaseUrl: 'not a url' } });
    assert.equal(out.status, 500);
    assert.match(out.misconfigured ?? '', /^purchaseBaseUrl: .*Fix: .*ZETTLE_PURCHASE_BASE_URL/);
  });
});

describe('Zettle source: control messages and ignored events', () => {
  it('acknowledges the TestMessage sent while a subscription is created, even before the key exists, and passes nothing on', async () => {
    for (const credentials of [{}, CREDENTIALS]) {
      const out = await receiveWebhook(zettleSource, request(JSON.stringify(testMessageFixture), { 'content-type': 'application/json' }), { credentials });
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.equal(out.report.control?.kind, 'test');
      assert.match(out.report.control?.note ?? '', /ef64c5e2-4e16-11e8-9c2d-fa7ae01bbebc/);
      assert.equal(JSON.parse(out.answer.body).control.kind, 'test');
    }
  });

  it('acknowledges an event type it does not process (ProductCreated) with 200 and the reason', async () => {
    const out = await receiveWebhook(zettleSource, signed(productCreatedFixture), { credentials: CREDENTIALS });
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored.join(), /ProductCreated.*only PurchaseCreated/);
  });

  it('acknowledges and ignores a cash purchase (the documentation example): not card-present', async () => {
    const out = await receiveWebhook(zettleSource, signed(cashFixture), { credentials: CREDENTIALS });
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored.join(), /IZETTLE_CASH, not on a card reader/);
  });

  it('acknowledges and ignores a payment-link purchase (IZETTLE_CARD_ONLINE)', async () => {
    const online = withPayload(chipFixture, (p) => {
      const pay = (p.payments as Record<string, unknown>[])[0]!;
      pay.type = 'IZETTLE_CARD_ONLINE';
      pay.attributes = { cardType: 'MASTERCARD', maskedPan: '517036******0000', cardPaymentEntryMode: 'ECOMMERCE', referenceNumber: 'PKDBOSWWWW', paymentlinkOrderUuid: 'bb6d3b38-3a01-11eb-970c-e3b88c945415' };
    });
    const out = await receiveWebhook(zettleSource, signed(online), { credentials: CREDENTIALS });
    assert.equal(out.status, 200);
    assert.match(out.report.ignored.join(), /IZETTLE_CARD_ONLINE/);
  });

  it('refuses a signed message whose payload is not a purchase', async () => {
    const out = await receiveWebhook(zettleSource, signed({ ...chipFixture, payload: '[1,2]' }), { credentials: CREDENTIALS });
    assert.equal(out.status, 400);
    assert.match(out.rejected ?? '', /^payload: /);
  });
});

describe('Zettle source: normalize', () => {
  it('maps a chip sale to a PaymentEvent, field by field', async () => {
    const e = await accept(signed(chipFixture));
    assert.deepEqual(e, {
      schemaVersion: 1,
      id: 'zettle:7cdf4ae2-a110-11eb-a7f9-24cfef8c2970',
      source: 'zettle',
      type: 'PurchaseCreated',
      kind: 'payment',
      paymentId: '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970',
      amount: { minor: 35300, currency: 'GBP' },
      status: 'succeeded',
      occurredAt: '2021-04-19T13:09:40.798Z',
      livemode: true,
      card: { brand: 'visa', last4: '0119', bin: '476173', entryMode: 'chip' },
      terminal: { readerId: '692e074e16fb8e99cafbce1c975582c1ce8dbd8f' },
      customerHints: {},
      metadata: {
        purchaseNumber: '12776',
        organizationUuid: 'd3f03ffa-4a18-4282-bbfa-efd5f642ffb7',
        purchaseSource: 'POS',
        country: 'GB',
        employee: 'John Smith',
        purchaseAmount: '35300',
        cardPaymentUuid: '8031c38c-a110-11eb-a6f8-25ceee8d2871',
        gratuityAmount: '0',
        referenceNumber: 'B6MFKZTMKP',
        applicationName: 'VISA CREDIT',
        cardholderVerificationMethod: 'OnlinePin',
        cardPaymentEntryMode: 'EMV',
        checkoutUuid: '7cdf4ae2-a110-11eb-a6f8-25ceee8d2871',
      },
    });
  });

  it('maps contactless and magnetic stripe entry modes and brands, keeping only BIN and last four of the masked PAN', async () => {
    const tap = await accept(signed(contactlessFixture));
    assert.deepEqual(tap.card, { brand: 'mastercard', last4: '0000', bin: '535583', entryMode: 'contactless' });
    const swipe = await accept(signed(swipeFixture));
    assert.deepEqual(swipe.card, { brand: 'maestro', last4: '0018', bin: '675946', entryMode: 'swipe' });
    assert.equal(JSON.stringify([tap, swipe]).includes('*'), false);
  });

  it('reads entry modes Zettle may add ("More entry modes might be added") by their name, else as unknown', async () => {
    const modes: [string, string][] = [['MAGSTRIPE_CONTACTLESS', 'contactless'], ['MAGSTRIPE_FALLBACK', 'fallback'], ['MANUAL_ENTRY', 'keyed'], ['SOMETHING_NEW', 'unknown']];
    for (const [mode, entryMode] of modes) {
      const env = withPayload(chipFixture, (p) => {
        ((p.payments as Record<string, unknown>[])[0]!.attributes as Record<string, unknown>).cardPaymentEntryMode = mode;
      });
      assert.equal((await accept(signed(env))).card?.entryMode, entryMode, mode);
    }
  });

  it('maps a partial refund to a refund of the sale, with a positive amount (Zettle sends it negative)', async () => {
    const e = await accept(signed(refundFixture));
    assert.equal(e.id, 'zettle:d71e814c-d705-43e7-ac9c-831449d5fc99');
    assert.equal(e.kind, 'refund');
    assert.equal(e.paymentId, '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970');
    assert.deepEqual(e.amount, { minor: 10000, currency: 'GBP' });
    // Without an access token the earlier refunds of the sale are unknown: this refund counts itself.
    assert.deepEqual(e.refundedTotal, { minor: 10000, currency: 'GBP' });
    assert.equal(e.status, 'partially_refunded');
    assert.equal(e.card?.last4, '0119');
  });

  it('converts amounts as ISO 4217 minor units for zero-, two- and three-decimal currencies', async () => {
    const cases: [string, number, number][] = [['JPY', 1250, 1250], ['KWD', 1250, 1250], ['BHD', 12345, 12345], ['ISK', 1500, 1500], ['MGA', 100020, 100020], ['CLP', 5000, 5000]];
    for (const [currency, zettleMinor, isoMinor] of cases) {
      const env = withPayload(chipFixture, (p) => {
        p.currency = currency;
        p.amount = zettleMinor;
        (p.payments as Record<string, unknown>[])[0]!.amount = zettleMinor;
      });
      const e = await accept(signed(env));
      assert.deepEqual(e.amount, { minor: isoMinor, currency }, currency);
    }
  });

  it('counts only what the card paid of a split card + cash purchase, keeping the purchase total in metadata', async () => {
    const split = withPayload(chipFixture, (p) => {
      const card = (p.payments as Record<string, unknown>[])[0]!;
      p.payments = [{ ...card, amount: 30000 }, { uuid: 'ec138d2e-8e29-41c0-a4c4-17b2b4ab7f8b', amount: 5300, type: 'IZETTLE_CASH', attributes: { changeAmount: 0, handedAmount: 5300 } }];
    });
    const e = await accept(signed(split));
    assert.deepEqual(e.amount, { minor: 30000, currency: 'GBP' });
    assert.equal(e.metadata.purchaseAmount, '35300');
  });

  it('scrubs a card number typed into a field it passes on, and never passes on the masked PAN or EMV data', async () => {
    const env = withPayload(chipFixture, (p) => {
      p.userDisplayName = 'till 4111 1111 1111 1111';
    });
    const e = await accept(signed(env));
    assert.equal(e.metadata.employee, 'till [redacted card number]');
    const text = JSON.stringify(e);
    for (const secret of ['476173******0119', 'A0000000031010', '0000008001', '429579']) assert.equal(text.includes(secret), false, secret);
  });

  it('reads the three spellings of a purchase id as one, so a webhook and a poll give the same event id', () => {
    assert.equal(canonicalPurchaseUuid('WJwt5j7kEeuecKKsB1sX_Q'), '589c2de6-3ee4-11eb-9e70-a2ac075b17fd');
    assert.equal(canonicalPurchaseUuid('589C2DE6-3EE4-11EB-9E70-A2AC075B17FD'), '589c2de6-3ee4-11eb-9e70-a2ac075b17fd');
    assert.equal(canonicalPurchaseUuid('not-an-id'), undefined);
  });

  it('drops a redelivered purchase through the inbox (the same event id)', async () => {
    const inbox = new MemoryInbox();
    const first = await receiveWebhook(zettleSource, signed(chipFixture), { credentials: CREDENTIALS, inbox });
    const again = await receiveWebhook(zettleSource, signed(chipFixture), { credentials: CREDENTIALS, inbox });
    assert.equal(first.events.length, 1);
    assert.equal(again.status, 200);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.report.duplicates, ['zettle:7cdf4ae2-a110-11eb-a7f9-24cfef8c2970']);
  });

  it('accepts the simulator\'s deliveries (sandbox) for every scenario it offers', async () => {
    for (const scenario of ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe'] as const) {
      const d = zettleDelivery(scenario, KEY, { amount: 995, last4: '4242' });
      const e = await accept(request(d.body, d.headers));
      assert.equal(e.kind, 'payment');
      assert.deepEqual(e.amount, { minor: 995, currency: 'GBP' });
      assert.equal(e.card?.entryMode, { chip: 'chip', contactless: 'contactless', apple_pay: 'contactless', google_pay: 'contactless', swipe: 'swipe' }[scenario]);
    }
    const refund = zettleDelivery('partial_refund', KEY, { amount: 300, refundsPurchaseUuid: '589c2de6-3ee4-11eb-9e70-a2ac075b17fd' });
    const r = await accept(request(refund.body, refund.headers));
    assert.equal(r.paymentId, '589c2de6-3ee4-11eb-9e70-a2ac075b17fd');
    const test = zettleDelivery('test', KEY);
    assert.equal((await receiveWebhook(zettleSource, request(test.body, test.headers), { credentials: CREDENTIALS })).report.control?.kind, 'test');
  });
});

describe('Zettle source: polling the Purchase API', () => {
  nockOffline();
  before(() => nock.cleanAll());

  const credentials = zettleSource.credentials.parse({ signingKey: KEY, accessToken: 'zettle-token' });
  const ctx = { http: axiosTransport(), now: () => AT };
  const SALE = '589c2de6-3ee4-11eb-9e70-a2ac075b17fd';
  const REF1 = 'd71e814c-d705-43e7-ac9c-831449d5fc99';

  it('pages through purchases oldest first with lastPurchaseHash, skipping cash, and works out each refund\'s cumulative total', async () => {
    const since = new Date('2020-12-15T00:00:00Z');
    const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer zettle-token' } })
      .get('/purchases/v2')
      .query({ startDate: since.toISOString(), limit: '2', descending: 'false' })
      .reply(200, page1)
      .get('/purchases/v2')
      .query({ limit: '2', descending: 'false', lastPurchaseHash: page1.lastPurchaseHash })
      .reply(200, page2)
      // Refund 1: the other refund the sale lists was made after it, so it is the whole refunded total so far.
      .get(`/purchase/v2/${SALE}`)
      .reply(200, saleFixture)
      .get(`/purchase/v2/${String(page2.purchases[1]!.purchaseUUID1)}`)
      .reply(200, page2.purchases[1])
      // Refund 2: refund 1 was made before it, and is fetched for its amount.
      .get(`/purchase/v2/${SALE}`)
      .reply(200, saleFixture)
      .get(`/purchase/v2/${REF1}`)
      .reply(200, refund1Fixture)
      .get('/purchases/v2')
      .query({ limit: '2', descending: 'false', lastPurchaseHash: page2.lastPurchaseHash })
      .reply(200, page3);

    const first = await zettleSource.list!(credentials, { cursor: null, since, limit: 2 }, ctx);
    assert.deepEqual(first.events.map((e) => [e.id, e.kind, e.paymentId, e.amount.minor]), [[`zettle:${SALE}`, 'payment', SALE, 70000]]);
    assert.equal(first.events[0]!.occurredAt, '2020-12-15T14:46:43.592Z');
    assert.equal(first.cursor, page1.lastPurchaseHash);
    assert.equal(first.more, true);

    const second = await zettleSource.list!(credentials, { cursor: first.cursor, since, limit: 2 }, ctx);
    assert.deepEqual(
      second.events.map((e) => [e.id, e.kind, e.paymentId, e.amount.minor, e.refundedTotal?.minor, e.status]),
      [
        [`zettle:${REF1}`, 'refund', SALE, 15000, 15000, 'partially_refunded'],
        ['zettle:e37d63c2-97af-4bec-b6ac-1cf212f97d90', 'refund', SALE, 25000, 40000, 'partially_refunded'],
      ],
    );
    assert.equal(second.more, true);

    const third = await zettleSource.list!(credentials, { cursor: second.cursor, since, limit: 2 }, ctx);
    assert.deepEqual(third, { events: [], cursor: page2.lastPurchaseHash, more: false });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
  });

  it('goes on from its position after the poller was down longer than the poll\'s since, where startDate dropped what was sold meanwhile', async () => {
    // A poll's since is a day before each poll (poll-source.ts); the position is the last page's lastPurchaseHash.
    // Zettle lists from startDate ("inclusive") and after lastPurchaseHash, so both together leave out the sale made
    // between the two: here three days before the poll, while the poller was down.
    const now = new Date('2020-12-18T14:00:00Z');
    const since = new Date(now.getTime() - 24 * 3_600_000);
    const asked: Record<string, unknown>[] = [];
    const http: HttpTransport = {
      async request(req) {
        assert.equal(req.url, `${PURCHASE_API}/purchases/v2`);
        // What the transports send: a parameter left undefined is not sent.
        asked.push(Object.fromEntries(Object.entries(req.qs ?? {}).filter(([, v]) => v !== undefined)));
        const from = typeof req.qs?.startDate === 'string' ? Date.parse(req.qs.startDate) : 0;
        const listed = Date.parse(saleFixture.timestamp.replace('+0000', 'Z')) >= from ? [saleFixture] : [];
        return { status: 200, headers: {}, body: { purchases: listed, ...(listed.length ? { firstPurchaseHash: '1608043603592WJwt5j7kEeuecKKsB1sX_Q', lastPurchaseHash: '1608043603592WJwt5j7kEeuecKKsB1sX_Q' } : {}), linkUrls: [] } };
      },
    };
    const out = await zettleSource.list!(credentials, { cursor: '1608040000000Odi3BjWLEeuollr2KMFqhA', since, limit: 100 }, { http, now: () => now });
    assert.deepEqual(out.events.map((e) => e.id), [`zettle:${SALE}`]);
    assert.equal(out.cursor, '1608043603592WJwt5j7kEeuecKKsB1sX_Q');
    assert.deepEqual(asked, [{ lastPurchaseHash: '1608040000000Odi3BjWLEeuollr2KMFqhA', limit: 100, descending: false }]);
  });

  it('works out a refund\'s cumulative total by the refunds\' own times, whatever order the sale lists them in (Zettle documents none)', async () => {
    const newestFirst = { ...saleFixture, refundedByPurchaseUUIDs1: [...saleFixture.refundedByPurchaseUUIDs1].reverse() };
    const [ref1, ref2] = page2.purchases as unknown as Record<string, unknown>[];
    const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer zettle-token' } })
      .get('/purchases/v2').query(true).reply(200, { purchases: [ref1, ref2], lastPurchaseHash: 'h9' })
      .get(`/purchase/v2/${SALE}`).reply(200, newestFirst)
      .get(`/purchase/v2/${String(ref2!.purchaseUUID1)}`).reply(200, ref2)
      .get(`/purchase/v2/${SALE}`).reply(200, newestFirst)
      .get(`/purchase/v2/${REF1}`).reply(200, ref1);
    const out = await zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(out.events.map((e) => [e.amount.minor, e.refundedTotal?.minor]), [[15000, 15000], [25000, 40000]]);
  });

  it('gives a polled purchase the event id its webhook has', async () => {
    nock(PURCHASE_API).get('/purchases/v2').query(true).reply(200, { ...page1, purchases: [saleFixture] });
    const polled = await zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
    const pushed = zettleDelivery('contactless', KEY, { purchaseUuid: SALE });
    const e = await accept(request(pushed.body, pushed.headers));
    assert.equal(polled.events[0]!.id, e.id);
  });

  it('marks a refund that brings the sale to its full amount as refunded', async () => {
    const full = { ...saleFixture, refundedByPurchaseUUIDs1: [REF1] };
    const refund = { ...refund1Fixture, payments: [{ ...refund1Fixture.payments[0]!, amount: -70000 }], amount: -70000 };
    nock(PURCHASE_API).get('/purchases/v2').query(true).reply(200, { purchases: [refund], lastPurchaseHash: 'h1' }).get(`/purchase/v2/${SALE}`).reply(200, full);
    const out = await zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
    assert.deepEqual(out.events.map((e) => [e.status, e.refundedTotal?.minor]), [['refunded', 70000]]);
  });

  it('names the access token when Zettle refuses it, and asks for one when there is none', async () => {
    nock(PURCHASE_API).get('/purchases/v2').query(true).reply(401, { error: 'invalid_token' });
    await assert.rejects(zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx), /^InputError: accessToken: Zettle refused the access token \(HTTP 401\).*Fix: .*READ:PURCHASE/);
    // Asked for by the poll's own schema (listCredentials), where the worker checks a polled source at start.
    assert.throws(() => pollCredentials(zettleSource, { signingKey: KEY }), /^InputError: apiKey: polling Zettle needs an API key \(or an access token\)\. Fix: .*READ:PURCHASE.*; fill in "apiKey" and "clientId" in the Zettle by PayPal credential \(or set ZETTLE_API_KEY and ZETTLE_CLIENT_ID for the sandbox and the worker\)$/);
    assert.doesNotThrow(() => pollCredentials(zettleSource, { accessToken: 'token' }));
    assert.doesNotThrow(() => pollCredentials(zettleSource, { apiKey: 'key', clientId: 'client' }));
    // The webhook alone needs neither: its schema takes the signing key by itself.
    assert.doesNotThrow(() => zettleSource.credentials.parse({ signingKey: KEY }));
    await assert.rejects(zettleSource.list!(zettleSource.credentials.parse({ signingKey: KEY }), { cursor: null, limit: 10 }, ctx), /^Error: Zettle polling was given credentials not parsed by zettleSource\.listCredentials/);
  });

  it('reports a rate limit as an error to retry, not as an empty page', async () => {
    nock(PURCHASE_API).get('/purchases/v2').query(true).reply(429, '');
    await assert.rejects(zettleSource.list!(credentials, { cursor: 'h1', limit: 10 }, ctx), /ZettleApiError: Zettle Purchase API answered 429 listing purchases \(rate limited; retry later\)/);
  });
});


/** The chip sale and its partial refund, as the refund suites below read them back through the Purchase API. */
const SALE = '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970';
const REFUND = 'd71e814c-d705-43e7-ac9c-831449d5fc99';
const withToken = { signingKey: KEY, accessToken: 'zettle-token' };
/**
 * The sale as GET /purchase/v2/{uuid} answers once refunded: the Pusher payload's purchase with its refund listed,
 * and its own payments or those given.
 */
const saleRead = (payments?: unknown[]) => {
  const sale = JSON.parse(chipFixture.payload) as Record<string, unknown>;
  return { ...sale, purchaseUUID1: SALE, refund: false, refunded: true, refundedByPurchaseUUIDs1: [REFUND], ...(payments ? { payments } : {}) };
};
const receive = (env: Envelope, credentials: object = withToken) => receiveWebhook(zettleSource, signed(env), { credentials, http: axiosTransport() });
/** An event through Match Customer and CRM Upsert into this store, as a flow takes it. */
const upsertInto = (crm: Parameters<typeof upsertStep>[1]) => async (e: PaymentEvent) =>
  (await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(e)), testKeys()), crm)], crm))[0]!;

/** The refund, upserted, belongs to the chip sale's customer, whose totals and the sale's ledger state show `refundedMinor` back. */
async function refundedAgainstChipSale(db: SqlDatabase, upserted: ReturnType<ReturnType<typeof upsertInto>>, customerId: string, refundedMinor: number, status: string): Promise<void> {
  assert.equal((await upserted).crm!.customerId, customerId, 'the refund belongs to the sale\'s customer');
  assert.deepEqual(await totalsOf(db, customerId), [{ currency: 'GBP', payments: 1, grossMinor: 35300, refundedMinor, netMinor: 35300 - refundedMinor }]);
  const state = (await paymentState(db, 'zettle', SALE))!;
  assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [refundedMinor, 35300 - refundedMinor, status]);
}

/**
 * The Purchase API mocked for one suite: nock active (the polling suite restores the HTTP modules it patched when it
 * ends), no real connection, and each test's mocks cleared after it.
 */
function mockPurchaseApi(): void {
  before(() => {
    if (!nock.isActive()) nock.activate();
  });
  after(() => nock.restore());
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}

describe('Zettle source: a card sale refunded in cash', () => {
  mockPurchaseApi();

  /** The partial refund of the chip sale, paid back from the till (Purchase API "Payment types": IZETTLE_CASH). */
  const inCash = withPayload(refundFixture, (p) => {
    p.payments = [{ uuid: 'a91d3c52-a1d4-11eb-8a3b-2f4e5d6c7b8a', amount: -10000, type: 'IZETTLE_CASH', attributes: { handedAmount: -10000 } }];
  });

  it('counts it against the sale once the sale read shows a card sale: the customer\'s totals and the ledger take it back, refund.toCard false', async () => {
    const s = await tempStore();
    try {
      const upsert = upsertInto(s.crm);
      const sale = await upsert(await accept(signed(chipFixture)));
      const customerId = sale.crm!.customerId!;

      const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer zettle-token' } }).get(`/purchase/v2/${SALE}`).reply(200, saleRead());
      const out = await receive(inCash);
      assert.ok(api.isDone());
      assert.equal(out.events.length, 1, JSON.stringify(out.report));
      const e = out.events[0]!;
      assert.deepEqual(
        [e.kind, e.paymentId, e.amount, e.refundedTotal, e.refund, e.status, e.metadata.refundPaymentTypes, e.card?.last4],
        ['refund', SALE, { minor: 10000, currency: 'GBP' }, { minor: 10000, currency: 'GBP' }, { cumulative: false, toCard: false }, 'partially_refunded', 'IZETTLE_CASH', '0119'],
      );
      await refundedAgainstChipSale(s.db, upsert(e), customerId, 10000, 'partially_refunded');
    } finally {
      await s.remove();
    }
  });

  it('goes by the payment the refund names: a refund of the card part of a split sale counts, one of its cash part does not', async () => {
    const card = (JSON.parse(chipFixture.payload) as { payments: Record<string, unknown>[] }).payments[0]!;
    const split = [{ ...card, amount: 30000 }, { uuid: 'ec138d2e-8e29-41c0-a4c4-17b2b4ab7f8b', amount: 5300, type: 'IZETTLE_CASH', attributes: { changeAmount: 0, handedAmount: 5300 } }];
    const naming = (refundsPayment: string) => withPayload(inCash, (p) => {
      (p.payments as Record<string, unknown>[])[0]!.references = { refundsPayment };
    });
    nock(PURCHASE_API).get(`/purchase/v2/${SALE}`).times(3).reply(200, saleRead(split));
    const ofCard = await receive(naming(String(card.uuid)));
    assert.deepEqual(ofCard.events.map((e) => [e.kind, e.amount.minor, e.refund?.toCard]), [['refund', 10000, false]]);
    const ofCash = await receive(naming('ec138d2e-8e29-41c0-a4c4-17b2b4ab7f8b'));
    assert.deepEqual(ofCash.events, []);
    assert.match(ofCash.report.ignored.join(), /paid back with IZETTLE_CASH for a payment of the sale not taken on a card reader/);
    // Naming none, a split sale's refund in cash could be of either part: not counted.
    const ofEither = await receive(inCash);
    assert.deepEqual(ofEither.events, []);
    assert.match(ofEither.report.ignored.join(), /naming no payment of the sale it refunds, which was paid with IZETTLE_CARD \+ IZETTLE_CASH: it could be of the part not paid by card/);
  });

  it('ignores it without an access token, and ignores a cash sale\'s refund in cash, saying why', async () => {
    const noToken = await receive(inCash, CREDENTIALS);
    assert.deepEqual([noToken.status, noToken.events], [200, []]);
    assert.match(noToken.report.ignored.join(), /paid back with IZETTLE_CASH, not on a card reader, and the sale it refunds was not read \(that takes an access token\)/);
    nock(PURCHASE_API).get(`/purchase/v2/${SALE}`).reply(200, saleRead([{ uuid: '8031c38c-a110-11eb-a6f8-25ceee8d2871', amount: 35300, type: 'IZETTLE_CASH', attributes: { changeAmount: 0, handedAmount: 35300 } }]));
    const cashSale = await receive(inCash);
    assert.deepEqual(cashSale.events, []);
    assert.match(cashSale.report.ignored.join(), /the sale it refunds was not paid on a card reader/);
  });
});

describe('Zettle source: a refund paid back partly to the card and partly in cash', () => {
  mockPurchaseApi();

  /** The chip sale's one payment: IZETTLE_CARD, 353.00 GBP. */
  const SALE_CARD = '8031c38c-a110-11eb-a6f8-25ceee8d2871';
  const SALE_CASH = 'ec138d2e-8e29-41c0-a4c4-17b2b4ab7f8b';
  const card = (JSON.parse(refundFixture.payload) as { payments: Record<string, unknown>[] }).payments[0]!;
  /** A refund's card-reader part, as the refund fixture's payment (purchase.adoc: negative amount, references.refundsPayment). */
  const cardPart = (amount: number) => ({ ...card, amount: -amount, references: { refundsPayment: SALE_CARD } });
  /** Its part paid back from the till (Payment types → IZETTLE_CASH: handedAmount), naming the payment it refunds or none. */
  const cashPart = (amount: number, refundsPayment?: string) => ({
    uuid: 'a91d3c52-a1d4-11eb-8a3b-2f4e5d6c7b8a',
    amount: -amount,
    type: 'IZETTLE_CASH',
    attributes: { handedAmount: -amount },
    ...(refundsPayment ? { references: { refundsPayment } } : {}),
  });
  const refundOf = (...payments: Record<string, unknown>[]) => withPayload(refundFixture, (p) => {
    p.payments = payments.map((x) => JSON.parse(JSON.stringify(x)) as unknown);
    const total = payments.reduce((sum, x) => sum + (x.amount as number), 0);
    p.amount = total;
  });
  const counted = (e: PaymentEvent) => [e.amount.minor, e.refundedTotal?.minor, e.refund?.toCard, e.status];

  it('counts a refund of the chip sale paid back 253.00 to the card and 100.00 in cash in full: the customer\'s totals and the ledger take back 353.00, refund.toCard false', async () => {
    const s = await tempStore();
    try {
      const upsert = upsertInto(s.crm);
      const sale = await upsert(await accept(signed(chipFixture)));
      const customerId = sale.crm!.customerId!;

      const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer zettle-token' } }).get(`/purchase/v2/${SALE}`).reply(200, saleRead());
      const out = await receive(refundOf(cardPart(25300), cashPart(10000, SALE_CARD)));
      assert.ok(api.isDone());
      assert.equal(out.events.length, 1, JSON.stringify(out.report));
      const e = out.events[0]!;
      assert.deepEqual(
        [e.kind, e.paymentId, e.amount, e.refundedTotal, e.refund, e.status, e.card?.last4],
        ['refund', SALE, { minor: 35300, currency: 'GBP' }, { minor: 35300, currency: 'GBP' }, { cumulative: false, toCard: false }, 'refunded', '0119'],
      );
      assert.deepEqual([e.metadata.refundPaymentTypes, e.metadata.cardPaymentUuid, e.metadata.refundPaymentUuid], ['IZETTLE_CARD,IZETTLE_CASH', card.uuid, 'a91d3c52-a1d4-11eb-8a3b-2f4e5d6c7b8a']);
      await refundedAgainstChipSale(s.db, upsert(e), customerId, 35300, 'refunded');
    } finally {
      await s.remove();
    }
  });

  it('goes by the payment each part names, and by the sale when the cash part names none', async () => {
    // The chip sale, paid on the card reader alone: a cash part naming nothing can only be of the card payment.
    nock(PURCHASE_API).get(`/purchase/v2/${SALE}`).reply(200, saleRead());
    assert.deepEqual((await receive(refundOf(cardPart(5000), cashPart(5000)))).events.map(counted), [[10000, 10000, false, 'partially_refunded']]);
    // A split sale (300.00 card, 53.00 cash): the cash part counts when it names the card payment, not when it names
    // the cash payment, and naming none it could be of either, so only the card part counts (and went to the card).
    const saleCard = (JSON.parse(chipFixture.payload) as { payments: Record<string, unknown>[] }).payments[0]!;
    const split = [{ ...saleCard, amount: 30000 }, { uuid: SALE_CASH, amount: 5300, type: 'IZETTLE_CASH', attributes: { changeAmount: 0, handedAmount: 5300 } }];
    nock(PURCHASE_API).get(`/purchase/v2/${SALE}`).times(3).reply(200, saleRead(split));
    assert.deepEqual((await receive(refundOf(cardPart(20000), cashPart(5000, SALE_CARD)))).events.map(counted), [[25000, 25000, false, 'partially_refunded']]);
    assert.deepEqual((await receive(refundOf(cardPart(20000), cashPart(5300, SALE_CASH)))).events.map(counted), [[20000, 20000, undefined, 'partially_refunded']]);
    assert.deepEqual((await receive(refundOf(cardPart(20000), cashPart(5300)))).events.map(counted), [[20000, 20000, undefined, 'partially_refunded']]);
  });

  it('without an access token counts the cash part that names the payment the card part refunds, and not one naming none', async () => {
    const named = (await receive(refundOf(cardPart(25300), cashPart(10000, SALE_CARD)), CREDENTIALS)).events;
    assert.deepEqual(named.map(counted), [[35300, 35300, false, 'partially_refunded']]);
    const unnamed = (await receive(refundOf(cardPart(25300), cashPart(10000)), CREDENTIALS)).events;
    assert.deepEqual(unnamed.map(counted), [[25300, 25300, undefined, 'partially_refunded']]);
  });

  it('polling counts each split refund in full and in the cumulative total, which brings the sale to refunded in the ledger', async () => {
    const credentials = zettleSource.credentials.parse(withToken);
    const ctx = { http: axiosTransport(), now: () => AT };
    const POLLED_SALE = String(saleFixture.purchaseUUID1);
    const saleCard = String(saleFixture.payments[0]!.uuid);
    const [ref1, ref2] = page2.purchases as unknown as Record<string, unknown>[];
    const split = (refund: Record<string, unknown>, cashUuid: string, cardMinor: number, cashMinor: number, names: string | undefined) => ({
      ...refund,
      amount: -(cardMinor + cashMinor),
      payments: [
        { ...(refund.payments as Record<string, unknown>[])[0]!, amount: -cardMinor },
        { uuid: cashUuid, amount: -cashMinor, type: 'IZETTLE_CASH', attributes: { handedAmount: -cashMinor }, ...(names ? { references: { refundsPayment: names } } : {}) },
      ],
    });
    // 150.00 SEK back as 100.00 to the card and 50.00 in cash of the card payment; then 550.00 as 400.00 and 150.00,
    // the cash naming nothing (the sale was paid on the card reader alone): 700.00 of the 700.00 sale.
    const first = split(ref1!, '1f0c9a5e-3fd0-11eb-b378-0242ac130002', 10000, 5000, saleCard);
    const second = split(ref2!, '4b7e2d10-4047-11eb-b378-0242ac130002', 40000, 15000, undefined);
    const api = nock(PURCHASE_API, { reqheaders: { authorization: 'Bearer zettle-token' } })
      .get('/purchases/v2')
      .query(true)
      .reply(200, { purchases: [saleFixture, first, second], lastPurchaseHash: 'h1' })
      .get(`/purchase/v2/${POLLED_SALE}`)
      .reply(200, saleFixture)
      // The first refund reads the second, which was made after it, so counts for it nothing.
      .get(`/purchase/v2/${String(ref2!.purchaseUUID1)}`)
      .reply(200, second)
      .get(`/purchase/v2/${POLLED_SALE}`)
      .reply(200, saleFixture)
      .get(`/purchase/v2/${String(ref1!.purchaseUUID1)}`)
      .reply(200, first);
    const polled = await zettleSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(
      polled.events.map((e) => [e.kind, ...counted(e)]),
      [
        ['payment', 70000, undefined, undefined, 'succeeded'],
        ['refund', 15000, 15000, false, 'partially_refunded'],
        ['refund', 55000, 70000, false, 'refunded'],
      ],
    );
    const s = await tempStore();
    try {
      let customerId: string | undefined;
      for (const e of polled.events) {
        const out = (await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(e)), testKeys()), s.crm)], s.crm))[0]!;
        customerId ??= out.crm!.customerId!;
        assert.equal(out.crm!.customerId, customerId);
      }
      assert.deepEqual(await totalsOf(s.db, customerId!), [{ currency: 'SEK', payments: 1, grossMinor: 70000, refundedMinor: 70000, netMinor: 0 }]);
      const state = (await paymentState(s.db, 'zettle', POLLED_SALE))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [70000, 0, 'refunded']);
    } finally {
      await s.remove();
    }
  });
});
