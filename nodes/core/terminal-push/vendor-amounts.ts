import { currencyExponent, formatMoney, type Money } from '../contracts/money';
import { processorExponent, type ExponentRules } from '../sources/processor-money';

export type Converted<T> = { value: T } | { problem: string };

/**
 * ISO minor units → the vendor's minor units (the way back from sources/processor-money.ts). Never rounds: an
 * amount the vendor cannot represent exactly (MGA 12.50 for Stripe, which takes whole ariary) is refused, because
 * rounding would charge the customer something other than the CRM says.
 */
export function toProcessorMinor(money: Money, rules: ExponentRules): Converted<number> {
  const shift = processorExponent(money.currency, rules) - currencyExponent(money.currency);
  if (shift >= 0) {
    const value = money.minor * 10 ** shift;
    return Number.isSafeInteger(value) ? { value } : { problem: `${formatMoney(money)} is too large` };
  }
  const divisor = 10 ** -shift;
  if (money.minor % divisor !== 0) {
    return { problem: `${formatMoney(money)} has decimals the processor does not take for ${money.currency}` };
  }
  return { value: money.minor / divisor };
}

/**
 * ISO minor units → a decimal amount in major units, as text built from the digits ("12.345", "1500", "10.5"), so
 * binary floating point never decides a price. `rules` are the vendor's decimals, which only narrow what it accepts.
 */
export function toDecimalMajor(money: Money, rules: ExponentRules = {}): Converted<string> {
  const exact = toProcessorMinor(money, rules);
  if ('problem' in exact) return exact;
  const exp = currencyExponent(money.currency);
  const digits = String(money.minor).padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const fraction = exp === 0 ? '' : digits.slice(-exp).replace(/0+$/, '');
  return { value: fraction ? `${whole}.${fraction}` : whole };
}

/**
 * A decimal text as a JSON number, refused when the number would not print back as the same text (more than the
 * 15–17 significant digits a double keeps): the vendor would read another amount than the one we meant.
 */
export function decimalAsJsonNumber(text: string): Converted<number> {
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? { value: n } : { problem: `${text} has more digits than a JSON number keeps exactly` };
}
