import type { Money } from '../contracts/money';
import type { Card, EntryMode } from '../contracts/payment-event';
import { InputError } from '../errors';
import { moneyFromProcessor, type ExponentRules } from './processor-money';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { cardBrand } from './card-brand';
import { cardholderName } from './cardholder-name';

/**
 * Square writes every amount "in the smallest denomination of the applicable currency" — ISO 4217's minor unit
 * (Working with Monetary Amounts: USD in cents, JPY in yen, "zero-decimal currencies"). Unlike Stripe it keeps no
 * exceptions of its own (no two-decimal ISK, no zero-decimal MGA), so its table is empty and every currency
 * follows ISO: JPY/CLP/ISK 0, KWD/BHD 3, MGA 2.
 */
export const SQUARE_EXPONENTS: ExponentRules = {};

/** A Square Money object `{amount, currency}` → the pack's Money. */
export function squareMoney(value: unknown, field: string): Money {
  const m = obj(value);
  const amount = m?.amount;
  const currency = m?.currency;
  if (typeof amount !== 'number' || typeof currency !== 'string') {
    throw new InputError(field, 'is missing or not a Square Money object {amount, currency}', 'pass the verified Square event unchanged');
  }
  return moneyFromProcessor(amount, currency, SQUARE_EXPONENTS, field);
}

/**
 * A Square Money object when it states both its amount and its currency, else undefined: the SDK's wire schemas let
 * any Money field be null, and the Money's own amount and currency too. One that is there but malformed (a negative or
 * fractional amount, no ISO currency) is refused as squareMoney refuses it.
 */
export function statedSquareMoney(value: unknown, field: string): Money | undefined {
  const m = obj(value);
  return m && m.amount !== null && m.amount !== undefined && m.currency !== null && m.currency !== undefined ? squareMoney(m, field) : undefined;
}

/**
 * What the card was charged: `total_money`, "the total amount for the payment, including amount_money and tip_money"
 * (SDK Payment); when Square leaves it null, `amount_money` and `tip_money` added (one currency), else `amount_money`
 * alone. undefined when the payment states neither.
 */
export function chargedMoney(payment: Obj): Money | undefined {
  const total = statedSquareMoney(payment.total_money, 'total_money');
  if (total) return total;
  const amount = statedSquareMoney(payment.amount_money, 'amount_money');
  if (!amount) return undefined;
  const tip = statedSquareMoney(payment.tip_money, 'tip_money');
  return tip && tip.currency === amount.currency ? { minor: amount.minor + tip.minor, currency: amount.currency } : amount;
}

/** `card_details.entry_method` → how the card met the reader. ON_FILE is not here: no card was at the reader. */
const ENTRY_MODES: Record<string, EntryMode> = { EMV: 'chip', CONTACTLESS: 'contactless', SWIPED: 'swipe', KEYED: 'keyed' };

/** Whether a payment was taken with the card at a Square reader, and how; or why it is not one the pack records. */
export type Presence = { present: true; entryMode: EntryMode } | { present: false; why: string };

/**
 * Chip, tap and swipe are card-present by definition. A keyed card is card-present only when a Square device or
 * POS installation took it (`device_details`): keyed without one is the Virtual Terminal or an online checkout.
 */
export function cardPresence(payment: Obj): Presence {
  const sourceType = trimmedStr(payment.source_type);
  if (sourceType !== 'CARD') return { present: false, why: `only card payments are processed, this one is ${sourceType ?? 'of no source_type'}` };
  const details = obj(payment.card_details) ?? {};
  const method = trimmedStr(details.entry_method);
  const onDevice = Boolean(deviceOf(payment).deviceId ?? deviceOf(payment).installationId);
  if (method === 'ON_FILE') return { present: false, why: 'a card on file was charged; no card was at a reader' };
  if (method === 'KEYED' && !onDevice) {
    const product = trimmedStr(obj(payment.application_details)?.square_product);
    return { present: false, why: `a keyed payment taken without a Square device${product ? ` (${product})` : ''} is an online one` };
  }
  const entryMode = method ? ENTRY_MODES[method] : undefined;
  if (entryMode) return { present: true, entryMode };
  return onDevice ? { present: true, entryMode: 'unknown' } : { present: false, why: 'the payment names neither an entry method nor the device that took it' };
}

/** `device_details`, or the deprecated `card_details.device_details` older API versions fill instead. */
export function deviceOf(payment: Obj): { deviceId?: string; installationId?: string; name?: string } {
  const d = obj(payment.device_details) ?? obj(obj(payment.card_details)?.device_details) ?? {};
  return { deviceId: trimmedStr(d.device_id), installationId: trimmedStr(d.device_installation_id), name: trimmedStr(d.device_name) };
}

const FUNDING: Record<string, Card['funding']> = { CREDIT: 'credit', DEBIT: 'debit', UNKNOWN_CARD_TYPE: 'unknown' };
const WALLETS: Record<string, string> = { APPLE_PAY: 'apple_pay', GOOGLE_PAY: 'google_pay', SAMSUNG_PAY: 'samsung_pay' };

const intIn = (v: unknown, min: number, max: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined);
const digits = (v: unknown, pattern: RegExp) => {
  const s = trimmedStr(v);
  return s && pattern.test(s) ? s : undefined;
};

/**
 * `card_details` → the PaymentEvent's card. Only BIN and last four leave here, each checked for its exact shape,
 * so nothing longer (a masked or full number, should one ever appear) can slip through. `wallet_type` is set only
 * for in-person Apple Pay (Square: "detection has no false positives but may have false negatives"); a Google Pay
 * tap reads as a plain contactless card.
 */
export function squareCard(payment: Obj, entryMode: EntryMode): Card {
  const details = obj(payment.card_details) ?? {};
  const card = obj(details.card) ?? {};
  const prepaid = trimmedStr(card.prepaid_type) === 'PREPAID';
  const wallet = trimmedStr(details.wallet_type);
  const fingerprint = trimmedStr(card.fingerprint);
  return {
    brand: cardBrand(card.card_brand),
    last4: digits(card.last_4, /^\d{4}$/),
    bin: digits(card.bin, /^\d{6,8}$/),
    expMonth: intIn(card.exp_month, 1, 12),
    expYear: intIn(card.exp_year, 2000, 2100),
    funding: prepaid ? 'prepaid' : FUNDING[trimmedStr(card.card_type) ?? ''],
    entryMode,
    wallet: wallet ? (WALLETS[wallet] ?? wallet.toLowerCase()) : undefined,
    identity: fingerprint ? { kind: 'fingerprint', value: fingerprint } : undefined,
  };
}

/** The name on the card, where the chip or stripe carried one (sources/cardholder-name.ts). */
export function squareCardholderName(payment: Obj): string | undefined {
  return cardholderName(obj(obj(payment.card_details)?.card)?.cardholder_name);
}
