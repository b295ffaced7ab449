import type { LedgerPayment } from '../ledger/payment-rows';
import { deltaBetween, isEmptyDelta, isVoided, netOf, NOT_COUNTED, viewOf, type DisputePhase, type LedgerDelta, type PaymentView } from '../ledger/payment-rules';
import type { SqlExecutor, SqlValue } from '../store/sql-database';
import type { CustomerEvaluation, StatsRow } from './evaluate';
import type { LocalTime } from './calendar';
import type { HistoryPoint } from './flags';
import type { LineItem } from '../ledger/payment-facts';
import { rebuildSegmentStats } from './rebuild-stats';

/**
 * Per-customer statistics kept up to date on every payment, refund and dispute, inside the caller's transaction.
 *
 * What a payment's events change in money is the payment ledger's to say (ledger/payment-rules.ts): this
 * repository keeps, per payment, what it has counted of it (`segment_payments`), and adds the difference between
 * that and the ledger's current view of the payment. Catching up this way counts every payment once and every
 * refund and chargeback by what it adds, whatever order the events reach this step in, and a repeat adds nothing.
 * A payment the ledger has not seen yet (its refund came first) counts nothing until it is seen, then everything.
 * Transactions are serializable, so two instances catching up on one payment at once count it once.
 */
export type Dialect = 'sqlite' | 'postgres';

interface PaymentRow {
  customer_id: string;
  currency: string;
  amount_minor: number;
  refunded_minor: number;
  chargeback_minor: number;
  dispute_state: string | null;
  disputed_minor: number;
  /** The ledger said the sale was void when this repository last caught up: not a purchase then. */
  voided: number;
  occurred_at: string;
  day: number;
  entry_mode: string | null;
  method: string | null;
  location_id: string | null;
  /** The categories its line items add to the preferences (storedCategories), NULL when counted before schema 23. */
  categories: string | null;
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
  /**
   * A payment that is no purchase counted (a sale void by the time it is seen, a refund naming no sale), at `at` on
   * `day`: a row without a purchase holds the earliest and latest dates of such payments, for want of any, as
   * rebuildSegmentStats reads them.
   */
  noPurchase?: { at: string; day: number };
}

export interface ApplyOutcome {
  /** The payment is counted in the customer's statistics (now or from before). */
  counted: boolean;
  /** This event changed something. */
  changed: boolean;
  /** A purchase counted for the first time by this event: the one "is it unusual?" is asked about (a sale void by then is none). */
  newPayment: boolean;
  /** The customer the payment belongs to (the one it was first counted for, if a later event names another). */
  customerId: string;
}

export interface CountContext {
  /** Whose payment it is, if this is the event that counts it. */
  customerId: string;
  /** The payment's local time and day, in the shop's time zone. */
  local: LocalTime;
  /** Any time's, in the shop's time zone: what a sale counted at a time the ledger has moved since was counted at. */
  localAt: (iso: string) => LocalTime;
  lineItems: readonly LineItem[];
  now: string;
}

/** What this repository counted of a payment, as a view the ledger's can be compared with. */
function countedView(row: PaymentRow): PaymentView {
  return {
    counted: true,
    voided: Number(row.voided) === 1,
    grossMinor: Number(row.amount_minor),
    refundedMinor: Number(row.refunded_minor),
    chargebackMinor: Number(row.chargeback_minor),
    disputePhase: row.dispute_state as DisputePhase | null,
    disputedMinor: Number(row.disputed_minor),
  };
}

type Dimensions = Pick<PaymentRow, 'entry_mode' | 'method' | 'location_id'>;

/** The payment's dimensions: entry mode, method (the wallet when there is one, else the brand), place. */
function dimensionsOf(p: LedgerPayment): Dimensions {
  return { entry_mode: p.card.entryMode, method: p.card.wallet ?? p.card.brand, location_id: p.terminal.locationId ?? p.terminal.readerId };
}

export class SegmentStatsRepository {
  private readonly least: string;
  private readonly greatest: string;
  constructor(dialect: Dialect) {
    // The only dialect difference here: two-argument MIN/MAX.
    this.least = dialect === 'postgres' ? 'LEAST' : 'MIN';
    this.greatest = dialect === 'postgres' ? 'GREATEST' : 'MAX';
  }

  /** Brings the statistics up to the ledger's view of `payment` (after the event being processed). */
  async apply(tx: SqlExecutor, payment: LedgerPayment, ctx: CountContext): Promise<ApplyOutcome> {
    const row = await this.paymentRow(tx, payment);
    if (!row) {
      if (!payment.counted) return { counted: false, changed: false, newPayment: false, customerId: ctx.customerId };
      const counted = await this.countPayment(tx, payment, ctx);
      return { counted: true, changed: counted, newPayment: counted && !isVoided(payment), customerId: ctx.customerId };
    }
    // Counted here before the ledger existed, from events the ledger never recorded: keep it as it is.
    if (!payment.counted) return { counted: true, changed: false, newPayment: false, customerId: row.customer_id };
    const view = viewOf(payment);
    const delta = deltaBetween(countedView(row), view, payment.currency);
    let changed = false;
    if (!isEmptyDelta(delta)) {
      await tx.run(
        `UPDATE segment_payments SET amount_minor = ?, refunded_minor = ?, chargeback_minor = ?, dispute_state = ?, disputed_minor = ?, voided = ?
         WHERE source = ? AND payment_id = ?`,
        [view.grossMinor, view.refundedMinor, view.chargebackMinor, view.disputePhase, view.disputedMinor, view.voided ? 1 : 0, payment.source, payment.paymentId],
      );
      if (delta.payments !== 0) {
        // A sale going void (or captured again) leaves (or rejoins) the purchases: its day, its place among the
        // customer's first and last visits and its share of the preferences go (or come back) with it.
        // What leaves is what the counters hold (the amount counted before); what comes back, the sale's amount now.
        await rebuildSegmentStats(tx, row.customer_id, ctx.now);
        await addToCounters(tx, row.customer_id, [
          ...preferenceItems(ctx.local, row, delta.payments < 0 ? Number(row.amount_minor) : view.grossMinor, delta.payments),
          ...categoriesOf(row.categories, delta.payments),
        ]);
        if (delta.payments < 0) await tx.run('DELETE FROM segment_counters WHERE customer_id = ? AND hits <= 0', [row.customer_id]);
      } else {
        // A payment that is no purchase (a void sale, a refund naming no sale) is in no day's value.
        const dayValue = view.voided ? {} : { dayValue: { day: Number(row.day), minor: netOf(delta) } };
        await this.addToStats(tx, row.customer_id, row.currency, ctx.now, { ...moneyOf(delta), ...dayValue });
        // A sale the ledger raised after it counted (an Adyen overcapture) adds the rest to its preferences' amounts,
        // as if it had counted at its new amount; a void one is in none of them.
        if (delta.grossMinor !== 0 && !view.voided) {
          await addToCounters(tx, row.customer_id, preferenceItems(ctx.local, row, delta.grossMinor, 1).map((c) => ({ ...c, hits: 0 })));
        }
      }
      changed = true;
    }
    changed = (await this.retime(tx, payment, row, ctx)) || changed;
    changed = (await this.enrich(tx, payment, row, view.voided)) || changed;
    return { counted: true, changed, newPayment: false, customerId: row.customer_id };
  }

  /**
   * A counted sale the ledger has dated earlier since (a sale stored offline, told after a report dated at its
   * forwarding): its time, day and hour move to the ledger's, the customer's first and last visits and purchase days
   * are added up again, and its share of the weekday, hour and month it was counted at goes to its new ones (a void
   * sale holds none), as if it had counted dated so.
   */
  private async retime(tx: SqlExecutor, p: LedgerPayment, row: PaymentRow, ctx: CountContext): Promise<boolean> {
    // The ledger only ever dates a counted sale earlier (ledger/payment-rules.ts); the same instant written otherwise is no move.
    if (!(Date.parse(p.occurredAt) < Date.parse(row.occurred_at))) return false;
    await tx.run('UPDATE segment_payments SET occurred_at = ?, day = ?, minute_of_day = ? WHERE source = ? AND payment_id = ?', [
      p.occurredAt, ctx.local.day, ctx.local.minuteOfDay, p.source, p.paymentId,
    ]);
    await rebuildSegmentStats(tx, row.customer_id, ctx.now);
    if (Number(row.voided) !== 1) {
      const amount = Number(row.amount_minor);
      // Each (dimension, item) once, netted: what stays (its place, its card) moves nothing.
      const moves = new Map<string, CounterAddition>();
      for (const c of [...preferenceItems(ctx.localAt(row.occurred_at), row, amount, -1), ...preferenceItems(ctx.local, row, amount, 1)]) {
        const key = `${c.dimension}\u0000${c.item}`;
        const m = moves.get(key);
        moves.set(key, m ? { ...m, hits: m.hits + c.hits, amountMinor: m.amountMinor + c.amountMinor } : c);
      }
      await addToCounters(tx, row.customer_id, [...moves.values()].filter((c) => c.hits !== 0 || c.amountMinor !== 0));
      await tx.run('DELETE FROM segment_counters WHERE customer_id = ? AND hits <= 0', [row.customer_id]);
    }
    return true;
  }

  private paymentRow(tx: SqlExecutor, p: Pick<LedgerPayment, 'source' | 'paymentId'>): Promise<PaymentRow | undefined> {
    return tx.get<PaymentRow>(
      `SELECT customer_id, currency, amount_minor, refunded_minor, chargeback_minor, dispute_state, disputed_minor, voided, occurred_at, day, entry_mode, method,
         location_id, categories
       FROM segment_payments WHERE source = ? AND payment_id = ? AND counted = 1`,
      [p.source, p.paymentId],
    );
  }

  /** The payment counts: with everything the ledger remembered of it (a refund or dispute that came first). */
  private async countPayment(tx: SqlExecutor, p: LedgerPayment, ctx: CountContext): Promise<boolean> {
    const view = viewOf(p);
    const delta = deltaBetween(NOT_COUNTED, view, p.currency);
    const day = ctx.local.day;
    const dims = dimensionsOf(p);
    // Kept with the payment, so a void takes back, and a capture after it gives back, what the line items add.
    const categories = categoryItems(ctx.lineItems);
    const r = await tx.run(
      `INSERT INTO segment_payments (source, payment_id, customer_id, currency, amount_minor, counted, refunded_minor, chargeback_minor, dispute_state,
         disputed_minor, voided, occurred_at, day, minute_of_day, entry_mode, method, location_id, categories)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, payment_id) DO NOTHING`,
      [p.source, p.paymentId, ctx.customerId, p.currency, view.grossMinor, view.refundedMinor, view.chargebackMinor, view.disputePhase, view.disputedMinor,
        view.voided ? 1 : 0, p.occurredAt, day, ctx.local.minuteOfDay, dims.entry_mode, dims.method, dims.location_id, storedCategories(categories)],
    );
    if (r.changes !== 1) return false;
    await this.insertFirstSeen(tx, ctx.customerId, p.currency, p.occurredAt, day, ctx.now);
    // A sale void by the time it is seen is no purchase (delta.payments is 0): not a purchase day, a visit or a preference.
    if (view.voided) {
      await this.addToStats(tx, ctx.customerId, p.currency, ctx.now, { ...moneyOf(delta), noPurchase: { at: p.occurredAt, day } });
      return true;
    }
    const purchaseDays = (await this.otherPurchaseOnDay(tx, ctx.customerId, day, p.currency, p)) ? 0 : 1;
    await this.addToStats(tx, ctx.customerId, p.currency, ctx.now, { ...moneyOf(delta), purchaseDays }, { at: p.occurredAt, day, netMinor: netOf(delta) });
    await addToCounters(tx, ctx.customerId, [...preferenceItems(ctx.local, dims, p.grossMinor, 1), ...categories]);
    return true;
  }

  /** Whether the customer made another purchase (counted, not void) in this currency on this day. */
  private async otherPurchaseOnDay(tx: SqlExecutor, customerId: string, day: number, currency: string, p: Pick<LedgerPayment, 'source' | 'paymentId'>): Promise<boolean> {
    const other = await tx.get(
      `SELECT 1 AS one FROM segment_payments WHERE customer_id = ? AND day = ? AND currency = ? AND counted = 1 AND voided = 0
         AND NOT (source = ? AND payment_id = ?) LIMIT 1`,
      [customerId, day, currency, p.source, p.paymentId],
    );
    return other !== undefined;
  }

  /** Another event of a counted payment (the charge after its PaymentIntent) brings what the first lacked. */
  private async enrich(tx: SqlExecutor, p: LedgerPayment, row: PaymentRow, voided: boolean): Promise<boolean> {
    let changed = false;
    const dims = dimensionsOf(p);
    const fill: [column: 'entry_mode' | 'method' | 'location_id', dimension: string][] = [
      ['entry_mode', 'entry_mode'],
      ['method', 'method'],
      ['location_id', 'location'],
    ];
    for (const [column, dimension] of fill) {
      const value = dims[column];
      if (value === null || row[column] !== null) continue;
      const r = await tx.run(`UPDATE segment_payments SET ${column} = ? WHERE source = ? AND payment_id = ? AND ${column} IS NULL`, [value, p.source, p.paymentId]);
      if (r.changes === 1) {
        // Kept for a void sale too, so a capture after the void gives back its whole share of the preferences.
        if (!voided) await addToCounters(tx, row.customer_id, [{ dimension, item: value, hits: 1, amountMinor: Number(row.amount_minor) }]);
        changed = true;
      }
    }
    return changed;
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
      // Right-hand sides read the row as it was, so the first-day value is decided on the old first day. A row
      // without a purchase (only void sales so far) holds their dates for want of any: the first purchase replaces them.
      const purchased = (column: string, fn: string) => `CASE WHEN payments = 0 THEN ? ELSE ${fn}(${column}, ?) END`;
      sets.push(
        `first_day_value_minor = CASE WHEN payments = 0 OR ? < first_day THEN ? WHEN ? = first_day THEN first_day_value_minor + ? ELSE first_day_value_minor END`,
        `first_seen = ${purchased('first_seen', this.least)}`, `last_seen = ${purchased('last_seen', this.greatest)}`,
        `first_day = ${purchased('first_day', this.least)}`, `last_day = ${purchased('last_day', this.greatest)}`,
      );
      params.push(seen.day, seen.netMinor, seen.day, seen.netMinor, seen.at, seen.at, seen.at, seen.at, seen.day, seen.day, seen.day, seen.day);
    } else if (d.dayValue) {
      sets.push('first_day_value_minor = first_day_value_minor + CASE WHEN first_day = ? THEN ? ELSE 0 END');
      params.push(d.dayValue.day, d.dayValue.minor);
    } else if (d.noPurchase) {
      // Whichever of them came first: the earliest and the latest, as when they are added up again.
      const unpurchased = (column: string, fn: string) => `${column} = CASE WHEN payments = 0 THEN ${fn}(${column}, ?) ELSE ${column} END`;
      sets.push(unpurchased('first_seen', this.least), unpurchased('last_seen', this.greatest), unpurchased('first_day', this.least), unpurchased('last_day', this.greatest));
      params.push(d.noPurchase.at, d.noPurchase.at, d.noPurchase.day, d.noPurchase.day);
    }
    params.push(customerId, currency);
    await tx.run(`UPDATE segment_stats SET ${sets.join(', ')} WHERE customer_id = ? AND currency = ?`, params);
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

  counters(tx: SqlExecutor, customerId: string): Promise<CounterAddition[]> {
    return countersOf(tx, customerId);
  }

  /**
   * The customer's most recent purchases (counted, not void) other than this one, newest first; purchases made at
   * the same time in the reverse of the ledger's order (source, payment id), so the window keeps the same ones on
   * every store and run.
   */
  async history(tx: SqlExecutor, customerId: string, currency: string, except: Pick<LedgerPayment, 'source' | 'paymentId'>, limit: number): Promise<HistoryPoint[]> {
    const rows = await tx.all<{ amount_minor: number; minute_of_day: number; location_id: string | null }>(
      `SELECT amount_minor, minute_of_day, location_id FROM segment_payments
       WHERE customer_id = ? AND currency = ? AND counted = 1 AND voided = 0 AND NOT (source = ? AND payment_id = ?)
       ORDER BY occurred_at DESC, source DESC, payment_id DESC LIMIT ?`,
      [customerId, currency, except.source, except.paymentId, limit],
    );
    return rows.map((r) => ({ amountMinor: Number(r.amount_minor), minuteOfDay: Number(r.minute_of_day), locationId: r.location_id }));
  }
}

export interface CounterAddition {
  dimension: string;
  item: string;
  hits: number;
  amountMinor: number;
}

/** A customer's preference counters. */
export async function countersOf(tx: SqlExecutor, customerId: string): Promise<CounterAddition[]> {
  const rows = await tx.all<{ dimension: string; item: string; hits: number; amount_minor: number }>(
    'SELECT dimension, item, hits, amount_minor FROM segment_counters WHERE customer_id = ?',
    [customerId],
  );
  return rows.map((r) => ({ dimension: r.dimension, item: r.item, hits: Number(r.hits), amountMinor: Number(r.amount_minor) }));
}

/**
 * Adds to a customer's preference counters (a payment counted, a merged customer's counters, or taking them back
 * with negative figures). Give each (dimension, item) once: Postgres refuses an upsert that touches the same row
 * twice in one statement.
 */
export async function addToCounters(tx: SqlExecutor, customerId: string, items: readonly CounterAddition[]): Promise<void> {
  if (items.length === 0) return;
  await tx.run(
    `INSERT INTO segment_counters (customer_id, dimension, item, hits, amount_minor) VALUES ${items.map(() => '(?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (customer_id, dimension, item) DO UPDATE SET hits = segment_counters.hits + excluded.hits,
       amount_minor = segment_counters.amount_minor + excluded.amount_minor`,
    items.flatMap((c) => [customerId, c.dimension, c.item, c.hits, c.amountMinor]),
  );
}

/**
 * A purchase's share of its customer's preference counters (weekday, hour, month, entry mode, method, place), or,
 * with `sign` -1, taking it back. Categories come from the line items of the event that counts the sale.
 */
function preferenceItems(local: LocalTime, dims: Dimensions, grossMinor: number, sign: number): CounterAddition[] {
  const items: [string, string | null][] = [
    ['weekday', String(local.dayOfWeek)],
    ['hour', String(Math.floor(local.minuteOfDay / 60))],
    ['month', String(local.month)],
    ['entry_mode', dims.entry_mode],
    ['method', dims.method],
    ['location', dims.location_id],
  ];
  return items.flatMap(([dimension, item]) => (item === null ? [] : [{ dimension, item, hits: sign, amountMinor: sign * grossMinor }]));
}

function categoryItems(lineItems: readonly LineItem[]): CounterAddition[] {
  const categories = new Map<string, [number, number]>();
  for (const li of lineItems) {
    const c = categories.get(li.category) ?? [0, 0];
    categories.set(li.category, [c[0] + (li.quantity ?? 1), c[1] + (li.amountMinor ?? 0)]);
  }
  return [...categories].map(([item, [hits, amountMinor]]) => ({ dimension: 'category', item, hits, amountMinor }));
}

/** A payment's categories as segment_payments keeps them: `[[category, quantity, amount minor], …]`, or NULL for none. */
function storedCategories(items: readonly CounterAddition[]): string | null {
  return items.length === 0 ? null : JSON.stringify(items.map((c) => [c.item, c.hits, c.amountMinor]));
}

/** The categories a payment added to the preferences (`sign` 1), or taking them back (-1); none counted before schema 23. */
function categoriesOf(stored: string | null, sign: number): CounterAddition[] {
  if (stored === null) return [];
  return (JSON.parse(stored) as [string, number, number][]).map(([item, hits, amountMinor]) => ({ dimension: 'category', item, hits: sign * hits, amountMinor: sign * amountMinor }));
}

/** The statistics' share of a ledger delta. */
function moneyOf(d: LedgerDelta): StatsDelta {
  return {
    payments: d.payments, gross: d.grossMinor, refunded: d.refundedMinor, chargeback: d.chargebackMinor,
    disputes: d.disputes, disputedOpen: d.disputedOpenMinor,
  };
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
