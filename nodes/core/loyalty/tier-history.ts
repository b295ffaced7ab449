import type { SqlExecutor } from '../store/sql-database';

/**
 * A member's tier changes (`loyalty_tier_changes`, schema 39), kept in the transaction of every change of
 * `loyalty_members.tier` and of every move of its `tier_since`, so a sale heard late earns at the tier its customer held
 * at the sale's time (ledger.ts onCounted).
 */
export interface TierChange {
  /** When it took effect: the `tier_since` it set. */
  at: string;
  from: string | null;
  to: string | null;
}

/** Records a change of the member's tier, after their other changes. */
export async function recordTierChange(tx: SqlExecutor, programId: string, customerId: string, change: TierChange, now: string): Promise<void> {
  const last = await tx.get<{ seq: number | null }>(
    'SELECT MAX(seq) AS seq FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ?', [programId, customerId],
  );
  await tx.run(
    `INSERT INTO loyalty_tier_changes (program_id, customer_id, seq, changed_at, from_tier, to_tier, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [programId, customerId, Number(last?.seq ?? 0) + 1, change.at, change.from, change.to, now],
  );
}

/**
 * The tier the member held at `at`: the one the last change at or before it left, else the one the first change after
 * it took them from, else (no change kept: a member from before schema 39 whose tier has not moved since) `current`.
 */
export async function tierHeldAt(tx: Pick<SqlExecutor, 'get'>, programId: string, customerId: string, at: string, current: string | null): Promise<string | null> {
  const before = await tx.get<{ to_tier: string | null }>(
    `SELECT to_tier FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ? AND changed_at <= ?
     ORDER BY changed_at DESC, seq DESC LIMIT 1`,
    [programId, customerId, at],
  );
  if (before) return before.to_tier ?? null;
  const after = await tx.get<{ from_tier: string | null }>(
    `SELECT from_tier FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ? AND changed_at > ?
     ORDER BY changed_at, seq LIMIT 1`,
    [programId, customerId, at],
  );
  return after ? (after.from_tier ?? null) : current;
}

/** The changes that took effect at `was` take effect at `at` (the sale that made them dated earlier: ledger retime). */
export async function redateTierChanges(tx: SqlExecutor, programId: string, customerId: string, was: string, at: string): Promise<void> {
  await tx.run('UPDATE loyalty_tier_changes SET changed_at = ? WHERE program_id = ? AND customer_id = ? AND changed_at = ?', [at, programId, customerId, was]);
}

/** No change takes effect before `since` (the member since then: ledger moveMemberSince moves `tier_since` so too). */
export async function tierChangesNotBefore(tx: SqlExecutor, programId: string, customerId: string, since: string): Promise<void> {
  await tx.run('UPDATE loyalty_tier_changes SET changed_at = ? WHERE program_id = ? AND customer_id = ? AND changed_at < ?', [since, programId, customerId, since]);
}

/** The member's changes, in the order they were made. */
export async function tierChangesOf(tx: Pick<SqlExecutor, 'all'>, programId: string, customerId: string): Promise<TierChange[]> {
  const rows = await tx.all<{ changed_at: string; from_tier: string | null; to_tier: string | null }>(
    'SELECT changed_at, from_tier, to_tier FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ? ORDER BY seq',
    [programId, customerId],
  );
  return rows.map((r) => ({ at: r.changed_at, from: r.from_tier ?? null, to: r.to_tier ?? null }));
}

/** The member's changes are `changes` (none: no history), in that order; those they had are dropped. */
export async function setTierChanges(tx: SqlExecutor, programId: string, customerId: string, changes: readonly TierChange[], now: string): Promise<void> {
  await tx.run('DELETE FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ?', [programId, customerId]);
  for (const c of changes) await recordTierChange(tx, programId, customerId, c, now);
}
