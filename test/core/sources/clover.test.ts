import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import type { HttpTransport } from '../../../nodes/core/http/http-transport';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { pollCredentials } from '../../../nodes/core/pipeline/poll-source';
import { receiveWebhook, type ReceiveOptions } from '../../../nodes/core/pipeline/receive-webhook';
import { CLOVER_LISTED_SPAN_MS, cloverSource } from '../../../nodes/core/sources/clover';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { cloverApiStub, cloverDelivery, cloverVerificationDelivery } from '../../../sandbox/simulator/clover-events';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import notificationBatch from './fixtures/clover/notification-batch.json';
import notificationOrder from './fixtures/clover/notification-order-updated.json';
import notificationPayment from './fixtures/clover/notification-payment-created.json';
import paymentCash from './fixtures/clover/payment-cash.json';
import paymentChip from './fixtures/clover/payment-chip.json';
import paymentContactless from './fixtures/clover/payment-contactless.json';
import paymentDeclined from './fixtures/clover/payment-declined.json';
import paymentKeyed from './fixtures/clover/payment-keyed.json';
import paymentRefunded from './fixtures/clover/payment-partially-refunded.json';
import paymentSwipe from './fixtures/clover/payment-swipe.json';
import paymentVoided from './fixtures/clover/payment-voided.json';
import page1 from './fixtures/clover/payments-page-1.json';
import page2 from './fixtures/clover/payments-page-2.json';
import verificationCode from './fixtures/clover/verification-code.json';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

const CLOVER = 'https://api.clover.com';
const SANDBOX = 'https://apisandbox.dev.clover.com';
const AUTH = '0307e264-b33a-4913-88aa-37b10014a0b8';
const MID = 'SJ925JDCKKTJJ';
const MID2 = 'M7QF0WSD8QQCJ';
const CREDENTIALS = { authCode: AUTH, apiToken: 'merchant-token-1' };
const EXPAND = 'cardTransaction,tender,refunds,order';
const AT = new Date('2024-06-12T00:54:07Z');
const ledgerDir = tempDir('tcrm-clover-');
after(async () => {
  await closeAllDatabases();
  ledgerDir.remove();
});

function request(body: unknown, headers: Record<string, string> = { 'x-clover-auth': AUTH }): WebhookRequest {
  return { rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), headers: { 'content-type': 'application/json', ...headers }, method: 'POST', url: 'https://crm.example.com/webhooks/clover', receivedAt: AT };
}

const receive = (req: WebhookRequest, options: Partial<ReceiveOptions> = {}) =>
  receiveWebhook(cloverSource, req, { credentials: CREDENTIALS, http: axiosTransport(), now: () => AT, ...options });

/** Clover answers GET payment/{id} with `body` for merchant `mid`, if the request carries `token`. */
function servePayment(paymentId: string, body: object | null, { mid = MID, token = 'merchant-token-1', base = CLOVER, status = 200 } = {}) {
  return nock(base, { reqheaders: { authorization: `Bearer ${token}` } })
    .get(`/v3/merchants/${mid}/payments/${paymentId}`)
    .query({ expand: EXPAND })
    .reply(body ? status : 404, body ?? { message: 'Not Found' });
}

function assertNoPan(out: unknown): void {
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
}

/** The tipped chip auth's report of the amount it was read at (sale.adjusted): sale 10.99 and a 2.00 tip. */
const TIPPED = 'clover:0DXH3BKWYJKA8:amount:1299';

async function acceptOne(payment: { id: string } & Record<string, unknown>, extra: Partial<ReceiveOptions> = {}): Promise<PaymentEvent[]> {
  const api = servePayment(payment.id, payment);
  const out = await receive(request({ appId: 'DRKVY8E2SAB3T', merchants: { [MID]: [{ objectId: `P:${payment.id}`, type: 'UPDATE', ts: 1718153650000 }] } }), extra);
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the payment was not fetched');
  assertNoPan(out);
  return out.events;
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

describe('Clover source', () => {
  nockOffline();

  describe('handshake and authentication (X-Clover-Auth)', () => {
    it('answers the verification-code handshake 200 with the code for the operator, before any auth code exists, and fetches nothing', async () => {
      const out = await receive(request(verificationCode, {}), { credentials: { apiToken: 'merchant-token-1' } });
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.deepEqual(out.report.control, {
        kind: 'handshake',
        note: 'Clover verification code: ce7643c1-83ea-4218-abe6-da876c9c7a0a; paste it in the Clover developer dashboard (App Settings → Webhooks → Verify)',
      });
      assert.equal(JSON.parse(out.answer.body).control.kind, 'handshake');
    });

    it('refuses a handshake whose code could inject text into the operator\'s log', async () => {
      const out = await receive(request({ verificationCode: 'abc\nFAKE LOG LINE' }, {}));
      assert.equal(out.status, 400);
      assert.match(out.rejected ?? '', /verification code/);
    });

    it('fetches and passes on the payment of a notification carrying the auth code', async () => {
      const api = servePayment('0DXH3BKWYJKA8', paymentChip);
      const out = await receive(request(notificationPayment));
      assert.equal(out.status, 200, JSON.stringify(out));
      assert.ok(api.isDone());
      // A tip-adjustable auth with a tip: the sale, and the amount it was read at (TIPPED, below).
      assert.deepEqual(out.events.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED]);
      assertNoPan(out);
    });

    it('rejects a wrong or missing auth code with the reason, without calling Clover', async () => {
      for (const [headers, reason] of [
        [{ 'x-clover-auth': 'not-the-code' }, /^the X-Clover-Auth header is not the configured auth code$/],
        [{ 'x-clover-auth': `${AUTH}x` }, /not the configured auth code/],
        [{}, /^the X-Clover-Auth header is missing$/],
      ] as const) {
        const out = await receive(request(notificationPayment, headers));
        assert.equal(out.status, 400, JSON.stringify(out));
        assert.match(out.rejected ?? '', reason);
        assert.deepEqual(out.events, []);
      }
      assert.deepEqual(nock.pendingMocks(), []);
    });

    it('refuses notifications while no auth code is configured, naming the field and the variable', async () => {
      const out = await receive(request(notificationPayment), { credentials: { apiToken: 'merchant-token-1' } });
      assert.ok(out.status >= 400, JSON.stringify(out));
      assert.deepEqual(out.events, []);
      assert.match(out.rejected ?? out.misconfigured ?? '', /^authCode: .*Fix: .*CLOVER_AUTH_CODE/);
    });

    it('answers 500 with the fix when no API token is configured: a notification is useless without fetching', async () => {
      for (const credentials of [{ authCode: AUTH }, { authCode: AUTH, apiToken: ' ' }, { authCode: AUTH, apiToken: '{not json' }]) {
        const out = await receive(request(notificationPayment), { credentials });
        assert.equal(out.status, 500, JSON.stringify(out));
        assert.match(out.misconfigured ?? '', /^apiToken: .*Fix: .*CLOVER_API_TOKEN/);
      }
    });

    it('fails loudly (so the engine answers 500 and Clover retries) when the engine gives no HTTP transport', async () => {
      await assert.rejects(receive(request(notificationPayment), { http: undefined }), /no HTTP transport/);
    });

    it('accepts any of several auth codes (several apps posting to one URL)', async () => {
      servePayment('0DXH3BKWYJKA8', paymentChip);
      const out = await receive(request(notificationPayment), { credentials: { authCode: `other-app-code,${AUTH}`, apiToken: 'merchant-token-1' } });
      assert.deepEqual(out.events.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED]);
    });
  });

  describe('batches and fetching', () => {
    it('fetches each payment of a batch with its merchant\'s token, ignores orders and payments Clover does not have', async () => {
      const a = servePayment('0DXH3BKWYJKA8', paymentChip, { token: 'tok-1' });
      const b = servePayment('Z4WQ2B7N5M8K1', paymentContactless, { mid: MID2, token: 'tok-2' });
      const gone = servePayment('GONE00000000X', null, { mid: MID2, token: 'tok-2' });
      const out = await receive(request(notificationBatch), { credentials: { authCode: AUTH, apiToken: `${MID}:tok-1, ${MID2}:tok-2` } });
      assert.equal(out.status, 200, JSON.stringify(out));
      assert.ok(a.isDone() && b.isDone() && gone.isDone());
      assert.deepEqual(out.events.map((e) => [e.id, e.terminal?.locationId]), [['clover:0DXH3BKWYJKA8', MID], [TIPPED, MID], ['clover:Z4WQ2B7N5M8K1', MID2]]);
      assert.equal(out.report.ignored.length, 2);
      assert.match(out.report.ignored[0]!, /"O:UPDATE" is not processed: only payment notifications/);
      assert.match(out.report.ignored[1]!, /Clover has no payment GONE00000000X for merchant M7QF0WSD8QQCJ/);
      assertNoPan(out);
    });

    it('takes the tokens as a JSON map too, and reports a merchant without a token while passing the others on', async () => {
      servePayment('0DXH3BKWYJKA8', paymentChip, { token: 'tok-1' });
      const out = await receive(request(notificationBatch), { credentials: { authCode: AUTH, apiToken: JSON.stringify({ [MID]: 'tok-1' }) } });
      assert.equal(out.status, 200);
      assert.deepEqual(out.events.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED]);
      const why = 'not read: apiToken: no API token is configured for Clover merchant M7QF0WSD8QQCJ. Fix: add it as M7QF0WSD8QQCJ:<token>; fill in "apiToken" in the Clover credential (or set CLOVER_API_TOKEN for the sandbox and the worker)';
      assert.deepEqual(out.report.ignored.filter((r) => r === why).length, 2, out.report.ignored.join('\n'));
      // Only that merchant's payments: nothing read at all is our setup, answered 500 so Clover delivers again once it is fixed.
      const none = await receive(request(notificationPayment), { credentials: { authCode: AUTH, apiToken: JSON.stringify({ M7QF0WSD8QQCJ: 'tok-2' }) } });
      assert.deepEqual([none.status, none.events], [500, []]);
      assert.match(none.misconfigured ?? '', /^apiToken: no API token is configured for Clover merchant SJ925JDCKKTJJ\. Fix: add it as SJ925JDCKKTJJ:<token>; fill in "apiToken" in the Clover credential/);
      // The same when the batch also carried what is ignored anyway (an order notification): delivered again, it is ignored again.
      const batch = await receive(request(notificationBatch), { credentials: { authCode: AUTH, apiToken: JSON.stringify({ OTHERMERCHANT1: 'tok-3' }) } });
      assert.deepEqual([batch.status, batch.events], [500, []]);
    });

    it('acknowledges a notification about orders only, without fetching anything', async () => {
      const out = await receive(request(notificationOrder));
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(), /O:UPDATE/);
    });

    it('lets an error of Clover\'s API surface (the engine answers 500), and names the token when Clover refuses it', async () => {
      servePayment('0DXH3BKWYJKA8', { message: 'Internal error' }, { status: 503 });
      await assert.rejects(receive(request(notificationPayment)), /CloverApiError: Clover answered 503 fetching payment 0DXH3BKWYJKA8: Internal error/);
      servePayment('0DXH3BKWYJKA8', { message: '401 Unauthorized' }, { status: 401 });
      const out = await receive(request(notificationPayment));
      assert.deepEqual([out.status, out.events], [500, []], 'a refused token is our setup: Clover delivers again once it is fixed');
      assert.match(out.misconfigured ?? '', /^apiToken: Clover refused the API token of merchant SJ925JDCKKTJJ \(HTTP 401\) when fetching payment 0DXH3BKWYJKA8\. Fix: use a merchant API token allowed to read payments .*; fill in "apiToken" in the Clover credential \(or set CLOVER_API_TOKEN for the sandbox and the worker\)$/);
    });

    it('uses the configured base URL (sandbox) and marks sandbox payments as test mode', async () => {
      const api = servePayment('0DXH3BKWYJKA8', paymentChip, { base: SANDBOX });
      const out = await receive(request(notificationPayment), { credentials: { ...CREDENTIALS, baseUrl: SANDBOX } });
      assert.ok(api.isDone());
      assert.equal(out.events[0]!.livemode, false);
    });
  });

  describe('normalize', () => {
    it('maps a chip payment field by field: amount with tip, BIN and last four, the token as a fingerprint, the cardholder', async () => {
      const [e] = await acceptOne(paymentChip);
      assert.deepEqual(e, {
        schemaVersion: 1,
        id: 'clover:0DXH3BKWYJKA8',
        source: 'clover',
        type: 'payment.success',
        kind: 'payment',
        paymentId: '0DXH3BKWYJKA8',
        amount: { minor: 1299, currency: 'USD' },
        status: 'succeeded',
        occurredAt: '2024-06-12T00:54:05.000Z',
        livemode: true,
        card: {
          brand: 'visa',
          bin: '476173',
          last4: '0119',
          funding: 'credit',
          entryMode: 'chip',
          identity: { kind: 'fingerprint', value: 'clv_UWtmvmsnQS8nMr2XkLhBSLm13jbngIscgFblRWf72Uo' },
        },
        terminal: { readerId: '6f8c2e5a-41bd-4d2f-9b1e-7a3c5d9e0f12', locationId: MID },
        customerHints: { name: 'ANA DIAZ' },
        metadata: {
          merchantId: MID,
          orderId: 'Q5Q6Z3JY8GDAJ',
          employeeId: 'DFLTEMPLOYEE',
          tender: 'Credit Card',
          result: 'SUCCESS',
          amount: '1099',
          tipAmount: '200',
          taxAmount: '99',
          cardTransactionType: 'AUTH',
          cardTransactionState: 'PENDING',
          entryType: 'EMV_CONTACT',
          referenceId: '416500502139',
          note: 'table 4',
        },
      });
      assert.equal(JSON.stringify(e).includes('7034476173010119'), false, 'the raw card token is passed on');
    });

    it('maps contactless (debit), swipe and keyed entry, and each brand', async () => {
      const [tap] = await acceptOne(paymentContactless);
      assert.deepEqual([tap!.card?.brand, tap!.card?.entryMode, tap!.card?.funding, tap!.card?.last4], ['mastercard', 'contactless', 'debit', '4444']);
      const [swipe] = await acceptOne(paymentSwipe);
      assert.deepEqual([swipe!.card?.brand, swipe!.card?.entryMode, swipe!.customerHints.name], ['discover', 'swipe', 'JO BAKER']);
      const [keyed] = await acceptOne(paymentKeyed);
      assert.deepEqual([keyed!.card?.brand, keyed!.card?.entryMode, keyed!.card?.identity], ['amex', 'keyed', undefined]);
    });

    it('maps a declined payment to a failure with Clover\'s result', async () => {
      const [e] = await acceptOne(paymentDeclined);
      assert.deepEqual([e!.id, e!.kind, e!.type, e!.status, e!.amount.minor], ['clover:F7D4S1A8Q5W2E', 'failure', 'payment.fail', 'failed', 1999]);
      assert.deepEqual(e!.failure, { code: 'FAIL', message: 'DECLINED' });
    });

    it('maps partial refunds to one refund event each, by the refund\'s id, and a failed refund to its reversal', async () => {
      const events = await acceptOne(paymentRefunded);
      assert.deepEqual(
        events.map((e) => [e.id, e.kind, e.type, e.paymentId, e.amount.minor, e.refundedTotal?.minor, e.refund, e.status, e.occurredAt]),
        [
          ['clover:0DXH3BKWYJKA8', 'payment', 'payment.success', '0DXH3BKWYJKA8', 1299, undefined, undefined, 'succeeded', '2024-06-12T00:54:05.000Z'],
          [TIPPED, 'payment', 'payment.amount', '0DXH3BKWYJKA8', 1299, undefined, undefined, 'succeeded', '2024-06-13T00:53:20.000Z'],
          ['clover:R2B7N4M1X8C5V', 'refund', 'refund.success', '0DXH3BKWYJKA8', 300, 300, { id: 'R2B7N4M1X8C5V', cumulative: false }, 'partially_refunded', '2024-06-13T00:36:40.000Z'],
          ['clover:R9Z3X6C2V8B4N', 'refund', 'refund.success', '0DXH3BKWYJKA8', 200, 500, { id: 'R9Z3X6C2V8B4N', cumulative: false }, 'partially_refunded', '2024-06-13T00:45:00.000Z'],
          // Clover's FAIL: the refund gave nothing back, so it can never count (whatever order the ledger sees it in).
          ['clover:R5V1B8N3M6X2C:failed', 'refund', 'refund.fail', '0DXH3BKWYJKA8', 100, 500, { id: 'R5V1B8N3M6X2C', cumulative: false, reversed: true }, 'partially_refunded', '2024-06-13T00:46:40.000Z'],
        ],
      );
      assert.equal(events[2]!.metadata.refundReason, 'Wrong size');
      assert.equal(events[2]!.card?.last4, '0119');
    });

    it('reads a refund\'s amount as all it gave back, tip included (the SDK\'s Refund.amount: "including tax and tip"), where a payment\'s leaves the tip out', async () => {
      // The chip sale: 10.99 with 0.99 tax, and a 2.00 tip on top; refunded in full, tip and all.
      const refunded = structuredClone(paymentChip) as typeof paymentChip & { refunds?: unknown };
      refunded.refunds = { elements: [{ id: 'RFULL8N3M6X2C', amount: 1299, taxAmount: 99, tipAmount: 200, createdTime: 1718240200000, status: 'SUCCESS', payment: { id: paymentChip.id } }] };
      const events = await acceptOne(refunded);
      assert.deepEqual(
        events.map((e) => [e.kind, e.amount.minor, e.refundedTotal?.minor, e.status]),
        [['payment', 1299, undefined, 'succeeded'], ['payment', 1299, undefined, 'succeeded'], ['refund', 1299, 1299, 'refunded']],
      );
    });

    it('takes back a refund Clover voided after it was read: the ledger counts the refunds still standing', async () => {
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'clover-void.db')}`);
      const record = (events: PaymentEvent[]) => recordPaymentEvents(db, events);
      await record(await acceptOne(paymentRefunded));
      assert.equal((await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!.refundedMinor, 500);

      // The merchant voids the 3.00 refund; Clover's next answer for the payment shows it voided.
      const voided = structuredClone(paymentRefunded);
      Object.assign(voided.refunds.elements[0]!, { voided: true, voidReason: 'USER_CANCEL' });
      const events = await acceptOne(voided);
      const reversal = events.find((e) => e.id === 'clover:R2B7N4M1X8C5V:voided')!;
      assert.deepEqual([reversal.type, reversal.amount.minor, reversal.refund, reversal.metadata.refundVoidReason], ['refund.voided', 300, { id: 'R2B7N4M1X8C5V', cumulative: false, reversed: true }, 'USER_CANCEL']);
      const outcomes = await record(events);
      assert.deepEqual(
        outcomes.map((o) => [o.outcome, o.delta.refundedMinor]),
        [['duplicate', 0], ['duplicate', 0], ['recorded', -300], ['duplicate', 200], ['duplicate', 0]],
      );
      const state = (await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [200, 1099, 'partially_refunded']);
    });

    it('takes back a refund whose status Clover reports VOIDED (RefundStatus: FAIL, SUCCESS, PENDING, VOIDED), with or without the voided flag', async () => {
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'clover-status-voided.db')}`);
      const record = (events: PaymentEvent[]) => recordPaymentEvents(db, events);
      await record(await acceptOne(paymentRefunded));
      assert.equal((await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!.refundedMinor, 500);

      const voided = structuredClone(paymentRefunded);
      Object.assign(voided.refunds.elements[0]!, { status: 'VOIDED' });
      delete (voided.refunds.elements[0] as { voided?: boolean }).voided;
      const events = await acceptOne(voided);
      const reversal = events.find((e) => e.id === 'clover:R2B7N4M1X8C5V:voided');
      assert.deepEqual([reversal?.type, reversal?.amount.minor, reversal?.refund], ['refund.voided', 300, { id: 'R2B7N4M1X8C5V', cumulative: false, reversed: true }]);
      await record(events);
      const state = (await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [200, 1099, 'partially_refunded']);
    });

    it('turns a voided payment into the sale and its void, as Adyen\'s capture failure and SumUp\'s cancellation are: a sale recorded earlier gives all it counted back and is no payment any more', async () => {
      const events = await acceptOne(paymentVoided);
      assert.deepEqual(
        events.map((e) => [e.id, e.kind, e.type, e.amount.minor, e.status, e.sale]),
        [
          ['clover:V3C6X9Z2A5S8D:void', 'failure', 'payment.voided', 1500, 'failed', { voided: true }],
          ['clover:V3C6X9Z2A5S8D', 'payment', 'payment.success', 1500, 'succeeded', undefined],
        ],
      );
      assert.deepEqual([events[0]!.metadata.voidReason, events[0]!.failure], ['USER_CANCEL', { code: 'VOIDED', message: 'USER_CANCEL' }]);

      // Read SUCCESS first (the CREATE notification), then VOIDED (the UPDATE): the void takes the sale back.
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'clover-payment-void.db')}`);
      const sold = await recordPaymentEvents(db, await acceptOne({ ...paymentVoided, result: 'SUCCESS', voidReason: undefined }));
      assert.deepEqual(sold.map((o) => [o.outcome, o.delta.payments, o.delta.grossMinor]), [['recorded', 1, 1500]]);
      const voided = await recordPaymentEvents(db, events);
      assert.deepEqual(voided.map((o) => o.outcome), ['recorded', 'duplicate']);
      assert.deepEqual([voided[0]!.delta.payments, voided[0]!.delta.refundedMinor], [-1, 1500]);
      const state = (await paymentState(db, 'clover', 'V3C6X9Z2A5S8D'))!;
      assert.deepEqual([state.netMinor, state.status], [0, 'failed']);
    });

    it('voids the sale once when the void is a record of its own linked by voidPaymentRef, whichever of the two arrives first, and never counts the void record as a sale', async () => {
      // Clover's SDK, Payment.voidPaymentRef: "If voided, the corresponding successful payment, and vice versa". The
      // type does not say which of the two records is the sale, so both ways are read: (A) the void is a VOIDED record
      // naming the sale, which stays SUCCESS and names it back; (B) the sale turns VOIDED naming a SUCCESS void record.
      const SALE_ID = 'S5D8F1G4H7J2K';
      const VOID_ID = 'W2Q7E4R9T1Y6U';
      const sale = { ...paymentVoided, id: SALE_ID, result: 'SUCCESS', voidReason: undefined, modifiedTime: paymentVoided.createdTime, cardTransaction: { ...paymentVoided.cardTransaction, type: 'AUTH' } };
      const readings = {
        A: { saleRecord: { ...sale, modifiedTime: paymentVoided.modifiedTime, voidPaymentRef: { id: VOID_ID } }, voidRecord: { ...paymentVoided, id: VOID_ID, voidPaymentRef: { id: SALE_ID } } },
        B: {
          saleRecord: { ...sale, result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: paymentVoided.modifiedTime, voidPaymentRef: { id: VOID_ID } },
          voidRecord: { ...paymentVoided, id: VOID_ID, result: 'SUCCESS', voidReason: undefined, voidPaymentRef: { id: SALE_ID } },
        },
      };
      for (const [reading, { saleRecord, voidRecord }] of Object.entries(readings)) {
        for (const [order, records] of [['void record first', [voidRecord, saleRecord]], ['sale record first', [saleRecord, voidRecord]], ['void record only', [voidRecord]]] as const) {
          const db = await openDatabase(`sqlite:${join(ledgerDir.path, `clover-linked-void-${reading}-${order.replace(/ /g, '-')}.db`)}`);
          // The sale read before it was voided (its CREATE notification).
          const sold = await recordPaymentEvents(db, await acceptOne(sale));
          let payments = sold.reduce((n, o) => n + o.delta.payments, 0);
          for (const record of records) for (const o of await recordPaymentEvents(db, await acceptOne(record))) payments += o.delta.payments;
          const saleState = (await paymentState(db, 'clover', SALE_ID))!;
          assert.deepEqual([saleState.grossMinor, saleState.refundedMinor, saleState.netMinor, saleState.status], [1500, 1500, 0, 'failed'], `${reading}, ${order}: the sale is voided`);
          const voidState = await paymentState(db, 'clover', VOID_ID);
          assert.deepEqual([voidState?.netMinor, voidState?.status], [0, 'failed'], `${reading}, ${order}: the void record counts nothing`);
          assert.equal(payments, 0, `${reading}, ${order}: no payment is left counted`);
        }
      }
    });

    it('acknowledges and ignores a cash payment', async () => {
      servePayment('C4S7H2X9Q1M5B', paymentCash);
      const out = await receive(request({ appId: 'DRKVY8E2SAB3T', merchants: { [MID]: [{ objectId: 'P:C4S7H2X9Q1M5B', type: 'CREATE', ts: 1718200000400 }] } }));
      assert.equal(out.status, 200);
      assert.deepEqual(out.events, []);
      assert.match(out.report.ignored.join(), /paid with Cash, not a card/);
    });

    it('keeps cents exact in the order\'s currency, whatever its exponent', async () => {
      for (const currency of ['JPY', 'KWD', 'BHD', 'ISK', 'MGA', 'CLP']) {
        const [e] = await acceptOne({ ...paymentKeyed, order: { ...paymentKeyed.order, currency } });
        assert.deepEqual(e!.amount, { minor: 5000, currency }, currency);
      }
      // Neither the order nor the card transaction names a currency: the credential's (default USD) is used.
      const [cad] = await acceptOne({ ...paymentKeyed, order: { id: 'L3K6J9H2G5F8D' } }, { credentials: { ...CREDENTIALS, currency: 'cad' } });
      assert.equal(cad!.amount.currency, 'CAD');
    });

    it('counts a tip added to an auth after it was first read (tip-adjusted): the sale brings the amount with the tip', async () => {
      const db = await openDatabase(`sqlite:${join(ledgerDir.path, 'clover-tip-adjust.db')}`);
      const inbox = new MemoryInbox();
      // Read as the auth was made (no tip yet), then again once the server added a 2.00 tip, and once more after a
      // correction to 1.50; each read as Clover's next answer for the payment shows it.
      const read = (tipAmount: number, modifiedTime: number) => ({ ...structuredClone(paymentChip), tipAmount, modifiedTime });
      const untipped = await acceptOne(read(0, 1718153646000), { inbox });
      assert.deepEqual(untipped.map((e) => [e.id, e.amount.minor]), [['clover:0DXH3BKWYJKA8', 1099]], 'no tip: the sale alone');
      await recordPaymentEvents(db, untipped);
      const tipped = await acceptOne(read(200, 1718160000000), { inbox });
      assert.deepEqual(tipped.map((e) => [e.id, e.type, e.amount.minor, e.sale]), [[TIPPED, 'payment.amount', 1299, { voided: false, adjusted: true }]], 'the sale is kept already; its new amount is new');
      await recordPaymentEvents(db, tipped);
      let state = (await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [1299, 0, 1299, 'succeeded']);
      await recordPaymentEvents(db, await acceptOne(read(150, 1718161000000), { inbox }));
      state = (await paymentState(db, 'clover', '0DXH3BKWYJKA8'))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor], [1299, 50, 1249], 'a tip corrected down gives the difference back');
    });

    it('gives a payment fetched again (after its refund notification) the same ids: the inbox keeps each fact once', async () => {
      const inbox = new MemoryInbox();
      const first = await acceptOne(paymentChip, { inbox });
      const second = await acceptOne(paymentRefunded, { inbox });
      assert.deepEqual(first.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED]);
      assert.deepEqual(second.map((e) => e.id), ['clover:R2B7N4M1X8C5V', 'clover:R9Z3X6C2V8B4N', 'clover:R5V1B8N3M6X2C:failed']);
    });

    it('accepts the simulator\'s deliveries (sandbox) served by its API stub', async () => {
      const scenarios = ['chip', 'contactless', 'apple_pay', 'swipe', 'keyed', 'decline', 'partial_refund', 'void'] as const;
      const deliveries = scenarios.map((s) => cloverDelivery(s, AUTH, { amount: 2000, tipAmount: 300, cardholderName: 'OKAFOR/BEN', token: 'sim-token-ben' }));
      const stub = cloverApiStub(deliveries);
      const kinds: string[][] = [];
      for (const d of deliveries) {
        const out = await receiveWebhook(cloverSource, request(d.body, d.headers), { credentials: CREDENTIALS, http: stub, now: () => AT });
        assert.equal(out.status, 200, JSON.stringify(out));
        assertNoPan(out);
        kinds.push(out.events.map((e) => `${e.kind}:${e.card?.entryMode}:${e.amount.minor}`));
      }
      // Each sale a tip-adjustable auth with a 3.00 tip: the sale, then the amount it was read at.
      const tipped = (k: string) => [k, k];
      assert.deepEqual(kinds, [
        tipped('payment:chip:2300'), tipped('payment:contactless:2300'), tipped('payment:contactless:2300'), tipped('payment:swipe:2300'), tipped('payment:keyed:2300'),
        ['failure:chip:2300'], [...tipped('payment:chip:2300'), 'refund:chip:1000'], ['failure:contactless:2300', 'payment:contactless:2300'],
      ]);
      assert.equal(stub.requests.length, scenarios.length);
      assert.equal(stub.requests[0]!.headers?.authorization, 'Bearer merchant-token-1');
      const hs = cloverVerificationDelivery();
      assert.equal((await receiveWebhook(cloverSource, request(hs.body, hs.headers), { credentials: CREDENTIALS, http: stub })).report.control?.kind, 'handshake');
    });
  });

  describe('polling', () => {
    const credentials = cloverSource.credentials.parse({ apiToken: 'merchant-token-1', merchantId: MID, baseUrl: SANDBOX });
    const ctx = { http: axiosTransport(), now: () => AT };

    it('pages by modifiedTime and offset, oldest change first, skipping cash; a later page repeats no payment', async () => {
      const since = new Date(1718150000000);
      const api = nock(SANDBOX, { reqheaders: { authorization: 'Bearer merchant-token-1' } })
        .get(`/v3/merchants/${MID}/payments`)
        .query({ filter: `modifiedTime>=${since.getTime()}`, orderBy: 'modifiedTime ASC', limit: '2', expand: EXPAND })
        .reply(200, page1)
        .get(`/v3/merchants/${MID}/payments`)
        .query({ filter: 'modifiedTime>=1718200000300', orderBy: 'modifiedTime ASC', limit: '2', offset: '1', expand: EXPAND })
        .reply(200, page2);
      const first = await cloverSource.list!(credentials, { cursor: null, since, limit: 2 }, ctx);
      assert.deepEqual(first.events.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED]);
      assert.equal(first.events[0]!.livemode, false);
      assert.deepEqual(JSON.parse(first.cursor!), { [MID]: { t: 1718200000300, o: 1 } });
      assert.equal(first.more, true);
      const second = await cloverSource.list!(credentials, { cursor: first.cursor, since, limit: 2 }, ctx);
      assert.deepEqual(second.events.map((e) => e.id), ['clover:0DXH3BKWYJKA8', TIPPED, 'clover:R2B7N4M1X8C5V', 'clover:R9Z3X6C2V8B4N', 'clover:R5V1B8N3M6X2C:failed']);
      assert.deepEqual(JSON.parse(second.cursor!), { [MID]: { t: 1718240000000, o: 1 } });
      assert.equal(second.more, false);
      assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    });

    it('polls every merchant that has a token of its own', async () => {
      const creds = cloverSource.credentials.parse({ apiToken: `${MID}:tok-1,${MID2}:tok-2` });
      const a = nock(CLOVER, { reqheaders: { authorization: 'Bearer tok-1' } }).get(`/v3/merchants/${MID}/payments`).query(true).reply(200, { elements: [paymentSwipe] });
      const b = nock(CLOVER, { reqheaders: { authorization: 'Bearer tok-2' } }).get(`/v3/merchants/${MID2}/payments`).query(true).reply(200, { elements: [] });
      const out = await cloverSource.list!(creds, { cursor: null, limit: 100 }, ctx);
      assert.ok(a.isDone() && b.isDone());
      assert.deepEqual(out.events.map((e) => e.id), ['clover:H1K7T3P9R2Q6W']);
      // MID2 listed nothing from 1970 on: Clover lists at most 90 days from a position, so the next page asks from
      // where that span ends (CLOVER_LISTED_SPAN_MS), at once.
      assert.deepEqual(JSON.parse(out.cursor!), { [MID]: { t: 1718160001000, o: 1 }, [MID2]: { t: CLOVER_LISTED_SPAN_MS, o: 0 } });
      assert.equal(out.more, true);
    });

    it('reads past a quiet span longer than the 90 days Clover lists from a position, where it asked the empty span again for ever', async () => {
      // docs.clover.com, Get all payments, "90-day restrictions on payment data request results": a single-date query
      // (">= Date 1") returns the payments of Date 1 + 90 days. A merchant closed for a season, or a backfill from
      // further back, leaves the position more than that behind the sale made since.
      const DAY = 86_400_000;
      const since = new Date(AT.getTime() - 200 * DAY);
      const soldAt = AT.getTime() - 10 * DAY;
      const sale = { ...structuredClone(paymentSwipe), createdTime: soldAt - 1000, clientCreatedTime: soldAt - 1000, modifiedTime: soldAt };
      const asked: number[] = [];
      // Clover as its 90-day rule answers: the payments of the 90 days from the filter's time.
      const http: HttpTransport = {
        async request(req) {
          assert.equal(req.url, `${SANDBOX}/v3/merchants/${MID}/payments`);
          const from = Number(/^modifiedTime>=(\d+)$/.exec(String(req.qs?.filter))?.[1]);
          asked.push(from);
          return { status: 200, headers: {}, body: { elements: sale.modifiedTime >= from && sale.modifiedTime <= from + 90 * DAY ? [sale] : [] } };
        },
      };
      const events: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 5; pages++) {
        const out = await cloverSource.list!(credentials, { cursor, since, limit: 100 }, { http, now: () => AT });
        events.push(...out.events.map((e) => e.id));
        cursor = out.cursor;
        if (!out.more) break;
      }
      assert.deepEqual(events, ['clover:H1K7T3P9R2Q6W']);
      assert.deepEqual(asked, [since.getTime(), since.getTime() + CLOVER_LISTED_SPAN_MS, since.getTime() + 2 * CLOVER_LISTED_SPAN_MS]);
      assert.deepEqual(JSON.parse(cursor!), { [MID]: { t: soldAt, o: 1 } });
    });

    it('asks for the merchant id when one token has none, and refuses a cursor it did not write', async () => {
      // Asked for by the poll's own schema (listCredentials), where the worker checks a polled source at start.
      assert.throws(() => pollCredentials(cloverSource, { apiToken: 'tok' }), /^InputError: merchantId: polling Clover needs to know whose payments to read\. Fix: name the merchant, or give the API tokens as mId:token; fill in "merchantId" in the Clover credential \(or set CLOVER_MERCHANT_ID for the sandbox and the worker\)$/);
      assert.doesNotThrow(() => pollCredentials(cloverSource, { apiToken: 'tok', merchantId: MID }));
      assert.doesNotThrow(() => pollCredentials(cloverSource, { apiToken: `${MID}:tok` }));
      await assert.rejects(cloverSource.list!(cloverSource.credentials.parse({ apiToken: 'tok' }), { cursor: null, limit: 10 }, ctx), /^Error: Clover polling was given credentials not parsed by cloverSource\.listCredentials/);
      await assert.rejects(cloverSource.list!(credentials, { cursor: 'garbage', limit: 10 }, ctx), /^InputError: cursor: /);
    });
  });
});
