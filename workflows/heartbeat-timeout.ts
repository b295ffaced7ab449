/**
 * The heartbeat timeout of the scheduled runs' activities (CRM sync, poll, reconcile), which heartbeat while they
 * work (temporal/activities/heartbeat-while-running.ts), and of the segment batch and the loyalty review, which
 * heartbeat their progress (nodes/core/segment/batch.ts: after each chunk, and before the first whenever 50 ms of work
 * have passed; nodes/core/loyalty/review.ts: whenever 50 ms of work have passed). The SDK
 * sends heartbeats at most every 80 % of it, so this leaves a loaded worker several seconds of slack; a lost attempt
 * is retried within it.
 */
export const SCHEDULED_RUN_HEARTBEAT_TIMEOUT = '30 seconds';

/**
 * The heartbeat timeout of the payment workflows' regular activities, which heartbeat while they run the same way
 * (temporal/activities/payment-activities.ts, saga-activities.ts). Without it an attempt whose worker died, or whose
 * result a restarting server never recorded, is noticed only when its start-to-close timeout (2 minutes) fires, and
 * the payment reaches the CRM that much later; with it, within these 30 s. Local activities cannot heartbeat: a
 * lost one is run again with its workflow task.
 */
export const PAYMENT_STEP_HEARTBEAT_TIMEOUT = SCHEDULED_RUN_HEARTBEAT_TIMEOUT;
