import { exactPaymentEvent } from '../contracts/payment-event-exact';
import { toPaymentEvent, type PaymentEvent } from '../contracts/payment-event';
import { isSecretFieldName, scrubPan, scrubStrings } from '../tokenize/pan-scrub';

const SCRUB = { text: scrubPan, dropKey: isSecretFieldName };

type Draft = { id: string; paymentId: string; dispute?: { id: string }; metadata: Record<string, string> };

/**
 * A source's draft → its PaymentEvent, every string scrubbed of card numbers and the whole checked against the
 * contract: `toPaymentEvent(scrubStrings(draft))`, made in one copy instead of two (the scrub's, then zod's) for
 * the drafts that are right, which is every one a source makes from a genuine delivery. Scrubbed here as well as
 * in tokenize: a clerk can type a card number into metadata, and the normalized event is what a Temporal workflow
 * receives as input (and so keeps in its history).
 *
 * `references` are the ids a processor assigns itself (Adyen's pspReference, a terminal's transaction id): kept as
 * they are, with the event id, payment id and dispute id, as scrubKeepingReferences says why.
 */
export function scrubbedPaymentEvent(draft: object, references?: readonly string[]): PaymentEvent {
  const exact = exactPaymentEvent(draft, references ? { ...SCRUB, references } : SCRUB);
  if (exact) return exact;
  // Not exactly an event: the two steps the copy stands for, for zod's answer (a legacy id read) or its error.
  return toPaymentEvent(references ? scrubKeepingReferences(draft as Draft, scrubStrings, references) : scrubStrings(draft));
}

/**
 * The draft with every string scrubbed of card numbers, except the references Adyen itself assigns. Those are
 * not typed by anyone and can hold long digit runs (a tender reference such as "4r7i001556529591000", a numeric
 * pspReference) that happen to pass the Luhn check; redacting them would merge unrelated payments under one id.
 */
export function scrubKeepingReferences<
  T extends { id: string; paymentId: string; dispute?: { id: string }; metadata: Record<string, string> },
>(draft: T, scrub: <V>(v: V) => V, referenceKeys: readonly string[]): T {
  const scrubbed = scrub(draft);
  const references: Record<string, string> = {};
  for (const k of referenceKeys) if (draft.metadata[k] !== undefined) references[k] = draft.metadata[k]!;
  const kept = { ...scrubbed, id: draft.id, paymentId: draft.paymentId, metadata: { ...scrubbed.metadata, ...references } };
  if (draft.dispute && scrubbed.dispute) kept.dispute = { ...scrubbed.dispute, id: draft.dispute.id };
  return kept;
}
