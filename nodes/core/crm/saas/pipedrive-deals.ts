import { formatMoney } from '../../contracts/money';
import type { CrmPayment } from './crm-adapter';
import { DEAL_OUTCOME, decimalNumber, netPaid } from './payment-state';
import type { PipedriveSettings } from './pipedrive-settings';

/**
 * A payment is a deal: Pipedrive's only money-carrying record that belongs to a person, shows in their timeline and
 * counts in revenue reports. Its state maps to the deal's as every CRM maps it (payment-state.ts).
 */
const STATUS = DEAL_OUTCOME;

const LOST_REASON: Partial<Record<CrmPayment['status'], string>> = { refunded: 'Refunded', failed: 'Payment failed' };

/** What the customer still paid, in major units as Pipedrive's `value` wants. */
export const netMajorUnits = (p: Pick<CrmPayment, 'amount' | 'refunded'>): number => decimalNumber(netPaid(p));

export const majorUnits = decimalNumber;

export function dealTitle(p: CrmPayment): string {
  const card = [p.card?.brand, p.card?.last4 ? `•••• ${p.card.last4}` : undefined].filter(Boolean).join(' ');
  return `Card payment ${formatMoney(p.amount)}${card ? ` (${card})` : ''} — ${p.externalId}`;
}

/** Body of POST/PATCH /api/v2/deals (SDK: AddDealRequest); the payment key in its custom field makes it findable again. */
export function dealBody(p: CrmPayment, personId: string, settings: PipedriveSettings): Record<string, unknown> {
  const status = STATUS[p.status];
  const reason = LOST_REASON[p.status];
  return {
    title: dealTitle(p),
    value: netMajorUnits(p),
    currency: p.amount.currency,
    status,
    person_id: Number(personId),
    ...(status === 'lost' && reason ? { lost_reason: reason } : {}),
    ...closedAt(p, status),
    custom_fields: { [settings.paymentKeyField]: p.externalId },
  };
}

/**
 * When the deal closed, as the payment says: without it Pipedrive stamps the moment of the write, and a backfill of a
 * year's sales would show every deal won today in the revenue reports. A sale is won when it was paid, a failed one
 * lost when it failed; a refund's own time is not among a payment's facts, so a refunded deal's lost time is left to
 * Pipedrive (the time the refund reached it). RFC 3339, as API v2 takes every timestamp.
 */
function closedAt(p: CrmPayment, status: 'won' | 'lost' | 'open'): Record<string, string> {
  const ms = Date.parse(p.occurredAt);
  if (Number.isNaN(ms)) return {};
  const at = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (status === 'won') return { won_time: at, close_time: at };
  if (status === 'lost' && p.status === 'failed') return { lost_time: at, close_time: at };
  return {};
}
