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

/** Clover's lists inside a record arrive as {"elements": [...]}. */
const elements = (v: unknown): Obj[] => {
  const list = obj(v)?.elements;
  return Array.isArray(list) ? list.map(obj).filter((x): x is Obj => !!x) : [];
};

/** The card of a payment's card transaction: brand, BIN and last four, funding (from the tender), entry, identity. */
export function cardFrom(ct: Obj, p: Obj): Card {
  const first6 = trimmedStr(ct.first6);
  const last4 = trimmedStr(ct.last4);
  const token = trimmedStr(ct.token) ?? trimmedStr(obj(ct.vaultedCard)?.token);
  const tenderKey = trimmedStr(obj(p.tender)?.labelKey) ?? '';
  return {
    // CardType (clover-android-sdk): VISA, MC, DINERS_CLUB, CHINA_UNION_PAY… read as every source reads brands.
    brand: cardBrand(ct.cardType),
    bin: first6 && /^\d{6}$/.test(first6) ? first6 : undefined,
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
  const customer = elements(order?.customers)[0];
  const name = [trimmedStr(customer?.firstName), trimmedStr(customer?.lastName)].filter(Boolean).join(' ');
  return {
    processorCustomerId: trimmedStr(customer?.id),
    email: trimmedStr(elements(customer?.emailAddresses)[0]?.emailAddress),
    phone: trimmedStr(elements(customer?.phoneNumbers)[0]?.phoneNumber),
    name: name || cardholderName(ct.cardholderName),
    postalCode: trimmedStr(elements(customer?.addresses)[0]?.zip),
  };
}


