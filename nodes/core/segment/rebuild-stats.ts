import type { SqlExecutor } from '../store/sql-database';

interface StatsAggregate {
  currency: string;
  payments: number;
  purchase_days: number;
  gross: number;
  refunded: number;
  chargeback: number;
  disputes: number;
  disputed_open: number;
  first_seen: string;
  last_seen: string;
  first_day: number;
  last_day: number;
  first_day_value: number;
}

/** Of the counted payments, the purchases (not void) when there is one, else all of them: a row's dates come from something. */
const purchasedFirst = (agg: 'MIN' | 'MAX', column: string) => `COALESCE(${agg}(CASE WHEN p.voided = 0 THEN ${column} END), ${agg}(${column}))`;

/**
 * A customer's statistics per currency from the payments counted for them, as the Segment step adds them up one
 * event at a time (segment/stats-repository.ts): purchase days are distinct days, the first day's value is its
 * purchases' net, and a void sale is neither a payment nor a purchase day (its money is all refunded), nor in the first
 * day's value, nor the customer's first or last visit while a purchase is there to be one; nor is a refund naming no
 * sale (voided too: ledger isVoided). Evaluations (RFM, CLV, flags, segment) stay
 * until the next payment or batch run rewrites them.
 */
export async function rebuildSegmentStats(tx: SqlExecutor, customerId: string, now: string): Promise<void> {
  const rows = await tx.all<StatsAggregate>(
    `SELECT p.currency, SUM(CASE WHEN p.voided = 0 THEN 1 ELSE 0 END) AS payments, COUNT(DISTINCT CASE WHEN p.voided = 0 THEN p.day END) AS purchase_days,
            SUM(p.amount_minor) AS gross,
            SUM(p.refunded_minor) AS refunded, SUM(p.chargeback_minor) AS chargeback,
            SUM(CASE WHEN p.dispute_state IS NOT NULL THEN 1 ELSE 0 END) AS disputes,
            SUM(CASE WHEN p.dispute_state = 'open' THEN p.disputed_minor ELSE 0 END) AS disputed_open,
            ${purchasedFirst('MIN', 'p.occurred_at')} AS first_seen, ${purchasedFirst('MAX', 'p.occurred_at')} AS last_seen,
            ${purchasedFirst('MIN', 'p.day')} AS first_day, ${purchasedFirst('MAX', 'p.day')} AS last_day,
            SUM(CASE WHEN p.day = f.first_day AND p.voided = 0 THEN p.amount_minor - p.refunded_minor - p.chargeback_minor ELSE 0 END) AS first_day_value
       FROM segment_payments p
       JOIN (SELECT p.currency, ${purchasedFirst('MIN', 'p.day')} AS first_day FROM segment_payments p WHERE p.customer_id = ? AND p.counted = 1 GROUP BY p.currency) f
         ON f.currency = p.currency
      WHERE p.customer_id = ? AND p.counted = 1
      GROUP BY p.currency`,
    [customerId, customerId],
  );
  const kept = new Set(rows.map((r) => r.currency));
  for (const { currency } of await tx.all<{ currency: string }>('SELECT currency FROM segment_stats WHERE customer_id = ?', [customerId])) {
    if (!kept.has(currency)) await tx.run('DELETE FROM segment_stats WHERE customer_id = ? AND currency = ?', [customerId, currency]);
  }
  for (const r of rows) {
    await tx.run(
      `INSERT INTO segment_stats (customer_id, currency, payments, purchase_days, gross_minor, refunded_minor, chargeback_minor, disputes,
         disputed_open_minor, first_seen, last_seen, first_day, last_day, first_day_value_minor, version, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT (customer_id, currency) DO UPDATE SET payments = excluded.payments, purchase_days = excluded.purchase_days,
         gross_minor = excluded.gross_minor, refunded_minor = excluded.refunded_minor, chargeback_minor = excluded.chargeback_minor,
         disputes = excluded.disputes, disputed_open_minor = excluded.disputed_open_minor, first_seen = excluded.first_seen,
         last_seen = excluded.last_seen, first_day = excluded.first_day, last_day = excluded.last_day,
         first_day_value_minor = excluded.first_day_value_minor, version = segment_stats.version + 1, updated_at = excluded.updated_at`,
      [
        customerId, r.currency, Number(r.payments), Number(r.purchase_days), Number(r.gross), Number(r.refunded), Number(r.chargeback),
        Number(r.disputes), Number(r.disputed_open), r.first_seen, r.last_seen, Number(r.first_day), Number(r.last_day), Number(r.first_day_value), now,
      ],
    );
  }
}
