import type { SqlExecutor, SqlValue } from '../store/sql-database';
import type { CustomerEvaluation } from './evaluate';
import type { LocalTime } from './calendar';
import { dayNumber } from './clv/summary';
import type { HistoryPoint } from './flags';
import type { PaymentFacts } from './payment-facts';

/**
 * Per-customer statistics kept up to date on every payment, refund and dispute, inside the caller's transaction.
 *
 * Safe with several engine instances on one store: every change is a relative UPDATE (x = x + ?) guarded by a
 * conditional write on the payment's own row (INSERT … ON CONFLICT DO NOTHING, or UPDATE … WHERE <old state>),
 * so two instances racing on the same payment apply it once, and two payments of one customer both count.
 * `segment_payments` is the per-payment memory that makes this work whatever order the events arrive in: a
 * refund or dispute seen before its payment is remembered and applied when the payment arrives.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface StatsRow {
  customerId: string;
  currency: string;
  payments: number;
  purchaseDays: number;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  disputes: number;
  disputedOpenMinor: number;
  netMinor: number;
  firstSeen: string;
  lastSeen: string;
  firstDay: number;
  lastDay: number;
  firstDayValueMinor: number;
  version: number;
  updatedAt: string;
}

interface PaymentRow {
  customer_id: string;
  currency: string;
  counted: number;
  amount_minor: number;
  refunded_minor: number;
  dispute_state: string | null;
  disputed_minor: number;
  day: number;
  entry_mode: string | null;
  method: string | null;
  location_id: string | null;
}

interface StatsDelta {
  payments?: number;
  purchaseDays?: number;
  gross?: number;
  refunded?: number;
  disputes?: number;
  disputedOpen?: number;
  chargeback?: number;
  /** Change of the net value of day `day`, counted in first_day_value when that day is the first. */
  dayValue?: { day: number; minor: number };
}

export interface ApplyOutcome {
  /** The payment is counted in the customer's statistics (now or from before). */
  counted: boolean;
  /** This event changed something. */
  changed: boolean;
  /** A payment counted for the first time by this event: the one "is it unusual?" is asked about. */
  newPayment: boolean;
  /** The customer the payment belongs to (the first event's, if a later one names another). */
  customerId: string;
}

export class SegmentStatsRepository {
  private readonly least: string;
  private readonly greatest: string;
  constructor(dialect: Dialect) {
    // The only dialect difference here: two-argument MIN/MAX.
    this.least = dialect === 'postgres' ? 'LEAST' : 'MIN';
    this.greatest = dialect === 'postgres' ? 'GREATEST' : 'MAX';
  }

  async apply(tx: SqlExecutor, f: PaymentFacts & { customerId: string }, local: LocalTime, now: string): Promise<ApplyOutcome> {
    const existing = await this.paymentRow(tx, f);
    switch (f.change.kind) {
      case 'payment':
        return this.applyPayment(tx, f, existing, local, now);
      case 'refund':
        return this.applyRefund(tx, f, f.change.refundedTotalMinor, existing, local, now);
      case 'dispute':
        return this.applyDispute(tx, f, f.change.phase, existing, local, now);
      default:
        return { counted: existing?.counted === 1, changed: false, newPayment: false, customerId: existing?.customer_id ?? f.customerId };
    }
  }

  private paymentRow(tx: SqlExecutor, f: PaymentFacts): Promise<PaymentRow | undefined> {
    return tx.get<PaymentRow>(
      `SELECT customer_id, currency, counted, amount_minor, refunded_minor, dispute_state, disputed_minor, day, entry_mode, method, location_id
       FROM segment_payments WHERE source = ? AND payment_id = ?`,
      [f.source, f.paymentId],
    );
  }

  /** A payment row remembered before its payment event arrived (from a refund or dispute), not yet counted. */
  private async insertUncounted(tx: SqlExecutor, f: PaymentFacts & { customerId: string }, local: LocalTime, extra: { refunded?: number; dispute?: string; disputed?: number }): Promise<boolean> {
    const r = await tx.run(
      `INSERT INTO segment_payments (source, payment_id, customer_id, currency, amount_minor, counted, refunded_minor, dispute_state, disputed_minor,
         occurred_at, day, minute_of_day) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, payment_id) DO NOTHING`,
      [f.source, f.paymentId, f.customerId, f.currency, f.amountMinor, extra.refunded ?? 0, extra.dispute ?? null, extra.disputed ?? 0,
        f.occurredAt, dayNumber(f.atMs), local.minuteOfDay],
    );
    return r.changes === 1;
  }

  private async applyPayment(tx: SqlExecutor, f: PaymentFacts & { customerId: string }, row: PaymentRow | undefined, local: LocalTime, now: string): Promise<ApplyOutcome> {
    const day = dayNumber(f.atMs);
    if (row?.counted === 1) {
      // Another event of a payment already counted (the charge after its PaymentIntent): fill in what it lacked.
      const changed = await this.enrich(tx, f, row);
      return { counted: true, changed, newPayment: false, customerId: row.customer_id };
    }
    let carried = { refunded: 0, disputeState: null as string | null, disputed: 0 };
    if (row) {
      // Refund or dispute arrived first: count the payment now, with what they recorded.
      const r = await tx.run(
        `UPDATE segment_payments SET counted = 1, amount_minor = ?, occurred_at = ?, day = ?, minute_of_day = ?, entry_mode = ?, method = ?, location_id = ?
         WHERE source = ? AND payment_id = ? AND counted = 0`,
        [f.amountMinor, f.occurredAt, day, local.minuteOfDay, f.entryMode ?? null, f.method ?? null, f.locationId ?? null, f.source, f.paymentId],
      );
      if (r.changes !== 1) return { counted: true, changed: false, newPayment: false, customerId: row.customer_id };
      carried = { refunded: Math.min(row.refunded_minor, f.amountMinor), disputeState: row.dispute_state, disputed: row.disputed_minor };
    } else {
      const r = await tx.run(
        `INSERT INTO segment_payments (source, payment_id, customer_id, currency, amount_minor, counted, occurred_at, day, minute_of_day,
           entry_mode, method, location_id) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, payment_id) DO NOTHING`,
        [f.source, f.paymentId, f.customerId, f.currency, f.amountMinor, f.occurredAt, day, local.minuteOfDay, f.entryMode ?? null, f.method ?? null, f.locationId ?? null],
      );
      if (r.changes !== 1) return { counted: true, changed: false, newPayment: false, customerId: f.customerId };
    }
    const customerId = row?.customer_id ?? f.customerId;
    const otherSameDay = await tx.get(
      `SELECT 1 AS one FROM segment_payments WHERE customer_id = ? AND day = ? AND currency = ? AND counted = 1
         AND NOT (source = ? AND payment_id = ?) LIMIT 1`,
      [customerId, day, f.currency, f.source, f.paymentId],
    );
    const lost = carried.disputeState === 'lost' ? carried.disputed : 0;
    const net = f.amountMinor - carried.refunded - lost;
    await this.insertFirstSeen(tx, customerId, f.currency, f.occurredAt, day, now);
    await this.addToStats(tx, customerId, f.currency, now, {
      payments: 1,
      purchaseDays: otherSameDay ? 0 : 1,
      gross: f.amountMinor,
      refunded: carried.refunded,
      disputes: carried.disputeState ? 1 : 0,
      disputedOpen: carried.disputeState === 'open' ? carried.disputed : 0,
      chargeback: lost,
    }, { at: f.occurredAt, day, netMinor: net });
    await this.count(tx, customerId, f, local);
    return { counted: true, changed: true, newPayment: true, customerId };
  }

  private async enrich(tx: SqlExecutor, f: PaymentFacts, row: PaymentRow): Promise<boolean> {
    let changed = false;
    const fill: [column: 'entry_mode' | 'method' | 'location_id', dimension: string, value: string | undefined][] = [
      ['entry_mode', 'entry_mode', f.entryMode],
      ['method', 'method', f.method],
      ['location_id', 'location', f.locationId],
    ];
    for (const [column, dimension, value] of fill) {
      if (value === undefined || row[column] !== null) continue;
      const r = await tx.run(`UPDATE segment_payments SET ${column} = ? WHERE source = ? AND payment_id = ? AND ${column} IS NULL`, [value, f.source, f.paymentId]);
      if (r.changes === 1) {
        await this.bump(tx, row.customer_id, dimension, value, row.amount_minor);
        changed = true;
      }
    }
    return changed;
  }

  private async applyRefund(tx: SqlExecutor, f: PaymentFacts & { customerId: string }, refundedTotal: number, row: PaymentRow | undefined, local: LocalTime, now: string): Promise<ApplyOutcome> {
    if (!row) {
      const inserted = await this.insertUncounted(tx, f, local, { refunded: refundedTotal });
      return { counted: false, changed: inserted, newPayment: false, customerId: f.customerId };
    }
    // Refund events carry the payment's cumulative refunded amount: only the increase counts, once.
    const target = row.counted === 1 ? Math.min(refundedTotal, row.amount_minor) : refundedTotal;
    const delta = target - row.refunded_minor;
    if (delta <= 0) return { counted: row.counted === 1, changed: false, newPayment: false, customerId: row.customer_id };
    const r = await tx.run('UPDATE segment_payments SET refunded_minor = ? WHERE source = ? AND payment_id = ? AND refunded_minor = ?', [
      target, f.source, f.paymentId, row.refunded_minor,
    ]);
    if (r.changes !== 1) return { counted: row.counted === 1, changed: false, newPayment: false, customerId: row.customer_id };
    if (row.counted === 1) await this.addToStats(tx, row.customer_id, row.currency, now, { refunded: delta, dayValue: { day: row.day, minor: -delta } });
    return { counted: row.counted === 1, changed: true, newPayment: false, customerId: row.customer_id };
  }

  private async applyDispute(tx: SqlExecutor, f: PaymentFacts & { customerId: string }, phase: 'open' | 'won' | 'lost', row: PaymentRow | undefined, local: LocalTime, now: string): Promise<ApplyOutcome> {
    if (!row) {
      const inserted = await this.insertUncounted(tx, f, local, { dispute: phase, disputed: f.amountMinor });
      return { counted: false, changed: inserted, newPayment: false, customerId: f.customerId };
    }
    const previous = row.dispute_state;
    // open → won | lost; a closed dispute never reopens, and a replayed "open" after the close changes nothing.
    const allowed = phase === 'open' ? previous === null : previous === null || previous === 'open';
    if (!allowed) return { counted: row.counted === 1, changed: false, newPayment: false, customerId: row.customer_id };
    const disputed = previous === 'open' ? row.disputed_minor : Math.min(f.amountMinor, row.amount_minor || f.amountMinor);
    const r = await tx.run(
      `UPDATE segment_payments SET dispute_state = ?, disputed_minor = ? WHERE source = ? AND payment_id = ? AND ${previous === null ? 'dispute_state IS NULL' : 'dispute_state = ?'}`,
      previous === null ? [phase, disputed, f.source, f.paymentId] : [phase, disputed, f.source, f.paymentId, previous],
    );
    if (r.changes !== 1 || row.counted !== 1) return { counted: row.counted === 1, changed: r.changes === 1, newPayment: false, customerId: row.customer_id };
    const delta: StatsDelta = { disputes: previous === null ? 1 : 0 };
    if (phase === 'open') delta.disputedOpen = disputed;
    if (previous === 'open') delta.disputedOpen = -disputed;
    if (phase === 'lost') {
      delta.chargeback = disputed;
      delta.dayValue = { day: row.day, minor: -disputed };
    }
    await this.addToStats(tx, row.customer_id, row.currency, now, delta);
    return { counted: true, changed: true, newPayment: false, customerId: row.customer_id };
  }

  private async insertFirstSeen(tx: SqlExecutor, customerId: string, currency: string, at: string, day: number, now: string): Promise<void> {
    await tx.run(
      `INSERT INTO segment_stats (customer_id, currency, first_seen, last_seen, first_day, last_day, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (customer_id, currency) DO NOTHING`,
      [customerId, currency, at, at, day, day, now],
    );
  }

  private async addToStats(tx: SqlExecutor, customerId: string, currency: string, now: string, d: StatsDelta, seen?: { at: string; day: number; netMinor: number }): Promise<void> {
    const sets = [
      'payments = payments + ?', 'purchase_days = purchase_days + ?', 'gross_minor = gross_minor + ?', 'refunded_minor = refunded_minor + ?',
      'disputes = disputes + ?', 'disputed_open_minor = disputed_open_minor + ?', 'chargeback_minor = chargeback_minor + ?',
      'version = version + 1', 'updated_at = ?',
    ];
    const params: SqlValue[] = [d.payments ?? 0, d.purchaseDays ?? 0, d.gross ?? 0, d.refunded ?? 0, d.disputes ?? 0, d.disputedOpen ?? 0, d.chargeback ?? 0, now];
    if (seen) {
      // Right-hand sides read the row as it was, so the first-day value is decided on the old first day.
      sets.push(
        `first_day_value_minor = CASE WHEN ? < first_day THEN ? WHEN ? = first_day THEN first_day_value_minor + ? ELSE first_day_value_minor END`,
        `first_seen = ${this.least}(first_seen, ?)`, `last_seen = ${this.greatest}(last_seen, ?)`,
        `first_day = ${this.least}(first_day, ?)`, `last_day = ${this.greatest}(last_day, ?)`,
      );
      params.push(seen.day, seen.netMinor, seen.day, seen.netMinor, seen.at, seen.at, seen.day, seen.day);
    } else if (d.dayValue) {
      sets.push('first_day_value_minor = first_day_value_minor + CASE WHEN first_day = ? THEN ? ELSE 0 END');
      params.push(d.dayValue.day, d.dayValue.minor);
    }
    params.push(customerId, currency);
    await tx.run(`UPDATE segment_stats SET ${sets.join(', ')} WHERE customer_id = ? AND currency = ?`, params);
  }

  /** Preference counters: weekday, hour, month, entry mode, method, location, and categories when line items exist. */
  private async count(tx: SqlExecutor, customerId: string, f: PaymentFacts, local: LocalTime): Promise<void> {
    const items: [string, string, number, number][] = [
      ['weekday', String(local.dayOfWeek), 1, f.amountMinor],
      ['hour', String(Math.floor(local.minuteOfDay / 60)), 1, f.amountMinor],
      ['month', String(local.month), 1, f.amountMinor],
    ];
    if (f.entryMode) items.push(['entry_mode', f.entryMode, 1, f.amountMinor]);
    if (f.method) items.push(['method', f.method, 1, f.amountMinor]);
    if (f.locationId) items.push(['location', f.locationId, 1, f.amountMinor]);
    const categories = new Map<string, [number, number]>();
    for (const li of f.lineItems) {
      const c = categories.get(li.category) ?? [0, 0];
      categories.set(li.category, [c[0] + (li.quantity ?? 1), c[1] + (li.amountMinor ?? 0)]);
    }
    // One row per key: Postgres refuses an upsert that touches the same row twice in one statement.
    for (const [category, [hits, amount]] of categories) items.push(['category', category, hits, amount]);
    const values = items.map(() => '(?, ?, ?, ?, ?)').join(', ');
    await tx.run(
      `INSERT INTO segment_counters (customer_id, dimension, item, hits, amount_minor) VALUES ${values}
       ON CONFLICT (customer_id, dimension, item) DO UPDATE SET hits = segment_counters.hits + excluded.hits,
         amount_minor = segment_counters.amount_minor + excluded.amount_minor`,
      items.flatMap(([dimension, item, hits, amount]) => [customerId, dimension, item, hits, amount]),
    );
  }

  private async bump(tx: SqlExecutor, customerId: string, dimension: string, item: string, amount: number): Promise<void> {
    await tx.run(
      `INSERT INTO segment_counters (customer_id, dimension, item, hits, amount_minor) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (customer_id, dimension, item) DO UPDATE SET hits = segment_counters.hits + 1, amount_minor = segment_counters.amount_minor + excluded.amount_minor`,
      [customerId, dimension, item, amount],
    );
  }

  async stats(tx: SqlExecutor, customerId: string, currency: string): Promise<StatsRow | undefined> {
    const r = await tx.get<Record<string, unknown>>(
      `SELECT customer_id, currency, payments, purchase_days, gross_minor, refunded_minor, chargeback_minor, disputes, disputed_open_minor,
         first_seen, last_seen, first_day, last_day, first_day_value_minor, version, updated_at
       FROM segment_stats WHERE customer_id = ? AND currency = ?`,
      [customerId, currency],
    );
    return r ? statsFromRow(r) : undefined;
  }

  async counters(tx: SqlExecutor, customerId: string): Promise<{ dimension: string; item: string; hits: number; amountMinor: number }[]> {
    const rows = await tx.all<{ dimension: string; item: string; hits: number; amount_minor: number }>(
      'SELECT dimension, item, hits, amount_minor FROM segment_counters WHERE customer_id = ?',
      [customerId],
    );
    return rows.map((r) => ({ dimension: r.dimension, item: r.item, hits: Number(r.hits), amountMinor: Number(r.amount_minor) }));
  }

  /** The customer's most recent counted payments other than this one, newest first. */
  async history(tx: SqlExecutor, customerId: string, currency: string, except: PaymentFacts, limit: number): Promise<HistoryPoint[]> {
    const rows = await tx.all<{ amount_minor: number; minute_of_day: number; location_id: string | null }>(
      `SELECT amount_minor, minute_of_day, location_id FROM segment_payments
       WHERE customer_id = ? AND currency = ? AND counted = 1 AND NOT (source = ? AND payment_id = ?)
       ORDER BY occurred_at DESC LIMIT ?`,
      [customerId, currency, except.source, except.paymentId, limit],
    );
    return rows.map((r) => ({ amountMinor: Number(r.amount_minor), minuteOfDay: Number(r.minute_of_day), locationId: r.location_id }));
  }
}

export function statsFromRow(r: Record<string, unknown>): StatsRow {
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    customerId: String(r.customer_id),
    currency: String(r.currency),
    payments: n('payments'),
    purchaseDays: n('purchase_days'),
    grossMinor: n('gross_minor'),
    refundedMinor: n('refunded_minor'),
    chargebackMinor: n('chargeback_minor'),
    disputes: n('disputes'),
    disputedOpenMinor: n('disputed_open_minor'),
    netMinor: n('gross_minor') - n('refunded_minor') - n('chargeback_minor'),
    firstSeen: String(r.first_seen),
    lastSeen: String(r.last_seen),
    firstDay: n('first_day'),
    lastDay: n('last_day'),
    firstDayValueMinor: n('first_day_value_minor'),
    version: n('version'),
    updatedAt: String(r.updated_at),
  };
}

/** Derived columns only; the counters are never touched here, so this cannot undo a concurrent payment. */
export async function saveEvaluation(tx: SqlExecutor, s: StatsRow, e: CustomerEvaluation, now: string, onlyIfVersion?: number): Promise<boolean> {
  const r = await tx.run(
    `UPDATE segment_stats SET rfm_r = ?, rfm_f = ?, rfm_m = ?, rfm_run_id = ?, segment = ?, p_alive = ?, clv_model_id = ?, clv = ?, flags = ?, updated_at = ?
     WHERE customer_id = ? AND currency = ?${onlyIfVersion === undefined ? '' : ' AND version = ?'}`,
    [
      e.rfm?.r ?? null, e.rfm?.f ?? null, e.rfm?.m ?? null, e.rfm?.runId ?? null, e.segment, e.clv?.pAlive ?? null, e.clv?.modelId ?? null,
      e.clv ? JSON.stringify(e.clv) : null, JSON.stringify(e.flags), now, s.customerId, s.currency,
      ...(onlyIfVersion === undefined ? [] : [onlyIfVersion]),
    ],
  );
  return r.changes === 1;
}
