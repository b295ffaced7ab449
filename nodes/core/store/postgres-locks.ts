import { createHash } from 'node:crypto';

/** First key of every advisory lock the store takes ("tCRM"), so it shares no lock with other applications. */
export const LOCK_NAMESPACE = 0x7443524d;
/** Second key 0 of the namespace is the store-wide lock a transaction holds shared, or exclusively when it names many keys. */
const STORE_WIDE = 0;
/** Past this many keys a transaction takes the store-wide lock instead: Postgres' lock table is small and shared by all sessions. */
export const MAX_KEY_LOCKS = 64;

export interface LockPlan {
  /** Held exclusively: the transaction waits for every other keyed transaction to finish, and they for it. */
  storeWideExclusive: boolean;
  /** Per-key locks, ascending, so two transactions always take shared keys in the same order and never deadlock. */
  keys: number[];
}

/** The 32-bit lock number of a key (a collision only makes two unrelated transactions wait for each other). */
export function lockNumber(key: string): number {
  const n = createHash('sha256').update(key).digest().readInt32BE(0);
  return n === STORE_WIDE ? 1 : n;
}

export function lockPlan(lockKeys: readonly string[]): LockPlan | undefined {
  if (lockKeys.length === 0) return undefined;
  const keys = [...new Set(lockKeys.map(lockNumber))].sort((a, b) => a - b);
  return keys.length > MAX_KEY_LOCKS ? { storeWideExclusive: true, keys: [] } : { storeWideExclusive: false, keys };
}

/**
 * Statements that take a plan's locks at session level, before BEGIN: a serializable transaction's snapshot is
 * taken by its first statement, so a lock taken inside it would be waited for with a stale snapshot.
 */
export function lockStatements(plan: LockPlan): { text: string; values: unknown[] }[] {
  if (plan.storeWideExclusive) return [{ text: 'SELECT pg_advisory_lock($1, $2)', values: [LOCK_NAMESPACE, STORE_WIDE] }];
  return [
    { text: 'SELECT pg_advisory_lock_shared($1, $2)', values: [LOCK_NAMESPACE, STORE_WIDE] },
    { text: 'SELECT pg_advisory_lock($1, k) FROM unnest($2::int4[]) AS k', values: [LOCK_NAMESPACE, plan.keys] },
  ];
}
