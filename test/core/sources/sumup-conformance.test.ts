import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { sumupSource } from '../../../nodes/core/sources/sumup';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * Conformance: transactions written field by field as SumUp's OpenAPI document defines TransactionFull
 * (sumup/sumup-ts openapi.json: TransactionBase + TransactionCheckoutInfo + TransactionMixinHistory, `events` of
 * Event {id, transaction_id, type, status, amount, timestamp…} and `transaction_events` of TransactionEvent {id,
 * event_type, status, amount, date, timestamp…}, amounts as decimal major units), the reader callback as
 * ReaderCheckoutStatusChange and the checkout event as developer.sumup.com/webhook-docs shows it
 * ({id, event_type: "checkout.status.updated", payload: {checkout_id, reference, status}, timestamp}), signed with
 * the webhook guide's X-Payload-Signature (HMAC-SHA256 of the body).
 */

const SUMUP = 'https://api.sumup.com';
const SECRET = 'whsec_conformance_sumup';
const ACCESS = 'sup_sk_conformance';
const MC = 'MCNF8K2Q';
const AT = new Date('2026-03-02T15:00:00Z');
const dir = tempDir('tcrm-sumup-conformance-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

function transactionFull(overrides: Record<string, unknown> = {}) {
  return {
    id: '6b425463-3e1b-431d-83fa-1e51c2925e99',
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
    client_transaction_id: 'urn:sumup:pos:sale:MCNF8K2Q:1D4E3B2D-111D-48D7-9AF0-832DAEF63DD7;2',
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
}

const readerCallback = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  event_type: 'solo.transaction.updated',
  payload: { client_transaction_id: 'urn:sumup:pos:sale:MCNF8K2Q:1D4E3B2D-111D-48D7-9AF0-832DAEF63DD7;2', merchant_code: MC, status: 'successful', transaction_id: '6b425463-3e1b-431d-83fa-1e51c2925e99' },
  timestamp: '2026-03-02T14:31:08Z',
};

function signed(body: object): WebhookRequest {
  const text = JSON.stringify(body);
  const signature = createHmac('sha256', SECRET).update(text).digest('hex');
  return { rawBody: Buffer.from(text), headers: { 'content-type': 'application/json', 'x-payload-signature': signature }, method: 'POST', url: 'https://crm.example.com/webhooks/sumup', receivedAt: AT };
}

async function deliver(transaction: object) {
  const api = nock(SUMUP, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
    .get(`/v2.1/merchants/${MC}/transactions`)
    .query({ client_transaction_id: readerCallback.payload.client_transaction_id })
    .reply(200, transaction);
  const out = await receiveWebhook(sumupSource, signed(readerCallback), { credentials: { accessToken: ACCESS, signingSecret: SECRET }, http: axiosTransport(), now: () => AT });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.ok(api.isDone(), 'the transaction was not fetched');
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out.events;
}

describe('SumUp conformance: TransactionFull as the OpenAPI document defines it', () => {
  nockOffline();

  it('reads the sale: the decimal amount with its tip in cents, brand, last four, debit, contactless, the reader', async () => {
    const [sale] = await deliver(transactionFull());
    assert.deepEqual(
      [sale!.id, sale!.kind, sale!.paymentId, sale!.amount, sale!.status, sale!.occurredAt],
      ['sumup:6b425463-3e1b-431d-83fa-1e51c2925e99', 'payment', '6b425463-3e1b-431d-83fa-1e51c2925e99', { minor: 2450, currency: 'EUR' }, 'succeeded', '2026-03-02T14:31:07.412Z'],
    );
    assert.deepEqual(
      [sale!.card?.brand, sale!.card?.last4, sale!.card?.funding, sale!.card?.entryMode, sale!.terminal?.readerId],
      ['visa', '3456', 'debit', 'contactless', '3ae2a6b7-fb0d-3b50-adbf-cb7e2db30cd2'],
    );
  });

  it('counts each refund event once, from the compact events or the detailed transaction_events alike, and the ledger nets them', async () => {
    const compact = [
      { id: 9567461201, transaction_id: '6b425463-3e1b-431d-83fa-1e51c2925e99', type: 'PAYOUT', status: 'SCHEDULED', amount: 24.16, fee_amount: 0.34, installment_number: 1 },
      { id: 9567461207, transaction_id: '6b425463-3e1b-431d-83fa-1e51c2925e99', type: 'REFUND', status: 'REFUNDED', amount: 8.0, timestamp: '2026-03-02T16:05:00.000Z', deducted_amount: 8.0 },
      { id: 9567461344, transaction_id: '6b425463-3e1b-431d-83fa-1e51c2925e99', type: 'REFUND', status: 'SUCCESSFUL', amount: 4.5, timestamp: '2026-03-03T09:12:00.000Z', deducted_amount: 4.5 },
    ];
    const detailed = compact.map(({ id, type, status, amount, timestamp }) => ({ id, event_type: type, status, amount, ...(timestamp ? { timestamp, date: timestamp.slice(0, 10) } : { due_date: '2026-03-04' }) }));
    const expected = [
      ['sumup:6b425463-3e1b-431d-83fa-1e51c2925e99', 'payment', 2450, undefined],
      ['sumup:6b425463-3e1b-431d-83fa-1e51c2925e99:refund:9567461207', 'refund', 800, 800],
      ['sumup:6b425463-3e1b-431d-83fa-1e51c2925e99:refund:9567461344', 'refund', 450, 1250],
    ];
    for (const shape of [{ events: compact, transaction_events: detailed }, { events: [], transaction_events: detailed }]) {
      const events = await deliver(transactionFull({ status: 'REFUNDED', simple_status: 'REFUNDED', ...shape }));
      assert.deepEqual(events.map((e) => [e.id, e.kind, e.amount.minor, e.refundedTotal?.minor]), expected);
    }
    const events = await deliver(transactionFull({ status: 'REFUNDED', simple_status: 'REFUNDED', events: compact }));
    const db = await openDatabase(`sqlite:${join(dir.path, 'refunds.db')}`);
    await recordPaymentEvents(db, events);
    const state = (await paymentState(db, 'sumup', '6b425463-3e1b-431d-83fa-1e51c2925e99'))!;
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [2450, 1250, 1200, 'partially_refunded']);
  });

  it('reads SumUp currencies by ISO 4217: pesos without decimals, forints, kronor, złoty and francs with two', async () => {
    for (const [currency, amount, minor] of [['CLP', 12500, 12500], ['HUF', 1890.5, 189050], ['SEK', 249.9, 24990], ['DKK', 75, 7500], ['NOK', 129, 12900], ['PLN', 45.99, 4599], ['CHF', 6.4, 640], ['GBP', 3.2, 320]] as const) {
      const [sale] = await deliver(transactionFull({ currency, amount, tip_amount: 0 }));
      assert.deepEqual(sale!.amount, { minor, currency });
    }
  });

  it('follows a checkout.status.updated event to its checkout and transaction', async () => {
    const checkoutId = 'e24bab0f-1464-4ffe-b6a2-dc33eca5e1e9';
    const api = nock(SUMUP, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get(`/v0.1/checkouts/${checkoutId}`)
      .reply(200, { id: checkoutId, checkout_reference: '6bda4155-bb08-4e92-8068-8a4c41b47bf0', amount: 24.5, currency: 'EUR', merchant_code: MC, status: 'PAID', transaction_code: 'TEENSK4W2K', transaction_id: '6b425463-3e1b-431d-83fa-1e51c2925e99', transactions: [{ id: '6b425463-3e1b-431d-83fa-1e51c2925e99', transaction_code: 'TEENSK4W2K', amount: 24.5, currency: 'EUR', status: 'SUCCESSFUL', payment_type: 'POS' }] })
      .get(`/v2.1/merchants/${MC}/transactions`)
      .query({ id: '6b425463-3e1b-431d-83fa-1e51c2925e99' })
      .reply(200, transactionFull());
    const event = { id: 'c56dc7d23e1dad876cb1e2954854db9e', event_type: 'checkout.status.updated', payload: { checkout_id: checkoutId, reference: '6bda4155-bb08-4e92-8068-8a4c41b47bf0', status: 'PAID' }, timestamp: '2026-03-02T14:31:08.818+00:00' };
    const out = await receiveWebhook(sumupSource, signed(event), { credentials: { accessToken: ACCESS, signingSecret: SECRET }, http: axiosTransport(), now: () => AT });
    assert.equal(out.status, 200, JSON.stringify(out));
    assert.ok(api.isDone());
    assert.deepEqual(out.events.map((e) => [e.id, e.amount.minor]), [['sumup:6b425463-3e1b-431d-83fa-1e51c2925e99', 2450]]);
  });
});
