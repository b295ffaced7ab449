import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { cloverSource } from '../../../nodes/core/sources/clover';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * What the Clover source makes of a payment that leaves out fields Clover's reference does not require: its Payment
 * schema (docs.clover.com/dev/reference, "Get a single payment") marks none required, and the SDK's classes
 * (clover-android-sdk com.clover.sdk.v3.payments Payment, Refund, CardTransaction) make every one a nullable
 * object. Each payload below is the reference's payment with some of them left out; the outcome is asserted (ledger
 * amount, status, customer): recorded where the rest is enough, acknowledged and ignored (200, with the reason) where
 * it is not. The shapes and helpers are those of clover-conformance.test.ts:
 *
 * a payment written as Clover's REST API reference documents it (docs.clover.com/dev/reference,
 * "Get a single payment", schema Payment), not as the SDK's classes serialize it. The reference writes a record's
 * lists as bare arrays ("refunds": [ {...} ], Order "customers": [ {...} ], Customer "emailAddresses": [...]) and
 * CardTransaction.first6 as a number (123456); the live API wraps lists in {"elements": [...]}, which clover.test.ts
 * covers. Amounts in cents ("Payment response reference": amount, tipAmount; "Refund response reference":
 * refund.amount), the currency from the card transaction or the order; webhook as "Use webhooks" shows it
 * ({appId, merchants: {mId: [{objectId: "P:…", type, ts}]}}, X-Clover-Auth).
 */

const CLOVER = 'https://api.clover.com';
const AUTH = '0307e264-b33a-4913-88aa-37b10014a0b8';
const MID = 'SJ925JDCKKTJJ';
const TOKEN = 'merchant-token-1';
const EXPAND = 'cardTransaction,tender,refunds,order';
const AT = new Date('2024-06-14T09:00:00Z');
const dir = tempDir('tcrm-clover-optional-');
const DEADLINE = { timeout: 20_000 };
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

/** Payment, as the reference's schema lists its fields: a Mastercard tapped in a Dublin café, paid in euro. */
function referencePayment(overrides: Record<string, unknown> = {}) {
  return {
    id: 'XJ4D2K9W1MQ7A',
    order: {
      id: 'V8S5N0C4B2Z6X',
      currency: 'EUR',
      customers: [
        {
          id: 'QK3T7Y1P5R9HW',
          firstName: 'Siobhán',
          lastName: 'Kelly',
          emailAddresses: [{ id: 'E1', emailAddress: 'siobhan.kelly@example.ie' }],
          phoneNumbers: [{ id: 'P1', phoneNumber: '+353 1 555 0142' }],
          addresses: [{ id: 'A1', address1: '12 Camden Row', city: 'Dublin', zip: 'D08 R2P6', country: 'IE' }],
        },
      ],
      total: 2450,
      paymentState: 'PAID',
      state: 'locked',
    },
    device: { id: '0c8c3a5e-7f2b-4d1a-9e6f-3b2a1c0d9e8f' },
    tender: { id: '8M6XGMKHMH2QJ', labelKey: 'com.clover.tender.credit_card', label: 'Credit Card', enabled: true, visible: true },
    amount: 2250,
    tipAmount: 200,
    taxAmount: 421,
    cashbackAmount: 0,
    cashTendered: 0,
    externalPaymentId: 'till-3-000918',
    employee: { id: 'DFLTEMPLOYEE' },
    createdTime: 1718271000000,
    clientCreatedTime: 1718270999412,
    gatewayProcessingTime: 1718271000250,
    modifiedTime: 1718271000900,
    offline: false,
    result: 'SUCCESS',
    cardTransaction: {
      cardType: 'MC',
      entryType: 'EMV_CONTACTLESS',
      first6: 535583,
      last4: '4417',
      type: 'AUTH',
      authCode: '071284',
      referenceId: '416500502139',
      transactionNo: '000918',
      state: 'CLOSED',
      currency: 'eur',
      captured: true,
      extra: { cvmResult: 'NO_CVM_REQUIRED', applicationIdentifier: 'A0000000041010' },
      cardholderName: 'KELLY/SIOBHAN',
      token: '7034535583014417',
    },
    refunds: [],
    note: 'table 7',
    ...overrides,
  };
}

/** Refund, as the reference's schema lists it: amount in cents, tax and tip included. */
function referenceRefund(id: string, amount: number, createdTime: number, status = 'SUCCESS', extra: Record<string, unknown> = {}) {
  return {
    id,
    orderRef: { id: 'V8S5N0C4B2Z6X' },
    device: { id: '0c8c3a5e-7f2b-4d1a-9e6f-3b2a1c0d9e8f' },
    amount,
    taxAmount: Math.round(amount * 0.135 / 1.135),
    tipAmount: 0,
    createdTime,
    clientCreatedTime: createdTime - 400,
    payment: { id: 'XJ4D2K9W1MQ7A' },
    employee: { id: 'DFLTEMPLOYEE' },
    voided: false,
    status,
    ...extra,
  };
}

function notification(paymentId: string): WebhookRequest {
  const body = { appId: 'DRKVY8E2SAB3T', merchants: { [MID]: [{ objectId: `P:${paymentId}`, type: 'UPDATE', ts: 1718271001000 }] } };
  return { rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json', 'x-clover-auth': AUTH }, method: 'POST', url: 'https://crm.example.com/webhooks/clover', receivedAt: AT };
}

async function delivered(payment: { id: string }) {
  const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/v3/merchants/${MID}/payments/${payment.id}`)
    .query({ expand: EXPAND })
    .reply(200, payment);
  const out = await receiveWebhook(cloverSource, notification(payment.id), { credentials: { authCode: AUTH, apiToken: TOKEN }, http: axiosTransport(), now: () => AT });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the payment was not fetched');
  return out;
}

async function deliver(payment: { id: string }) {
  const out = await delivered(payment);
  assert.ok(out.events.length > 0, JSON.stringify(out.report));
  return out.events;
}

async function ignored(payment: { id: string }, reason: RegExp) {
  const out = await delivered(payment);
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join('; '), reason);
}

/** The reference's payment without the named fields. */
function without(keys: string[], overrides: Record<string, unknown> = {}): { id: string } & Record<string, unknown> {
  const p: Record<string, unknown> = referencePayment(overrides);
  for (const k of keys) delete p[k];
  return p as { id: string } & Record<string, unknown>;
}

async function ledger(name: string, events: Awaited<ReturnType<typeof deliver>>) {
  const db = await openDatabase(`sqlite:${join(dir.path, `${name}.db`)}`);
  await recordPaymentEvents(db, events);
  return (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
}


/** The notification's ts (1718271001000). */
const NOTIFIED = '2024-06-13T09:30:01.000Z';

describe('Clover: a payment with the fields its reference does not require left out', () => {
  nockOffline();

  it('createdTime absent: the sale is at clientCreatedTime, else modifiedTime, else the notification\'s ts; the ledger counts it', DEADLINE, async () => {
    const [atClient] = await deliver(without(['createdTime']));
    assert.deepEqual([atClient!.kind, atClient!.amount, atClient!.occurredAt], ['payment', { minor: 2450, currency: 'EUR' }, '2024-06-13T09:29:59.412Z']);
    const [atModified] = await deliver(without(['createdTime', 'clientCreatedTime']));
    assert.equal(atModified!.occurredAt, '2024-06-13T09:30:00.900Z');
    const events = await deliver(without(['createdTime', 'clientCreatedTime', 'modifiedTime']));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.occurredAt]), [
      ['clover:XJ4D2K9W1MQ7A', 'payment', NOTIFIED],
      ['clover:XJ4D2K9W1MQ7A:amount:2450', 'payment', NOTIFIED],
    ]);
    const state = await ledger('no-time', events);
    assert.deepEqual([state.grossMinor, state.netMinor, state.status], [2450, 2450, 'succeeded']);
  });

  it('a void of no times of its own is still the void of its sale', DEADLINE, async () => {
    const events = await deliver(without(['createdTime', 'clientCreatedTime', 'modifiedTime'], { result: 'VOIDED', tipAmount: 0 }));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.sale?.voided, e.occurredAt]), [
      ['clover:XJ4D2K9W1MQ7A:void', 'failure', true, NOTIFIED],
      ['clover:XJ4D2K9W1MQ7A', 'payment', undefined, NOTIFIED],
    ]);
    const state = await ledger('void-no-time', events);
    assert.deepEqual([state.netMinor, state.status], [0, 'failed']);
  });

  it('a refund of no createdTime counts at its clientCreatedTime, else at the payment\'s time', DEADLINE, async () => {
    const noCreated = { ...referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000) } as Record<string, unknown>;
    delete noCreated.createdTime;
    const neither = { ...referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000) } as Record<string, unknown>;
    delete neither.createdTime;
    delete neither.clientCreatedTime;
    const events = await deliver(referencePayment({ refunds: [noCreated, neither] }));
    const refunds = events.filter((e) => e.kind === 'refund');
    // In the order they were made, by the times they have: the one at its payment's time first.
    assert.deepEqual(refunds.map((e) => [e.id, e.amount.minor, e.occurredAt, e.refundedTotal?.minor]), [
      ['clover:RG7H8J9K0L1M2', 450, '2024-06-13T09:30:00.000Z', 450],
      ['clover:RA1B2C3D4E5F6', 800, '2024-06-13T09:46:39.600Z', 1250],
    ]);
    const state = await ledger('refund-no-time', events);
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [2450, 1250, 1200, 'partially_refunded']);
  });

  it('a refund that names no amount is not counted (as nothing or otherwise); the sale and the other refunds are', DEADLINE, async () => {
    const noAmount = { ...referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000) } as Record<string, unknown>;
    delete noAmount.amount;
    const events = await deliver(referencePayment({ refunds: [noAmount, referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000)] }));
    assert.deepEqual(events.filter((e) => e.kind === 'refund').map((e) => [e.id, e.amount.minor, e.refundedTotal?.minor]), [['clover:RG7H8J9K0L1M2', 450, 450]]);
  });

  it('a payment that names no amount is acknowledged and ignored, naming it: not a sale of its tip alone', DEADLINE, async () => {
    await ignored(without(['amount']), /payment XJ4D2K9W1MQ7A names no amount/);
    await ignored(without(['amount', 'tipAmount']), /payment XJ4D2K9W1MQ7A names no amount/);
  });

  it('cardTransaction absent: acknowledged and ignored, saying a card tender has no card transaction', DEADLINE, async () => {
    await ignored(without(['cardTransaction']), /payment XJ4D2K9W1MQ7A was paid with Credit Card but has no card transaction/);
    await ignored(without(['cardTransaction', 'tender']), /payment XJ4D2K9W1MQ7A was paid with a non-card tender, not a card/);
  });

  it('tender, order, refunds, employee, device absent: the sale in the card transaction\'s currency, the cardholder its name', DEADLINE, async () => {
    const events = await deliver(without(['tender', 'order', 'refunds', 'employee', 'device', 'externalPaymentId', 'note', 'taxAmount']));
    const [sale] = events;
    assert.deepEqual([sale!.kind, sale!.status, sale!.amount, sale!.card?.funding, sale!.card?.brand, sale!.terminal?.readerId], ['payment', 'succeeded', { minor: 2450, currency: 'EUR' }, undefined, 'mastercard', undefined]);
    assert.equal(sale!.customerHints.name, 'SIOBHAN KELLY');
    assert.equal(sale!.customerHints.processorCustomerId, undefined);
    assert.deepEqual([sale!.metadata.orderId, sale!.metadata.employeeId, sale!.metadata.tender], [undefined, undefined, undefined]);
  });

  it('an order with no customers, and no card currency: the order\'s currency, the cardholder\'s name', DEADLINE, async () => {
    const ct = { ...referencePayment().cardTransaction } as Record<string, unknown>;
    delete ct.currency;
    const [sale] = await deliver(referencePayment({ order: { id: 'V8S5N0C4B2Z6X', currency: 'EUR' }, cardTransaction: ct }));
    assert.deepEqual([sale!.amount, sale!.customerHints.name, sale!.customerHints.processorCustomerId, sale!.customerHints.email], [{ minor: 2450, currency: 'EUR' }, 'SIOBHAN KELLY', undefined, undefined]);
  });

  it('result absent: acknowledged as not final', DEADLINE, async () => {
    await ignored(without(['result']), /payment XJ4D2K9W1MQ7A is of no result, not final yet/);
  });

  it('the same fields sent as null read as left out', DEADLINE, async () => {
    const events = await deliver(referencePayment({ createdTime: null, clientCreatedTime: null, tender: null, order: null, employee: null, refunds: null, device: null }));
    assert.deepEqual(events.map((e) => [e.id, e.amount.minor, e.occurredAt]), [['clover:XJ4D2K9W1MQ7A', 2450, '2024-06-13T09:30:00.900Z'], ['clover:XJ4D2K9W1MQ7A:amount:2450', 2450, '2024-06-13T09:30:00.900Z']]);
    await ignored(referencePayment({ amount: null }), /names no amount/);
    await ignored(referencePayment({ cardTransaction: null }), /has no card transaction/);
  });

  it('polled, a payment of no times is read at the time of the poll; one of no amount is left out of the page', DEADLINE, async () => {
    const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(`/v3/merchants/${MID}/payments`)
      .query(true)
      .reply(200, { elements: [without(['createdTime', 'clientCreatedTime', 'modifiedTime'], { tipAmount: 0 }), without(['amount'], { id: 'NOAMOUNT00001' })] });
    const credentials = cloverSource.credentials.parse({ apiToken: TOKEN, merchantId: MID });
    const out = await cloverSource.list!(credentials, { cursor: null, limit: 100 }, { http: axiosTransport(), now: () => AT });
    assert.ok(api.isDone());
    assert.deepEqual(out.events.map((e) => [e.id, e.amount.minor, e.occurredAt]), [['clover:XJ4D2K9W1MQ7A', 2250, AT.toISOString()]]);
  });
});
