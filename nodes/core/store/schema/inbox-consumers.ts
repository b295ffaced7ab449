/**
 * Store schema version 15: which triggers have taken each event. Stripe sends every event to every endpoint, so
 * two workflows on one store (the thank-you and the high-value alert, say) each receive it; the inbox keeps the
 * event once, and this table lets each trigger pass it on once, instead of the second answering it as a replay.
 */
export const INBOX_CONSUMERS_MIGRATION = {
  version: 15,
  name: 'inbox consumers: each trigger passes an event on once',
  sql: `
    CREATE TABLE inbox_consumers (
      event_id TEXT NOT NULL,
      consumer TEXT NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (event_id, consumer)
    )`,
} as const;
