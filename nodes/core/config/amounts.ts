import { currencyExponent, formatMoney } from '../contracts/money';
import { InputError, shown } from '../errors';

/**
 * The most minor units an amount setting holds: 2^53 − 1, past which numbers are no longer whole counts (a cent
 * more or less reads the same). The Node-RED dialogs mark an amount past it as the run refuses it.
 */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

/**
 * Operators type amounts as they see them on a receipt (500 or 19.99 in the shop's currency); the core counts
 * integer minor units, at the currency's exponent, up to MAX_MINOR_UNITS. Empty, null and 0 mean "not set".
 */
export function minorUnitsOf(amount: unknown, currency: string, label: string): number | undefined {
  if (amount === undefined || amount === null || amount === '') return undefined;
  const value = typeof amount === 'string' ? Number(amount.trim()) : amount;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InputError(label, `"${shown(amount)}" is not an amount`, `type an amount in ${currency} such as 500 or 19.99, or 0 to leave it unused`);
  }
  if (value === 0) return undefined;
  const minor = Math.round(value * 10 ** currencyExponent(currency));
  if (minor > MAX_MINOR_UNITS) {
    const most = formatMoney({ minor: MAX_MINOR_UNITS, currency });
    throw new InputError(label, `"${shown(amount)}" is more than the ${most} an amount can be`, `type an amount in ${currency} up to ${most}, or 0 to leave it unused`);
  }
  return minor;
}

export function currencyOf(value: unknown, label = 'Currency'): string {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!/^[A-Z]{3}$/.test(text)) {
    throw new InputError(label, `"${shown(value ?? '')}" is not a currency code`, 'type the three-letter code of your shop\'s currency, e.g. USD, EUR, GBP');
  }
  return text;
}

/** A whole number setting where empty or 0 means "not set". */
export function optionalCount(value: unknown, label: string, fix: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new InputError(label, `"${shown(value)}" is not a whole number`, fix);
  return n === 0 ? undefined : n;
}
