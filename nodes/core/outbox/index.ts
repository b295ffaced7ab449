/** The outbox: CRM writes kept in the store and sent within each CRM's limits. */
export { enqueue, outboxLockKeys, type EnqueuedItem } from './enqueue';
export { drain, type DrainOptions, type DrainResult, type DrainStop } from './drain';
export { flushNow, flushQueued, type FlushOutcome, type FlushResult } from './flush-now';
export { queuedAsItIs } from './queued-as-is';
export { outboxReport, type OutboxQuery, type OutboxReport } from './report';
export type { RowOutcome } from './settle';
export { DEFAULT_OUTBOX_POLICY, type OutboxAlert, type OutboxItem, type OutboxKind, type OutboxPolicy, type OutboxRow, type OutboxState } from './types';
