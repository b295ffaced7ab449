import { exactPaymentEvent } from '../contracts/payment-event-exact';
import { type PaymentEvent } from '../contracts/payment-event';
import { toPaymentEvent } from '../contracts/parse-payment-event';
import { PAN_SCRUB, scrubStrings } from '../tokenize/pan-scrub';
import { scrubKeepingIds, type EventDraft } from '../tokenize/scrub-keeping-ids';

/**
 * A source's draft → its PaymentEvent, every string scrubbed of card numbers and the whole checked against the
 * contract: `toPaymentEvent(scrubKeepingIds(draft, scrubStrings, references))`, made in one copy instead of
 * two (the scrub's, then zod's) for the drafts that are right, which is every one a source makes from a genuine
 * delivery. Scrubbed here as well as in tokenize: a clerk can type a card number into metadata, and the normalized
 * event is what a Temporal workflow receives as input (and so keeps in its history).
 *
 * The event, payment, refund and dispute ids are the processor's and kept as they are; `references` names the
 * metadata keys that are the processor's too (Adyen's pspReference, a terminal's transaction id).
 */
export function scrubbedPaymentEvent(draft: object, references: readonly string[] = []): PaymentEvent {
  const exact = exactPaymentEvent(draft, { ...PAN_SCRUB, references });
  if (exact) return exact;
  // Not exactly an event: the two steps the copy stands for, for zod's answer (a legacy id read) or its error.
  return toPaymentEvent(scrubKeepingIds(draft as EventDraft, scrubStrings, references));
}
