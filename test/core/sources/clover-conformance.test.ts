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
 * Conformance: a payment written as Clover's REST API reference documents it (docs.clover.com/dev/reference,
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
const dir = tempDir('tcrm-clover-conformance-');
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

async function deliver(payment: { id: string }) {
  const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/v3/merchants/${MID}/payments/${payment.id}`)
    .query({ expand: EXPAND })
    .reply(200, payment);
  const out = await receiveWebhook(cloverSource, notification(payment.id), { credentials: { authCode: AUTH, apiToken: TOKEN }, http: axiosTransport(), now: () => AT });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the payment was not fetched');
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out.events;
}

describe('Clover conformance: payments as the REST API reference documents them', () => {
  nockOffline();

  it('reads the sale: amount with tip, currency, brand, BIN, last four, entry, the customer of the order', async () => {
    const [sale] = await deliver(referencePayment());
    assert.deepEqual(
      [sale!.id, sale!.kind, sale!.paymentId, sale!.amount, sale!.status, sale!.occurredAt],
      ['clover:XJ4D2K9W1MQ7A', 'payment', 'XJ4D2K9W1MQ7A', { minor: 2450, currency: 'EUR' }, 'succeeded', '2024-06-13T09:30:00.000Z'],
    );
    assert.deepEqual(
      [sale!.card?.brand, sale!.card?.bin, sale!.card?.last4, sale!.card?.entryMode, sale!.card?.funding],
      ['mastercard', '535583', '4417', 'contactless', 'credit'],
    );
    assert.deepEqual(sale!.customerHints, {
      processorCustomerId: 'QK3T7Y1P5R9HW',
      email: 'siobhan.kelly@example.ie',
      phone: '+353 1 555 0142',
      name: 'Siobhán Kelly',
      postalCode: 'D08 R2P6',
    });
  });

  it('counts each refund of the refunds array once, takes a failed one as reversed, and the ledger nets them', async () => {
    const payment = referencePayment({
      refunds: [
        referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000),
        referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000),
        referenceRefund('RN3P4Q5R6S7T8', 300, 1718274000000, 'FAIL'),
      ],
    });
    const events = await deliver(payment);
    const refunds = events.filter((e) => e.kind === 'refund');
    assert.deepEqual(
      refunds.map((e) => [e.id, e.amount, e.refundedTotal?.minor, e.refund?.reversed ?? false, e.status]),
      [
        ['clover:RA1B2C3D4E5F6', { minor: 800, currency: 'EUR' }, 800, false, 'partially_refunded'],
        ['clover:RG7H8J9K0L1M2', { minor: 450, currency: 'EUR' }, 1250, false, 'partially_refunded'],
        ['clover:RN3P4Q5R6S7T8:failed', { minor: 300, currency: 'EUR' }, 1250, true, 'partially_refunded'],
      ],
    );
    const db = await openDatabase(`sqlite:${join(dir.path, 'refunds.db')}`);
    await recordPaymentEvents(db, events);
    const state = (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [2450, 1250, 1200, 'partially_refunded']);
  });

  it('refunds a sale in full, tip included, in pounds sterling named by the card transaction', async () => {
    const payment = referencePayment({
      order: { id: 'V8S5N0C4B2Z6X', currency: 'GBP', customers: [] },
      cardTransaction: { ...referencePayment().cardTransaction, currency: 'GBP', cardType: 'VISA', first6: 476173, last4: '0119', entryType: 'EMV_CONTACT' },
      refunds: [referenceRefund('RU9V8W7X6Y5Z4', 2450, 1718272000000, 'SUCCESS', { tipAmount: 200 })],
    });
    const events = await deliver(payment);
    const refund = events.find((e) => e.kind === 'refund')!;
    assert.deepEqual([refund.amount, refund.refundedTotal, refund.status, refund.card?.brand, refund.card?.bin], [{ minor: 2450, currency: 'GBP' }, { minor: 2450, currency: 'GBP' }, 'refunded', 'visa', '476173']);
  });

  it('reads a voided payment as its sale and the void, which leave nothing counted', async () => {
    const events = await deliver(referencePayment({ result: 'VOIDED', voidReason: 'USER_CANCEL', tipAmount: 0, modifiedTime: 1718271600000, refunds: [] }));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.status, e.sale?.voided]), [
      ['clover:XJ4D2K9W1MQ7A:void', 'failure', 'failed', true],
      ['clover:XJ4D2K9W1MQ7A', 'payment', 'succeeded', undefined],
    ]);
    const db = await openDatabase(`sqlite:${join(dir.path, 'void.db')}`);
    await recordPaymentEvents(db, events);
    const state = (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
    assert.deepEqual([state.netMinor, state.status], [0, 'failed']);
  });

  it('polls a page of payments whose refunds are bare arrays, as it does from a webhook', async () => {
    const payment = referencePayment({ refunds: [referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000)] });
    const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(`/v3/merchants/${MID}/payments`)
      .query(true)
      .reply(200, { elements: [payment], href: `${CLOVER}/v3/merchants/${MID}/payments?limit=100` });
    const credentials = cloverSource.credentials.parse({ apiToken: TOKEN, merchantId: MID });
    const out = await cloverSource.list!(credentials, { cursor: null, limit: 100 }, { http: axiosTransport(), now: () => AT });
    assert.ok(api.isDone());
    assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.amount.minor, e.card?.bin]), [
      ['clover:XJ4D2K9W1MQ7A', 'payment', 2450, '535583'],
      ['clover:XJ4D2K9W1MQ7A:amount:2450', 'payment', 2450, '535583'],
      ['clover:RA1B2C3D4E5F6', 'refund', 800, '535583'],
    ]);
  });
});
