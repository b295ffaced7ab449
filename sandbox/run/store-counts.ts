import { openDatabase } from '../../nodes/core/store/open-database';

/** Transactions in the store per till (the suffix onTill gives every event id). */
export async function transactionsPerTill(storeUrl: string, tills: readonly string[]): Promise<Record<string, number>> {
  const db = await openDatabase(storeUrl);
  const counts: Record<string, number> = {};
  for (const till of tills) {
    const row = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE event_id LIKE ? ESCAPE '\\'", [`%\\_${till}`]);
    counts[till] = Number(row?.n ?? 0);
  }
  return counts;
}
