import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { zettleSource } from '../../../nodes/core/sources/zettle';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * What the Zettle source makes of a purchase that leaves out what Zettle's documentation shows only sometimes: a
 * payment's `gratuityAmount` (only with a tip), `references` (only on a refund's payment), attributes of a card
 * payment (purchase.adoc's examples differ in which they carry: `cardPaymentEntryMode`, `maskedPan`,
 * `referenceNumber`…), the purchase's `userDisplayName`, `udid`, `created` (the Purchase API's refund example has
 * only `timestamp`), `customerInfo` (never read: Zettle knows nothing of the customer). The outcome is asserted:
 * recorded where the rest is enough, acknowledged and ignored (200, with the reason) where it is not. Shapes and
 * helpers as in zettle-conformance.test.ts:
 *
 * purchases written as Zettle documents them (iZettle/api-documentation): the Pusher API's
 * PurchaseCreated message (pusher-api/concept/event-payloads.md: organizationUuid, messageUuid, eventName,
 * messageId, `payload` a JSON string, timestamp) signed as create-subscriptions.md Step 4 says (hex HMAC-SHA256 of
 * "<timestamp>.<payload>" in X-iZettle-Signature), the purchase inside as purchase.adoc's Purchase (amount and
 * vatAmount in minor units, payments[] of IZETTLE_CARD with its attributes, gratuityAmount included in the payment
 * amount, refunds negative with refundsPurchaseUUID1 and references.refundsPayment, the sale's
 * refundedByPurchaseUUIDs1).
 */

const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
const PURCHASE_API = 'https://purchase.izettle.com';
const ACCESS = 'zettle-conformance-token';
const ORG = 'd3f03ffa-4a18-4282-bbfa-efd5f642ffb7';
const AT = new Date('2026-02-10T12:00:00Z');
const SALE = '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970';
const dir = tempDir('tcrm-zettle-optional-');
const DEADLINE = { timeout: 20_000 };
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

function cardPayment(uuid: string, amount: number, attributes: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    uuid,
    amount,
    gratuityAmount: 0,
    type: 'IZETTLE_CARD',
    attributes: {
      cardHolderVerificationMethod: 'None',
      maskedPan: '535583******0000',
      cardPaymentEntryMode: 'CONTACTLESS_EMV',
      referenceNumber: 'B6MFKZTMKP',
      authorizationCode: '429579',
      cardType: 'MASTERCARD',
      terminalVerificationResults: '0000008001',
      applicationIdentifier: 'A0000000041010',
      applicationName: 'Debit MasterCard',
      ...attributes,
    },
    ...extra,
  };
}

/** The Purchase model of the Pusher payload (purchaseUuid, epoch-millisecond timestamp, created with "+0000"). */
function purchase(overrides: Record<string, unknown>) {
  return {
    purchaseUuid: SALE,
    source: 'POS',
    userUuid: '7a1abbf4-b5e2-4c70-8b21-f4ec5b00c463',
    currency: 'SEK',
    country: 'SE',
    amount: 24500,
    vatAmount: 2625,
    timestamp: 1770724800000,
    created: '2026-02-10T12:00:00.000+0000',
    purchaseNumber: 1370,
    userDisplayName: 'Sara Johansson',
    udid: '692e074e16fb8e99cafbce1c975582c1ce8dbd8f',
    organizationUuid: ORG,
    products: [{ id: '0', productUuid: '4a98a670-7c2e-11eb-bb38-e398536ff6aa', name: 'Flat white', unitPrice: 24500, quantity: '1', vatPercentage: 12, type: 'PRODUCT' }],
    discounts: [],
    payments: [cardPayment('8031c38c-a110-11eb-a6f8-25ceee8d2871', 24500)],
    references: { checkoutUUID: '7cdf4ae2-a110-11eb-a6f8-25ceee8d2871' },
    taxationMode: 'INCLUSIVE',
    taxationType: 'VAT',
    ...overrides,
  };
}

function message(p: object, timestamp = '2026-02-10T12:00:00.812Z'): WebhookRequest {
  const payload = JSON.stringify(p);
  const body = JSON.stringify({ organizationUuid: ORG, messageUuid: '803f68c0-a110-11eb-a1cd-f7dd79ee0866', eventName: 'PurchaseCreated', messageId: '2895af2a-faba-5f51-a1cd-f7dd79ee0866', payload, timestamp });
  const signature = createHmac('sha256', Buffer.from(KEY, 'utf8')).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return { rawBody: Buffer.from(body), headers: { 'content-type': 'application/json', 'x-izettle-signature': signature }, method: 'POST', url: 'https://crm.example.com/webhooks/zettle', receivedAt: AT };
}

async function deliver(p: object, credentials: Record<string, string> = { signingKey: KEY }, at?: string) {
  const out = await receiveWebhook(zettleSource, message(p, at), { credentials, http: axiosTransport(), now: () => AT });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out.events;
}


/** An object without the named keys. */
function omit<T extends Record<string, unknown>>(o: T, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

const CARD = '8031c38c-a110-11eb-a6f8-25ceee8d2871';
/** A card payment of the sale with the named attributes and fields left out. */
const barePayment = (amount: number, attributes: string[], fields: string[] = []) => {
  const p = cardPayment(CARD, amount);
  return omit({ ...p, attributes: omit(p.attributes, attributes) }, fields);
};

describe('Zettle: purchases with what the documentation shows only sometimes left out', () => {
  nockOffline();

  it('a card payment without gratuityAmount, cardPaymentEntryMode, maskedPan, referenceNumber, references: the sale at its amount, entry unknown', DEADLINE, async () => {
    const [sale] = await deliver(purchase({ payments: [barePayment(24500, ['cardPaymentEntryMode', 'maskedPan', 'referenceNumber'], ['gratuityAmount', 'references'])] }));
    assert.deepEqual([sale!.kind, sale!.status, sale!.paymentId, sale!.amount], ['payment', 'succeeded', SALE, { minor: 24500, currency: 'SEK' }]);
    assert.deepEqual([sale!.card?.brand, sale!.card?.last4, sale!.card?.bin, sale!.card?.entryMode], ['mastercard', undefined, undefined, 'unknown']);
    assert.deepEqual([sale!.metadata.gratuityAmount, sale!.metadata.referenceNumber, sale!.metadata.cardPaymentEntryMode], [undefined, undefined, undefined]);
    const state = await (async () => {
      const db = await openDatabase(`sqlite:${join(dir.path, 'bare.db')}`);
      await recordPaymentEvents(db, [sale!]);
      return (await paymentState(db, 'zettle', SALE))!;
    })();
    assert.deepEqual([state.grossMinor, state.netMinor, state.status], [24500, 24500, 'succeeded']);
  });

  it('a card payment with no attributes at all is still the card sale', DEADLINE, async () => {
    const [sale] = await deliver(purchase({ payments: [omit(cardPayment(CARD, 24500), ['attributes', 'gratuityAmount'])] }));
    assert.deepEqual([sale!.kind, sale!.amount.minor, sale!.card?.entryMode, sale!.card?.brand], ['payment', 24500, 'unknown', undefined]);
  });

  it('no userDisplayName, udid, customerInfo, purchaseNumber, references or created: the sale at its timestamp, no employee, no reader, no customer', DEADLINE, async () => {
    const [sale] = await deliver(omit(purchase({}), ['userDisplayName', 'udid', 'customerInfo', 'purchaseNumber', 'references', 'created', 'country', 'organizationUuid', 'userUuid']));
    assert.deepEqual([sale!.kind, sale!.amount.minor, sale!.occurredAt, sale!.terminal, sale!.customerHints], ['payment', 24500, '2026-02-10T12:00:00.000Z', undefined, {}]);
    assert.deepEqual([sale!.metadata.employee, sale!.metadata.checkoutUuid, sale!.metadata.organizationUuid], [undefined, undefined, ORG]);
  });

  it('no timestamp: the purchase\'s created; neither: the message\'s own timestamp', DEADLINE, async () => {
    const [created] = await deliver(omit(purchase({ created: '2026-02-10T11:59:58.000+0000' }), ['timestamp']));
    assert.equal(created!.occurredAt, '2026-02-10T11:59:58.000Z');
    const [messaged] = await deliver(omit(purchase({}), ['timestamp', 'created']));
    assert.deepEqual([messaged!.kind, messaged!.amount.minor, messaged!.occurredAt], ['payment', 24500, '2026-02-10T12:00:00.812Z']);
  });

  it('a card refund whose payment names no refundsPayment counts, with or without reading the sale; one of no time at the message\'s', DEADLINE, async () => {
    const REF = 'd71e814c-d705-43e7-ac9c-831449d5fc99';
    const refund = omit({
      source: 'POS', purchaseUUID1: REF, amount: -10000, currency: 'SEK', timestamp: '2026-02-10T14:00:00.000+0000',
      payments: [barePayment(-10000, ['cardPaymentEntryMode', 'referenceNumber'], ['gratuityAmount', 'references'])],
      refund: true, refundsPurchaseUUID1: SALE,
    }, []);
    const [noToken] = await deliver(refund);
    assert.deepEqual([noToken!.kind, noToken!.paymentId, noToken!.amount, noToken!.refundedTotal?.minor, noToken!.status], ['refund', SALE, { minor: 10000, currency: 'SEK' }, 10000, 'partially_refunded']);
    const saleApi = {
      source: 'POS', purchaseUUID1: SALE, amount: 24500, country: 'SE', currency: 'SEK', timestamp: '2026-02-10T12:00:00.000+0000',
      payments: [barePayment(24500, ['referenceNumber'], ['gratuityAmount'])], refund: false, refunded: true, refundedByPurchaseUUIDs1: [REF],
    };
    const api = nock(PURCHASE_API, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get(`/purchase/v2/${SALE}`).twice().reply(200, saleApi);
    const [read] = await deliver(refund, { signingKey: KEY, accessToken: ACCESS });
    assert.deepEqual([read!.kind, read!.amount.minor, read!.refundedTotal?.minor, read!.status], ['refund', 10000, 10000, 'partially_refunded']);
    // The refund names no time of its own.
    const [untimed] = await deliver(omit(refund, ['timestamp']), { signingKey: KEY, accessToken: ACCESS }, '2026-02-10T14:00:01.000Z');
    assert.deepEqual([untimed!.kind, untimed!.amount.minor, untimed!.occurredAt], ['refund', 10000, '2026-02-10T14:00:01.000Z']);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
  });

  it('a sale whose refunds, read for the cumulative total, name no time: still counted, the refund itself first by its own', DEADLINE, async () => {
    const REF1 = 'd71e814c-d705-43e7-ac9c-831449d5fc99';
    const REF2 = 'e37d63c2-97af-4bec-b6ac-1cf212f97d90';
    const refund = (uuid: string, amount: number, extra: Record<string, unknown>) => ({
      source: 'POS', purchaseUUID1: uuid, amount: -amount, currency: 'SEK', refund: true, refundsPurchaseUUID1: SALE,
      payments: [barePayment(-amount, ['referenceNumber'], ['gratuityAmount', 'references'])], ...extra,
    });
    const saleApi = {
      source: 'POS', purchaseUUID1: SALE, amount: 24500, currency: 'SEK', timestamp: '2026-02-10T12:00:00.000+0000',
      payments: [barePayment(24500, [], ['gratuityAmount'])], refund: false, refunded: true, refundedByPurchaseUUIDs1: [REF1, REF2],
    };
    const api = nock(PURCHASE_API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get(`/purchase/v2/${SALE}`).reply(200, saleApi)
      .get(`/purchase/v2/${REF1}`).reply(200, refund(REF1, 10000, {}));
    const [second] = await deliver(refund(REF2, 14500, { timestamp: '2026-02-11T09:30:00.000+0000' }), { signingKey: KEY, accessToken: ACCESS });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual([second!.kind, second!.amount.minor, second!.occurredAt], ['refund', 14500, '2026-02-11T09:30:00.000Z']);
  });

  it('the same fields sent as null read as left out', DEADLINE, async () => {
    const [sale] = await deliver(purchase({ timestamp: null, created: null, userDisplayName: null, udid: null, payments: [{ ...cardPayment(CARD, 24500), gratuityAmount: null, references: null, attributes: null }] }));
    assert.deepEqual([sale!.kind, sale!.amount.minor, sale!.occurredAt, sale!.terminal, sale!.card?.entryMode], ['payment', 24500, '2026-02-10T12:00:00.812Z', undefined, 'unknown']);
  });
});
