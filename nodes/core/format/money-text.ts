import { currencyExponent, type Money } from '../contracts/money';
import { InputError } from '../errors';

export interface MoneyTextOptions {
  /** A BCP 47 locale ("en-US", "de-DE", "ja-JP"); decides symbols, separators and where the symbol goes. */
  locale?: string;
}

export const DEFAULT_LOCALE = 'en-US';

/** Minor units as a decimal string with the currency's ISO 4217 exponent, exact for any integer ("1250", 3 → "1.250"). */
export function decimalOfMinor(minor: number, exponent: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const formats = new Map<string, Intl.NumberFormat>();

function formatFor(locale: string, currency: string, exponent: number): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    try {
      // A well-formed tag no locale data answers to ("klingon") would quietly format in the runtime's default.
      if (Intl.NumberFormat.supportedLocalesOf([locale]).length === 0) throw new RangeError(locale);
      // The digits are ISO 4217's, not the locale's habit: Intl shows JPY with 0 and KWD with 3 anyway, but ISK
      // or a currency Intl knows differently must match the minor units the pack counts in.
      format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    } catch {
      throw new InputError('locale', `"${locale}" is not a locale this runtime knows`, 'use a BCP 47 tag such as en-US, en-GB, de-DE or ja-JP');
    }
    formats.set(key, format);
  }
  return format;
}

/**
 * An amount as its currency is written for people: "$42.00", "¥1,200", "KWD 1.250", "1.234,56 €" (de-DE). Every
 * message the pack composes goes through here, so no template divides by 100.
 */
export function moneyText(money: Money, options: MoneyTextOptions = {}): string {
  const currency = money.currency.toUpperCase();
  const exponent = currencyExponent(currency);
  // Formatted from the decimal string, not minor / 10^exp, so large amounts keep every digit.
  return formatFor(options.locale || DEFAULT_LOCALE, currency, exponent).format(decimalOfMinor(money.minor, exponent) as unknown as number);
}
