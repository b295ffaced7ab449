import { createHash } from 'node:crypto';
import type { Card, CustomerHints, EntryMode } from '../contracts/payment-event';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { cardBrand } from './card-brand';
import { cardholderName } from './cardholder-name';

/** CardEntryType (clover-android-sdk com.clover.sdk.v3.payments) → how the card met the device. */
const ENTRY_MODES: Record<string, EntryMode> = {
  EMV_CONTACT: 'chip',
  EMV_CONTACTLESS: 'contactless',
  MSD_CONTACTLESS: 'contactless',
  SWIPED: 'swipe',
  OFFLINE_SWIPED: 'swipe',
  KEYED: 'keyed',
  OFFLINE_KEYED: 'keyed',
  PINPAD_MANUAL_ENTRY: 'keyed',
  VOICE: 'keyed',
};

/**
 * A list inside a Clover record: the REST API's answers wrap each in {"elements": [...]}, while its reference
 * (docs.clover.com, Payment.refunds, Order.customers, Customer.emailAddresses…) writes it as a bare array. Both
 * are read, so a payment's refunds and an order's customer are never dropped for the wrapping.
 */
export const cloverList = (v: unknown): Obj[] => {
  const list = Array.isArray(v) ? v : obj(v)?.elements;
  return Array.isArray(list) ? list.map(obj).filter((x): x is Obj => !!x) : [];
};

/** CardTransaction.first6: text in the SDK's classes, a number in the REST API reference (first6: 123456). */
function binOf(v: unknown): string | undefined {
  const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : trimmedStr(v);
  return text && /^\d{6}$/.test(text) ? text : undefined;
}

/** The card of a payment's card transaction: brand, BIN and last four, funding (from the tender), entry, identity. */
export function cardFrom(ct: Obj, p: Obj): Card {
  const last4 = trimmedStr(ct.last4);
  const token = trimmedStr(ct.token) ?? trimmedStr(obj(ct.vaultedCard)?.token);
  const tenderKey = trimmedStr(obj(p.tender)?.labelKey) ?? '';
  return {
    // CardType (clover-android-sdk): VISA, MC, DINERS_CLUB, CHINA_UNION_PAY… read as every source reads brands.
    brand: cardBrand(ct.cardType),
    bin: binOf(ct.first6),
    last4: last4 && /^\d{4}$/.test(last4) ? last4 : undefined,
    funding: tenderKey.endsWith('debit_card') ? 'debit' : tenderKey.endsWith('credit_card') ? 'credit' : undefined,
    entryMode: ENTRY_MODES[trimmedStr(ct.entryType) ?? ''] ?? 'unknown',
    identity: token ? { kind: 'fingerprint', value: cardFingerprint(token) } : undefined,
  };
}

/**
 * The card transaction's token is Clover's stable stand-in for the card number at the merchant, but it is written
 * as sixteen digits, like a card number: passed on as it is it would trip every card-number check (and be
 * redacted by the scrubber when it passes Luhn). Its digest identifies the card just as well.
 */
function cardFingerprint(token: string): string {
  return `clv_${createHash('sha256').update(token, 'utf8').digest('base64url')}`;
}

export function customerHintsFrom(ct: Obj, order: Obj | undefined): CustomerHints {
  const customer = cloverList(order?.customers)[0];
  const name = [trimmedStr(customer?.firstName), trimmedStr(customer?.lastName)].filter(Boolean).join(' ');
  return {
    processorCustomerId: trimmedStr(customer?.id),
    email: trimmedStr(cloverList(customer?.emailAddresses)[0]?.emailAddress),
    phone: trimmedStr(cloverList(customer?.phoneNumbers)[0]?.phoneNumber),
    name: name || cardholderName(ct.cardholderName),
    postalCode: trimmedStr(cloverList(customer?.addresses)[0]?.zip),
  };
}


