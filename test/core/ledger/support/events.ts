import type { LedgerEvent } from '../../../../nodes/core/ledger/ledger-event';

/**
 * Ledger events built directly, so a test says exactly what a processor reported: a payment, a refund (with the
 * cumulative total, as Stripe reports it, or its own amount and id, as Square, Zettle and Adyen do), a dispute.
 */
let n = 0;

const base = (paymentId: string, at: string, over: Partial<LedgerEvent>): LedgerEvent => ({
  eventId: `stripe:evt_${++n}`,
  customerId: 'cus_ana',
  source: 'stripe',
  paymentId,
  kind: 'payment',
  amount: { minor: 0, currency: 'USD' },
  status: 'succeeded',
  occurredAt: at,
  ...over,
});

export const payment = (paymentId: string, minor: number, at = '2025-03-01T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, { amount: { minor, currency: 'USD' }, ...over });

/** A refund as Stripe reports it: the payment's cumulative refunded amount. */
export const cumulativeRefund = (paymentId: string, totalMinor: number, at = '2025-03-02T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, {
    kind: 'refund', status: 'partially_refunded', amount: { minor: 5000, currency: 'USD' }, refundedTotal: { minor: totalMinor, currency: 'USD' },
    refund: { cumulative: true }, ...over,
  });

/** A refund as Square, Zettle and Adyen report it: its own amount, under its own id. */
export const ownRefund = (paymentId: string, refundId: string | undefined, minor: number, at = '2025-03-02T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, {
    kind: 'refund', status: 'partially_refunded', amount: { minor, currency: 'USD' }, refundedTotal: { minor, currency: 'USD' },
    refund: refundId ? { id: refundId, cumulative: false } : { cumulative: false }, ...over,
  });

/** A refund reported per refund that did not give the money back after all (Adyen's REFUND_FAILED, REFUNDED_REVERSED). */
export const reversedRefund = (paymentId: string, refundId: string, minor: number, at = '2025-03-04T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, {
    kind: 'refund', status: 'succeeded', amount: { minor, currency: 'USD' }, refund: { id: refundId, cumulative: false, reversed: true }, ...over,
  });

/** "disputed" opens, "succeeded" closes won, "refunded" closes lost (the PaymentEvent's convention). */
export const dispute = (paymentId: string, status: 'disputed' | 'succeeded' | 'refunded', minor: number, at = '2025-03-10T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, { kind: 'dispute', status, amount: { minor, currency: 'USD' }, ...over });

export const failure = (paymentId: string, minor: number, at = '2025-03-01T09:59:00.000Z'): LedgerEvent =>
  base(paymentId, at, { kind: 'failure', status: 'failed', amount: { minor, currency: 'USD' }, customerId: null });

/** The same event delivered again (another delivery of one processor event: same id). */
export const again = (e: LedgerEvent): LedgerEvent => ({ ...e });

/** The processor reports the sale void after it succeeded: it moved no money (Adyen's CAPTURE_FAILED, SumUp CANCELLED). */
export const voidedSale = (paymentId: string, minor: number, at = '2025-03-05T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, { kind: 'failure', status: 'failed', amount: { minor, currency: 'USD' }, sale: { voided: true }, ...over });

/** Money moved for the sale (an Adyen CAPTURE; after a void, Adyen's re-capture). */
export const capturedSale = (paymentId: string, minor: number, at = '2025-03-07T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  base(paymentId, at, { kind: 'payment', amount: { minor, currency: 'USD' }, sale: { voided: false }, ...over });

/** One capture of a sale, by its id, reported failed (Adyen's CAPTURE_FAILED): it collected nothing of `minor`. */
export const failedCapture = (paymentId: string, captureId: string, minor: number, at = '2025-03-05T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  voidedSale(paymentId, minor, at, { sale: { voided: true, captureId }, ...over });

/** Money moved for one capture of a sale, by its id (an Adyen CAPTURE, a re-capture after its failure). */
export const capturedPart = (paymentId: string, captureId: string, minor: number, at = '2025-03-07T10:00:00.000Z', over: Partial<LedgerEvent> = {}): LedgerEvent =>
  capturedSale(paymentId, minor, at, { sale: { voided: false, captureId }, ...over });
