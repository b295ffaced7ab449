import assert from 'node:assert/strict';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';

/** The ledger is the truth: every member's balance and hold must equal the sums of their entries. */
export async function assertLedgerBalances(db: SqlDatabase): Promise<void> {
  const off = await db.all(
    `SELECT m.program_id, m.customer_id, m.points_balance, m.points_held, COALESCE(SUM(l.points), 0) AS ledger_points, COALESCE(SUM(l.held_points), 0) AS ledger_held
     FROM loyalty_members m LEFT JOIN loyalty_ledger l ON l.program_id = m.program_id AND l.customer_id = m.customer_id
     GROUP BY m.program_id, m.customer_id, m.points_balance, m.points_held
     HAVING m.points_balance <> COALESCE(SUM(l.points), 0) OR m.points_held <> COALESCE(SUM(l.held_points), 0)`,
  );
  assert.deepEqual(off, [], 'balances equal the ledger');
}
