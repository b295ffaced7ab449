import type { SqlExecutor } from '../store/sql-database';
import { resolveCustomerId } from './resolve-customer-id';

export interface KeepApartDecision {
  reason?: string | null;
  actor: string;
  via?: string | null;
}

/** Stored in one order, so (a, b) and (b, a) are one decision. */
const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/** Records that two customers are different people; deciding again keeps the first record. */
export async function keepApart(db: SqlExecutor, x: string, y: string, d: KeepApartDecision): Promise<void> {
  const [a, b] = ordered(x, y);
  await db.run(
    'INSERT INTO kept_apart (customer_a, customer_b, reason, actor, via, decided_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [a, b, d.reason?.trim() || null, d.actor, d.via ?? null, new Date().toISOString()],
  );
}

/** An operator's explicit merge overrides an earlier Keep Apart: the record goes, so the two stay one. */
export async function forgetKeptApart(db: SqlExecutor, x: string, y: string): Promise<void> {
  const [a, b] = ordered(x, y);
  await db.run('DELETE FROM kept_apart WHERE customer_a = ? AND customer_b = ?', [a, b]);
}

/**
 * Whether any customer now part of `x` was kept apart from any now part of `y`: a decision stays true when
 * either side is later merged with a third customer.
 */
export async function areKeptApart(db: SqlExecutor, x: string, y: string): Promise<boolean> {
  const [rx, ry] = await Promise.all([resolveCustomerId(db, x), resolveCustomerId(db, y)]);
  if (!rx || !ry || rx === ry) return false;
  const [mx, my] = await Promise.all([membersOf(db, rx), membersOf(db, ry)]);
  const [a, b] = [[...mx, ...my], [...mx, ...my]];
  const marks = (n: number) => Array(n).fill('?').join(', ');
  const rows = await db.all<{ customer_a: string; customer_b: string }>(
    `SELECT customer_a, customer_b FROM kept_apart WHERE customer_a IN (${marks(a.length)}) AND customer_b IN (${marks(b.length)})`,
    [...a, ...b],
  );
  return rows.some((r) => (mx.has(r.customer_a) && my.has(r.customer_b)) || (my.has(r.customer_a) && mx.has(r.customer_b)));
}

/** The customer and every customer merged into it, directly or through others (merge trees are small). */
async function membersOf(db: SqlExecutor, root: string): Promise<Set<string>> {
  const members = new Set([root]);
  let frontier = [root];
  for (let depth = 0; depth < 64 && frontier.length > 0; depth++) {
    const rows = await db.all<{ id: string }>(`SELECT id FROM customers WHERE merged_into IN (${frontier.map(() => '?').join(', ')})`, frontier);
    frontier = rows.map((r) => r.id).filter((id) => !members.has(id));
    for (const id of frontier) members.add(id);
  }
  return members;
}
