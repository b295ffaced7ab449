import type { Card, CustomerHints, EntryMode, PaymentEvent } from '../contracts/payment-event';
import { obj } from '../json/json-values';
import { cardBrand } from './card-brand';
import { cardholderName } from './cardholder-name';

/**
 * Adyen's additional data: the same key names in a standard webhook's `additionalData` and in a Terminal API
 * `Response.AdditionalResponse` (cardBin, cardSummary, alias, posEntryMode, paymentMethodVariant…), so one reading
 * of them serves both sources. Values are strings.
 */
export type AdyenData = Readonly<Record<string, string>>;

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

/**
 * Only the string values of an object: what Adyen's additional data is. An empty string is no value (Adyen writes ""
 * for what it has not got, as in its dispute examples' modificationMerchantReferences), so every `??` fallback after it
 * still applies: a disputeStatus of "" leaves the dispute's status to its event code.
 */
export function adyenData(v: unknown): AdyenData {
  const out: Record<string, string> = {};
  const o = obj(v) ?? {};
  for (const k of Object.keys(o)) {
    const val = o[k];
    if (typeof val === 'string' ? val.trim() !== '' : typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

/**
 * `posEntryMode` as Adyen writes it (ICC, CLESS_CHIP, CLESS_SWIPE, MSR, MKE — "additional_data_struct",
 * https://docs.adyen.com/point-of-sale/classic-library-deprecation/classic-library-integrations/c-library-integration/structs/additional_data_struct)
 * → how the card met the terminal. Read by pattern, so spellings such as MAGSTRIPE or KEYED land right too.
 */
export function entryModeFromPosEntryMode(value: string | undefined): EntryMode | undefined {
  if (!value) return undefined;
  const v = value.toUpperCase();
  if (v.includes('FALLBACK')) return 'fallback';
  if (v.startsWith('CLESS') || v.includes('CONTACTLESS')) return 'contactless';
  if (v === 'ICC' || v.includes('CHIP')) return 'chip';
  if (v === 'MSR' || v.includes('MAGSTRIPE') || v.includes('SWIPE')) return 'swipe';
  if (v === 'MKE' || v.includes('KEYED') || v.includes('MANUAL')) return 'keyed';
  return 'unknown';
}

/** Wallets show in the variant: visa_applepay, mc_googlepay, amex_samsungpay… */
export function walletFromVariant(variant: string | undefined): string | undefined {
  const v = variant?.toLowerCase() ?? '';
  if (v.includes('applepay')) return 'apple_pay';
  if (v.includes('googlepay') || v.includes('paywithgoogle')) return 'google_pay';
  if (v.includes('samsungpay')) return 'samsung_pay';
  return undefined;
}

/**
 * The card's scheme: `paymentMethod` (mc, visa, eftpos_australia…), or for a wallet the scheme prefix of its variant
 * (mc_applepay), named as every source names it (card-brand.ts).
 */
export function brandOf(paymentMethod: string | undefined, variant: string | undefined): string | undefined {
  const code = paymentMethod && !walletFromVariant(paymentMethod) ? paymentMethod : variant?.split('_')[0];
  return cardBrand(code);
}

/**
 * `fundingSource` as Adyen's library documents it (responseAdditionalDataCommon: CHARGE, CREDIT, DEBIT, PREPAID,
 * PREPAID_RELOADABLE, PREPAID_NONRELOADABLE, DEFFERED_DEBIT — so spelt there; binLookup spells DEFERRED_DEBIT).
 */
export function fundingOf(value: string | undefined): Card['funding'] {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === 'credit' || v === 'debit') return v;
  if (v.startsWith('prepaid')) return 'prepaid';
  if (v === 'deferred_debit' || v === 'deffered_debit' || v === 'charge') return 'credit';
  return 'unknown';
}

/** Expiry as "MM/YYYY" (webhooks, "8/2028" too) or as expiryMonth/expiryYear (terminal responses). */
export function expiryOf(d: AdyenData): Pick<Card, 'expMonth' | 'expYear'> {
  const m = /^(\d{1,2})\/(\d{4})$/.exec(d.expiryDate?.trim() ?? '');
  const month = Number(m?.[1] ?? d.expiryMonth);
  const year = Number(m?.[2] ?? d.expiryYear);
  return {
    expMonth: Number.isInteger(month) && month >= 1 && month <= 12 ? month : undefined,
    expYear: Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : undefined,
  };
}

const digitsOnly = (v: string | undefined, pattern: RegExp) => (v && pattern.test(v.trim()) ? v.trim() : undefined);

/** The card as Adyen's additional data describes it; never more than BIN and last four of the number. */
export function cardFromAdyenData(d: AdyenData, paymentMethod: string | undefined, fallbackEntryMode?: EntryMode): Card {
  const variant = d.paymentMethodVariant;
  return {
    brand: brandOf(paymentMethod ?? d.paymentMethod ?? d.cardScheme, variant),
    last4: digitsOnly(d.cardSummary, /^\d{4}$/),
    bin: digitsOnly(d.cardBin, /^\d{6,8}$/),
    ...expiryOf(d),
    funding: fundingOf(d.fundingSource),
    entryMode: entryModeFromPosEntryMode(d.posEntryMode) ?? fallbackEntryMode ?? 'unknown',
    wallet: walletFromVariant(variant) ?? walletFromVariant(paymentMethod),
    identity: d.alias ? { kind: 'fingerprint', value: d.alias } : undefined,
  };
}


export function customerHintsFromAdyenData(d: AdyenData): CustomerHints {
  return {
    processorCustomerId: str(d.shopperReference),
    email: str(d.shopperEmail),
    phone: str(d.shopperTelephone) ?? str(d.telephoneNumber),
    name: cardholderName(d.cardHolderName) ?? cardholderName(d.shopperName),
    postalCode: str(d['billingAddress.postalCode']),
  };
}

/** The terminal that took the payment and the store it belongs to. */
export function terminalFromAdyenData(d: AdyenData, readerId?: string): PaymentEvent['terminal'] {
  const reader = readerId ?? str(d.terminalId) ?? str(d.terminal);
  const location = str(d.store) ?? str(d.storeId);
  return reader || location ? { readerId: reader, locationId: location } : undefined;
}

/** The merchant's own metadata (sent as `metadata.<key>` in the payment request) echoed back by Adyen. */
export function merchantMetadata(d: AdyenData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(d)) if (k.length > 9 && k.startsWith('metadata.')) out[k.slice(9)] = d[k]!;
  return out;
}

/** Metadata without empty values (the PaymentEvent keeps strings only). */
export function compactStrings(record: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // Object.keys, not Object.entries: every normalized Adyen event passes here, and a pair per key cost more than the rest.
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}
