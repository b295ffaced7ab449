import { MatchDecisionSchema, MatchKeyKindSchema, type MatchResult } from './customer';
import type { PaymentEvent, TokenizedPaymentEvent } from './payment-event';
import { parsePaymentEvent } from './parse-payment-event';
import type { TransactionOutcome } from './crm';
import { InputError } from '../errors';

/**
 * What travels between the steps in every engine (an n8n item's json, a Node-RED msg.payload, a Temporal
 * activity's argument): the PaymentEvent itself, with each step's result added under its own key.
 */
export type PaymentMessage = TokenizedPaymentEvent & { match?: MatchResult; crm?: UpsertResult & { sync?: CrmSync } };

/** What CRM Upsert puts under `crm` (crm/upsert-payments.ts). */
export interface UpsertResult extends TransactionOutcome {
  customerCreated: boolean;
}

/**
 * Whether a payment reached the SaaS CRM while CRM Upsert ran (`crm.sync` of its output). `records` says it per
 * record (the customer, the payment's state); the item's own status is the worst of them: a customer the CRM
 * refused holds its payment back, so the item is rejected with the customer's reason. `notes`, only when there is
 * something to say: what was fitted to the CRM's field lengths in the records written for this item ("cus_…:
 * FirstName cut to 40 characters…", an email left out), one line per field, each naming its record.
 */
export type CrmSync = (
  | { status: 'synced'; crmId: string }
  | { status: 'queued'; reason: string; nextAttemptAt: string | null }
  | { status: 'rejected'; reason: string }
  | { status: 'dead'; reason: string }
  /** No payment record goes for this event (its payment was never seen, or is nobody's); `records` may hold its customer. */
  | { status: 'skipped'; reason: string }
) & { crm: string; records: RecordSync[]; notes?: string[] };

/** What became of one record (a customer, a payment's state) on its way to a SaaS CRM. */
export type RecordSync =
  | { kind: 'customer' | 'payment'; externalId: string; status: 'synced'; crmId: string }
  | { kind: 'customer' | 'payment'; externalId: string; status: 'queued'; reason: string; nextAttemptAt: string | null }
  | { kind: 'customer' | 'payment'; externalId: string; status: 'rejected' | 'dead'; reason: string };

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
  const problem = matchProblem(match);
  if (problem) {
    throw new InputError(`match.${problem.field}`, `${step} received a match result whose ${problem.field} ${problem.what}`, `feed ${step} the output of Match Customer unchanged`);
  }
  return match;
}

/**
 * The customer CRM Upsert linked the payment to, as a later step reads it from `crm.customerId`: the id, null
 * (nobody), or undefined when a flow put something else there.
 */
export function linkedCustomerId(crm: { customerId?: unknown }): string | null | undefined {
  const id = crm.customerId;
  if (id === null) return null;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

const DECISIONS = new Set<unknown>(MatchDecisionSchema.options);
const KEY_KINDS = new Set<unknown>(MatchKeyKindSchema.options);

/**
 * What the store takes from a match, as the contract has it: whose payment it is and the keys to attach. Checked
 * by hand, not by zod, since every payment passes here; a flow that edits the match between the steps must not
 * put a customer id of 0 or a key without a kind into the store.
 */
function matchProblem(m: MatchResult): { field: string; what: string } | undefined {
  if (!DECISIONS.has(m.decision)) return { field: 'decision', what: `is ${JSON.stringify(m.decision)}, not one of ${MatchDecisionSchema.options.join(', ')}` };
  if (m.customerId !== null && (typeof m.customerId !== 'string' || m.customerId === '')) {
    return { field: 'customerId', what: `is ${JSON.stringify(m.customerId) ?? 'missing'}, neither a customer id nor null (nobody)` };
  }
  if (!Array.isArray(m.keys)) return { field: 'keys', what: 'is not a list of the payment\'s keys' };
  for (const [i, k] of (m.keys as unknown[]).entries()) {
    const key = k as { kind?: unknown; value?: unknown } | null;
    if (!key || typeof key !== 'object' || !KEY_KINDS.has(key.kind)) {
      return { field: `keys.${i}.kind`, what: `is ${JSON.stringify(key?.kind) ?? 'missing'}, not one of ${MatchKeyKindSchema.options.join(', ')}` };
    }
    if (typeof key.value !== 'string' || key.value === '') return { field: `keys.${i}.value`, what: 'is not the key\'s value (a non-empty string)' };
  }
  return undefined;
}
