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

/**
 * When a deal-shaped record reached its outcome, as the payment says, so a backfill keeps its dates in the CRM's
 * reports: a sale is won when it was paid, a failed one lost when it failed, a refunded one lost when the refund or
 * chargeback that gave all of it back happened (refundedAt). Undefined for an open deal, and for a refunded one whose
 * refund time the ledger cannot say: there each CRM keeps what it did before (Pipedrive stamps the write's time,
 * HubSpot's closedate and Zoho's Closing_Date keep the sale's).
 */
export function dealClosedAt(p: Pick<CrmPayment, 'status' | 'occurredAt' | 'refundedAt'>): string | undefined {
  if (DEAL_OUTCOME[p.status] === 'open') return undefined;
  return p.status === 'refunded' ? p.refundedAt : p.occurredAt;
}
