/**
 * Schema 11: the match weights learnt from the store's customers (`terminal-crm link --against store --learn`),
 * so Match Customer scores payments with them instead of the built-in ones. One row per scope ("store" for now).
 */
export const MATCH_WEIGHTS_MIGRATION = {
  version: 11,
  name: 'match weights learnt from the store (m/u per comparison level, with the diagnostic)',
  sql: `
    CREATE TABLE match_weights (
      scope TEXT PRIMARY KEY,
      weights TEXT NOT NULL,
      diagnostic TEXT,
      learnt_at TEXT NOT NULL
    )`,
} as const;
