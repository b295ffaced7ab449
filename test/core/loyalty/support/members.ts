import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';

/**
 * `members` enrolled members of `programId` in `tier` since `since`, with no payment in the store, inserted directly
 * (quicker than a payment each through the Loyalty step): a review after the tier window finds no qualifying spend
 * and moves each of them down. Ids are `cus_00000000` on, in order.
 */
export async function insertTieredMembers(db: SqlDatabase, programId: string, members: number, tier: string, since = '2025-01-01T00:00:00.000Z'): Promise<void> {
  const SLICE = 5_000;
  for (let from = 0; from < members; from += SLICE) {
    await db.transaction(async (tx) => {
      for (let i = from; i < Math.min(members, from + SLICE); i++) {
        await tx.run(
          'INSERT INTO loyalty_members (program_id, customer_id, enrolled_at, tier, tier_since, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          [programId, `cus_${String(i).padStart(8, '0')}`, since, tier, since, since],
        );
      }
    });
  }
}
