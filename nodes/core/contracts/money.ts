import { z } from 'zod/v4';

/**
 * Digits after the decimal point for currencies whose exponent is not 2 (ISO 4217). Every amount in the pack is
 * integer minor units at this exponent: each source converts from its processor's own rules on the way in
 * (sources/processor-money.ts), so a loyalty threshold or an alert in ISK means the same whoever took the payment.
 * MGA is 2 in ISO 4217 (the iraimbilanja is a fifth, written as .20, .40 …).
 */
export const EXPONENT_OVERRIDES: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export function currencyExponent(currency: string): number {
  return EXPONENT_OVERRIDES[currency.toUpperCase()] ?? 2;
}

/** Three letters, upper-cased by the schema: what the exact PaymentEvent check (payment-event-exact.ts) tests too. */
export const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;

export const CurrencySchema = z
  .string()
  .regex(CURRENCY_PATTERN, 'a three-letter ISO 4217 code such as USD, EUR, JPY')
  .transform((c) => c.toUpperCase());

export const MoneySchema = z.object({
  minor: z.number().int('an integer number of minor units (cents, not dollars)').nonnegative(),
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

/**
 * "12.34 USD", "1200 JPY", "1.250 KWD" — for messages and CRM text fields, never for arithmetic. A difference (a net
 * that refunds took below zero) keeps its sign before the digits: "-0.05 USD".
 */
export function formatMoney(m: Money): string {
  if (m.minor < 0) return `-${formatMoney({ ...m, minor: -m.minor })}`;
  const exp = currencyExponent(m.currency);
  if (exp === 0) return `${m.minor} ${m.currency}`;
  const s = String(m.minor).padStart(exp + 1, '0');
  return `${s.slice(0, -exp)}.${s.slice(-exp)} ${m.currency}`;
}
