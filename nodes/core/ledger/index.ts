export { ledgerEventOf, paymentKeyOf, type LedgerEvent } from './ledger-event';
export { type LedgerPayment } from './payment-rows';
export {
  deltaBetween, isEmptyDelta, netOf, NOT_COUNTED, viewOf,
  type DisputePhase, type LedgerDelta, type PaymentStatus, type PaymentView,
} from './payment-rules';
export { movePayments, paymentsOf, paymentState, refundAddedBy, totalsOfPayments, type LedgerTotal, type PaymentFilter, type PaymentPage } from './read-payments';
export { ledgerLockKeys, paymentAfter, recordEvents, type RecordedEvent } from './record-events';
