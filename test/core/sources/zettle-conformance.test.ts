import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { closeAllDatabases } from '../../../nodes/core/store/open-database';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { ACCESS, cardPayment, deliver, KEY, ledger, purchase, PURCHASE_API, SALE } from './zettle-reference';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * Conformance: purchases written as Zettle documents them (iZettle/api-documentation): the Pusher API's
 * PurchaseCreated message (pusher-api/concept/event-payloads.md: organizationUuid, messageUuid, eventName,
 * messageId, `payload` a JSON string, timestamp) signed as create-subscriptions.md Step 4 says (hex HMAC-SHA256 of
 * "<timestamp>.<payload>" in X-iZettle-Signature), the purchase inside as purchase.adoc's Purchase (amount and
 * vatAmount in minor units, payments[] of IZETTLE_CARD with its attributes, gratuityAmount included in the payment
 * amount, refunds negative with refundsPurchaseUUID1 and references.refundsPayment, the sale's
 * refundedByPurchaseUUIDs1). The message, the purchase and its card payments are built by zettle-reference.ts.
 */

const dir = tempDir('tcrm-zettle-conformance-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

describe('Zettle conformance: PurchaseCreated and the Purchase API as documented', () => {
  nockOffline();

  it('reads a card sale in each of Zettle\'s currencies by ISO 4217 minor units, with brand, BIN, last four and entry', async () => {
    for (const [currency, country, amount] of [['SEK', 'SE', 24500], ['NOK', 'NO', 12900], ['DKK', 'DK', 7450], ['EUR', 'FI', 995], ['GBP', 'GB', 35300]] as const) {
      const [sale] = await deliver(purchase({ currency, country, amount, payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', amount)] }));
      assert.deepEqual(
        [sale!.id, sale!.kind, sale!.amount, sale!.occurredAt, sale!.card?.brand, sale!.card?.bin, sale!.card?.last4, sale!.card?.entryMode],
        [`zettle:${SALE}`, 'payment', { minor: amount, currency }, '2026-02-10T12:00:00.000Z', 'mastercard', '535583', '0000', 'contactless'],
      );
    }
  });

  it('counts the tip inside the card payment and every card payment of one purchase', async () => {
    const [tipped] = await deliver(purchase({ amount: 26500, payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', 26500, {}, { gratuityAmount: 2000 })] }));
    assert.deepEqual([tipped!.amount.minor, tipped!.metadata.gratuityAmount], [26500, '2000']);
    const [two] = await deliver(purchase({
      amount: 30000,
      payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', 18000), cardPayment('9a41d49d-a110-11eb-a6f8-25ceee8d2871', 12000, { maskedPan: '476173******0119', cardType: 'VISA', cardPaymentEntryMode: 'EMV' })],
    }));
    assert.deepEqual([two!.amount.minor, two!.card?.brand], [30000, 'mastercard']);
    const [mixed] = await deliver(purchase({ currency: 'DKK', country: 'DK', amount: 30000, payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', 18000), { uuid: 'b1c2d3e4-a110-11eb-a6f8-25ceee8d2871', amount: 12000, type: 'MOBILE_PAY', attributes: {} }] }));
    assert.deepEqual([mixed!.amount, mixed!.metadata.purchaseAmount], [{ minor: 18000, currency: 'DKK' }, '30000']);
  });

  it('counts two partial refunds against the sale by its refundedByPurchaseUUIDs1, the second bringing it to refunded', async () => {
    const REF1 = 'd71e814c-d705-43e7-ac9c-831449d5fc99';
    const REF2 = 'e37d63c2-97af-4bec-b6ac-1cf212f97d90';
    const saleApi = {
      source: 'POS', purchaseUUID: 'fN9K4qEQEeunpyTP74wpcA', purchaseUUID1: SALE, amount: 24500, vatAmount: 2625, country: 'SE', currency: 'SEK',
      timestamp: '2026-02-10T12:00:00.000+0000', created: '2026-02-10T12:00:00.000+0000', purchaseNumber: 1370, globalPurchaseNumber: 1370,
      payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', 24500)], refund: false, refunded: true, refundedByPurchaseUUIDs1: [REF2, REF1],
    };
    const refund = (uuid: string, amount: number, timestamp: string) => ({
      source: 'POS', purchaseUUID1: uuid, amount: -amount, vatAmount: -Math.round(amount * 0.12 / 1.12), country: 'SE', currency: 'SEK', timestamp, created: timestamp,
      purchaseNumber: 1371, globalPurchaseNumber: 1371, userDisplayName: 'Sara Johansson', products: [], discounts: [],
      payments: [cardPayment(`${uuid.slice(0, 8)}-0000-4000-8000-000000000001`, -amount, {}, { references: { refundsPayment: '8031c38c-a110-11eb-a6f8-25ceee8d2871' } })],
      refund: true, refunded: false, refundsPurchaseUUID1: SALE,
    });
    const first = refund(REF1, 10000, '2026-02-10T14:00:00.000+0000');
    const second = refund(REF2, 14500, '2026-02-11T09:30:00.000+0000');
    const api = nock(PURCHASE_API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get(`/purchase/v2/${SALE}`).reply(200, saleApi)
      .get(`/purchase/v2/${REF2}`).reply(200, second)
      .get(`/purchase/v2/${SALE}`).reply(200, saleApi)
      .get(`/purchase/v2/${REF1}`).reply(200, first);
    const credentials = { signingKey: KEY, accessToken: ACCESS };
    const [r1] = await deliver(first, credentials);
    const [r2] = await deliver(second, credentials);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(
      [r1, r2].map((e) => [e!.id, e!.kind, e!.paymentId, e!.amount, e!.refundedTotal?.minor, e!.status]),
      [
        [`zettle:${REF1}`, 'refund', SALE, { minor: 10000, currency: 'SEK' }, 10000, 'partially_refunded'],
        [`zettle:${REF2}`, 'refund', SALE, { minor: 14500, currency: 'SEK' }, 24500, 'refunded'],
      ],
    );
    const [sale] = await deliver(purchase({}));
    const state = await ledger(dir.path, 'refunds', [sale!, r1!, r2!]);
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [24500, 24500, 0, 'refunded']);
  });
});
