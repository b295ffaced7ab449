import type { MatchResult } from '../contracts/customer';
import { type PaymentEvent, type TokenizedPaymentEvent } from '../contracts/payment-event';
import { parsePaymentEvent } from '../contracts/parse-payment-event';
import type { UpsertResult } from '../crm/upsert-payments';
import type { CrmSync } from './crm-sync';
import { InputError } from '../errors';

/**
 * What travels between the steps in every engine (an n8n item's json, a Node-RED msg.payload, a Temporal
 * activity's argument): the PaymentEvent itself, with each step's result added under its own key.
 */
export type PaymentMessage = TokenizedPaymentEvent & { match?: MatchResult; crm?: UpsertResult & { sync?: CrmSync } };

export function readEvent(payload: unknown, step: string): PaymentEvent {
  return parsePaymentEvent(payload, `${step} input`);
}

/** Steps after tokenize refuse an event that still carries the processor's card identity. */
export function readTokenizedEvent(payload: unknown, step: string): TokenizedPaymentEvent {
  const event = readEvent(payload, step);
  if (event.card?.identity?.kind === 'fingerprint') {
    throw new InputError('card.identity', `${step} received a payment that has not been tokenized`, `put a Tokenize step before ${step}`);
  }
  return event as TokenizedPaymentEvent;
}

export function readMatch(payload: unknown, step: string): MatchResult {
  const match = (payload as { match?: MatchResult } | null)?.match;
  if (!match || typeof match !== 'object' || !('decision' in match)) {
    throw new InputError('match', `${step} received a payment without a match result`, `put a Match Customer step before ${step}`);
  }
  return match;
}
