import { IgnoredEventError, InputError } from '../errors';
import {
  PAYMENT_EVENT_SCHEMA_VERSION,
  type Card,
  type EntryMode,
  type PaymentEvent,
} from '../contracts/payment-event';
import type { Money } from '../contracts/money';
import { moneyFromProcessor, type ExponentRules } from './processor-money';
import { cardBrand } from './card-brand';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, trimmedStr, safeInt, type Obj } from '../json/json-values';

/**
 * Zettle's Purchase API: "Gross amount (inc VAT) in minor currency units. For example €9.95 EUR, amount will be
 * 995" (purchase.adoc, iZettle/api-documentation). Plain ISO 4217 minor units: Zettle documents no currency with
 * an exponent of its own, so the table is empty.
 */
export const ZETTLE_EXPONENTS: ExponentRules = {};

/** The event type every purchase (sale or refund) arrives as, on the Pusher API and when polled. */
export const ZETTLE_PURCHASE_EVENT = 'PurchaseCreated';

/** Payment types taken on a Zettle card reader; IZETTLE_CARD_ONLINE (payment links) is card-not-present. */
const CARD_PRESENT_PAYMENT_TYPES = new Set(['IZETTLE_CARD']);

/**
 * `cardPaymentEntryMode` as the Zettle SDKs list it: "EMV, CONTACTLESS_EMV, MAGSTRIPE_CONTACTLESS, MAGSTRIPE etc.
 * More entry modes might be added". Fallback and manual entry are matched by name below.
 */
const ENTRY_MODES: Record<string, EntryMode> = {
  EMV: 'chip',
  CONTACTLESS_EMV: 'contactless',
  MAGSTRIPE_CONTACTLESS: 'contactless',
  CONTACTLESS_MAGSTRIPE: 'contactless',
  MAGSTRIPE: 'swipe',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A purchase's UUID in its one canonical form. The Pusher API names it `purchaseUuid` (UUID text), the Purchase
 * API `purchaseUUID1` (UUID text) and, deprecated, `purchaseUUID`: the same 16 bytes in URL-safe base64
 * ("WJwt5j7kEeuecKKsB1sX_Q" is 589c2de6-3ee4-11eb-9e70-a2ac075b17fd). Reading all three the same way is what
 * gives a purchase the same event id whether it came by webhook or by polling.
 */
export function canonicalPurchaseUuid(value: unknown): string | undefined {
  const s = trimmedStr(value);
  if (!s) return undefined;
  if (UUID.test(s)) return s.toLowerCase();
  if (/^[A-Za-z0-9_-]{22}$/.test(s)) {
    const hex = Buffer.from(s, 'base64url').toString('hex');
    if (hex.length === 32) return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return undefined;
}

export function purchaseUuidOf(p: Obj): string | undefined {
  return canonicalPurchaseUuid(p.purchaseUUID1) ?? canonicalPurchaseUuid(p.purchaseUuid) ?? canonicalPurchaseUuid(p.purchaseUUID);
}

/** The purchase a refund refunds, under whichever name this payload uses. */
export function refundedPurchaseUuidOf(p: Obj): string | undefined {
  return (
    canonicalPurchaseUuid(p.refundsPurchaseUUID1) ??
    canonicalPurchaseUuid(p.refundsPurchaseUuid) ??
    canonicalPurchaseUuid(p.refundsPurchaseUUID)
  );
}

export function isRefund(p: Obj): boolean {
  return p.refund === true || (safeInt(p.amount) ?? 0) < 0;
}

function paymentsOf(p: Obj): Obj[] {
  return Array.isArray(p.payments) ? p.payments.map(obj).filter((x): x is Obj => !!x) : [];
}

const isCardReaderPayment = (x: Obj) => CARD_PRESENT_PAYMENT_TYPES.has(String(x.type));
const cardReaderPayments = (p: Obj) => paymentsOf(p).filter(isCardReaderPayment);
const uuidOf = (x: unknown) => trimmedStr(x)?.toLowerCase();
/** The sale's payment a refund's payment gives money back for (`references.refundsPayment`, purchase.adoc). */
const refundedPaymentOf = (x: Obj) => uuidOf(obj(x.references)?.refundsPayment);

/**
 * Whether a refund's payment made without the card reader (cash, a gift card…) gives back money a card paid.
 * Zettle names the sale's payment each refund payment refunds (`references.refundsPayment`): it counts when that
 * is a card payment — one of the sale's IZETTLE_CARD payments, or one the refund's own card-reader part refunds
 * (money goes back to a card only for a card payment, so that much is known without the sale). Naming none, it
 * counts when the sale was paid on the card reader alone; of a sale paid partly another way it could refund either
 * part, and is not counted. A cash sale's refund in cash looks the same as a card sale's from the refund itself,
 * so without the sale (read through the Purchase API) only the payment its card part names is known.
 */
function refundsCardPayment(payment: Obj, refund: Obj, sale?: Obj): boolean {
  const named = refundedPaymentOf(payment);
  if (named) {
    const card = [...cardReaderPayments(refund).map(refundedPaymentOf), ...cardReaderPayments(sale ?? {}).map((x) => uuidOf(x.uuid))];
    return card.includes(named);
  }
  if (!sale) return false;
  const card = cardReaderPayments(sale);
  return card.length > 0 && card.length === paymentsOf(sale).length;
}

/**
 * The payments of a purchase that count, and whether they all went through the card: a sale's card-reader
 * payments; a refund's card-reader payments and those of its other payments that give back what a card paid
 * (refundsCardPayment, `sale` being the sale it refunds when read) — so a refund paid back partly to the card and
 * partly in cash counts in full, with `toCard` false. Nothing else counts: cash, Swish, invoices, payment links.
 * One rule for the webhook, polling and the cumulative total (zettle-api.ts zettleRefundContext).
 */
export function countedPayments(p: Obj, sale?: Obj): { payments: Obj[]; toCard: boolean } | undefined {
  const payments = isRefund(p) ? paymentsOf(p).filter((x) => isCardReaderPayment(x) || refundsCardPayment(x, p, sale)) : cardReaderPayments(p);
  return payments.length > 0 ? { payments, toCard: payments.every(isCardReaderPayment) } : undefined;
}

/** What the counted payments of a purchase paid (or gave back), in Zettle's minor units, as a positive amount. */
export function countedMinorOf(p: Obj, sale?: Obj): number {
  return (countedPayments(p, sale)?.payments ?? []).reduce((sum, x) => sum + Math.abs(safeInt(x.amount) ?? 0), 0);
}

/** What a refund needs from elsewhere: the cumulative amount refunded and whether that is all of the sale. */
export interface RefundContext {
  refundedTotal: Money;
  fullyRefunded: boolean;
}

export interface ZettlePurchaseOptions {
  organizationUuid?: string;
  /** From the Purchase API when a token is configured; without it a refund counts only itself. */
  refund?: RefundContext;
  /**
   * The sale a refund refunds, read through the Purchase API when a token is configured: what a refund paid back
   * in cash or to a gift card gives back counts when this shows it is what a card paid (countedPayments).
   */
  refundedSale?: Obj;
  /**
   * When the purchase was read (the Pusher message's timestamp, or now): its time when it names none of its own (the
   * Purchase API's refund example has `timestamp` and no `created`; Zettle documents neither as always there).
   */
  readAt?: string;
}

/**
 * One Zettle purchase (Pusher payload or Purchase API v2 item) → one PaymentEvent. A sale paid (partly) on a Zettle
 * card reader is a payment for what the card paid; a refund is its own purchase with a negative amount naming the
 * sale it refunds, so it becomes a refund of that sale — also for what it paid back in cash or to a gift card of
 * what a card paid (`refund.toCard: false`, as Square's cross-tender refunds; countedPayments). Cash, Swish,
 * invoices, payment links… are acknowledged and ignored. Zettle sends no declines (a purchase exists only once
 * paid) and has no dispute notifications.
 */
export function normalizeZettlePurchase(purchase: unknown, options: ZettlePurchaseOptions = {}): PaymentEvent {
  const p = obj(purchase);
  const id = p ? purchaseUuidOf(p) : undefined;
  if (!p || !id) throw new InputError('payload', 'this is not a Zettle purchase (purchaseUuid / purchaseUUID1 missing)', 'pass the PurchaseCreated payload or a Purchase API purchase unchanged');
  const refund = isRefund(p);
  const counted = countedPayments(p, options.refundedSale);
  if (!counted) {
    const types = [...new Set(paymentsOf(p).map((x) => String(x.type)))].join(' + ') || 'nothing';
    if (!refund) throw new IgnoredEventError(ZETTLE_PURCHASE_EVENT, `purchase ${id} was paid with ${types}, not on a card reader (IZETTLE_CARD)`);
    throw new IgnoredEventError(ZETTLE_PURCHASE_EVENT, notCountedRefund(p, id, types, options.refundedSale));
  }
  const currency = trimmedStr(p.currency);
  if (!currency) throw new InputError('payload.currency', `purchase ${id} has no currency`, 'pass the purchase unchanged');
  // A refund's amounts are negative; the event says how much went back, as a positive amount.
  const amount = moneyFromProcessor(countedMinorOf(p, options.refundedSale), currency, ZETTLE_EXPONENTS, 'payload.payments.amount');
  // The card: this purchase's own card-reader payments, or for a refund given back wholly another way the card of
  // the sale it refunds.
  const ownCard = counted.payments.filter(isCardReaderPayment);
  const cardPayments = ownCard.length > 0 ? ownCard : cardReaderPayments(options.refundedSale ?? {});
  const first = counted.payments[0]!;
  const attributes = obj(cardPayments[0]?.attributes) ?? {};
  const refunded = refund ? refundedPurchaseUuidOf(p) : undefined;
  if (refund && !refunded) {
    throw new InputError('payload.refundsPurchaseUUID1', `refund ${id} does not name the purchase it refunds`, 'pass the purchase unchanged');
  }
  const refundedTotal = refund ? (options.refund?.refundedTotal ?? amount) : undefined;
  const draft = {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    // The purchase's own UUID, not the Pusher messageUuid: polling the Purchase API sees no message, and the same
    // purchase must carry the same id both ways so the inbox keeps it once.
    id: namespacedEventId('zettle', id),
    source: 'zettle',
    type: ZETTLE_PURCHASE_EVENT,
    kind: refund ? 'refund' : 'payment',
    paymentId: refunded ?? id,
    amount,
    refundedTotal,
    ...(refund ? { refund: { cumulative: false, ...(counted.toCard ? {} : { toCard: false as const }) } } : {}),
    status: refund ? (options.refund?.fullyRefunded ? 'refunded' : 'partially_refunded') : 'succeeded',
    occurredAt: purchaseTimeOf(p, options.readAt),
    // Zettle has no test mode: every purchase is real money.
    livemode: true,
    card: cardFrom(attributes),
    terminal: trimmedStr(p.udid) ? { readerId: trimmedStr(p.udid) } : undefined,
    // userDisplayName is the employee who took the payment, not the customer; Zettle knows nothing of the customer.
    customerHints: {},
    // The card's own references only for what went through the card.
    metadata: metadataOf(p, first, ownCard.length > 0 ? attributes : {}, options, counted),
  };
  return scrubbedPaymentEvent(draft);
}

/** Why a refund counts for nothing: none of it went to the card, and nothing shows that what it paid back a card paid. */
function notCountedRefund(p: Obj, id: string, types: string, sale: Obj | undefined): string {
  if (!sale) {
    return `refund ${id} was paid back with ${types}, not on a card reader, and the sale it refunds was not read (that takes an access token) to tell a card sale, whose refund in another tender counts, from a cash one`;
  }
  if (cardReaderPayments(sale).length === 0) return `refund ${id} was paid back with ${types}, and the sale it refunds was not paid on a card reader (IZETTLE_CARD)`;
  if (paymentsOf(p).some((x) => refundedPaymentOf(x))) return `refund ${id} was paid back with ${types} for a payment of the sale not taken on a card reader (IZETTLE_CARD)`;
  const saleTypes = [...new Set(paymentsOf(sale).map((x) => String(x.type)))].join(' + ');
  return `refund ${id} was paid back with ${types}, naming no payment of the sale it refunds, which was paid with ${saleTypes}: it could be of the part not paid by card`;
}

/** When a purchase was made, in UTC ISO form (so two compare as text). */
export function purchaseTimeOf(p: Obj, readAt?: string): string {
  // Pusher payloads carry epoch milliseconds (`timestamp`) and "2021-04-19T13:09:40.798+0000" (`created`); the
  // Purchase API an ISO `timestamp` with the same "+0000" offset, which Date reads only with a colon. A purchase that
  // names neither is taken at the time it was read, when the caller gives one.
  const raw = p.timestamp ?? p.created;
  if ((raw === undefined || raw === null) && readAt) return readAt;
  const date = typeof raw === 'number' ? new Date(raw) : typeof raw === 'string' ? new Date(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new InputError('payload.timestamp', `"${String(raw)}" is not a time`, 'pass the purchase unchanged');
  return date.toISOString();
}

function cardFrom(a: Obj): Card {
  const masked = trimmedStr(a.maskedPan) ?? '';
  // "535583******0000": the leading digits are the BIN and the trailing four the last four; nothing else is kept.
  const bin = /^(\d{6,8})\D/.exec(masked)?.[1];
  const last4 = /\D(\d{4})$/.exec(masked)?.[1];
  const mode = trimmedStr(a.cardPaymentEntryMode)?.toUpperCase() ?? '';
  const panHash = trimmedStr(a.panHash);
  return {
    // cardType as the Purchase API writes it (MASTERCARD, VISA…; Zettle lists no enum), read as every source reads brands.
    brand: cardBrand(a.cardType),
    last4,
    bin,
    entryMode: ENTRY_MODES[mode] ?? (mode.includes('FALLBACK') ? 'fallback' : /MANUAL|KEYED/.test(mode) ? 'keyed' : 'unknown'),
    identity: panHash ? { kind: 'fingerprint', value: panHash } : undefined,
  };
}

function metadataOf(p: Obj, payment: Obj, a: Obj, options: ZettlePurchaseOptions, counted: { payments: Obj[]; toCard: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.trim()) out[key] = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = String(value);
  };
  put('purchaseNumber', p.purchaseNumber);
  put('globalPurchaseNumber', p.globalPurchaseNumber);
  put('organizationUuid', trimmedStr(p.organizationUuid) ?? options.organizationUuid);
  put('purchaseSource', p.source);
  put('country', p.country);
  put('employee', p.userDisplayName);
  put('purchaseAmount', typeof p.amount === 'number' ? Math.abs(p.amount) : undefined);
  const card = counted.payments.filter(isCardReaderPayment);
  put('cardPaymentUuid', card[0]?.uuid);
  put('refundPaymentUuid', counted.payments.find((x) => !isCardReaderPayment(x))?.uuid);
  if (!counted.toCard) put('refundPaymentTypes', [...new Set(counted.payments.map((x) => String(x.type)))].join(','));
  put('gratuityAmount', payment.gratuityAmount);
  put('referenceNumber', a.referenceNumber);
  put('applicationName', a.applicationName);
  put('cardholderVerificationMethod', a.cardholderVerificationMethod ?? a.cardHolderVerificationMethod);
  put('cardPaymentEntryMode', a.cardPaymentEntryMode);
  if (card.length > 1) put('cardPayments', card.length);
  put('checkoutUuid', obj(p.references)?.checkoutUUID);
  return out;
}
