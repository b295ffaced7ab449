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
  await assertPointsEarned(db);
}

/**
 * What a member has earned is what their payments earned, but for a sale that is void (it earned nothing, as when
 * its void is heard first): the rule merged members are rebuilt by, so a merge changes no one's points earned.
 */
export async function assertPointsEarned(db: SqlDatabase): Promise<void> {
  const off = await db.all(
    `SELECT m.program_id, m.customer_id, m.points_earned,
            (SELECT COALESCE(SUM(p.earned_points), 0) FROM loyalty_payments p
              WHERE p.program_id = m.program_id AND p.customer_id = m.customer_id AND p.counted = 1 AND p.voided = 0) AS earned
       FROM loyalty_members m`,
  );
  assert.deepEqual(off.filter((r) => Number(r.points_earned) !== Number(r.earned)), [], 'points earned are the payments\' (void sales\' aside)');
}
