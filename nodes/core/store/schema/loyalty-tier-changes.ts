/**
 * Store schema version 39: every tier change of a loyalty member (loyalty/tier-history.ts), so a sale heard late (an
 * offline sale uploaded days after, a backfill, a webhook retried for days) earns at the tier its customer held at the
 * sale's time, not the one they hold when it counts. One row per change: when it took effect (`changed_at`, the
 * member's `tier_since` it set), the tier before and after (NULL: none), and `seq`, the member's changes in the order
 * they were made (two at one instant). Written in the transaction that changes the tier. A store migrated from before
 * has no history: a member's changes from then on are kept, and a sale before the first of them earns at the tier that
 * change left (its `from_tier`); one with no change at all, at the member's tier, as before.
 */
export const LOYALTY_TIER_CHANGES_MIGRATION = {
  version: 39,
  name: 'loyalty: the tier changes of each member, so a late sale earns at the tier held at its time',
  sql: `
    CREATE TABLE loyalty_tier_changes (
      program_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      changed_at TEXT NOT NULL,
      from_tier TEXT,
      to_tier TEXT,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (program_id, customer_id, seq)
    )`,
} as const;
