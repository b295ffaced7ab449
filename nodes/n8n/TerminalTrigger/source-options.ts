import type { INodePropertyOptions } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../core/sources/stripe-terminal';

/** One entry per source under nodes/core/sources; each has its own credential type (source-credentials.ts). */
export const TERMINAL_SOURCES: Array<INodePropertyOptions & { value: string }> = [
  { name: 'Adyen (Standard Webhooks)', value: 'adyen', description: 'Adyen terminals and payments, from the Standard webhook (HMAC-signed notification items)' },
  { name: 'Adyen Terminal API', value: 'adyen-terminal', description: 'Terminal API (nexo) payment responses handed over by your POS app, or Adyen cloud event notifications' },
  { name: 'Clover', value: 'clover', description: 'Clover devices: the trigger fetches each notified payment through Clover\'s REST API' },
  { name: 'Other Gateway (Signed Webhook)', value: 'generic', description: 'Any gateway that signs its webhooks: Standard Webhooks or your own HMAC scheme, with a field mapping (e.g. a Verifone or Ingenico estate behind its acquirer)' },
  { name: 'Square', value: 'square', description: 'Square Terminal and Square Reader payments, refunds and disputes' },
  { name: 'Stripe Terminal', value: 'stripe', description: 'Stripe Terminal readers (BBPOS WisePOS E, Stripe Reader S700, Tap to Pay…)' },
  { name: 'SumUp', value: 'sumup', description: 'SumUp card readers: the trigger fetches each notified transaction through SumUp\'s API' },
  { name: 'Zettle by PayPal', value: 'zettle', description: 'Zettle card readers, from Zettle\'s Pusher API purchase notifications' },
];

/** Keyed by the handled types, so a type added to the source without a label here does not compile. */
const STRIPE_EVENT_LABELS: Record<(typeof STRIPE_HANDLED_EVENT_TYPES)[number], string> = {
  'charge.captured': 'Charge Captured',
  'charge.dispute.closed': 'Dispute Closed',
  'charge.dispute.created': 'Dispute Opened',
  'charge.refund.updated': 'Charge Refund Updated',
  'charge.refunded': 'Charge Refunded',
  'charge.succeeded': 'Charge Succeeded',
  'payment_intent.payment_failed': 'Payment Failed',
  'payment_intent.succeeded': 'Payment Succeeded',
  'refund.failed': 'Refund Failed',
  'refund.updated': 'Refund Updated',
};

export function stripeEventTypeOptions(): Array<INodePropertyOptions & { value: string }> {
  return [...STRIPE_HANDLED_EVENT_TYPES]
    .map((type) => ({ name: `${STRIPE_EVENT_LABELS[type]} (${type})`, value: type }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
