import type { Money } from '../contracts/money';
import { InputError } from '../errors';
import { moneyFromProcessor, type ExponentRules } from './processor-money';

/**
 * Adyen's own decimals ("Currency codes and minor units", https://docs.adyen.com/development-resources/currency-codes):
 * every currency it lists that does not have two. Four differ from ISO 4217 — CLP and ISK with two decimals (the
 * amount must end in 00), CVE and IDR with none — and Adyen says its table is leading. MGA is not in Adyen's
 * table, so ISO 4217 (two) applies to it.
 */
export const ADYEN_EXPONENTS: ExponentRules = {
  CLP: 2, ISK: 2,
  CVE: 0, IDR: 0,
  DJF: 0, GNF: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** An Adyen `amount` ({value, currency} in Adyen's minor units) → ISO minor units, refusing what would lose digits. */
export function adyenMoney(value: unknown, currency: unknown, field = 'amount'): Money {
  const minor = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof minor !== 'number' || typeof currency !== 'string') {
    throw new InputError(field, 'the message carries no amount {value, currency}', 'Adyen always sends one; check that the body was not changed on the way');
  }
  if (minor < 0) throw new InputError(field, `${minor} is a negative amount`, 'Adyen sends amounts as positive minor units; check the message');
  return moneyFromProcessor(minor, currency, ADYEN_EXPONENTS, field);
}
