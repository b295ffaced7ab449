import type { SqlExecutor } from '../store/sql-database';

const CHUNK = 64;
const texts = new Map<number, string>();

/** Built once per list size (see ledger/sql-shapes.ts for why the text must not change from call to call). */
function statement(size: number): string {
  let sql = texts.get(size);
  if (sql === undefined) {
    sql = `UPDATE inbox_events SET state = 'done', done_at = ?, claimed_until = NULL WHERE state <> 'done' AND event_id IN (${Array.from({ length: size }, () => '?').join(', ')})`;
    texts.set(size, sql);
  }
  return sql;
}

/**
 * Marks inbox events done inside the caller's transaction: the one that records them in the ledger, so "recorded"
 * and "done" commit together or not at all and a redrive never finds a recorded event still waiting. Ids the inbox
 * does not hold (an event from a flow without a trigger inbox, a test) change nothing.
 */
export async function markInboxDone(tx: SqlExecutor, eventIds: readonly string[], at: Date): Promise<void> {
  const ids = [...new Set(eventIds)];
  const when = at.toISOString();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // Padded to a power of two by repeating the last id, so a handful of statement texts serve every batch.
    let size = 1;
    while (size < chunk.length) size *= 2;
    while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
    await tx.run(statement(size), [when, ...chunk]);
  }
}
