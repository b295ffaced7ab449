import { formatMoney } from '../../contracts/money';
import { localDay } from '../../format/zone-clock';
import type { CrmPayment } from './crm-adapter';
import { DEAL_OUTCOME, dealClosedAt, decimalNumber, netPaid } from './payment-state';
import type { ZohoSettings } from './zoho-settings';

/** What the customer still paid, in major units (Zoho currency fields are decimals). */
export const netMajorUnits = (p: Pick<CrmPayment, 'amount' | 'refunded'>): number => decimalNumber(netPaid(p));

/**
 * A payment as a record of the payments module (Deals by default), keyed by the payment key in its unique field so
 * a refund upserts the same record; the contact lookup ties it to the customer. No card data beyond brand and last
 * four goes into it. `timeZone`: the org's (zoho-org-zone.ts), which the closing date is the day in.
 */
export function paymentRecord(p: CrmPayment, contactId: string, settings: ZohoSettings, timeZone: string): Record<string, unknown> {
  const f = settings.paymentFields;
  const card = [p.card?.brand, p.card?.last4 ? `•••• ${p.card.last4}` : undefined, p.card?.wallet, p.card?.entryMode].filter(Boolean).join(', ');
  const refunded = p.refunded.minor > 0 ? `refunded ${formatMoney(p.refunded)}` : '';
  return {
    [settings.paymentKeyField]: p.externalId,
    // Deal_Name holds at most 120 characters: the adapter fits it (ZOHO_DEAL_LIMITS).
    [f.name]: `Card payment ${formatMoney(p.amount)} — ${p.externalId}`,
    [f.amount]: netMajorUnits(p),
    [f.stage]: settings.stages[DEAL_OUTCOME[p.status]],
    [f.closingDate]: closingDay(dealClosedAt(p) ?? p.occurredAt, timeZone),
    [f.contact]: { id: contactId },
    [f.description]: [`${p.source} ${p.paymentId}`, `status ${p.status}`, card, refunded, p.terminal?.readerId ? `reader ${p.terminal.readerId}` : ''].filter(Boolean).join('; '),
    ...(f.currency ? { [f.currency]: p.amount.currency } : {}),
  };
}

/**
 * The calendar day in the org's zone the deal closed on (dealClosedAt: the sale's, a full refund's; else the sale's):
 * Zoho keeps Closing_Date without a time and reports it as the org's day, while the time is an instant, in UTC or at
 * the terminal's own offset, whose text may name another day.
 */
function closingDay(closedAt: string, timeZone: string): string {
  const ms = Date.parse(closedAt);
  return Number.isFinite(ms) ? localDay(ms, timeZone) : closedAt.slice(0, 10);
}
