/**
 * Store schema version 9: what a redrive needs to finish accepted events exactly once. A claim (`claimed_until`)
 * keeps two redrivers (a schedule in n8n, the worker, an operator's command) off the same event; `attempts` and
 * `last_error` say why an event keeps waiting. Events accepted before done-marking existed and already recorded in
 * the ledger are marked done here, so the first redrive does not run them through the steps again.
 */
export const INBOX_REDRIVE_MIGRATION = {
  version: 9,
  name: 'inbox redrive: claims, attempts, last error; recorded events marked done',
  sql: `
    ALTER TABLE inbox_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE inbox_events ADD COLUMN claimed_until TEXT;
    ALTER TABLE inbox_events ADD COLUMN last_error TEXT;
    UPDATE inbox_events SET state = 'done', done_at = received_at
      WHERE state = 'accepted' AND event_id IN (SELECT event_id FROM ledger_events)`,
} as const;

/**
 * Store schema version 37: the durable workflow the latest redrive handed a waiting event to (`workflow_id`, the
 * worker's payment-<…> id) and when (`handed_off_at`). Such an event waits while its workflow runs (for hours when
 * the CRM is down), its claim runs out between the worker's passes, and it has no error: without the hand-off kept,
 * the inbox report counted it failed. Every redrive's claim of an event clears both (inbox/redrive.ts), so one that
 * then fails or dies leaves it failed.
 */
export const INBOX_WORKFLOW_HAND_OFF_MIGRATION = {
  version: 37,
  name: 'inbox: the workflow the latest redrive handed an event to, and when',
  sql: `
    ALTER TABLE inbox_events ADD COLUMN workflow_id TEXT;
    ALTER TABLE inbox_events ADD COLUMN handed_off_at TEXT`,
} as const;
