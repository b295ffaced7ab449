/**
 * Clover payments as Clover's REST API reference documents them (docs.clover.com/dev/reference, "Get a single
 * payment", schema Payment), not as the SDK's classes serialize them, for clover-conformance.test.ts and
 * clover-optional-fields.test.ts. The reference writes a record's lists as bare arrays ("refunds": [ {...} ], Order
 * "customers": [ {...} ], Customer "emailAddresses": [...]) and CardTransaction.first6 as a number (123456); the live
 * API wraps lists in {"elements": [...]}, which clover.test.ts covers. Amounts in cents ("Payment response
 * reference": amount, tipAmount; "Refund response reference": refund.amount), the currency from the card transaction
 * or the order; the webhook as "Use webhooks" shows it ({appId, merchants: {mId: [{objectId: "P:…", type, ts}]}},
 * X-Clover-Auth), the payment it names fetched from GET /v3/merchants/{mId}/payments/{id} and handed to the core as
 * every face does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { ledgerViewOf } from '../../../nodes/core/backfill/ledger-view';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import { cloverSource } from '../../../nodes/core/sources/clover';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlExecutor } from '../../../nodes/core/store/sql-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

export const CLOVER = 'https://api.clover.com';
export const AUTH = '0307e264-b33a-4913-88aa-37b10014a0b8';
export const MID = 'SJ925JDCKKTJJ';
export const TOKEN = 'merchant-token-1';
export const EXPAND = 'cardTransaction,tender,refunds,order';
export const AT = new Date('2024-06-14T09:00:00Z');

/** Payment, as the reference's schema lists its fields: a Mastercard tapped in a Dublin café, paid in euro. */
export function referencePayment(overrides: Record<string, unknown> = {}) {
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
export function referenceRefund(id: string, amount: number, createdTime: number, status = 'SUCCESS', extra: Record<string, unknown> = {}) {
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

/** The webhook of "Use webhooks" naming one payment (ts 1718271001000), with the app's auth code. */
export function notification(paymentId: string): WebhookRequest {
  const body = { appId: 'DRKVY8E2SAB3T', merchants: { [MID]: [{ objectId: `P:${paymentId}`, type: 'UPDATE', ts: 1718271001000 }] } };
  return { rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json', 'x-clover-auth': AUTH }, method: 'POST', url: 'https://crm.example.com/webhooks/clover', receivedAt: AT };
}

/**
 * The notification of `payment`, delivered: the payment fetched (expanded as the source asks) and the outcome asserted
 * 200. With `cardNumberFree`, also that no run of 13–19 digits (a card number?) is anywhere in the outcome; with
 * `store`, the trigger's store (its ledger read where the payment leaves something untold).
 */
export async function delivered(payment: { id: string }, { cardNumberFree = false, store }: { cardNumberFree?: boolean; store?: Pick<SqlExecutor, 'all'> } = {}): Promise<WebhookOutcome> {
  const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/v3/merchants/${MID}/payments/${payment.id}`)
    .query({ expand: EXPAND })
    .reply(200, payment);
  const out = await receiveWebhook(cloverSource, notification(payment.id), { credentials: { authCode: AUTH, apiToken: TOKEN }, http: axiosTransport(), now: () => AT, store });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the payment was not fetched');
  if (cardNumberFree) assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out;
}

/** A page of GET /v3/merchants/{mId}/payments as the source polls it (at AT; with the ledger of `store`), the page asserted requested. */
export async function polled(page: { elements: unknown[] } & Record<string, unknown>, store?: Pick<SqlExecutor, 'all'>) {
  const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/v3/merchants/${MID}/payments`)
    .query(true)
    .reply(200, page);
  const credentials = cloverSource.credentials.parse({ apiToken: TOKEN, merchantId: MID });
  const out = await cloverSource.list!(credentials, { cursor: null, limit: 100 }, { http: axiosTransport(), now: () => AT, ledger: store ? ledgerViewOf(store, 'clover') : undefined });
  assert.ok(api.isDone());
  return out;
}

/** The ledger's state of the reference's payment once `events` are recorded in a new database `name`.db in `dir`. */
export async function ledger(dir: string, name: string, events: readonly PaymentEvent[]) {
  const db = await openDatabase(`sqlite:${join(dir, `${name}.db`)}`);
  await recordPaymentEvents(db, events);
  return (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
}
