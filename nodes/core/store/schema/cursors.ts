/** Store schema version 5: named cursors (polling, CRM change feeds, backfills). */
export const CURSORS_MIGRATION = {
  version: 5,
  name: 'named cursors for polling, CRM change feeds and backfills',
  sql: `CREATE TABLE sync_cursors (name TEXT PRIMARY KEY, cursor TEXT, updated_at TEXT NOT NULL)`,
} as const;
