/**
 * Store schema version 4: the inbox (every verified event, kept before the trigger answers 2xx) and event ids
 * namespaced by source. Ids stored before were all Stripe's ("evt_…"); they become "stripe:evt_…" so a redelivery
 * of an old event is still recognised and no two processors' ids can collide.
 */
export const INBOX_MIGRATION = {
  version: 4,
  name: 'inbox of verified events; event ids namespaced by source',
  sql: `
    CREATE TABLE inbox_events (
      event_id TEXT PRIMARY KEY,
      source TEXT NOT NULL, event_type TEXT NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      received_at TEXT NOT NULL, done_at TEXT
    );
    CREATE INDEX inbox_events_by_state ON inbox_events(state, received_at);
    UPDATE transactions SET event_id = source || ':' || event_id WHERE event_id NOT LIKE source || ':%';
    UPDATE processed_events SET event_id = 'stripe:' || event_id WHERE event_id NOT LIKE '%:%';
    UPDATE loyalty_ledger SET event_id = source || ':' || event_id WHERE event_id IS NOT NULL AND source IS NOT NULL AND event_id NOT LIKE source || ':%'`,
} as const;
