import { InListQuery } from '../store/sql-shapes';
import type { SqlExecutor } from '../store/sql-database';

const MARK_DONE = new InListQuery("UPDATE inbox_events SET state = 'done', done_at = ?, claimed_until = NULL WHERE state <> 'done' AND event_id IN (", 1, ')');

/**
 * Marks inbox events done inside the caller's transaction: the one that records them in the ledger, so "recorded"
 * and "done" commit together or not at all and a redrive never finds a recorded event still waiting. Ids the inbox
 * does not hold (an event from a flow without a trigger inbox, a test) change nothing.
 */
export async function markInboxDone(tx: SqlExecutor, eventIds: readonly string[], at: Date): Promise<void> {
  const ids = [...new Set(eventIds)];
  if (ids.length > 0) await MARK_DONE.run(tx, ids.map((id) => [id]), [at.toISOString()]);
}
