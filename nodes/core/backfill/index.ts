/** Backfill: a processor's payment history into the ledger (and a SaaS CRM's outbox), page by page, resumable. */
export { backfillPage, openBackfill, runBackfill, DEFAULT_BACKFILL_PAGE, type BackfillOptions, type BackfillRun, type PageOptions, type RunOptions } from './backfill';
export { progressOf, stateOf, type BackfillProgress } from './backfill-progress';
export { backfillCursorName, readBackfillState, type BackfillCounts, type BackfillState } from './backfill-state';
export { writePage, type LedgerWriter } from './write-page';
