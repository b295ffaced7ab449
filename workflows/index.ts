/** The worker's workflow bundle entry: every workflow the pack registers, and nothing that does I/O. */
export { paymentToCrm } from './payment-to-crm';
export { segmentBatch } from './segment-batch';
export { sendToTerminal } from './send-to-terminal';
export { pollSource } from './poll-source';
