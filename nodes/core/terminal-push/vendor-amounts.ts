import { currencyExponent, formatMoney, type Money } from '../contracts/money';
import { ADYEN_EXPONENTS } from '../sources/adyen-money';
import { STRIPE_EXPONENTS, type ExponentRules } from '../sources/processor-money';
import type { TerminalVendor } from './terminal-push';

/**
 * What a processor can charge in a currency, as data: the adapters convert by it, and the Node-RED dialog
 * (resources/editor-core.js, written by scripts/copy-assets.mjs) marks an Amount by the same tables.
 */
export interface ProcessorAmountRules {
  /** Its decimals where they differ from ISO 4217 (sources/processor-money.ts, sources/adyen-money.ts). */
  readonly exponents: ExponentRules;
  /** At an exponent of its own, the multiple its minor units must be (Stripe: a three-decimal amount ends in 0). */
  readonly multipleOf: Readonly<Record<number, number>>;
  /** 'minor': whole minor units (Stripe's and Square's amount); 'decimal': major units as a JSON number (Adyen's RequestedAmount). */
  readonly written: 'minor' | 'decimal';
}

/** The processors' names as their refusals say them. */
export const PROCESSOR_NAMES: Readonly<Record<TerminalVendor, string>> = { stripe: 'Stripe', square: 'Square', adyen: 'Adyen' };

export const PROCESSOR_AMOUNT_RULES: Readonly<Record<TerminalVendor, ProcessorAmountRules>> = {
  // Stripe's currency docs: its own decimals, and three-decimal currencies (BHD, JOD, KWD, OMR, TND) must end in 0
  // for its payment partners. Stripe asks integrations to round; we refuse instead, so the CRM and the card agree.
  stripe: { exponents: STRIPE_EXPONENTS, multipleOf: { 3: 10 }, written: 'minor' },
  // Square takes ISO 4217's minor units as they are.
  square: { exponents: {}, multipleOf: {}, written: 'minor' },
  // Adyen's currency table is leading; the Terminal API takes a decimal number.
  adyen: { exponents: ADYEN_EXPONENTS, multipleOf: {}, written: 'decimal' },
};

/** Why a processor cannot charge an amount exactly: finer than its smallest step, past a safe integer, or past a JSON number's digits. */
export type ProcessorAmountFault = 'finer' | 'too large' | 'too many digits';

export type ProcessorAmount =
  /** `value` in the processor's minor units at `exponent`; `decimal` the amount in major units, from its digits ("12.345", "1500", "10.5"). */
  | { value: number; decimal: string; exponent: number }
  /** `step`: the smallest amount the processor charges in the currency, in ISO minor units (Stripe MGA: 100; Stripe KWD: 10). */
  | { fault: ProcessorAmountFault; exponent: number; step: number };

/**
 * `minor` ISO minor units of `currency` (upper-case code, `isoExponent` its ISO 4217 decimals) as the processor whose
 * `rules` these are writes them, or why it cannot without rounding (MGA 12.50 for Stripe, which takes whole ariary;
 * KWD 12.345 for Stripe, which must end in 0; IDR 10.50 for Adyen, which takes whole rupiah). Never rounds: rounding
 * would charge the customer something other than the CRM says. It uses nothing outside itself: the Node-RED dialog
 * runs its compiled source (resources/editor-core.js), so the dialog marks what the adapters refuse.
 */
export function processorAmount(minor: number, currency: string, isoExponent: number, rules: ProcessorAmountRules): ProcessorAmount {
  const own = rules.exponents[currency];
  const exponent = typeof own === 'number' ? own : isoExponent;
  const multiple = rules.multipleOf[exponent] ?? 1;
  const shift = exponent - isoExponent;
  const step = shift >= 0 ? Math.max(1, multiple / 10 ** shift) : multiple * 10 ** -shift;
  let value: number;
  if (shift >= 0) {
    value = minor * 10 ** shift;
  } else {
    if (minor % 10 ** -shift !== 0) return { fault: 'finer', exponent, step };
    value = minor / 10 ** -shift;
  }
  if (!Number.isSafeInteger(value)) return { fault: 'too large', exponent, step };
  if (value % multiple !== 0) return { fault: 'finer', exponent, step };
  const digits = String(minor).padStart(isoExponent + 1, '0');
  const decimal = isoExponent === 0 ? digits : `${digits.slice(0, -isoExponent)}.${digits.slice(-isoExponent)}`.replace(/\.?0+$/, '');
  if (rules.written === 'decimal' && String(Number(decimal)) !== decimal) return { fault: 'too many digits', exponent, step };
  return { value, decimal, exponent };
}

export type Converted<T> = { value: T; decimal: string } | { problem: string; fix: string };

/**
 * A sale's amount as `vendor` takes it (processorAmount by PROCESSOR_AMOUNT_RULES), or the refusal an operator can
 * act on: what the processor cannot charge, and the amounts either side of it that it can, as typed (12 or 13 MGA)
 * and in minor units.
 */
export function vendorAmount(vendor: TerminalVendor, money: Money): Converted<number> {
  const iso = currencyExponent(money.currency);
  const r = processorAmount(money.minor, money.currency, iso, PROCESSOR_AMOUNT_RULES[vendor]);
  if (!('fault' in r)) return r;
  const name = PROCESSOR_NAMES[vendor];
  const what = formatMoney(money);
  /** An amount as an operator types it: 12, 12.34 (no trailing zeros), without the currency. */
  const typed = (minor: number) => formatMoney({ minor, currency: money.currency }).replace(/ .*$/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  if (r.fault === 'too large') {
    const most = Math.floor(Number.MAX_SAFE_INTEGER / 10 ** (r.exponent - iso));
    return { problem: `${what} is more than ${name} can charge in ${money.currency}`, fix: `Type at most ${typed(most)} ${money.currency} (${most} in minor units).` };
  }
  if (r.fault === 'too many digits') {
    return { problem: `${what} has more digits than the JSON number ${name} reads keeps exactly`, fix: 'Type an amount of at most 15 digits.' };
  }
  const below = money.minor - (money.minor % r.step);
  const either = [below, below + r.step].filter((m) => m > 0);
  const multiple = PROCESSOR_AMOUNT_RULES[vendor].multipleOf[r.exponent];
  const why = multiple && r.step > 10 ** (iso - r.exponent)
    ? `${name} writes ${money.currency} with ${r.exponent} decimals and its amounts must end in ${String(multiple).slice(1)}`
    : `${name} charges ${money.currency} with ${r.exponent === 0 ? 'no decimals' : `${r.exponent} decimal${r.exponent === 1 ? '' : 's'}`}`;
  return {
    problem: `${what} cannot be charged exactly: ${why}, so ${money.currency} amounts go in steps of ${typed(r.step)} ${money.currency}`,
    fix: `Type ${either.map(typed).join(' or ')} ${money.currency} instead (${either.join(' or ')} in minor units), rounding the price in the CRM, and push again.`,
  };
}
