/**
 * Store schema version 7: the outbox. Every write to a SaaS CRM waits here until a drainer sends it within the CRM's
 * limits, and ends as synced (the CRM's id goes to crm_links, schema 8), rejected with the CRM's reason, or dead
 * with an alert. `crm_pauses` keeps a "stop until" (a daily cap reached) that every drainer of the store obeys.
 *
 * At most one row per CRM, kind and external id is pending (the partial unique index): a newer state of a record
 * that has not gone out yet replaces the older one, since the CRM only needs the latest. Rows that are in flight,
 * rejected or dead do not count, so a record can be queued again while an older write of it is still out.
 */
export const OUTBOX_MIGRATION = {
  version: 7,
  name: 'outbox of CRM writes, its alerts and per-CRM pauses',
  sql: `
    CREATE TABLE outbox (
      id TEXT PRIMARY KEY,
      crm TEXT NOT NULL,
      kind TEXT NOT NULL,
      external_id TEXT NOT NULL,
      customer_external_id TEXT NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT,
      claimed_by TEXT,
      claimed_until TEXT,
      crm_id TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX outbox_one_pending ON outbox(crm, kind, external_id) WHERE state = 'pending';
    CREATE INDEX outbox_inflight ON outbox(crm, kind, external_id) WHERE state = 'inflight';
    CREATE INDEX outbox_due ON outbox(crm, state, kind, next_attempt_at, created_at, id);
    CREATE TABLE outbox_alerts (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      crm TEXT NOT NULL,
      outbox_id TEXT NOT NULL,
      record_kind TEXT NOT NULL,
      external_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE INDEX outbox_alerts_by_crm ON outbox_alerts(crm, created_at);
    CREATE TABLE crm_pauses (
      crm TEXT PRIMARY KEY,
      paused_until TEXT NOT NULL,
      reason TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
} as const;
