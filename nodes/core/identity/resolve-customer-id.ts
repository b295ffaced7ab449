import type { SqlExecutor } from '../store/sql-database';

/** Follows merges to the customer that holds a person now (an id from an old export may have been merged). */
export async function resolveCustomerId(db: SqlExecutor, customerId: string): Promise<string | undefined> {
  let id = customerId;
  for (let hops = 0; hops < 64; hops++) {
    const row = await db.get<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = ?', [id]);
    if (!row) return undefined;
    if (!row.merged_into) return id;
    id = row.merged_into;
  }
  return id;
}
