import { currencyExponent, type Money } from '../contracts/money';
import { InputError } from '../errors';
import { scrubPan } from '../pan-scrub';

/**
 * How many decimals a processor's API uses for a currency where it differs from ISO 4217. Each source keeps its
 * own table as the vendor documents it: Stripe writes ISK and UGX with two decimals (always .00, for backwards
 * compatibility) and MGA with none; Adyen has its own list; Square follows ISO.
 */
export type ExponentRules = Readonly<Record<string, number>>;

/**
 * Stripe's currency docs (docs.stripe.com/currencies): zero-decimal BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV
 * XAF XOF XPF; three-decimal BHD JOD KWD OMR TND. Its "Special cases" table then overrides that list for UGX: ISK
 * and UGX have no decimals in ISO 4217, yet Stripe's API keeps writing them with two whose last two digits are 00
 * (5 UGX is an amount of 500). HUF and TWD are zero-decimal there for payouts only: charges are two-decimal, as ISO
 * has them.
 */
export const STRIPE_EXPONENTS: ExponentRules = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, JPY: 0, KMF: 0, KRW: 0, MGA: 0, PYG: 0, RWF: 0, VND: 0, VUV: 0, XAF: 0,
  XOF: 0, XPF: 0,
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3,
  ISK: 2, UGX: 2,
};

/** The processor's exponent for `currency`: its own rule, else ISO 4217. */
export function processorExponent(currency: string, rules: ExponentRules): number {
  return rules[currency.toUpperCase()] ?? currencyExponent(currency);
}

/**
 * An amount in the processor's minor units → the pack's Money (ISO minor units). Never rounds: an amount that
 * would lose digits (ISK 1234 from Stripe, which must end in 00) is refused with the field named.
 */
export function moneyFromProcessor(amount: number, currency: string, rules: ExponentRules, field = 'amount'): Money {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new InputError(`${field}.currency`, `"${currency}" is not an ISO 4217 currency code`, 'the processor sent an unknown currency; check the event');
  if (!Number.isSafeInteger(amount)) {
    const what = Number.isInteger(amount) ? `more minor units than can be counted exactly (${Number.MAX_SAFE_INTEGER} at most)` : 'not a whole number of minor units';
    throw new InputError(field, `${amount} is ${what}`, 'the processor sent a malformed amount; check the event');
  }
  notACardNumber(String(amount), field);
  const shift = currencyExponent(code) - processorExponent(code, rules);
  if (shift === 0) return { minor: amount, currency: code };
  if (shift > 0) {
    // A processor with fewer decimals than ISO (Adyen's IDR and CVE): the ISO amount has more digits than the one sent.
    const minor = amount * 10 ** shift;
    if (!Number.isSafeInteger(minor)) {
      throw new InputError(field, `${amount} ${code} in the processor's units is more of ${code}'s minor units than can be counted exactly (${Number.MAX_SAFE_INTEGER} at most)`, 'the processor sent a malformed amount; check the event');
    }
    return { minor, currency: code };
  }
  const divisor = 10 ** -shift;
  if (amount % divisor !== 0) {
    throw new InputError(field, `${amount} ${code} in the processor's units has digits below ${code}'s smallest unit`, 'the processor sent an amount that cannot be represented exactly; check the event');
  }
  return { minor: amount / divisor, currency: code };
}

/**
 * A decimal amount as some APIs send it ("10.50", 10.5, 1000) → ISO minor units, from its text so binary floating
 * point never enters (10.1 stays 1010, not 1009.9999).
 */
export function moneyFromDecimal(value: string | number, currency: string, field = 'amount'): Money {
  const code = currency.trim().toUpperCase();
  const exp = currencyExponent(code);
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new InputError(field, `"${value}" is not a decimal amount`, 'the processor sent a malformed amount; check the event');
  const [, sign, whole, frac = ''] = m;
  notACardNumber(whole!, field);
  const kept = frac.replace(/0+$/, '');
  if (kept.length > exp) throw new InputError(field, `${text} ${code} has more decimals than ${code}'s ${exp}`, 'the processor sent an amount that cannot be represented exactly; check the event');
  const minor = Number(`${whole}${kept.padEnd(exp, '0')}`);
  if (!Number.isSafeInteger(minor)) {
    throw new InputError(field, `${text} ${code} is more of ${code}'s minor units than can be counted exactly (${Number.MAX_SAFE_INTEGER} at most)`, 'the processor sent a malformed amount; check the event');
  }
  return { minor: sign === '-' ? -minor : minor, currency: code };
}

/**
 * An amount whose digits are a card number (13–19 of them passing the Luhn check, as scrubPan finds one: a trillion
 * minor units or more, no terminal's payment) is a field mixed up (a generic mapping pointing at the card number), not
 * money: refused, or the card number would be kept in the ledger and sent to the CRMs as an amount.
 */
function notACardNumber(digits: string, field: string): void {
  if (digits.length >= 13 && scrubPan(digits) !== digits) {
    throw new InputError(field, 'holds a card number, not an amount', 'point it at the payment\'s amount (a generic source\'s mapping); a card number is never read as money');
  }
}

/** A JS number's shortest round-trip text, without exponent notation for the sizes money has. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(n);
  return s.includes('e') ? n.toFixed(20).replace(/\.?0+$/, '') : s;
}
