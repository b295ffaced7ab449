import type { INodePropertyOptions } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../core/sources/stripe-terminal';

/** One entry per source under nodes/core/sources; each gets its own credential and event list. */
export const TERMINAL_SOURCES: INodePropertyOptions[] = [
  { name: 'Stripe Terminal', value: 'stripe', description: 'Stripe Terminal readers (BBPOS WisePOS E, Stripe Reader S700, Tap to Pay…)' },
];

/** Keyed by the handled types, so a type added to the source without a label here does not compile. */
const STRIPE_EVENT_LABELS: Record<(typeof STRIPE_HANDLED_EVENT_TYPES)[number], string> = {
  'charge.dispute.closed': 'Dispute Closed',
  'charge.dispute.created': 'Dispute Opened',
  'charge.refunded': 'Charge Refunded',
  'charge.succeeded': 'Charge Succeeded',
  'payment_intent.payment_failed': 'Payment Failed',
  'payment_intent.succeeded': 'Payment Succeeded',
};

export function stripeEventTypeOptions(): Array<INodePropertyOptions & { value: string }> {
  return [...STRIPE_HANDLED_EVENT_TYPES]
    .map((type) => ({ name: `${STRIPE_EVENT_LABELS[type]} (${type})`, value: type }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
