/**
 * The task queue the pack's worker polls when TEMPORAL_TASK_QUEUE is not set, and so the one a payment's workflow is
 * started on by default.
 */
export const DEFAULT_TASK_QUEUE = 'terminal-crm';
