/** The worker's workflow bundle entry: every workflow the pack registers, and nothing that does I/O. */
export { paymentToCrm } from './payment-to-crm';
export { segmentBatch } from './segment-batch';
export { sendToTerminal } from './send-to-terminal';
export { pollSource } from './poll-source';
export { backfill } from './backfill';
export { reconcilePeriod } from './reconcile';
export { crmSync } from './crm-sync';
export { paymentSaga } from './payment-saga';
