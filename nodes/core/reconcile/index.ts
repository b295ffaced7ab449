/** Reconciliation: a processor's record of a period against the ledger and a SaaS CRM. */
export { reconcile, type ReconcileOptions, type ReconcileReport, type Unfixable } from './reconcile';
export { compareWithLedger, type Findings } from './compare';
export type { Difference, DuplicatedFinding, MismatchedFinding, MissingFinding, PaymentFacts, UnknownFinding } from './findings';
export { readProcessorHistory, paymentsOf as processorPaymentsOf } from './processor-view';
