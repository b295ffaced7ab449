/**
 * Store schema version 38: the tier changes a loyalty program's scheduled review made that no review has handed out
 * yet (loyalty/review-events.ts). Each is written in the transaction that changes the member's tier, beside the
 * member's CRM fields in the outbox, and taken (deleted) by the review that hands it out as it finishes. So a review
 * that dies after committing tier changes (a worker killed, a store that failed) loses neither their fields nor their
 * `tier-changed` events: the fields are queued already, and the next review (the retry) hands the events out, once.
 * One row per member per review (`review_as_of`: the time the review was as of).
 */
export const LOYALTY_REVIEW_EVENTS_MIGRATION = {
  version: 38,
  name: 'loyalty: the tier changes a review made and no review has handed out yet',
  sql: `
    CREATE TABLE loyalty_review_events (
      program_id TEXT NOT NULL,
      review_as_of TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      event TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (program_id, review_as_of, customer_id)
    );
    CREATE INDEX loyalty_review_events_in_order ON loyalty_review_events(program_id, recorded_at, review_as_of, customer_id)`,
} as const;
