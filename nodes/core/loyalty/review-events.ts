import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import type { MembershipEvent } from './ledger';

/**
 * The tier changes of a scheduled review (review.ts) are kept in the store (`loyalty_review_events`, schema 38) in
 * the transaction that makes them, and handed out when a review finishes: the events of a review that died after
 * committing them are handed out by the next one (its retry), and none twice.
 */
export async function keepReviewEvents(tx: SqlExecutor, programId: string, reviewAsOf: string, events: readonly MembershipEvent[], now: string): Promise<void> {
  for (const e of events) {
    await tx.run(
      `INSERT INTO loyalty_review_events (program_id, review_as_of, customer_id, event, recorded_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (program_id, review_as_of, customer_id) DO NOTHING`,
      [programId, reviewAsOf, e.customerId, JSON.stringify(e), now],
    );
  }
}

/**
 * Takes every tier change of the program no review has handed out yet, in the order they were made (a review that
 * died before handing its out first): in one transaction, so each is handed out by one review only. Two reviews at once
 * share them out: each change is in the answer of one of them.
 */
export function takeReviewEvents(db: SqlDatabase, programId: string): Promise<MembershipEvent[]> {
  return db.transaction(async (tx) => {
    const rows = await tx.all<{ event: string }>(
      'SELECT event FROM loyalty_review_events WHERE program_id = ? ORDER BY recorded_at, review_as_of, customer_id',
      [programId],
    );
    if (rows.length > 0) await tx.run('DELETE FROM loyalty_review_events WHERE program_id = ?', [programId]);
    return rows.map((r) => JSON.parse(r.event) as MembershipEvent);
  });
}
