import type { ReceiveOptions } from '../../../nodes/core/pipeline/receive-webhook';
import { createGenericSource } from '../../../nodes/core/sources/generic';
import type { Source, WebhookRequest } from '../../../nodes/core/sources/source';
import { zettleSignature } from '../../../nodes/core/sources/zettle';
import { adyenDelivery, adyenPspReference, adyenTerminalDelivery } from '../../../sandbox/simulator/adyen-events';
import { cloverApiStub, cloverDelivery, cloverId, cloverPayment } from '../../../sandbox/simulator/clover-events';
import { GENERIC_SANDBOX_CONFIG, genericDelivery } from '../../../sandbox/simulator/generic-events';
import { squareEvent, squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { sumupApiStub, sumupDelivery, sumupTransaction } from '../../../sandbox/simulator/sumup-events';
import { uuidV1Like, zettleDelivery } from '../../../sandbox/simulator/zettle-events';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { DODO_TEST_SECRET } from '../sources/generic-support';
import { deliveryOf, KEY as SQUARE_KEY } from '../sources/square-fixtures';

/**
 * Luhn-valid card numbers a clerk or a buyer might type into any free-text field: a 16-digit Visa, a 15-digit Amex,
 * a 19-digit number, a Mastercard, and the Visa of a track-2 string. Each is planted in more than one spelling.
 */
export const CANARY_PANS = ['4012888888881881', '378282246310005', '6304950612345678900', '5425233430109903', '4000056655665556'] as const;
const VISA_SPACED = '4012 8888 8888 1881';
const AMEX_DASHED = '3782-822463-10005';
const LONG_19 = '6304950612345678900';
const MC_SPACED = '5425 2334 3010 9903';
/** Track 2 as a swipe reads it: start sentinel, PAN, separator, expiry, service code, discretionary data. */
export const TRACK2 = ';4000056655665556=25121010000012300000?';

/** The card the canary shopper pays with: its BIN and last four are kept on purpose, nothing else of it. */
export const PAYING_CARD = { bin: '476173', last4: '0119' };

/**
 * A card's security code and a PIN, typed after their names beside the card numbers: digits no Luhn check finds, and
 * which must go just the same (PCI DSS 3.3: sensitive authentication data is never kept after authorisation).
 */
export const CANARY_CVV = '987';
export const CANARY_PIN = '4321';
/** The value of the metadata field named cvv, which is dropped whole. */
export const CANARY_CVV_FIELD = '917';

export const canaryText = (where: string) => `${where}: card ${VISA_SPACED} exp 12/29 cvv ${CANARY_CVV}, amex ${AMEX_DASHED}, ${LONG_19}, PIN ${CANARY_PIN}`;
export const canaryName = `Ana ${MC_SPACED} Diaz cvv ${CANARY_CVV} PIN ${CANARY_PIN}`;
export const canaryEmail = `${CANARY_PANS[0]}@example.com`;
/** Merchant metadata as a POS app might fill it: every value a canary, one field a card secret by its name. */
export const canaryMetadata = (): Record<string, string> => ({
  order_note: canaryText('note'),
  customer_ref: AMEX_DASHED,
  long_number: LONG_19,
  swiped: TRACK2,
  cvv: CANARY_CVV_FIELD,
});

/** One signed delivery as it reaches /webhooks/<source>, and what the trigger is configured with. */
export interface Arrival {
  source: string | Source<unknown>;
  request: WebhookRequest;
  receive: Omit<ReceiveOptions, 'inbox'>;
}

/** The same shopper twice, with the same card: first with a receipt address that works, then with a card number for one. */
const EMAILS = (source: string) => [`ana.${source}@example.com`, canaryEmail] as const;
const at = (n: number) => new Date(Date.UTC(2025, 9, 3, 10, n));
const request = (body: string, headers: Record<string, string>, url: string, receivedAt: Date): WebhookRequest => ({
  rawBody: Buffer.from(body), headers, method: 'POST', url, receivedAt,
});

function stripe(): Arrival[] {
  return EMAILS('stripe').map((email, n) => {
    const created = Math.floor(at(n).getTime() / 1000);
    const charge = chargeObject({
      amount: 2500, email, name: canaryName, card: { fingerprint: 'fp_canary', cardholderName: canaryName, iin: PAYING_CARD.bin, last4: PAYING_CARD.last4 },
      metadata: canaryMetadata(), created,
    });
    Object.assign(charge, { description: canaryText('description'), statement_descriptor: VISA_SPACED, statement_descriptor_suffix: AMEX_DASHED, calculated_statement_descriptor: LONG_19 });
    const d = signedDelivery(stripeEvent('charge.succeeded', charge, { created }), TEST_WEBHOOK_SECRET, created);
    return { source: 'stripe', request: request(d.body, d.headers, 'https://shop.example/webhooks/stripe', new Date(created * 1000 + 1000)), receive: { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } };
  });
}

function square(): Arrival[] {
  return EMAILS('square').map((email, n) => {
    const payment = squarePaymentObject({
      amount: 2500, email, note: canaryText('note'), createdAt: at(n).toISOString(),
      card: { fingerprint: 'sq-1-canary', cardholderName: canaryName, bin: PAYING_CARD.bin, last4: PAYING_CARD.last4 },
    });
    Object.assign(payment, { reference_id: AMEX_DASHED, statement_description_identifier: LONG_19 });
    (payment.card_details as Record<string, unknown>).statement_description = VISA_SPACED;
    const receivedAt = new Date(at(n).getTime() + 1500);
    return { source: 'square', request: deliveryOf(squareEvent('payment.created', payment, { createdAt: at(n).toISOString() }), { receivedAt }), receive: { credentials: { signatureKey: SQUARE_KEY } } };
  });
}

const ADYEN_HMAC = 'AB'.repeat(32);
const adyenCard = { alias: 'H167852639363499', cardHolderName: canaryName, bin: PAYING_CARD.bin, last4: PAYING_CARD.last4 };

function adyen(): Arrival[] {
  return EMAILS('adyen').map((shopperEmail, n) => {
    const d = adyenDelivery('chip', ADYEN_HMAC, {
      pspReference: adyenPspReference(), amount: 2500, eventDate: at(n), card: adyenCard, shopperEmail, shopperReference: AMEX_DASHED,
      merchantReference: canaryText('order'), metadata: canaryMetadata(),
    });
    return { source: 'adyen', request: request(d.body, d.headers, 'https://shop.example/webhooks/adyen', new Date(at(n).getTime() + 1000)), receive: { credentials: { hmacKey: ADYEN_HMAC } } };
  });
}

const TERMINAL_LOGIN = { username: 'adyen-events', password: 'tr0ub4dor&3' };

function adyenTerminal(): Arrival[] {
  return EMAILS('adyen-terminal').map((shopperEmail, n) => {
    const d = adyenTerminalDelivery('chip', TERMINAL_LOGIN, {
      amount: '25.00', timestamp: at(n), card: { ...adyenCard, alias: 'H167852639363498' }, shopperEmail, shopperReference: LONG_19,
      saleTransactionId: canaryText('till'), store: AMEX_DASHED,
    });
    return {
      source: 'adyen-terminal',
      request: request(d.body, d.headers, 'https://shop.example/webhooks/adyen-terminal', new Date(at(n).getTime() + 1000)),
      receive: { credentials: { basicUsername: TERMINAL_LOGIN.username, basicPassword: TERMINAL_LOGIN.password } },
    };
  });
}

const ZETTLE_KEY = 'zLzClQLQN8yfH8aEjONeXzgJRAHR0zpD7RonFCpizujCUCectBlln0vFArTbLPYa';

/** Zettle names no buyer: the clerk's display name and the line items are what a person types. Signed again once planted. */
function zettle(): Arrival[] {
  return [0, 1].map((n) => {
    const d = zettleDelivery('chip', ZETTLE_KEY, { purchaseUuid: uuidV1Like(), employee: canaryName, ...PAYING_CARD, udid: 'cdaebbfgehcbadcjcbiaccbdhdeajfbbjacdbbie', at: at(n) });
    const message = JSON.parse(d.body) as { payload: string; timestamp: string };
    const purchase = JSON.parse(message.payload) as Record<string, unknown> & { products: Record<string, unknown>[] };
    purchase.products = purchase.products.map((p) => ({ ...p, name: canaryText('item'), variantName: AMEX_DASHED, comment: TRACK2 }));
    message.payload = JSON.stringify(purchase);
    const body = JSON.stringify(message);
    const headers = { ...d.headers, 'x-izettle-signature': zettleSignature(message.timestamp, message.payload, ZETTLE_KEY) };
    return { source: 'zettle', request: request(body, headers, 'https://shop.example/webhooks/zettle', new Date(at(n).getTime() + 1500)), receive: { credentials: { signingKey: ZETTLE_KEY } } };
  });
}

const CLOVER_AUTH = '0307e264-b33a-4913-88aa-37b10014a0b8';

/** Clover's notification names the payment; what a person typed is in the payment and its order, read from the API. */
function clover(): Arrival[] {
  return EMAILS('clover').map((email, n) => {
    const payment = cloverPayment('chip', { amount: 2500, token: 'clover-canary', cardholderName: canaryName, first6: PAYING_CARD.bin, last4: PAYING_CARD.last4, at: at(n) });
    payment.note = canaryText('note');
    payment.externalPaymentId = AMEX_DASHED;
    Object.assign(payment.order as object, {
      note: TRACK2,
      title: LONG_19,
      customers: { elements: [{ id: cloverId(), firstName: 'Ana', lastName: MC_SPACED, emailAddresses: { elements: [{ emailAddress: email }] }, addresses: { elements: [{ zip: '94105' }] } }] },
      lineItems: { elements: [{ id: cloverId(), name: canaryText('item'), price: 2500, note: AMEX_DASHED }] },
    });
    const d = cloverDelivery('chip', CLOVER_AUTH, { payment });
    return {
      source: 'clover',
      request: request(d.body, d.headers, 'https://shop.example/webhooks/clover', at(n)),
      receive: { credentials: { authCode: CLOVER_AUTH, apiToken: 'merchant-token-1' }, http: cloverApiStub([d]), now: () => at(n) },
    };
  });
}

const SUMUP_SECRET = 'whsec_sumup_test_secret';

/** SumUp names no buyer either: the product summary, the line items and the POS's own reference are typed. */
function sumup(): Arrival[] {
  return [0, 1].map((n) => {
    const transaction = sumupTransaction('chip', { amount: '25.00', last4: PAYING_CARD.last4, at: at(n) });
    Object.assign(transaction, {
      product_summary: canaryText('summary'), foreign_transaction_id: AMEX_DASHED, username: `${CANARY_PANS[2]}@example.com`,
      products: [{ name: canaryText('item'), description: TRACK2, price: 25, quantity: 1 }],
    });
    const d = sumupDelivery('chip', SUMUP_SECRET, { transaction, at: at(n) });
    return {
      source: 'sumup',
      request: request(d.body, d.headers, 'https://shop.example/webhooks/sumup', at(n)),
      receive: { credentials: { accessToken: 'sup_sk_test_token', signingSecret: SUMUP_SECRET }, http: sumupApiStub([d]), now: () => at(n) },
    };
  });
}

/** The generic source's mapped fields: the customer's name and address, and the order metadata it keeps. */
function generic(): Arrival[] {
  const source = createGenericSource(GENERIC_SANDBOX_CONFIG);
  return EMAILS('generic').map((email, n) => {
    const d = genericDelivery('chip', DODO_TEST_SECRET, {
      now: at(n), amount: 2500, customer: { id: 'cus_canary', email, name: canaryName, phone: null },
      card: { last4: PAYING_CARD.last4, paymentMethodId: 'pm_canary' }, metadata: { order_id: canaryText('order'), note: TRACK2 },
    });
    return { source, request: request(d.body, d.headers, 'https://shop.example/webhooks/generic', new Date(at(n).getTime() + 2000)), receive: { credentials: { secret: DODO_TEST_SECRET } } };
  });
}

/** The sources whose deliveries name no buyer (no address, no phone): their shopper is thanked by no mail. */
export const NO_BUYER: readonly string[] = ['zettle', 'sumup'];

/** Every source the pack ships, each with its two deliveries. */
export const CANARY_SOURCES: Record<string, () => Arrival[]> = {
  stripe, square, adyen, 'adyen-terminal': adyenTerminal, zettle, clover, sumup, generic,
};
