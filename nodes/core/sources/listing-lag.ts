/**
 * How far back a poll reads again what a processor's listing may not have shown yet, or what this machine's clock,
 * running ahead of the processor's, would place after it: Square says ListPayments and ListPaymentRefunds "are
 * eventually consistent, and new payments [refunds] or changes to payments [refunds] might take several seconds to
 * appear", and SumUp's history is asked from this machine's time. Minutes, with room to spare; what is read again
 * keeps its ids, so the inbox keeps it once.
 */
export const LISTING_LAG_MS = 5 * 60_000;
