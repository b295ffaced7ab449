import type { INodePropertyOptions } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../core/sources/stripe-terminal';

/** One entry per source under nodes/core/sources; each gets its own credential and event list. */
export const TERMINAL_SOURCES: INodePropertyOptions[] = [
  { name: 'Stripe Terminal', value: 'stripe', description: 'Stripe Terminal readers (BBPOS WisePOS E, Stripe Reader S700, Tap to Pay…)' },
];

const STRIPE_EVENT_LABELS: Record<string, string> = {
  'charge.refunded': 'Charge Refunded',
  'charge.succeeded': 'Charge Succeeded',
  'payment_intent.payment_failed': 'Payment Failed',
  'payment_intent.succeeded': 'Payment Succeeded',
};

export function stripeEventTypeOptions(): Array<INodePropertyOptions & { value: string }> {
  return [...STRIPE_HANDLED_EVENT_TYPES]
    .map((type) => ({ name: `${STRIPE_EVENT_LABELS[type] ?? type} (${type})`, value: type }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
