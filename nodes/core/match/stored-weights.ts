import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { validWeights, type MatchWeights } from './weights';

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

export interface StoredWeights {
  weights: MatchWeights;
  learntAt: string;
  diagnostic?: string;
}

export async function saveMatchWeights(db: SqlDatabase, weights: MatchWeights, diagnostic: string, scope = 'store'): Promise<StoredWeights> {
  const learntAt = new Date().toISOString();
  await db.run(
    `INSERT INTO match_weights (scope, weights, diagnostic, learnt_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(scope) DO UPDATE SET weights = excluded.weights, diagnostic = excluded.diagnostic, learnt_at = excluded.learnt_at`,
    [scope, JSON.stringify(weights), diagnostic, learntAt],
  );
  return { weights, learntAt, diagnostic };
}

/**
 * The stored weights, or undefined when none were learnt (or the store predates schema 11, or what is stored no
 * longer fits the comparison levels: then the built-in weights are the safe choice).
 */
export async function loadMatchWeights(db: SqlExecutor, scope = 'store'): Promise<StoredWeights | undefined> {
  let row: { weights: string; diagnostic: string | null; learnt_at: string } | undefined;
  try {
    row = await db.get('SELECT weights, diagnostic, learnt_at FROM match_weights WHERE scope = ?', [scope]);
  } catch {
    return undefined;
  }
  if (!row) return undefined;
  let weights: MatchWeights;
  try {
    weights = JSON.parse(row.weights) as MatchWeights;
  } catch {
    return undefined;
  }
  if (!validWeights(weights)) return undefined;
  return { weights, learntAt: row.learnt_at, ...(row.diagnostic ? { diagnostic: row.diagnostic } : {}) };
}

/** The store behind a change source, when it is the pack's SQL store (its index scope is the database). */
export function storeOf(scope: unknown): SqlExecutor | undefined {
  const s = scope as Partial<SqlDatabase> | undefined;
  return s && typeof s.get === 'function' && (s.dialect === 'sqlite' || s.dialect === 'postgres') ? (s as SqlDatabase) : undefined;
}
