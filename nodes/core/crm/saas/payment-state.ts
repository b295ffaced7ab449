import { currencyExponent, type Money } from '../../contracts/money';
import { decimalOfMinor } from '../../format/money-text';
import type { CrmPayment } from './crm-adapter';

/**
 * What every CRM adapter shows of a payment's state, decided once: what the customer still paid (gross less refunds
 * in the payment's currency), as the decimal text CRMs' currency fields take, and whether a deal-shaped record is
 * won, lost or open.
 */

/** What the customer still paid: a refund never takes a payment below zero. */
export function netPaid(p: Pick<CrmPayment, 'amount' | 'refunded'>): Money {
  const refunded = p.refunded.currency === p.amount.currency ? p.refunded.minor : 0;
  return { minor: Math.max(0, p.amount.minor - refunded), currency: p.amount.currency };
}

/**
 * "12.34" from 1234 USD, "1200" from 1200 JPY, "1.250" from 1250 KWD, "-0.05" from -5 USD: built from the digits,
 * never from a float, by the one conversion every message uses too (format/money-text.ts).
 */
export function decimalText(m: Money): string {
  return decimalOfMinor(m.minor, currencyExponent(m.currency));
}

/** For APIs that want a JSON number: parsed from the exact decimal text, so 19.99 is 19.99. */
export function decimalNumber(m: Money): number {
  return Number(decimalText(m));
}

/** A deal's outcome: what the customer still paid for (a partial refund, an open dispute) is won; refunded or failed lost. */
export const DEAL_OUTCOME: Readonly<Record<CrmPayment['status'], 'won' | 'lost' | 'open'>> = {
  succeeded: 'won',
  partially_refunded: 'won',
  disputed: 'won',
  refunded: 'lost',
  failed: 'lost',
  pending: 'open',
};
