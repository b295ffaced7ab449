import { exactPaymentEvent } from '../contracts/payment-event-exact';
import { type PaymentEvent } from '../contracts/payment-event';
import { parsePaymentEvent } from '../contracts/parse-payment-event';
import { PAN_SCRUB, scrubStrings } from '../pan-scrub';
import { scrubKeepingIds, type EventDraft } from '../tokenize/scrub-keeping-ids';

/**
 * A source's draft → its PaymentEvent, every string scrubbed of card numbers and the whole checked against the
 * contract: `parsePaymentEvent(scrubKeepingIds(draft, scrubStrings, references))`, made in one copy instead of
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
  // Not exactly an event: the two steps the copy stands for, for zod's answer (a legacy id read) or its issues.
  // A value no genuine delivery carries (a negative amount, a BIN of letters) is the delivery's fault: an
  // InputError naming the event's field, so the trigger answers 400 with it instead of failing as our own bug.
  const source = (draft as { source?: unknown } | null)?.source;
  return parsePaymentEvent(
    scrubKeepingIds(draft as EventDraft, scrubStrings, references),
    `the ${typeof source === 'string' ? source : 'processor'} delivery, read as an event,`,
    'the processor sent a value no genuine notification carries: compare the delivery with its API reference (a proxy or a test tool may have changed it), and send it again unchanged',
  );
}
