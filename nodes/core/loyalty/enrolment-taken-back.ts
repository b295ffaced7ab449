import type { SqlExecutor } from '../store/sql-database';

/**
 * The customer's membership of the program was taken back: their member row stands with no enrolment, as a void of the
 * sale that enrolled them leaves it (LoyaltyLedger.membershipAfterVoid). No row at all (none yet, or merged into
 * another customer, who keeps the membership) is not that.
 */
export async function enrolmentTakenBack(tx: Pick<SqlExecutor, 'get'>, programId: string, customerId: string): Promise<boolean> {
  const r = await tx.get<{ enrolled_at: string | null }>('SELECT enrolled_at FROM loyalty_members WHERE program_id = ? AND customer_id = ?', [programId, customerId]);
  return r !== undefined && r.enrolled_at === null;
}
