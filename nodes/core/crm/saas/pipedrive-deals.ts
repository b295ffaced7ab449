import { formatMoney } from '../../contracts/money';
import type { CrmPayment } from './crm-adapter';
import { DEAL_OUTCOME, dealClosedAt, decimalNumber, netPaid } from './payment-state';
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
 * When the deal closed, as the payment says (dealClosedAt): without it Pipedrive stamps the moment of the write, and a
 * backfill of a year's sales or refunds would show every deal won or lost today in the revenue reports. A refunded
 * deal whose refund time the ledger cannot say is left to Pipedrive (the time the refund reached it). RFC 3339, as
 * API v2 takes every timestamp.
 */
function closedAt(p: CrmPayment, status: 'won' | 'lost' | 'open'): Record<string, string> {
  const when = dealClosedAt(p);
  const ms = when === undefined ? NaN : Date.parse(when);
  if (Number.isNaN(ms)) return {};
  const at = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (status === 'won') return { won_time: at, close_time: at };
  if (status === 'lost') return { lost_time: at, close_time: at };
  return {};
}
