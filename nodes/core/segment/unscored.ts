import type { SqlExecutor } from '../store/sql-database';

/**
 * Payments the ledger counts that no customer's segment statistics hold, so no batch run scores them. The Segment
 * step keeps the statistics as each payment passes it: it skips a payment linked to no customer, and a payment
 * recorded without it (a flow with no Segment node, a redrive, a backfill) is in the ledger only.
 */
export interface UnscoredPayments {
  payments: number;
  /** Linked to no customer: CRM Upsert found or made no one for them. */
  noCustomer: number;
  /** Of a known customer, but no Segment step counted them. */
  notCounted: number;
  /** The first few (in the ledger's order), to look up: no card data, only the processor's ids. */
  examples: UnscoredPayment[];
}

export interface UnscoredPayment {
  source: string;
  paymentId: string;
  currency: string;
  reason: 'no-customer' | 'not-counted';
}

const EXAMPLES = 3;
const PAGE = 5_000;

/**
 * Reads the ledger page by page (`pause` after each, with the payments read so far), counting its payments (seen as
 * payments, not only heard of by a refund or dispute, as the Segment step counts them) that no Segment step counted,
 * in `currencies` when given.
 */
export async function findUnscoredPayments(
  db: SqlExecutor,
  options: { currencies?: readonly string[]; pause?: (read: number) => Promise<void>; /** Payments per page: 5,000 by default. */ pageSize?: number } = {},
): Promise<UnscoredPayments> {
  const size = options.pageSize ?? PAGE;
  const wanted = options.currencies ? new Set(options.currencies) : undefined;
  const out: UnscoredPayments = { payments: 0, noCustomer: 0, notCounted: 0, examples: [] };
  let after: [string, string] = ['', ''];
  let read = 0;
  for (;;) {
    // The page's last key, read from the primary key's index alone; then only the page's unscored payments come back.
    const bound = await db.get<{ source: string; payment_id: string }>(
      'SELECT source, payment_id FROM ledger_payments WHERE (source, payment_id) > (?, ?) ORDER BY source, payment_id LIMIT 1 OFFSET ?',
      [after[0], after[1], size - 1],
    );
    const unscored = await db.all<{ source: string; payment_id: string; currency: string; nobody: number | string }>(
      `SELECT l.source, l.payment_id, l.currency, CASE WHEN l.customer_id IS NULL THEN 1 ELSE 0 END AS nobody
       FROM ledger_payments l
       WHERE (l.source, l.payment_id) > (?, ?) ${bound ? 'AND (l.source, l.payment_id) <= (?, ?)' : ''} AND l.seen = 1
         AND NOT EXISTS (SELECT 1 FROM segment_payments s WHERE s.source = l.source AND s.payment_id = l.payment_id AND s.counted = 1)
       ORDER BY l.source, l.payment_id`,
      [after[0], after[1], ...(bound ? [bound.source, bound.payment_id] : [])],
    );
    for (const p of unscored) {
      if (wanted && !wanted.has(p.currency)) continue;
      const reason = Number(p.nobody) === 1 ? 'no-customer' : 'not-counted';
      out.payments++;
      if (reason === 'no-customer') out.noCustomer++;
      else out.notCounted++;
      if (out.examples.length < EXAMPLES) out.examples.push({ source: p.source, paymentId: p.payment_id, currency: p.currency, reason });
    }
    if (!bound) return out;
    read += size;
    await options.pause?.(read);
    after = [bound.source, bound.payment_id];
  }
}
