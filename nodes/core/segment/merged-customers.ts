import type { SqlExecutor } from '../store/sql-database';
import { rebuildSegmentStats } from './rebuild-stats';
import { addToCounters, countersOf, type CounterAddition } from './stats-repository';

/**
 * What a merge moved of the segment statistics: the merged customer's counted payments and preference counters.
 * The survivor's statistics are then rebuilt from the payments it holds, so RFM, CLV and the flags see one person.
 */
export interface SegmentsMoved {
  payments: { source: string; paymentId: string }[];
  counters: CounterAddition[];
}

/** `from`'s counted payments and counters go to `into`; both customers' statistics are rebuilt. */
export async function moveSegments(tx: SqlExecutor, from: string, into: string, now: string): Promise<SegmentsMoved> {
  const payments = (await tx.all<{ source: string; payment_id: string }>('SELECT source, payment_id FROM segment_payments WHERE customer_id = ?', [from]))
    .map((r) => ({ source: r.source, paymentId: r.payment_id }));
  await tx.run('UPDATE segment_payments SET customer_id = ? WHERE customer_id = ?', [into, from]);
  const counters = await countersOf(tx, from);
  await addToCounters(tx, into, counters);
  await tx.run('DELETE FROM segment_counters WHERE customer_id = ?', [from]);
  await rebuildSegmentStats(tx, into, now);
  await rebuildSegmentStats(tx, from, now);
  return { payments, counters };
}

/** Undo: what the merge moved goes back to `from`, and both customers' statistics are rebuilt. */
export async function giveBackSegments(tx: SqlExecutor, moved: SegmentsMoved, from: string, into: string, now: string): Promise<void> {
  for (const p of moved.payments) {
    await tx.run('UPDATE segment_payments SET customer_id = ? WHERE source = ? AND payment_id = ? AND customer_id = ?', [from, p.source, p.paymentId, into]);
  }
  await addToCounters(tx, into, moved.counters.map((c) => ({ ...c, hits: -c.hits, amountMinor: -c.amountMinor })));
  await tx.run('DELETE FROM segment_counters WHERE customer_id = ? AND hits <= 0', [into]);
  await addToCounters(tx, from, moved.counters);
  await rebuildSegmentStats(tx, into, now);
  await rebuildSegmentStats(tx, from, now);
}
