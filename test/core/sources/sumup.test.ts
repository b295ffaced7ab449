import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook, type ReceiveOptions } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { sumupEventSignature, sumupSource } from '../../../nodes/core/sources/sumup';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { sumupApiStub, sumupDelivery } from '../../../sandbox/simulator/sumup-events';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import checkoutFixture from './fixtures/sumup/checkout.json';
import checkoutChanged from './fixtures/sumup/checkout-status-changed.json';
import readersCreated from './fixtures/sumup/event-readers-created.json';
import history1 from './fixtures/sumup/history-page-1.json';
import history2 from './fixtures/sumup/history-page-2.json';
import readerCallback from './fixtures/sumup/reader-checkout-status-change.json';
import txCancelled from './fixtures/sumup/transaction-cancelled.json';
import txApplePay from './fixtures/sumup/transaction-contactless-apple-pay.json';
import txChargeback from './fixtures/sumup/transaction-chargeback.json';
import txChip from './fixtures/sumup/transaction-chip.json';
import txEcom from './fixtures/sumup/transaction-ecom.json';
import txFailed from './fixtures/sumup/transaction-failed.json';
import txFallback from './fixtures/sumup/transaction-magstripe-fallback.json';
import txKeyed from './fixtures/sumup/transaction-manual-entry.json';
import txRefunded from './fixtures/sumup/transaction-refunded-partially.json';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

const SUMUP = 'https://api.sumup.com';
const SECRET = 'whsec_sumup_test_secret';
const TOKEN = 'sup_sk_test_token';
const MC = 'MH4H92C7';
const CLIENT_ID = readerCallback.payload.client_transaction_id;
const AT = new Date('2024-06-12T10:57:00Z');
const TS = Math.floor(AT.getTime() / 1000);
const CREDENTIALS = { accessToken: TOKEN, signingSecret: SECRET };
const ledgerDir = tempDir('tcrm-sumup-');
after(async () => {
  await closeAllDatabases();
  ledgerDir.remove();
});

/** SumUp's SDK recipe (sumup-rs events_handler.rs), written out here independently of the source. */
const sdkSignature = (body: string, ts = TS, secret = SECRET) => `v1=${createHmac('sha256', secret).update(`v1:${ts}:`).update(body).digest('hex')}`;

function request(body: unknown, headers: Record<string, string> = {}, receivedAt = AT): WebhookRequest {
  return { rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), headers: { 'content-type': 'application/json', ...headers }, method: 'POST', url: 'https://crm.example.com/webhooks/sumup', receivedAt };
}

function signed(body: unknown, ts = TS, secret = SECRET): WebhookRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return request(text, { 'x-sumup-webhook-signature': sdkSignature(text, ts, secret), 'x-sumup-webhook-timestamp': String(ts) });
}

const receive = (req: WebhookRequest, options: Partial<ReceiveOptions> = {}) =>
  receiveWebhook(sumupSource, req, { credentials: CREDENTIALS, http: axiosTransport(), now: () => AT, ...options });

/** SumUp answers the transaction lookup `query` with `body` (404 when null), for the access token. */
function serveTransaction(query: Record<string, string>, body: object | null, merchant: string | null = MC) {
  return nock(SUMUP, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(merchant ? `/v2.1/merchants/${merchant}/transactions` : '/v0.1/me/transactions')
    .query(query)
    .reply(body ? 200 : 404, body ?? { error_code: 'NOT_FOUND', message: 'Resource not found' });
}

function assertNoPan(out: unknown): void {
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
}

/** The reader callback for a transaction fixture, answered with it. */
async function acceptTransaction(transaction: object, options: Partial<ReceiveOptions> = {}): Promise<PaymentEvent[]> {
  const api = serveTransaction({ client_transaction_id: CLIENT_ID }, transaction);
  const out = await receive(signed(readerCallback), options);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the transaction was not fetched');
  assertNoPan(out);
  return out.events;
}

describe('SumUp source', () => {
  nockOffline();

  describe('signatures', () => {
    it('signs as SumUp\'s SDK verifies: v1=<hex HMAC-SHA256 of "v1:<timestamp>:<body>">', () => {
      const body = JSON.stringify(readerCallback);
      assert.equal(sumupEventSignature(SECRET, TS, body), sdkSignature(body));
    });

    it('accepts a signed reader callback and fetches the transaction it names', async () => {
      const events = await acceptTransaction(txChip);
      assert.deepEqual(events.map((e) => e.id), ['sumup:410fc44a-5956-44e1-b5cc-19c6f8d727a4']);
    });

    it('rejects a changed body, another secret, a malformed header, a missing timestamp, with the reason', async () => {
      const tampered = signed(readerCallback);
      tampered.rawBody = Buffer.from(tampered.rawBody.toString().replace('"successful"', '"failed"'));
      assert.notEqual(tampered.rawBody.toString(), JSON.stringify(readerCallback));
      const noTs = signed(readerCallback);
      delete noTs.headers['x-sumup-webhook-timestamp'];
      const cases: [WebhookRequest, RegExp][] = [
        [tampered, /does not match the body/],
        [signed(readerCallback, TS, 'another-secret'), /does not match the body/],
        [request(readerCallback, { 'x-sumup-webhook-signature': 'sha256=abc', 'x-sumup-webhook-timestamp': String(TS) }), /is not "v1=<hex>"/],
        [noTs, /X-SumUp-Webhook-Timestamp header is missing/],
        [request(readerCallback), /unsigned .* but a signing secret is configured/],
      ];
      for (const [req, reason] of cases) {
        const out = await receive(req);
        assert.equal(out.status, 400, JSON.stringify(out));
        assert.match(out.rejected ?? '', reason);
        assert.deepEqual(out.events, []);
      }
      assert.deepEqual(nock.pendingMocks(), []);
    });

    it('rejects a signature older or newer than the SDK\'s five minutes', async () => {
      for (const ts of [TS - 301, TS + 301]) {
        const out = await receive(signed(readerCallback, ts));
        assert.equal(out.status, 400);
        assert.match(out.rejected ?? '', /^the signature's timestamp is 301 s away from now, outside the 300 s tolerance$/);
      }
      const api = serveTransaction({ client_transaction_id: CLIENT_ID }, txChip);
      assert.equal((await receive(signed(readerCallback, TS - 299))).status, 200);
      assert.ok(api.isDone());
    });

    it('checks the X-Payload-Signature of SumUp\'s webhook guide too', async () => {
      const body = JSON.stringify(readerCallback);
      const sig = createHmac('sha256', SECRET).update(body).digest('hex');
      serveTransaction({ client_transaction_id: CLIENT_ID }, txChip);
      assert.equal((await receive(request(body, { 'x-payload-signature': sig }))).events.length, 1);
      const bad = await receive(request(body.replace('MH4H92C7', 'MH4H92C8'), { 'x-payload-signature': sig }));
      assert.equal(bad.status, 400);
      assert.match(bad.rejected ?? '', /X-Payload-Signature does not match/);
    });

    it('without a signing secret takes an unsigned notification as a hint only: what counts is the transaction SumUp returns', async () => {
      const api = serveTransaction({ client_transaction_id: CLIENT_ID }, txFailed);
      // The hint says "successful"; SumUp says the transaction failed, and that is what is passed on.
      const out = await receive(request(readerCallback), { credentials: { accessToken: TOKEN } });
      assert.ok(api.isDone());
      assert.deepEqual(out.events.map((e) => [e.kind, e.status]), [['failure', 'failed']]);
    });

    it('answers 500 with the fix when no access token is configured', async () => {
      for (const credentials of [{ signingSecret: SECRET }, { accessToken: '  ', signingSecret: SECRET }]) {
        const out = await receive(signed(readerCallback), { credentials });
        assert.equal(out.status, 500);
        assert.match(out.misconfigured ?? '', /^accessToken: .*Fix: .*SUMUP_ACCESS_TOKEN/);
      }
    });

    it('fails loudly (the engine answers 500, SumUp retries) without an HTTP transport or when SumUp\'s API fails', async () => {
      await assert.rejects(receive(signed(readerCallback), { http: undefined }), /no HTTP transport/);
      nock(SUMUP).get(`/v2.1/merchants/${MC}/transactions`).query(true).reply(502, { title: 'Bad Gateway', detail: 'upstream unavailable' });
      await assert.rejects(receive(signed(readerCallback)), /SumUpApiError: SumUp answered 502 fetching transaction client_transaction_id=.*: upstream unavailable/);
    });
  });

  describe('hints', () => {
    it('acknowledges an event type that names no payment (readers.created) without fetching', async () => {
      const out = await receive(signed(readersCreated));
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(), /"readers\.created" is not processed/);
    });

    it('follows a checkout notification to its transactions, and ignores an online one', async () => {
      const checkout = nock(SUMUP).get(`/v0.1/checkouts/${checkoutChanged.id}`).reply(200, checkoutFixture);
      const tx = serveTransaction({ id: checkoutFixture.transaction_id }, { ...txEcom, id: checkoutFixture.transaction_id });
      const out = await receive(signed(checkoutChanged));
      assert.ok(checkout.isDone() && tx.isDone());
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(), /is ECOM, not a card at a reader \(POS\)/);
    });

    it('passes on the card-present transaction a checkout led to', async () => {
      nock(SUMUP).get(`/v0.1/checkouts/${checkoutChanged.id}`).reply(200, checkoutFixture);
      serveTransaction({ id: checkoutFixture.transaction_id }, { ...txChip, id: checkoutFixture.transaction_id });
      const out = await receive(signed(checkoutChanged));
      assert.deepEqual(out.events.map((e) => e.id), [`sumup:${checkoutFixture.transaction_id}`]);
    });

    it('acknowledges a hint naming a transaction SumUp does not have (a forged hint can do no more)', async () => {
      serveTransaction({ client_transaction_id: CLIENT_ID }, null);
      serveTransaction({ id: readerCallback.payload.transaction_id }, null);
      const out = await receive(signed(readerCallback));
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(), /SumUp has no transaction urn:sumup:pos:sale/);
    });
  });

  describe('normalize', () => {
    it('maps a chip transaction field by field, the decimal amount to minor units', async () => {
      const [e] = await acceptTransaction(txChip);
      assert.deepEqual(e, {
        schemaVersion: 1,
        id: 'sumup:410fc44a-5956-44e1-b5cc-19c6f8d727a4',
        source: 'sumup',
        type: 'PAYMENT',
        kind: 'payment',
        paymentId: '410fc44a-5956-44e1-b5cc-19c6f8d727a4',
        amount: { minor: 1010, currency: 'EUR' },
        status: 'succeeded',
        occurredAt: '2020-02-29T10:56:56.876Z',
        livemode: true,
        card: { brand: 'visa', last4: '3456', funding: 'credit', entryMode: 'chip' },
        terminal: { readerId: 'c3a1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b' },
        customerHints: {},
        metadata: {
          transactionCode: 'TEENSK4W2K',
          merchantCode: 'MH4H92C7',
          clientTransactionId: 'urn:sumup:pos:sale:MNKKNGST:1D4E3B2D-111D-48D7-9AF0-832DAEF63DD7;2',
          status: 'SUCCESSFUL',
          simpleStatus: 'SUCCESSFUL',
          entryMode: 'CHIP',
          verificationMethod: 'online PIN',
          tipAmount: '0',
          vatAmount: '1.61',
          productSummary: 'Flat white',
          employee: 'merchant@example.com',
        },
      });
    });

    it('maps Apple Pay, magnetic-stripe fallback and manual entry', async () => {
      const [tap] = await acceptTransaction(txApplePay);
      assert.deepEqual(tap!.card, { brand: 'mastercard', last4: '4444', funding: 'debit', entryMode: 'contactless', wallet: 'apple_pay' });
      assert.deepEqual(tap!.amount, { minor: 450, currency: 'EUR' });
      const [fallback] = await acceptTransaction(txFallback);
      assert.deepEqual([fallback!.card?.brand, fallback!.card?.entryMode, fallback!.amount], ['maestro', 'fallback', { minor: 2300, currency: 'GBP' }]);
      const [keyed] = await acceptTransaction(txKeyed);
      assert.deepEqual([keyed!.card?.brand, keyed!.card?.entryMode, keyed!.amount], ['amex', 'keyed', { minor: 15000, currency: 'CHF' }]);
    });

    it('maps a failed transaction to a failure', async () => {
      const [e] = await acceptTransaction(txFailed);
      assert.deepEqual([e!.id, e!.type, e!.kind, e!.status, e!.amount.minor, e!.failure], ['sumup:8f4a5b6c-9d0e-4f1a-2b3c-4d5e6f7a8b9c', 'PAYMENT_FAILED', 'failure', 'failed', 1999, { code: 'FAILED' }]);
    });

    it('maps a CANCELLED transaction to a void of its sale, under an id of its own', async () => {
      const [e, more] = await acceptTransaction(txCancelled);
      assert.equal(more, undefined);
      assert.deepEqual(
        [e!.id, e!.type, e!.kind, e!.status, e!.paymentId, e!.amount, e!.failure, e!.sale],
        ['sumup:410fc44a-5956-44e1-b5cc-19c6f8d727a4:cancelled', 'PAYMENT_CANCELLED', 'failure', 'failed', '410fc44a-5956-44e1-b5cc-19c6f8d727a4', { minor: 1010, currency: 'EUR' }, { code: 'CANCELLED' }, { voided: true }],
      );
      const [sale] = await acceptTransaction(txChip);
      assert.notEqual(sale!.id, e!.id, 'the sale read before keeps its id; the cancellation is news');
    });

    it('takes back a sale SumUp first read SUCCESSFUL and later CANCELLED, once; one never seen successful never counts', async () => {
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'sumup-cancelled.db')}`);
      const record = (events: PaymentEvent[]) => recordPaymentEvents(db, events);
      const id = '410fc44a-5956-44e1-b5cc-19c6f8d727a4';
      await record(await acceptTransaction(txChip));
      assert.deepEqual([(await paymentState(db, 'sumup', id))!.netMinor], [1010]);
      const [cancelled] = await record(await acceptTransaction(txCancelled));
      assert.deepEqual([cancelled!.outcome, cancelled!.delta.refundedMinor], ['recorded', 1010]);
      const state = (await paymentState(db, 'sumup', id))!;
      assert.deepEqual([state.counted, state.netMinor, state.status], [true, 0, 'failed']);
      const [again] = await record(await acceptTransaction(txCancelled));
      assert.equal(again!.outcome, 'duplicate');
      assert.equal((await paymentState(db, 'sumup', id))!.netMinor, 0);

      const never = { ...structuredClone(txCancelled), id: '5e2f0a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', transaction_code: 'TCANCL0E5T' };
      await record(await acceptTransaction(never));
      const attempt = (await paymentState(db, 'sumup', never.id))!;
      assert.deepEqual([attempt.counted, attempt.netMinor, attempt.status], [false, 0, 'failed']);
    });

    it('maps refund events to refunds by their ids with the running total, a failed refund to its reversal, and skips the payout', async () => {
      const events = await acceptTransaction(txRefunded);
      assert.deepEqual(
        events.map((e) => [e.id, e.kind, e.type, e.amount.minor, e.refundedTotal?.minor, e.refund, e.status, e.occurredAt]),
        [
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d', 'payment', 'PAYMENT', 5000, undefined, undefined, 'succeeded', '2024-06-10T09:00:00.000Z'],
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461207', 'refund', 'REFUND', 1250, 1250, { id: '9567461207', cumulative: false }, 'partially_refunded', '2024-06-11T15:30:00.000Z'],
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461344', 'refund', 'REFUND', 750, 2000, { id: '9567461344', cumulative: false }, 'partially_refunded', '2024-06-12T08:15:00.000Z'],
          // FAILED: the refund gave nothing back, so it can never count, whatever order the ledger sees it in.
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461390:failed', 'refund', 'REFUND_FAILED', 3000, 2000, { id: '9567461390', cumulative: false, reversed: true }, 'partially_refunded', '2024-06-12T08:20:00.000Z'],
        ],
      );
    });

    it('reads a transaction whose events carry no time (every TransactionEvent field is optional): a pending refund waits, a standing one takes the transaction\'s', async () => {
      const timeless = {
        ...txChip,
        events: [
          { id: 9567461601, transaction_id: txChip.id, type: 'REFUND', status: 'PENDING', amount: 1.0 },
          { id: 9567461602, transaction_id: txChip.id, type: 'REFUND', status: 'SUCCESSFUL', amount: 2.5 },
        ],
      };
      const events = await acceptTransaction(timeless);
      assert.deepEqual(events.map((e) => [e.kind, e.amount.minor, e.refund?.id, e.occurredAt]), [
        ['payment', 1010, undefined, events[0]!.occurredAt],
        ['refund', 250, '9567461602', events[0]!.occurredAt],
      ]);
      serveTransaction({ client_transaction_id: CLIENT_ID }, { ...timeless, events: [{ ...timeless.events[1]!, timestamp: 'yesterday' }] });
      const unreadable = await receive(signed(readerCallback));
      assert.equal(unreadable.status, 400);
      assert.match(unreadable.rejected ?? '', /events\.timestamp: "yesterday" is not a time/);
    });

    it('reads a sale whose payout is still SCHEDULED (a due_date, no date or timestamp yet), by webhook and by polling', async () => {
      // TransactionEvent: every field optional; a payout planned for a future cycle has only its due_date.
      const scheduled = {
        ...txChip,
        events: [{ id: 9567461500, transaction_id: txChip.id, type: 'PAYOUT', status: 'SCHEDULED', amount: 9.91, fee_amount: 0.19, installment_number: 1 }],
        transaction_events: [{ id: 9567461500, event_type: 'PAYOUT', status: 'SCHEDULED', amount: 9.91, due_date: '2020-03-02', installment_number: 1 }],
      };
      const [sale, ...rest] = await acceptTransaction(scheduled);
      assert.deepEqual([sale!.kind, sale!.amount, rest.length], ['payment', { minor: 1010, currency: 'EUR' }, 0]);
      const detailed = await acceptTransaction({ ...scheduled, events: [] });
      assert.deepEqual(detailed.map((e) => e.kind), ['payment']);
      // A poll that met it would fail on every run and never move past it.
      const page = { since: new Date('2020-02-29T00:00:00Z'), cursor: null, limit: 10 };
      nock(SUMUP).get(`/v2.1/merchants/${MC}/transactions/history`).query(true).reply(200, { items: [{ id: txChip.id, transaction_id: txChip.id }], links: [] });
      serveTransaction({ id: txChip.id }, scheduled);
      const polled = await sumupSource.list!(sumupSource.credentials.parse({ accessToken: TOKEN, merchantCode: MC }), page, { http: axiosTransport(), now: () => AT });
      assert.deepEqual(polled.events.map((e) => e.id), [`sumup:${txChip.id}`]);
    });

    it('takes back a refund SumUp first reported and later FAILED: the ledger counts the refunds still standing', async () => {
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'sumup-refund-failed.db')}`);
      const record = (events: PaymentEvent[]) => recordPaymentEvents(db, events);
      // The first read: the 12.50 refund is on its way (REFUNDED), the 30.00 one not yet there.
      const early = structuredClone(txRefunded);
      early.events = early.events.slice(0, 3);
      await record(await acceptTransaction(early));
      assert.equal((await paymentState(db, 'sumup', '9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d'))!.refundedMinor, 2000);

      // The 12.50 refund fails at the card scheme; SumUp's next answer shows it FAILED.
      const later = structuredClone(txRefunded);
      later.events[1]!.status = 'FAILED';
      const outcomes = await record(await acceptTransaction(later));
      assert.deepEqual(
        outcomes.map((o) => [o.eventId, o.outcome, o.delta.refundedMinor]),
        [
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d', 'duplicate', 0],
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461207:failed', 'recorded', -1250],
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461344', 'duplicate', 750],
          ['sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461390:failed', 'recorded', 0],
        ],
      );
      const state = (await paymentState(db, 'sumup', '9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [750, 4250, 'partially_refunded']);
    });

    it('maps a pending chargeback to an open dispute, and a final one to money lost', async () => {
      const [sale, dispute] = await acceptTransaction(txChargeback);
      assert.equal(sale!.kind, 'payment');
      assert.deepEqual(
        [dispute!.id, dispute!.kind, dispute!.type, dispute!.status, dispute!.amount, dispute!.dispute],
        ['sumup:0b6c7d8e-1f2a-4b3c-4d5e-6f7a8b9c0d1e:chargeback:9567470001:pending', 'dispute', 'CHARGE_BACK', 'disputed', { minor: 8000, currency: 'EUR' }, { id: '9567470001', processorStatus: 'PENDING' }],
      );
      const lost = { ...txChargeback, events: [{ ...txChargeback.events[0]!, status: 'SUCCESSFUL' }] };
      const [, closed] = await acceptTransaction(lost);
      assert.deepEqual([closed!.id, closed!.status], ['sumup:0b6c7d8e-1f2a-4b3c-4d5e-6f7a8b9c0d1e:chargeback:9567470001:successful', 'refunded']);
    });

    it('turns decimal amounts into exact minor units for zero-, two- and three-decimal currencies, and refuses extra decimals', async () => {
      const cases: [string, number, number][] = [['JPY', 1250, 1250], ['KWD', 1.25, 1250], ['BHD', 12.345, 12345], ['ISK', 1500, 1500], ['MGA', 1000.2, 100020], ['CLP', 5000, 5000], ['EUR', 10.1, 1010], ['EUR', 0.29, 29]];
      for (const [currency, amount, minor] of cases) {
        const [e] = await acceptTransaction({ ...txChip, currency, amount });
        assert.deepEqual(e!.amount, { minor, currency }, `${amount} ${currency}`);
      }
      serveTransaction({ client_transaction_id: CLIENT_ID }, { ...txChip, currency: 'JPY', amount: 12.5 });
      const out = await receive(signed(readerCallback));
      assert.equal(out.status, 400);
      assert.match(out.rejected ?? '', /^amount: 12\.5 JPY has more decimals than JPY's 0/);
    });

    it('accepts the simulator\'s deliveries (sandbox) served by its API stub', async () => {
      const scenarios = ['chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'fallback', 'keyed', 'decline', 'partial_refund', 'chargeback'] as const;
      const deliveries = scenarios.map((s) => sumupDelivery(s, SECRET, { amount: '20.00', refundAmount: '5.00', at: AT }));
      const stub = sumupApiStub(deliveries);
      const seen: string[][] = [];
      for (const d of deliveries) {
        const out = await receiveWebhook(sumupSource, request(d.body, d.headers), { credentials: CREDENTIALS, http: stub, now: () => AT });
        assert.equal(out.status, 200, JSON.stringify(out));
        assertNoPan(out);
        seen.push(out.events.map((e) => `${e.kind}:${e.card?.entryMode}${e.card?.wallet ? `/${e.card.wallet}` : ''}:${e.amount.minor}`));
      }
      assert.deepEqual(seen, [
        ['payment:chip:2000'], ['payment:contactless:2000'], ['payment:contactless/apple_pay:2000'], ['payment:contactless/google_pay:2000'],
        ['payment:swipe:2000'], ['payment:fallback:2000'], ['payment:keyed:2000'], ['failure:chip:2000'],
        ['payment:chip:2000', 'refund:chip:500'], ['payment:chip:2000', 'dispute:chip:2000'],
      ]);
      assert.equal(stub.requests[0]!.headers?.authorization, `Bearer ${TOKEN}`);
    });
  });

  describe('polling', () => {
    const ctx = { http: axiosTransport(), now: () => AT };
    const credentials = sumupSource.credentials.parse({ accessToken: TOKEN, merchantCode: MC });

    it('lists card-present transactions that changed since, oldest first, follows the next link and reads each transaction of a page once', async () => {
      const since = new Date('2024-06-01T00:00:00Z');
      const api = nock(SUMUP, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
        .get(`/v2.1/merchants/${MC}/transactions/history`)
        .query({ order: 'ascending', limit: '2', 'payment_types[]': 'POS', changes_since: since.toISOString() })
        .reply(200, history1)
        .get(`/v2.1/merchants/${MC}/transactions`).query({ id: txChip.id }).reply(200, txChip)
        .get(`/v2.1/merchants/${MC}/transactions`).query({ id: txRefunded.id }).reply(200, txRefunded)
        .get(`/v2.1/merchants/${MC}/transactions/history`)
        .query({ order: 'ascending', limit: '2', 'payment_types[]': 'POS', changes_since: since.toISOString(), oldest_ref: '090df9bf-93b7-40f1-8181-fbdb236568a1' })
        .reply(200, history2)
        .get(`/v2.1/merchants/${MC}/transactions`).query({ id: txRefunded.id }).reply(200, txRefunded)
        .get(`/v2.1/merchants/${MC}/transactions`).query({ id: txFailed.id }).reply(200, txFailed);

      const first = await sumupSource.list!(credentials, { cursor: null, since, limit: 2 }, ctx);
      assert.deepEqual(first.events.map((e) => e.id), [
        'sumup:410fc44a-5956-44e1-b5cc-19c6f8d727a4',
        'sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d',
        'sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461207',
        'sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461344',
        'sumup:9a5b6c7d-0e1f-4a2b-3c4d-5e6f7a8b9c0d:refund:9567461390:failed',
      ]);
      assert.equal(first.more, true);
      assert.deepEqual(JSON.parse(first.cursor!), { since: since.toISOString(), ref: '090df9bf-93b7-40f1-8181-fbdb236568a1', sweep: AT.toISOString() });

      const second = await sumupSource.list!(credentials, { cursor: first.cursor, since, limit: 2 }, ctx);
      assert.deepEqual(second.events.map((e) => [e.id, e.kind]).slice(-1), [['sumup:8f4a5b6c-9d0e-4f1a-2b3c-4d5e6f7a8b9c', 'failure']]);
      assert.equal(second.more, false);
      // The next sweep asks for what changed since 5 minutes before this sweep began by this machine's clock: a clock
      // ahead of SumUp's, or a change its history shows a moment late, loses nothing.
      assert.deepEqual(JSON.parse(second.cursor!), { since: new Date(AT.getTime() - 5 * 60_000).toISOString() });
      assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    });

    it('gives a polled transaction the event ids its webhook gives', async () => {
      nock(SUMUP).get(`/v2.1/merchants/${MC}/transactions/history`).query(true).reply(200, { items: [history1.items[0]], links: [] });
      serveTransaction({ id: txChip.id }, txChip);
      const polled = await sumupSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
      const pushed = await acceptTransaction(txChip);
      assert.deepEqual(polled.events.map((e) => e.id), pushed.map((e) => e.id));
    });

    it('uses the /v0.1/me endpoints when no merchant code is known, and names the token when SumUp refuses it', async () => {
      const legacy = sumupSource.credentials.parse({ accessToken: TOKEN });
      nock(SUMUP).get('/v0.1/me/transactions/history').query(true).reply(200, { items: [history1.items[0]], links: [] });
      serveTransaction({ id: txChip.id }, txChip, null);
      const out = await sumupSource.list!(legacy, { cursor: null, limit: 10 }, ctx);
      assert.equal(out.events.length, 1);
      nock(SUMUP).get('/v0.1/me/transactions/history').query(true).reply(401, { detail: 'Unauthorized.', status: 401, title: 'Unauthorized' });
      await assert.rejects(sumupSource.list!(legacy, { cursor: null, limit: 10 }, ctx), /^InputError: accessToken: SumUp refused the access token \(HTTP 401\).*Fix: .*transactions\.history/);
    });

    describe('refunds and chargebacks listed as items of their own (TransactionHistory.type REFUND, CHARGE_BACK)', () => {
      const refundItem = history2.items[0]!;
      const saleItem = history1.items[1]!;
      const page = (...items: object[]) => nock(SUMUP).get(`/v2.1/merchants/${MC}/transactions/history`).query(true).reply(200, { items, links: [] });
      const poll = () => sumupSource.list!(credentials, { cursor: null, limit: 10 }, ctx);

      it('a later refund of an older sale counts once, under the ids any read of the sale gives, whichever item the listing shows', async () => {
        assert.equal(refundItem.type, 'REFUND');
        assert.equal(refundItem.transaction_id, txRefunded.id);
        page(refundItem);
        serveTransaction({ id: txRefunded.id }, txRefunded);
        const byRefund = await poll();
        page(saleItem);
        serveTransaction({ id: txRefunded.id }, txRefunded);
        const bySale = await poll();
        // Both items on one page: the sale is read once.
        page(saleItem, refundItem);
        serveTransaction({ id: txRefunded.id }, txRefunded);
        const both = await poll();
        const pushed = await acceptTransaction(txRefunded);
        for (const out of [byRefund, bySale, both]) {
          assert.deepEqual(out.events.map((e) => e.id), pushed.map((e) => e.id));
          assert.equal(out.notes, undefined);
        }
        assert.deepEqual(byRefund.events.filter((e) => e.kind === 'refund' && !e.refund?.reversed).map((e) => e.amount.minor), [1250, 750]);
      });

      it('an item listed only as a REFUND whose transaction reads with no refund is not taken for a sale: it is named in the notes', async () => {
        const noRefund = { ...txRefunded, events: txRefunded.events.filter((e) => e.type === 'PAYOUT') };
        page(refundItem);
        serveTransaction({ id: txRefunded.id }, noRefund);
        const out = await poll();
        assert.deepEqual(out.events, []);
        assert.deepEqual(out.notes, [
          `SumUp's transaction history lists REFUND TREFND1F6U (transaction ${txRefunded.id}), but the transaction read holds no refund or chargeback: nothing of it is counted, and it is not taken for a sale`,
        ]);
        // Listed as the PAYMENT it is, the same read is the sale.
        page(saleItem);
        serveTransaction({ id: txRefunded.id }, noRefund);
        assert.deepEqual((await poll()).events.map((e) => e.kind), ['payment']);
      });

      it('an item listed only as a CHARGE_BACK counts the chargeback of the sale it names, with the sale', async () => {
        page({ ...history1.items[0]!, type: 'CHARGE_BACK', transaction_id: txChargeback.id, transaction_code: txChargeback.transaction_code });
        serveTransaction({ id: txChargeback.id }, txChargeback);
        const out = await poll();
        assert.deepEqual(out.events.map((e) => e.kind), ['payment', 'dispute']);
        assert.equal(out.notes, undefined);
      });

      it('a transaction of negative amount (money given back) is never read as a sale, listed or pushed', async () => {
        const negative = { ...txChip, amount: -txChip.amount };
        page({ ...refundItem, transaction_id: txChip.id, transaction_code: txChip.transaction_code });
        serveTransaction({ id: txChip.id }, negative);
        const out = await poll();
        assert.deepEqual(out.events, []);
        assert.equal(out.notes?.length, 1);
        assert.match(out.notes![0]!, new RegExp(`^SumUp's transaction history lists REFUND ${txChip.transaction_code} \\(transaction ${txChip.id}\\), which is not counted: transaction ${txChip.transaction_code} has a negative amount \\(-${txChip.amount}\\): money given back is not a sale`));
        page(history1.items[0]!);
        serveTransaction({ id: txChip.id }, negative);
        assert.deepEqual((await poll()).events, []);
        assert.deepEqual(await acceptTransaction(negative), []);
      });
    });

    it('names in the notes each listed item it counts nothing of: one SumUp cannot find, one it ignores, one naming no transaction', async () => {
      const { transaction_id: _dropped, ...nameless } = history1.items[0]!;
      nock(SUMUP).get(`/v2.1/merchants/${MC}/transactions/history`).query(true).reply(200, {
        items: [history1.items[0], { ...history1.items[1], transaction_id: txEcom.id, transaction_code: txEcom.transaction_code }, nameless],
        links: [],
      });
      serveTransaction({ id: txChip.id }, null);
      serveTransaction({ id: txEcom.id }, txEcom);
      const out = await sumupSource.list!(credentials, { cursor: null, limit: 10 }, ctx);
      assert.deepEqual(out.events, []);
      assert.deepEqual(out.notes, [
        "SumUp's transaction history lists PAYMENT TEENSK4W2K naming no transaction (no transaction_id or id): there is nothing to read, so it is not counted",
        `SumUp's transaction history lists PAYMENT TEENSK4W2K (transaction ${txChip.id}), but SumUp has no transaction ${txChip.id} to read (404): it is not counted`,
        `SumUp's transaction history lists PAYMENT ${txEcom.transaction_code} (transaction ${txEcom.id}), which is not counted: transaction ${txEcom.transaction_code} is ECOM, not a card at a reader (POS)`,
      ]);
    });
  });
});
