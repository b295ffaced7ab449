import type { PaymentEvent } from '../contracts/payment-event';

/** A payment's status once `refundedMinor` of the `chargedMinor` it took went back; nothing standing leaves it succeeded. */
export function statusAfterRefunds(refundedMinor: number, chargedMinor: number): PaymentEvent['status'] {
  return refundedMinor >= chargedMinor ? 'refunded' : refundedMinor > 0 ? 'partially_refunded' : 'succeeded';
}
