import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { normalizeAdyenItem } from '../../../nodes/core/sources/adyen-normalize';
import { normalizeAdyenTerminalMessage } from '../../../nodes/core/sources/adyen-terminal-normalize';
import { cardBrand, isGiftCardBrand } from '../../../nodes/core/sources/card-brand';
import { normalizeCloverPayment } from '../../../nodes/core/sources/clover-payment';
import { parseGenericConfig } from '../../../nodes/core/sources/generic-config-load';
import { normalizeGenericItem } from '../../../nodes/core/sources/generic-mapping';
import { SquareCredentialsSchema } from '../../../nodes/core/sources/square-credentials';
import { normalizeSquareEvent } from '../../../nodes/core/sources/square-normalize';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { normalizeSumUpTransaction } from '../../../nodes/core/sources/sumup-transaction';
import { normalizeZettlePurchase } from '../../../nodes/core/sources/zettle-purchase';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import adyenChip from './fixtures/adyen/authorisation-chip.json';
import terminalChip from './fixtures/adyen-terminal/payment-chip.json';
import cloverChip from './fixtures/clover/payment-chip.json';
import sumupChip from './fixtures/sumup/transaction-chip.json';
import zettleChip from './fixtures/zettle/purchase-created-chip.json';
import { fixture } from './generic-support';
import { squareFixture } from './square-fixtures';

/** Each vendor's codes as its SDK or API reference spells them → the pack's name (undefined: no brand). */
const expectAll = (cases: Record<string, string | undefined>) => {
  for (const [code, name] of Object.entries(cases)) assert.equal(cardBrand(code), name, code);
};

describe('card brand: one name per card network, whatever processor read the card', () => {
  it("keeps Stripe's names, and reads its display names and 'unknown'", () => {
    // stripe 23.1.0, esm/resources/Charges.d.ts: PaymentMethodDetails.CardPresent.brand, InteracPresent.brand…
    expectAll({
      amex: 'amex', cartes_bancaires: 'cartes_bancaires', diners: 'diners', discover: 'discover', eftpos_au: 'eftpos_au',
      interac: 'interac', jcb: 'jcb', link: 'link', mastercard: 'mastercard', unionpay: 'unionpay', visa: 'visa', unknown: undefined,
    });
    // …and the display names its funding card brand is written in there.
    expectAll({
      'American Express': 'amex', 'Cartes Bancaires': 'cartes_bancaires', 'Diners Club': 'diners', Discover: 'discover',
      'Eftpos Australia': 'eftpos_au', Girocard: 'girocard', JCB: 'jcb', MasterCard: 'mastercard', UnionPay: 'unionpay',
      Visa: 'visa', Unknown: undefined,
    });
  });

  it("reads Square's CardBrand", () => {
    // square 46.0.0, api/types/CardBrand.d.ts
    expectAll({
      OTHER_BRAND: undefined, VISA: 'visa', MASTERCARD: 'mastercard', AMERICAN_EXPRESS: 'amex', DISCOVER: 'discover',
      DISCOVER_DINERS: 'diners', JCB: 'jcb', CHINA_UNIONPAY: 'unionpay', SQUARE_GIFT_CARD: 'square_gift_card',
      SQUARE_CAPITAL_CARD: 'square_capital_card', INTERAC: 'interac', EFTPOS: 'eftpos_au', FELICA: 'felica', EBT: 'ebt',
      QUICPAY: 'quicpay', ID: 'id', TRANSPORTATION_IC: 'transportation_ic', CARNET: 'carnet',
    });
  });

  it("reads Clover's CardType", () => {
    // clover-android-sdk, com/clover/sdk/v3/payments/CardType.java (VISA … UNKNOWN), and the values later releases
    // add (GIFT_CARD, EBT, GIROCARD, INTERAC, OTHER, RUPAY). EFTPOS is in none of the versions found, but the pack
    // read it before, so it is kept.
    expectAll({
      VISA: 'visa', MC: 'mastercard', AMEX: 'amex', DISCOVER: 'discover', DINERS_CLUB: 'diners', JCB: 'jcb', MAESTRO: 'maestro',
      SOLO: 'solo', LASER: 'laser', CHINA_UNION_PAY: 'unionpay', CARTE_BLANCHE: 'carte_blanche', UNKNOWN: undefined,
      GIFT_CARD: 'gift_card', EBT: 'ebt', GIROCARD: 'girocard', INTERAC: 'interac', OTHER: undefined, RUPAY: 'rupay',
      EFTPOS: 'eftpos_au',
    });
  });

  it("reads SumUp's CardType", () => {
    // SumUp REST API reference, schema CardType (https://developer.sumup.com/api/schemas/CardType)
    expectAll({
      ALELO: 'alelo', AMEX: 'amex', BANCOMAT: 'bancomat', CONECS: 'conecs', CUP: 'unionpay', DINERS: 'diners',
      DISCOVER: 'discover', EFTPOS: 'eftpos_au', ELO: 'elo', ELV: 'elv', GIROCARD: 'girocard', HIPERCARD: 'hipercard',
      INTERAC: 'interac', JCB: 'jcb', MAESTRO: 'maestro', MASTERCARD: 'mastercard', PLUXEE: 'pluxee', SUMUP: 'sumup',
      SWILE: 'swile', TICKET: 'ticket', VISA: 'visa', VISA_ELECTRON: 'visa', VISA_VPAY: 'visa', VPAY: 'visa', VR: 'vr',
      UNKNOWN: undefined,
    });
  });

  it("reads Zettle's cardType", () => {
    // Zettle publishes no enum; its Purchase API reference (iZettle/api-documentation purchase.adoc) shows
    // "MASTERCARD", and these are the spellings the pack read before.
    expectAll({
      VISA: 'visa', MASTERCARD: 'mastercard', MAESTRO: 'maestro', AMEX: 'amex', AMERICAN_EXPRESS: 'amex', DINERS: 'diners',
      DINERS_CLUB: 'diners', DISCOVER: 'discover', JCB: 'jcb', UNIONPAY: 'unionpay', CHINA_UNION_PAY: 'unionpay',
    });
  });

  it("reads Adyen's card payment method types", () => {
    // @adyen/api-library 32.1.0, typings/management/paymentMethodResponse.d.ts (TypesWithErrorsEnum), and the
    // variants of https://docs.adyen.com/development-resources/paymentmethodvariant (electron, maestro_usa…).
    expectAll({
      amex: 'amex', bcmc: 'bancontact', cartebancaire: 'cartes_bancaires', cup: 'unionpay', diners: 'diners', discover: 'discover',
      eftpos_australia: 'eftpos_au', elo: 'elo', girocard: 'girocard', interac_card: 'interac', jcb: 'jcb', maestro: 'maestro',
      maestro_usa: 'maestro_usa', mc: 'mastercard', mcdebit: 'mastercard', visa: 'visa', visadebit: 'visa', vpay: 'visa',
      electron: 'visa', dankort: 'dankort', accel: 'accel', star: 'star',
    });
  });

  it('is indifferent to case, blanks, hyphens and underscores', () => {
    for (const code of ['MASTERCARD', 'Master Card', 'master-card', ' mastercard ', 'Master_Card', 'mc', 'MC']) assert.equal(cardBrand(code), 'mastercard', code);
    for (const code of ['eftpos', 'EFTPOS', 'eftpos_au', 'EFTPOS-AU', 'Eftpos Australia', 'eftpos_australia']) assert.equal(cardBrand(code), 'eftpos_au', code);
    for (const code of ['AMERICAN_EXPRESS', 'American Express', 'american-express', 'Amex']) assert.equal(cardBrand(code), 'amex', code);
  });

  it('keeps a code it does not know, lower case with its separators made one underscore; no code is no brand', () => {
    expectAll({ 'Gift Card': 'gift_card', 'gift--card': 'gift_card', '  Carte  Bleue ': 'carte_bleue', 'BC-Card': 'bc_card', 'Élo Débito': 'élo_débito' });
    for (const v of ['', '   ', '-', '_', undefined, null, 4, {}]) assert.equal(cardBrand(v), undefined, String(v));
  });
});

/**
 * The same card, as each processor writes it into its own fixture, through each source's normalizer. These are the
 * spellings that disagreed before: Clover's and Square's EFTPOS read `eftpos` where Adyen's read `eftpos_au`.
 */
const CARDS: Record<string, Record<'stripe' | 'square' | 'adyen' | 'adyenTerminal' | 'clover' | 'sumup' | 'zettle' | 'generic', string>> = {
  visa: { stripe: 'visa', square: 'VISA', adyen: 'visa', adyenTerminal: 'visa', clover: 'VISA', sumup: 'VISA', zettle: 'VISA', generic: 'VISA' },
  mastercard: { stripe: 'mastercard', square: 'MASTERCARD', adyen: 'mc', adyenTerminal: 'mc', clover: 'MC', sumup: 'MASTERCARD', zettle: 'MASTERCARD', generic: 'MASTERCARD' },
  eftpos_au: { stripe: 'eftpos_au', square: 'EFTPOS', adyen: 'eftpos_australia', adyenTerminal: 'eftpos_australia', clover: 'EFTPOS', sumup: 'EFTPOS', zettle: 'EFTPOS', generic: 'eftpos' },
};

type Json = Record<string, any>;
const copy = <T>(v: T): Json => structuredClone(v) as Json;
const only = (events: PaymentEvent[]): PaymentEvent => {
  assert.equal(events.length, 1, JSON.stringify(events));
  return events[0]!;
};

async function brandsOf(codes: (typeof CARDS)[string]): Promise<Record<string, string | undefined>> {
  const stripe = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1200, card: { brand: codes.stripe } })));

  const squareEvent = squareFixture('payment-updated-contactless') as Json;
  squareEvent.data.object.payment.card_details.card.card_brand = codes.square;
  const square = only(await normalizeSquareEvent({ squareEvent, livemode: false }, SquareCredentialsSchema.parse({ signatureKey: 'k' }), { now: () => new Date() }));

  const adyenItem = copy(adyenChip).notificationItems[0];
  adyenItem.NotificationRequestItem.paymentMethod = codes.adyen;
  const adyen = normalizeAdyenItem({ live: false, ...adyenItem });

  const message = copy(terminalChip);
  message.SaleToPOIResponse.PaymentResponse.PaymentResult.PaymentInstrumentData.CardData.PaymentBrand = codes.adyenTerminal;
  const adyenTerminal = normalizeAdyenTerminalMessage(message, { livemode: false, now: new Date() });

  const payment = copy(cloverChip);
  payment.cardTransaction.cardType = codes.clover;
  const clover = normalizeCloverPayment(payment, { merchantId: 'M1', livemode: false, currency: 'USD' })[0]!;

  const transaction = copy(sumupChip);
  transaction.card.type = codes.sumup;
  const sumup = normalizeSumUpTransaction(transaction)[0]!;

  const purchase = JSON.parse(zettleChip.payload) as Json;
  for (const p of purchase.payments) if (p.attributes?.cardType) p.attributes.cardType = codes.zettle;
  const zettle = normalizeZettlePurchase(purchase);

  // The generic source as its Dodo Payments example maps it: the gateway's card_network, as the gateway writes it.
  const dodo = fixture<Json>('dodo-payment-succeeded-chip.json');
  dodo.data.card_network = codes.generic;
  const item = { kind: 'generic-item', payload: dodo, delivery: { messageId: 'msg_brand', signedAt: new Date().toISOString(), batch: false } };
  const generic = normalizeGenericItem(item, parseGenericConfig(fixture('dodo-config.json')));

  const events = { stripe, square, adyen, adyenTerminal, clover, sumup, zettle, generic };
  return Object.fromEntries(Object.entries(events).map(([source, e]) => [source, e.card?.brand]));
}

describe('gift card brands: stored-value cards, not a person\'s card', () => {
  it("knows every processor's gift cards, by its code or by the pack's name for it", () => {
    // Square CardBrand, Clover CardType, Adyen's gift card brands (@adyen/api-library TypesWithErrorsEnum: givex,
    // svs, valuelink, todo_giftcard; its Drop-in's genericgiftcard; local ones such as vvvgiftcard, fashioncheque),
    // Stripe Terminal's GiftCardBrand (svs, givex, fiserv_valuelink).
    const gift = [
      'SQUARE_GIFT_CARD', 'square_gift_card', 'GIFT_CARD', 'gift_card', 'Gift Card', 'givex', 'svs', 'valuelink', 'fiserv_valuelink',
      'todo_giftcard', 'genericgiftcard', 'vvvgiftcard', 'webshopgiftcard', 'fashioncheque', 'kadowereld', 'vvvcadeaubon', 'yourgift',
    ];
    for (const code of gift) assert.equal(isGiftCardBrand(code), true, code);
  });

  it("leaves a person's cards alone: the networks, prepaid benefit cards and no brand at all", () => {
    const personal = [
      'visa', 'VISA', 'mastercard', 'mc', 'amex', 'AMERICAN_EXPRESS', 'discover', 'interac', 'eftpos_au', 'maestro', 'girocard', 'elo',
      // A card of the person it was issued to: Square's Capital card, EBT, the meal and benefit cards SumUp and Adyen read.
      'SQUARE_CAPITAL_CARD', 'EBT', 'ALELO', 'PLUXEE', 'SWILE', 'TICKET', 'VR', 'sodexo', 'OTHER_BRAND', 'UNKNOWN', '', undefined,
    ];
    for (const code of personal) assert.equal(isGiftCardBrand(code), false, String(code));
  });
});

describe('card brand through every source', () => {
  for (const [name, codes] of Object.entries(CARDS)) {
    it(`one ${name} card reads '${name}' from every processor`, async () => {
      const brands = await brandsOf(codes);
      assert.deepEqual(brands, Object.fromEntries(Object.keys(codes).map((source) => [source, name])));
    });
  }
});
