/** The parts of a PaymentEvent (or a source's draft of one) that hold the processor's ids. */
export type EventDraft = {
  id: string; paymentId: string; refund?: { id?: string }; dispute?: { id: string }; sale?: { captureId?: string }; metadata: Record<string, string>;
};

/**
 * The draft with every string scrubbed of card numbers, except the ids the processor assigns: the event, payment,
 * refund, dispute and capture ids, and the metadata keys named. Nobody types those, and they can hold long digit runs
 * that happen to pass the Luhn check (a Stripe id with a 13-digit run, a numeric pspReference, a tender reference
 * such as "4r7i001556529591000"); redacting them would merge unrelated payments under one id, and the second
 * would be answered as a replay of the first.
 */
export function scrubKeepingIds<T extends EventDraft>(draft: T, scrub: <V>(v: V) => V, referenceKeys: readonly string[] = []): T {
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
  if (draft.refund && scrubbed.refund && typeof draft.refund.id === 'string') kept.refund = { ...scrubbed.refund, id: draft.refund.id };
  if (draft.dispute && scrubbed.dispute && typeof draft.dispute.id === 'string') kept.dispute = { ...scrubbed.dispute, id: draft.dispute.id };
  if (draft.sale && scrubbed.sale && typeof draft.sale.captureId === 'string') kept.sale = { ...scrubbed.sale, captureId: draft.sale.captureId };
  return kept;
}
