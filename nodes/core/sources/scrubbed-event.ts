import { exactPaymentEvent } from '../contracts/payment-event-exact';
import { toPaymentEvent, type PaymentEvent } from '../contracts/payment-event';
import { isSecretFieldName, scrubPan, scrubStrings } from '../tokenize/pan-scrub';

const SCRUB = { text: scrubPan, dropKey: isSecretFieldName };

type Draft = { id: string; paymentId: string; dispute?: { id: string }; metadata: Record<string, string> };

/**
 * A source's draft → its PaymentEvent, every string scrubbed of card numbers and the whole checked against the
 * contract: `toPaymentEvent(scrubKeepingReferences(draft, scrubStrings, references))`, made in one copy instead of
 * two (the scrub's, then zod's) for the drafts that are right, which is every one a source makes from a genuine
 * delivery. Scrubbed here as well as in tokenize: a clerk can type a card number into metadata, and the normalized
 * event is what a Temporal workflow receives as input (and so keeps in its history).
 *
 * The event id, payment id and dispute id are the processor's and kept as they are; `references` names the
 * metadata keys that are the processor's too (Adyen's pspReference, a terminal's transaction id).
 */
export function scrubbedPaymentEvent(draft: object, references: readonly string[] = []): PaymentEvent {
  const exact = exactPaymentEvent(draft, { ...SCRUB, references });
  if (exact) return exact;
  // Not exactly an event: the two steps the copy stands for, for zod's answer (a legacy id read) or its error.
  return toPaymentEvent(scrubKeepingReferences(draft as Draft, scrubStrings, references));
}

/**
 * The draft with every string scrubbed of card numbers, except the ids the processor assigns: the event id,
 * payment id and dispute id, and the metadata keys named. Nobody types those, and they can hold long digit runs
 * that happen to pass the Luhn check (a Stripe id with a 13-digit run, a numeric pspReference, a tender reference
 * such as "4r7i001556529591000"); redacting them would merge unrelated payments under one id, and the second
 * would be answered as a replay of the first.
 */
export function scrubKeepingReferences<
  T extends { id: string; paymentId: string; dispute?: { id: string }; metadata: Record<string, string> },
>(draft: T, scrub: <V>(v: V) => V, referenceKeys: readonly string[]): T {
  const scrubbed = scrub(draft);
  if (draft === null || typeof draft !== 'object' || scrubbed === null || typeof scrubbed !== 'object') return scrubbed;
  const kept = { ...scrubbed };
  if (typeof draft.id === 'string') kept.id = draft.id;
  if (typeof draft.paymentId === 'string') kept.paymentId = draft.paymentId;
  if (referenceKeys.length > 0) {
    const references: Record<string, string> = {};
    for (const k of referenceKeys) if (draft.metadata[k] !== undefined) references[k] = draft.metadata[k]!;
    kept.metadata = { ...scrubbed.metadata, ...references };
  }
  if (draft.dispute && scrubbed.dispute && typeof draft.dispute.id === 'string') kept.dispute = { ...scrubbed.dispute, id: draft.dispute.id };
  return kept;
}
