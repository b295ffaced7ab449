import { ledgerLockKeys } from '../ledger/record-events';
import type { SqlDatabase } from '../store/sql-database';
import type { LedgerEntry } from './ledger';

/** Entry keys of compensations: "compensate:<the entry it takes back>". */
export const COMPENSATION_PREFIX = 'compensate:';

export interface ReversedPoints {
  programId: string;
  eventId: string;
  /** The compensating entries written now (none when nothing was granted or it was already taken back). */
  entries: (LedgerEntry & { customerId: string })[];
}

/**
 * Takes back what one event did to a program's points, for a payment whose processing failed for good after the
 * Loyalty step had run (a saga's compensation). Each entry the event wrote gets an opposite entry keyed after it,
 * written with the same insert-once rule as the ledger, so running this twice, or for an event that granted
 * nothing, changes nothing. Earned points count as reversed on the payment, so a later refund does not take them
 * back a second time. The visit and the spend stay: the payment did happen.
 */
export async function reverseEventPoints(db: SqlDatabase, programId: string, eventId: string, at: Date = new Date()): Promise<ReversedPoints> {
  const granted = await db.all<{ entry_key: string; customer_id: string; kind: string; points: number; held_points: number; source: string | null; payment_id: string | null; occurred_at: string }>(
    `SELECT entry_key, customer_id, kind, points, held_points, source, payment_id, occurred_at FROM loyalty_ledger
      WHERE program_id = ? AND event_id = ? AND entry_key NOT LIKE '${COMPENSATION_PREFIX}%' ORDER BY recorded_at, entry_key`,
    [programId, eventId],
  );
  const payments = granted.filter((g) => g.source && g.payment_id).map((g) => ({ source: g.source!, paymentId: g.payment_id! }));
  const now = at.toISOString();
  const entries = await db.transaction(async (tx) => {
    const written: ReversedPoints['entries'] = [];
    for (const g of granted) {
      const entry: LedgerEntry = { key: `${COMPENSATION_PREFIX}${g.entry_key}`, kind: 'reverse', points: -Number(g.points), heldPoints: -Number(g.held_points) };
      const r = await tx.run(
        `INSERT INTO loyalty_ledger (program_id, entry_key, customer_id, kind, points, held_points, source, payment_id, event_id, occurred_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (program_id, entry_key) DO NOTHING`,
        [programId, entry.key, g.customer_id, entry.kind, entry.points, entry.heldPoints, g.source, g.payment_id, eventId, g.occurred_at, now],
      );
      if (r.changes !== 1) continue;
      await tx.run(
        `UPDATE loyalty_members SET points_balance = points_balance + ?, points_held = points_held + ?, version = version + 1, updated_at = ?
          WHERE program_id = ? AND customer_id = ?`,
        [entry.points, entry.heldPoints, now, programId, g.customer_id],
      );
      if (g.kind === 'earn' && g.source && g.payment_id) {
        await tx.run('UPDATE loyalty_payments SET reversed_points = reversed_points + ? WHERE program_id = ? AND source = ? AND payment_id = ?', [
          Number(g.points), programId, g.source, g.payment_id,
        ]);
      }
      written.push({ ...entry, customerId: g.customer_id });
    }
    return written;
  }, { lockKeys: ledgerLockKeys(payments) });
  return { programId, eventId, entries };
}
