import { createHmac } from 'node:crypto';
import type { CardIdentity, PaymentEvent, SourceName, TokenizedPaymentEvent } from '../contracts/payment-event';
import { parsePaymentEvent } from '../contracts/parse-payment-event';
import { exactPaymentEvent } from '../contracts/payment-event-exact';
import type { KeyProvider, TokenKey } from './key-provider';
import { PAN_SCRUB, scrubStrings } from '../pan-scrub';
import { scrubKeepingIds, type EventDraft } from './scrub-keeping-ids';

export function cardToken(key: TokenKey, source: SourceName, fingerprint: string): string {
  // Scoped by source: two processors' fingerprints live in different namespaces.
  const mac = createHmac('sha256', key.secret).update(`${source}\u0000${fingerprint}`).digest('base64url');
  return `ctok_${key.id}_${mac}`;
}

/**
 * Replaces the processor's card identity with a keyed token, keeps only BIN (first six) and last four of the
 * card number, drops the raw processor payload and scrubs any card number left in a string field (the
 * processor's own ids stay whole, as at normalize).
 * `previous` carries the same card's tokens under retired keys so matching survives a key rotation.
 */
export function tokenize(input: unknown, keys: KeyProvider): TokenizedPaymentEvent {
  // One copy for the scrub and the check, as at normalize (sources/scrubbed-event.ts); the two steps it stands for
  // are taken only for an input that is not exactly an event, for zod's answer or its error.
  const event = exactPaymentEvent(input, PAN_SCRUB) ?? parsePaymentEvent(scrubKeepingIds(input as EventDraft, scrubStrings), 'Tokenize input');
  return withToken(event, keys);
}

/** The Tokenize step's input is checked before its scrub as well as after it: a PaymentEvent as it is, not a draft. */
const PAN_SCRUB_OF_AN_EVENT = { ...PAN_SCRUB, checkDropped: true };

/**
 * `tokenize(parsePaymentEvent(input), keys)`, what the Tokenize step does, in one copy instead of three (the check,
 * the scrub, the check of the scrubbed copy) for an input that is exactly a PaymentEvent; undefined for any other,
 * which the caller sends the long way for zod's answer or its error.
 */
export function tokenizeExact(input: unknown, keys: KeyProvider): TokenizedPaymentEvent | undefined {
  const event = exactPaymentEvent(input, PAN_SCRUB_OF_AN_EVENT);
  return event && withToken(event, keys);
}

function withToken(event: PaymentEvent, keys: KeyProvider): TokenizedPaymentEvent {
  const card = event.card;
  if (!card) return event as TokenizedPaymentEvent;
  const { identity, bin, ...rest } = card;
  let tokenIdentity: Extract<CardIdentity, { kind: 'token' }> | undefined;
  if (identity?.kind === 'token') {
    tokenIdentity = identity; // already tokenized upstream: tokenize is idempotent
  } else if (identity?.kind === 'fingerprint') {
    const [current, ...older] = keys.all();
    tokenIdentity = {
      kind: 'token',
      value: cardToken(current!, event.source, identity.value),
      keyId: current!.id,
      ...(older.length ? { previous: older.map((k) => cardToken(k, event.source, identity.value)) } : {}),
    };
  }
  return {
    ...event,
    card: { ...rest, ...(bin ? { bin: bin.slice(0, 6) } : {}), ...(tokenIdentity ? { identity: tokenIdentity } : {}) },
  } as TokenizedPaymentEvent;
}
