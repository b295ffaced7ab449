/**
 * Schema 12: what the message steps keep. `outgoing_messages` holds one row per message ever composed, keyed by
 * what it is about ("thank-you:stripe:pi_1"), so a payment is thanked once whatever is delivered twice, and
 * holds the messages waiting for quiet hours to end (`state` "queued" until a flush releases them, or
 * "withdrawn" when what they were about is owed no message any more).
 * `payment_attempts` is every payment and decline per terminal or location, for the failed-payment rate.
 */
export const MESSAGES_MIGRATION = {
  version: 12,
  name: 'message steps: outgoing messages (once per subject, quiet-hours queue), payment attempts for decline rates',
  sql: `
    CREATE TABLE outgoing_messages (
      message_key TEXT PRIMARY KEY,
      kind TEXT NOT NULL, subject_id TEXT,
      state TEXT NOT NULL, due_at TEXT NOT NULL,
      item TEXT NOT NULL,
      created_at TEXT NOT NULL, released_at TEXT
    );
    CREATE INDEX outgoing_messages_due ON outgoing_messages(state, due_at);
    CREATE INDEX outgoing_messages_by_subject ON outgoing_messages(kind, subject_id, created_at);
    CREATE TABLE payment_attempts (
      event_id TEXT PRIMARY KEY,
      scope TEXT NOT NULL, failed INTEGER NOT NULL, reason TEXT,
      occurred_at TEXT NOT NULL
    );
    CREATE INDEX payment_attempts_by_scope ON payment_attempts(scope, occurred_at)`,
} as const;
