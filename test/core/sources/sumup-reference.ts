/**
 * SumUp transactions as SumUp's OpenAPI document defines TransactionFull (sumup/sumup-ts openapi.json:
 * TransactionBase + TransactionCheckoutInfo + TransactionMixinHistory, `events` of Event {id, transaction_id, type,
 * status, amount, timestamp…} and `transaction_events` of TransactionEvent {id, event_type, status, amount, date,
 * timestamp…}, amounts as decimal major units), for sumup-conformance.test.ts and sumup-optional-fields.test.ts; the
 * reader callback as ReaderCheckoutStatusChange, signed with the webhook guide's X-Payload-Signature (HMAC-SHA256 of
 * the body), the transaction it names fetched from GET /v2.1/merchants/{merchant_code}/transactions and handed to the
 * core as every face does.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { sumupSource } from '../../../nodes/core/sources/sumup';
import { ledgerViewOf } from '../../../nodes/core/backfill/ledger-view';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlExecutor } from '../../../nodes/core/store/sql-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

export const SUMUP = 'https://api.sumup.com';
export const SECRET = 'whsec_conformance_sumup';
export const ACCESS = 'sup_sk_conformance';
export const MC = 'MCNF8K2Q';
/** The transaction's id. */
export const ID = '6b425463-3e1b-431d-83fa-1e51c2925e99';
export const CLIENT_ID = 'urn:sumup:pos:sale:MCNF8K2Q:1D4E3B2D-111D-48D7-9AF0-832DAEF63DD7;2';
export const AT = new Date('2026-03-02T15:00:00Z');

/** TransactionFull as the OpenAPI lists it: a contactless Visa debit sale of 24.50 EUR at a Solo, less the fields `without` names. */
export function transactionFull(overrides: Record<string, unknown> = {}, without: string[] = []) {
  const t: Record<string, unknown> = {
    id: ID,
    transaction_code: 'TEENSK4W2K',
    amount: 24.5,
    currency: 'EUR',
    timestamp: '2026-03-02T14:31:07.412Z',
    status: 'SUCCESSFUL',
    payment_type: 'POS',
    installments_count: 1,
    merchant_code: MC,
    vat_amount: 3.91,
    tip_amount: 2.0,
    entry_mode: 'CONTACTLESS',
    auth_code: '053201',
    product_summary: '2 × Flat white, 1 × Croissant',
    payouts_total: 1,
    payouts_received: 0,
    payout_plan: 'SINGLE_PAYMENT',
    foreign_transaction_id: 'till-2-000451',
    client_transaction_id: CLIENT_ID,
    username: 'owner@cafe.example.com',
    fee_amount: 0.34,
    lat: 52.5208,
    lon: 13.4094,
    horizontal_accuracy: 12,
    merchant_id: 136902,
    device_info: { name: 'Solo', system_name: 'SumUp OS', model: 'solo', system_version: '3.1', uuid: '3ae2a6b7-fb0d-3b50-adbf-cb7e2db30cd2' },
    simple_payment_type: 'EMV',
    verification_method: 'none',
    card: { last_4_digits: '3456', type: 'VISA' },
    local_time: '2026-03-02T15:31:07.412+01:00',
    payout_type: 'BANK_ACCOUNT',
    process_as: 'DEBIT',
    products: [{ name: 'Flat white', price: 3.5, quantity: 2, total_price: 7.0 }],
    vat_rates: [{ rate: 0.19, net: 19.0, vat: 3.51, gross: 22.5 }],
    transaction_events: [],
    simple_status: 'SUCCESSFUL',
    links: [{ rel: 'receipt', href: 'https://receipts-ng.sumup.com/v0.1/receipts/6b425463', type: 'text/html' }],
    events: [],
    location: { lat: 52.5208, lon: 13.4094, horizontal_accuracy: 12 },
    tax_enabled: true,
    ...overrides,
  };
  for (const key of without) delete t[key];
  return t;
}

/**
 * Merchant as SumUp's OpenAPI defines it (@sumup/sdk 0.2.0 types/merchant.d.ts: merchant_code, country,
 * default_currency, default_locale, created_at, updated_at required), as GET /v1/merchants/{merchant_code} answers.
 */
export const merchant = {
  merchant_code: MC,
  business_type: 'company',
  country: 'DE',
  alias: 'Café am Markt',
  default_currency: 'EUR',
  default_locale: 'de-DE',
  sandbox: false,
  created_at: '2024-01-15T09:12:44Z',
  updated_at: '2025-11-03T16:20:01Z',
};

/** GET /v1/merchants/{MC} answered once with `status` and `body`; the interceptor, to assert it was (or was not) asked. */
export function merchantAnswered(status = 200, body: object = merchant) {
  return nock(SUMUP, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get(`/v1/merchants/${MC}`).reply(status, body);
}

/** ReaderCheckoutStatusChange, with its own time. */
export const readerCallback = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  event_type: 'solo.transaction.updated',
  payload: { client_transaction_id: CLIENT_ID, merchant_code: MC, status: 'successful', transaction_id: ID },
  timestamp: '2026-03-02T14:31:08Z',
};

/** `body` as SumUp posts it, signed with SECRET in X-Payload-Signature. */
export function signed(body: object): WebhookRequest {
  const text = JSON.stringify(body);
  const signature = createHmac('sha256', SECRET).update(text).digest('hex');
  return { rawBody: Buffer.from(text), headers: { 'content-type': 'application/json', 'x-payload-signature': signature }, method: 'POST', url: 'https://crm.example.com/webhooks/sumup', receivedAt: AT };
}

/**
 * The reader callback `hint` delivered, the transaction it names answered with `transaction`: the outcome asserted
 * 200 and the transaction fetched. With `cardNumberFree`, also that no run of 13–19 digits (a card number?) is
 * anywhere in the outcome.
 */
export async function delivered(transaction: object, { hint = readerCallback as object, cardNumberFree = false, store }: { hint?: object; cardNumberFree?: boolean; store?: Pick<SqlExecutor, 'all'> } = {}): Promise<WebhookOutcome> {
  const api = nock(SUMUP, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
    .get(`/v2.1/merchants/${MC}/transactions`)
    .query({ client_transaction_id: CLIENT_ID })
    .reply(200, transaction);
  const out = await receiveWebhook(sumupSource, signed(hint), { credentials: { accessToken: ACCESS, signingSecret: SECRET }, http: axiosTransport(), now: () => AT, store });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the transaction was not fetched');
  if (cardNumberFree) assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out;
}

/**
 * A poll (at AT; with the ledger of `store`) whose page of GET …/transactions/history lists the transaction as a
 * PAYMENT (TransactionHistory: its `transaction_id`), the transaction read by id answered with `transaction`.
 */
export async function polled(transaction: Record<string, unknown>, store?: Pick<SqlExecutor, 'all'>) {
  const api = nock(SUMUP, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
    .get(`/v2.1/merchants/${MC}/transactions/history`)
    .query(true)
    .reply(200, { items: [{ transaction_code: transaction.transaction_code, transaction_id: ID, type: 'PAYMENT', status: transaction.status, payment_type: 'POS' }], links: [] })
    .get(`/v2.1/merchants/${MC}/transactions`)
    .query({ id: ID })
    .reply(200, transaction);
  const credentials = sumupSource.credentials.parse({ accessToken: ACCESS, merchantCode: MC });
  const out = await sumupSource.list!(credentials, { cursor: null, limit: 100 }, { http: axiosTransport(), now: () => AT, ledger: store ? ledgerViewOf(store, 'sumup') : undefined });
  assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
  return out;
}

/** The ledger's state of the transaction once `events` are recorded in a new database `name`.db in `dir`. */
export async function ledger(dir: string, name: string, events: readonly PaymentEvent[]) {
  const db = await openDatabase(`sqlite:${join(dir, `${name}.db`)}`);
  await recordPaymentEvents(db, events);
  return (await paymentState(db, 'sumup', ID))!;
}
