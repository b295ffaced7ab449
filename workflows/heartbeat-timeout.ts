/**
 * The heartbeat timeout of the scheduled runs' activities (CRM sync, poll, reconcile), which heartbeat while they
 * work (temporal/activities/heartbeat-while-running.ts). The SDK sends heartbeats at most every 80 % of it, so this
 * leaves a loaded worker several seconds of slack; a lost attempt is retried within it.
 */
export const SCHEDULED_RUN_HEARTBEAT_TIMEOUT = '30 seconds';
