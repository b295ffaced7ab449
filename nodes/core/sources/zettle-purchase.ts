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

const cardReaderPayments = (p: Obj) => paymentsOf(p).filter((x) => CARD_PRESENT_PAYMENT_TYPES.has(String(x.type)));

/**
 * Whether a refund paid back without the card reader (cash, a gift card…) refunds a card sale: its payments name
 * the payment they refund (`references.refundsPayment`, purchase.adoc) and that is one of the sale's IZETTLE_CARD
 * payments; or, naming none, the sale was paid on the card reader alone. A cash sale's refund in cash looks the
 * same as a card sale's from the refund itself, so it takes the sale, read through the Purchase API.
 */
export function refundsCardSale(refund: Obj, sale: Obj): boolean {
  const card = cardReaderPayments(sale);
  if (card.length === 0) return false;
  const named = paymentsOf(refund)
    .map((x) => trimmedStr(obj(x.references)?.refundsPayment)?.toLowerCase())
    .filter((x): x is string => !!x);
  if (named.length > 0) return card.some((x) => named.includes(trimmedStr(x.uuid)?.toLowerCase() ?? ''));
  return card.length === paymentsOf(sale).length;
}

/**
 * The payments of a purchase that count, and whether they went through the card: a purchase's card-reader payments;
 * for a refund without any, all its payments when `sale` (the sale it refunds) shows it refunds a card sale
 * (refundsCardSale). Nothing else counts: cash, Swish, invoices, payment links.
 */
export function countedPayments(p: Obj, sale?: Obj): { payments: Obj[]; toCard: boolean } | undefined {
  const card = cardReaderPayments(p);
  if (card.length > 0) return { payments: card, toCard: true };
  if (sale && isRefund(p) && refundsCardSale(p, sale)) return { payments: paymentsOf(p), toCard: false };
  return undefined;
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
   * The sale a refund refunds, read through the Purchase API when a token is configured: a refund paid back in
   * cash or to a gift card counts only when this shows it refunds a card sale (refundsCardSale).
   */
  refundedSale?: Obj;
}

/**
 * One Zettle purchase (Pusher payload or Purchase API v2 item) → one PaymentEvent. A sale paid (partly) on a Zettle
 * card reader is a payment for what the card paid; a refund is its own purchase with a negative amount naming the
 * sale it refunds, so it becomes a refund of that sale — also when it was paid back in cash or to a gift card, once
 * the sale read shows a card sale (`refund.toCard: false`, as Square's cross-tender refunds). Cash, Swish,
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
    throw new IgnoredEventError(
      ZETTLE_PURCHASE_EVENT,
      options.refundedSale
        ? `refund ${id} was paid back with ${types}, and the sale it refunds was not paid on a card reader (IZETTLE_CARD)`
        : `refund ${id} was paid back with ${types}, not on a card reader, and the sale it refunds was not read (that takes an access token) to tell a card sale, whose refund in another tender counts, from a cash one`,
    );
  }
  const currency = trimmedStr(p.currency);
  if (!currency) throw new InputError('payload.currency', `purchase ${id} has no currency`, 'pass the purchase unchanged');
  // A refund's amounts are negative; the event says how much went back, as a positive amount.
  const amount = moneyFromProcessor(countedMinorOf(p, options.refundedSale), currency, ZETTLE_EXPONENTS, 'payload.payments.amount');
  // The card: this purchase's, or for a refund made another way the card of the sale it refunds.
  const cardPayments = counted.toCard ? counted.payments : cardReaderPayments(options.refundedSale ?? {});
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
    occurredAt: occurredAt(p),
    // Zettle has no test mode: every purchase is real money.
    livemode: true,
    card: cardFrom(attributes),
    terminal: trimmedStr(p.udid) ? { readerId: trimmedStr(p.udid) } : undefined,
    // userDisplayName is the employee who took the payment, not the customer; Zettle knows nothing of the customer.
    customerHints: {},
    // The card's own references only for what went through the card.
    metadata: metadataOf(p, first, counted.toCard ? attributes : {}, options, counted),
  };
  return scrubbedPaymentEvent(draft);
}

function occurredAt(p: Obj): string {
  // Pusher payloads carry epoch milliseconds (`timestamp`) and "2021-04-19T13:09:40.798+0000" (`created`); the
  // Purchase API an ISO `timestamp` with the same "+0000" offset, which Date reads only with a colon.
  const raw = p.timestamp ?? p.created;
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
  put(counted.toCard ? 'cardPaymentUuid' : 'refundPaymentUuid', payment.uuid);
  if (!counted.toCard) put('refundPaymentTypes', [...new Set(counted.payments.map((x) => String(x.type)))].join(','));
  put('gratuityAmount', payment.gratuityAmount);
  put('referenceNumber', a.referenceNumber);
  put('applicationName', a.applicationName);
  put('cardholderVerificationMethod', a.cardholderVerificationMethod ?? a.cardHolderVerificationMethod);
  put('cardPaymentEntryMode', a.cardPaymentEntryMode);
  if (counted.toCard && counted.payments.length > 1) put('cardPayments', counted.payments.length);
  put('checkoutUuid', obj(p.references)?.checkoutUUID);
  return out;
}
