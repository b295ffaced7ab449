import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { sumupSource } from '../../../nodes/core/sources/sumup';
import { closeAllDatabases } from '../../../nodes/core/store/open-database';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { ACCESS, AT, delivered, ledger, MC, SECRET, signed, SUMUP, transactionFull } from './sumup-reference';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * Conformance: transactions written field by field as SumUp's OpenAPI document defines TransactionFull
 * (sumup/sumup-ts openapi.json: TransactionBase + TransactionCheckoutInfo + TransactionMixinHistory, `events` of
 * Event {id, transaction_id, type, status, amount, timestamp…} and `transaction_events` of TransactionEvent {id,
 * event_type, status, amount, date, timestamp…}, amounts as decimal major units), the reader callback as
 * ReaderCheckoutStatusChange and the checkout event as developer.sumup.com/webhook-docs shows it
 * ({id, event_type: "checkout.status.updated", payload: {checkout_id, reference, status}, timestamp}), signed with
 * the webhook guide's X-Payload-Signature (HMAC-SHA256 of the body). The transaction, the reader callback and the
 * signature are built by sumup-reference.ts.
 */

const dir = tempDir('tcrm-sumup-conformance-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

/** The events of the reader callback, its transaction answered with `transaction`, with no card number in the outcome. */
async function deliver(transaction: object) {
  return (await delivered(transaction, { cardNumberFree: true })).events;
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
    const state = await ledger(dir.path, 'refunds', events);
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
