import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { closeAllDatabases } from '../../../nodes/core/store/open-database';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { ACCESS, CARD, cardPayment, deliver, KEY, ledger, ORG, purchase, PURCHASE_API, SALE } from './zettle-reference';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * What the Zettle source makes of a purchase that leaves out what Zettle's documentation shows only sometimes: a
 * payment's `gratuityAmount` (only with a tip), `references` (only on a refund's payment), attributes of a card
 * payment (purchase.adoc's examples differ in which they carry: `cardPaymentEntryMode`, `maskedPan`,
 * `referenceNumber`…), the purchase's `userDisplayName`, `udid`, `created` (the Purchase API's refund example has
 * only `timestamp`), `customerInfo` (never read: Zettle knows nothing of the customer). The outcome is asserted:
 * recorded where the rest is enough, acknowledged and ignored (200, with the reason) where it is not. Shapes and
 * helpers as in zettle-reference.ts (shared with zettle-conformance.test.ts): the PurchaseCreated message signed as
 * the Pusher API says, the purchase inside as purchase.adoc's Purchase.
 */

const dir = tempDir('tcrm-zettle-optional-');
const DEADLINE = { timeout: 20_000 };
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

/** An object without the named keys. */
function omit<T extends Record<string, unknown>>(o: T, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

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
    const state = await ledger(dir.path, 'bare', [sale!]);
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
