import { readTotalRows, writeTotalRows, type TotalRow } from '../crm/local-sql-crm';
import type { SqlExecutor } from '../store/sql-database';

/**
 * A customer's totals per currency as customer_totals holds them. They are the sums of the ledger's deltas for
 * the customer's events (crm/local-sql-crm.ts adds each event's as it is recorded), so a merge adds one
 * customer's to the other's and its undo takes them back: no second reading of the money rules.
 */
export type TotalsRow = Omit<TotalRow, 'customer_id'>;

export async function totalsRowsOf(tx: SqlExecutor, customerId: string): Promise<TotalsRow[]> {
  return (await readTotalRows(tx, [customerId])).map(({ customer_id: _, ...r }) => r).sort((x, y) => (x.currency < y.currency ? -1 : 1));
}

/** Replaces a customer's totals; a currency left with nothing counted has no row, as before its first payment. */
export async function writeTotalsRows(tx: SqlExecutor, customerId: string, rows: readonly TotalsRow[]): Promise<void> {
  await tx.run('DELETE FROM customer_totals WHERE customer_id = ?', [customerId]);
  const counted = rows.filter((r) => r.payments !== 0 || r.gross_minor !== 0 || r.refunded_minor !== 0);
  await writeTotalRows(tx, counted.map((r) => ({ customer_id: customerId, ...r })));
}

const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/** `a` plus `b`, currency by currency: what the survivor of a merge holds. */
export function addedTotals(a: readonly TotalsRow[], b: readonly TotalsRow[]): TotalsRow[] {
  const out = new Map(a.map((r) => [r.currency, { ...r }]));
  for (const r of b) {
    const t = out.get(r.currency);
    if (!t) {
      out.set(r.currency, { ...r });
      continue;
    }
    t.payments += r.payments;
    t.gross_minor += r.gross_minor;
    t.refunded_minor += r.refunded_minor;
    t.first_seen = earlier(t.first_seen, r.first_seen);
    t.last_seen = later(t.last_seen, r.last_seen);
  }
  return [...out.values()].sort((x, y) => (x.currency < y.currency ? -1 : 1));
}

/**
 * `a` less `b`, currency by currency: what the survivor keeps when a merge is undone. Its first and last seen are
 * read again from the transactions it keeps (`seen`), since they may have come from what goes back.
 */
export function takenTotals(a: readonly TotalsRow[], b: readonly TotalsRow[], seen: ReadonlyMap<string, Pick<TotalsRow, 'first_seen' | 'last_seen'>>): TotalsRow[] {
  const minus = new Map(b.map((r) => [r.currency, r]));
  return a.map((r) => {
    const m = minus.get(r.currency);
    const s = seen.get(r.currency);
    return {
      currency: r.currency,
      payments: r.payments - (m?.payments ?? 0),
      gross_minor: r.gross_minor - (m?.gross_minor ?? 0),
      refunded_minor: r.refunded_minor - (m?.refunded_minor ?? 0),
      first_seen: m ? (s?.first_seen ?? null) : r.first_seen,
      last_seen: m ? (s?.last_seen ?? null) : r.last_seen,
    };
  });
}


/**
 * The ledger's deltas of these events added up per currency (a lost dispute counted as money given back, as the
 * totals count it): what a merge recorded before merges kept the totals they moved gave the survivor.
 */
export async function ledgerTotalsOfEvents(tx: SqlExecutor, eventIds: readonly string[]): Promise<TotalsRow[]> {
  let out: TotalsRow[] = [];
  // Not InListQuery: its lists are padded by repeating a key, which a SUM would count twice.
  for (let i = 0; i < eventIds.length; i += 400) {
    const chunk = eventIds.slice(i, i + 400);
    const rows = await tx.all<{ currency: string; payments: number; gross: number; back: number; first_seen: string | null; last_seen: string | null }>(
      `SELECT currency, SUM(payments) AS payments, SUM(gross_minor) AS gross, SUM(refunded_minor + chargeback_minor) AS back,
              MIN(occurred_at) AS first_seen, MAX(occurred_at) AS last_seen
         FROM ledger_events WHERE event_id IN (${chunk.map(() => '?').join(', ')})
          AND (payments <> 0 OR gross_minor <> 0 OR refunded_minor <> 0 OR chargeback_minor <> 0)
        GROUP BY currency`,
      chunk,
    );
    out = addedTotals(out, rows.map((r) => ({
      currency: r.currency, payments: Number(r.payments), gross_minor: Number(r.gross), refunded_minor: Number(r.back), first_seen: r.first_seen, last_seen: r.last_seen,
    })));
  }
  return out;
}
