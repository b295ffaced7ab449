/**
 * Zettle purchases as Zettle documents them (iZettle/api-documentation), for zettle-conformance.test.ts and
 * zettle-optional-fields.test.ts: the Pusher API's PurchaseCreated message (pusher-api/concept/event-payloads.md:
 * organizationUuid, messageUuid, eventName, messageId, `payload` a JSON string, timestamp) signed as
 * create-subscriptions.md Step 4 says (hex HMAC-SHA256 of "<timestamp>.<payload>" in X-iZettle-Signature), the
 * purchase inside as purchase.adoc's Purchase (amount and vatAmount in minor units, payments[] of IZETTLE_CARD with
 * its attributes, gratuityAmount included in the payment amount, refunds negative with refundsPurchaseUUID1 and
 * references.refundsPayment, the sale's refundedByPurchaseUUIDs1), handed to the core as every face does.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { zettleSource } from '../../../nodes/core/sources/zettle';
import { openDatabase } from '../../../nodes/core/store/open-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';

export const KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';
export const PURCHASE_API = 'https://purchase.izettle.com';
export const ACCESS = 'zettle-conformance-token';
export const ORG = 'd3f03ffa-4a18-4282-bbfa-efd5f642ffb7';
export const AT = new Date('2026-02-10T12:00:00Z');
/** The sale's purchase UUID. */
export const SALE = '7cdf4ae2-a110-11eb-a7f9-24cfef8c2970';
/** The UUID of the sale's card payment. */
export const CARD = '8031c38c-a110-11eb-a6f8-25ceee8d2871';
/** The message's own timestamp when a test names none. */
const MESSAGED = '2026-02-10T12:00:00.812Z';

/** A payment of purchase.adoc's IZETTLE_CARD type, with the attributes a contactless Mastercard debit tap carries. */
export function cardPayment(uuid: string, amount: number, attributes: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
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
export function purchase(overrides: Record<string, unknown>) {
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
    payments: [cardPayment(CARD, 24500)],
    references: { checkoutUUID: '7cdf4ae2-a110-11eb-a6f8-25ceee8d2871' },
    taxationMode: 'INCLUSIVE',
    taxationType: 'VAT',
    ...overrides,
  };
}

/** The PurchaseCreated message carrying `p`, sent (and signed) at `timestamp`. */
export function message(p: object, timestamp = MESSAGED): WebhookRequest {
  const payload = JSON.stringify(p);
  const body = JSON.stringify({ organizationUuid: ORG, messageUuid: '803f68c0-a110-11eb-a1cd-f7dd79ee0866', eventName: 'PurchaseCreated', messageId: '2895af2a-faba-5f51-a1cd-f7dd79ee0866', payload, timestamp });
  const signature = createHmac('sha256', Buffer.from(KEY, 'utf8')).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return { rawBody: Buffer.from(body), headers: { 'content-type': 'application/json', 'x-izettle-signature': signature }, method: 'POST', url: 'https://crm.example.com/webhooks/zettle', receivedAt: AT };
}

/**
 * The events of the message carrying `p` (sent at `at`, else the default time), received with `credentials`: the
 * outcome asserted 200 and free of any run of 13–19 digits (a card number?).
 */
export async function deliver(p: object, credentials: Record<string, string> = { signingKey: KEY }, at?: string) {
  const out = await receiveWebhook(zettleSource, message(p, at), { credentials, http: axiosTransport(), now: () => AT });
  assert.equal(out.status, 200, JSON.stringify(out));
  assert.doesNotMatch(JSON.stringify(out), /\d{13,19}/, 'a run of 13–19 digits (a card number?) is in the output');
  return out.events;
}

/** The ledger's state of the sale once `events` are recorded in a new database `name`.db in `dir`. */
export async function ledger(dir: string, name: string, events: readonly PaymentEvent[]) {
  const db = await openDatabase(`sqlite:${join(dir, `${name}.db`)}`);
  await recordPaymentEvents(db, events);
  return (await paymentState(db, 'zettle', SALE))!;
}
