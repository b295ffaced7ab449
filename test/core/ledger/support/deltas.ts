import type { LedgerDelta, PaymentView } from '../../../../nodes/core/ledger/payment-rules';

/** The money fields of a delta: what a consumer adds up (a dispute's move between phases is not summed). */
export type CountedDelta = Omit<LedgerDelta, 'currency' | 'dispute'>;

/** What a consumer that added every delta has counted. */
export function summed(deltas: readonly LedgerDelta[]): CountedDelta {
  const sum: CountedDelta = { payments: 0, grossMinor: 0, refundedMinor: 0, chargebackMinor: 0, disputes: 0, disputedOpenMinor: 0 };
  for (const d of deltas) for (const k of Object.keys(sum) as (keyof CountedDelta)[]) sum[k] += d[k];
  return sum;
}

/**
 * What a payment whose view is `v` counts for, written out from the view (not through deltaBetween, which made the
 * deltas): what a consumer adding its events' deltas must have counted.
 */
export const counted = (v: PaymentView): CountedDelta => ({
  payments: Number(v.counted && !v.voided), grossMinor: v.grossMinor, refundedMinor: v.refundedMinor, chargebackMinor: v.chargebackMinor,
  disputes: Number(v.disputePhase !== null), disputedOpenMinor: v.disputePhase === 'open' ? v.disputedMinor : 0,
});
