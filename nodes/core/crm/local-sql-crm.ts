import type { MatchKey, MatchKeyKind } from '../contracts/customer';
import { changeOrderOf, changeStamp, INDEXED_KINDS, readLocalCustomerChanges } from '../match/local-store-changes';
import type { CardDescriptor, CustomerChangePage } from '../contracts/match-record';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../store/sql-database';
import { isReportOnSale } from '../contracts/payment-event';
import { paymentKeyOf, type LedgerEvent } from '../ledger/ledger-event';
import { InListQuery, MultiRowInsert } from '../store/sql-shapes';
import { ledgerLockKeys, placedEvents, recordPlacedEvents, type RecordedEvent } from '../ledger/record-events';
import type { Crm, CustomerTotal, CustomerUpsert, KeyHit, TransactionOutcome } from '../contracts/crm';
import { PROFILE_COLUMNS } from './customer-columns';
import { orderRefundRows } from './refund-rows';

// Row values keep the lookup on the (kind, value) primary key; both SQLite and Postgres support them.
const FIND_KEYS = new InListQuery('SELECT kind, value, customer_id FROM customer_keys WHERE (kind, value) IN (VALUES ', 2, ')');

/** A payment brings a detail the customer record lacks. */
const FILLS_IN = PROFILE_COLUMNS.map(([, col]) => `(customers.${col} IS NULL AND excluded.${col} IS NOT NULL)`).join(' OR ');
/**
 * Known details are kept; a payment only fills in what the customer record lacks (built once: see
 * store/sql-shapes.ts). A returning customer whose payment brings nothing new is not written at all: no row or
 * index page rewritten, and on Postgres no new change_xid, so the match index does not read them again.
 */
const UPSERT_CUSTOMERS = new MultiRowInsert(
  `INSERT INTO customers (id, ${PROFILE_COLUMNS.map(([, col]) => col).join(', ')}, created_at, updated_at)`,
  PROFILE_COLUMNS.length + 3,
  `ON CONFLICT(id) DO UPDATE SET
    ${PROFILE_COLUMNS.map(([, col]) => `${col} = COALESCE(customers.${col}, excluded.${col})`).join(', ')},
    updated_at = excluded.updated_at
   WHERE ${FILLS_IN}`,
);
/** New cards and keys: the rows inserted come back, so the customers that gained one are known. */
const INSERT_CARDS = new MultiRowInsert(
  'INSERT INTO customer_cards (customer_id, card_key, bin, last4, exp_month, exp_year, brand, wallet, token, processor, created_at)',
  11,
  'ON CONFLICT(customer_id, card_key) DO NOTHING RETURNING customer_id',
);
const INSERT_KEYS = new MultiRowInsert('INSERT INTO customer_keys (kind, value, customer_id, created_at)', 4, 'ON CONFLICT(kind, value) DO NOTHING RETURNING kind, customer_id');
const TOUCH_CUSTOMERS = new InListQuery('UPDATE customers SET updated_at = ? WHERE updated_at < ? AND id IN (', 1, ')');

/**
 * The CRM that needs no SaaS account: customers and transactions in the pack's own SQL store. Its totals are the
 * payment ledger's deltas added up (ledger/record-events.ts): one payment counted once however many of its events
 * arrive, refunds lowering net spend by what they newly refund, a lost dispute by what went back to the cardholder
 * (counted as refunded here), in any order. Idempotent by event id.
 */
export class LocalSqlCrm implements Crm {
  readonly name = 'local';
  constructor(readonly db: SqlDatabase) {}

  /** Lock keys matter to Postgres only (SQLite runs one writer at a time): not worked out for nothing per batch. */
  private locks(keys: () => string[]): string[] {
    return this.db.dialect === 'postgres' ? keys() : [];
  }

  get indexScope(): object {
    return this.db;
  }

  /** Cursors that read to the end with nothing written since (by the store's write mark): the next read is empty. */
  private readonly caughtUp = new Map<string | null, string>();

  /**
   * Match Customer asks before every payment; most of the time nothing has changed, and on SQLite the store can
   * say so for a fraction of the query's cost (a range search over the last write's customers).
   */
  async customerChanges(cursor: string | null, limit: number): Promise<CustomerChangePage> {
    const mark = this.db.writeMark?.();
    if (mark !== undefined && this.caughtUp.get(cursor) === mark) return { records: [], next: cursor, more: false };
    // Exact on both dialects: nothing is read twice (local-store-changes.ts).
    const page = await readLocalCustomerChanges(this.db, cursor, limit, { order: changeOrderOf(this.db.dialect), overlapMs: 0 });
    if (mark !== undefined && !page.more) {
      if (this.caughtUp.size >= 16) this.caughtUp.clear();
      this.caughtUp.set(page.next, mark);
    }
    return page;
  }

  async findByKeys(keys: readonly MatchKey[]): Promise<KeyHit[]> {
    const rows = await FIND_KEYS.all<{ kind: string; value: string; customer_id: string }>(this.db, keys.map((k) => [k.kind, k.value]));
    // A padded lookup repeats its last key: each key's customer once.
    const hits = new Map<string, KeyHit>();
    for (const r of rows) hits.set(`${r.kind}\u0000${r.value}`, { kind: r.kind as MatchKeyKind, value: r.value, customerId: r.customer_id });
    return [...hits.values()];
  }

  async upsertCustomers(customers: readonly CustomerUpsert[]): Promise<void> {
    await this.db.transaction((tx) => this.writeCustomers(tx, customers), { lockKeys: this.locks(() => customerLockKeys(customers)) });
  }

  /**
   * A batch's customers and its transactions in one write transaction: one commit instead of two, and no moment
   * at which a customer a payment made is stored without the payment (a crash between two commits left that).
   */
  async recordPayments(customers: readonly CustomerUpsert[], records: readonly LedgerEvent[]): Promise<TransactionOutcome[]> {
    const lockKeys = this.locks(() => [...customerLockKeys(customers), ...transactionLockKeys(records)]);
    return this.db.transaction(async (tx) => {
      if (customers.length) await this.writeCustomers(tx, customers);
      return this.writeTransactions(tx, records);
    }, { lockKeys });
  }

  private async writeCustomers(tx: SqlExecutor, customers: readonly CustomerUpsert[]): Promise<void> {
    // Stamped inside the write transaction, so the match index reads each change once (local-store-changes.ts).
    const now = await changeStamp(tx, this.db.dialect);
    // One write per customer however many payments of the batch are theirs (a PaymentIntent and its charge):
    // known details are kept, and the batch's first value fills in what the record lacks, as one write per
    // payment in turn would. updated_at moves only when something was filled in, so the match index re-reads
    // customers that changed, not every payer.
    const profiles = new Map<string, SqlValue[]>();
    for (const c of customers) {
      const values = PROFILE_COLUMNS.map(([field]): SqlValue => c.profile[field] ?? null);
      const merged = profiles.get(c.id);
      if (merged) values.forEach((v, i) => { merged[i] = merged[i] ?? v; });
      else profiles.set(c.id, values);
    }
    await UPSERT_CUSTOMERS.run(tx, [...profiles].map(([id, values]) => [id, ...values, now, now]));
    // Cards and keys in the batch's order (a key goes to the first customer that claims it), each once, in one
    // statement per chunk: each statement costs more than the rows it writes.
    const tried = new Set<string>();
    const cards: SqlValue[][] = [];
    const keys: SqlValue[][] = [];
    for (const c of customers) {
      for (const card of c.cards ?? []) {
        const key = cardKey(card);
        if (!once(tried, `card\u0000${c.id}\u0000${key}`)) continue;
        cards.push([
          c.id, key, card.bin ?? null, card.last4, card.expMonth ?? null, card.expYear ?? null, card.brand ?? null,
          card.wallet ?? null, card.token ?? null, card.processor ?? null, now,
        ]);
      }
      for (const k of c.keys) if (once(tried, `key\u0000${k.kind}\u0000${k.value}`)) keys.push([k.kind, k.value, c.id, now]);
    }
    const added = new Set<string>();
    for (const r of await INSERT_CARDS.all<{ customer_id: string }>(tx, cards)) added.add(r.customer_id);
    // Payment ids are not in the match index: attaching one is not a change it must see.
    for (const r of await INSERT_KEYS.all<{ kind: MatchKeyKind; customer_id: string }>(tx, keys)) if (INDEXED_KINDS.includes(r.kind)) added.add(r.customer_id);
    // A new card or identifying key is a change the match index must see.
    if (added.size > 0) await TOUCH_CUSTOMERS.run(tx, [...added].map((id) => [id]), [now, now]);
  }

  /**
   * Records each event in the payment ledger and adds what the ledger says it changed to the customer's totals:
   * the money rules (one payment however many of its events arrive, refunds by what they add, chargebacks, events
   * before their payment) are the ledger's (ledger/payment-rules.ts), not this CRM's. Idempotent by event id.
   */
  async recordTransactions(records: readonly LedgerEvent[]): Promise<TransactionOutcome[]> {
    return this.db.transaction((tx) => this.writeTransactions(tx, records), { lockKeys: this.locks(() => transactionLockKeys(records)) });
  }

  private async writeTransactions(tx: SqlExecutor, named: readonly LedgerEvent[]): Promise<TransactionOutcome[]> {
    // Each event on the payment the ledger records it on (the reversal of an unreferenced refund on the refund's own
    // payment, whatever payment it names), so its transaction is that payment's.
    const records = await placedEvents(tx, named);
    // The ledger's record of events is this CRM's too: an event it has is a duplicate here.
    const recorded = await recordPlacedEvents(tx, records);
    const plan = records.map((r, i) => planOf(r, recorded[i]!));
    // Before the adoption below, which reads which refunds gave money back.
    await orderRefundRows(tx, records, recorded, plan.flatMap((p) => (p.row ? [p.row] : [])));
    await adoptEarlierEvents(tx, records, recorded, plan);
    await fillInVoidAmounts(tx, records, recorded, plan);
    const totals = await CustomerTotals.read(tx, plan.map((p) => p.answer.customerId));
    const out: TransactionOutcome[] = [];
    for (const [i, { answer, totals: delta }] of plan.entries()) {
      if (delta && answer.customerId) totals.add(answer.customerId, delta);
      out.push({ eventId: records[i]!.eventId, ...answer, totals: totals.of(answer.customerId) });
    }
    const now = new Date().toISOString();
    // A payment's row written in this batch takes what its later events bring before it is written; a payment
    // recorded before is filled in where it is.
    const fresh = new Map(plan.flatMap((p, i) => (p.row && records[i]!.kind === 'payment' ? [[paymentKeyOf(records[i]!), p.row] as const] : [])));
    const later: NonNullable<Planned['enrich']>[] = [];
    for (const p of plan) {
      if (!p.enrich) continue;
      const row = fresh.get(paymentKeyOf(p.enrich.r));
      if (!row) {
        later.push(p.enrich);
        continue;
      }
      const other = transactionRow(p.enrich.r, 0);
      other[1] = p.enrich.customerId;
      fillIn(row, other);
      // The sale's time moved earlier (a sale stored offline, told after a report dated at its forwarding).
      if (p.enrich.moved) row[8] = p.enrich.r.occurredAt;
    }
    await INSERT_TRANSACTIONS.run(tx, plan.flatMap((p) => (p.row ? [[...p.row, now]] : [])));
    for (const e of later) await enrichPayment(tx, e.r, e.customerId, e.moved);
    await totals.reseen(tx);
    await totals.write(tx);
    return out;
  }
}

/**
 * A sale that counts after other events of its payment were recorded (a refund or capture heard first, which name no
 * one and so were kept with no customer): those transactions are its customer's now, and a refund among them was a
 * visit, so the customer was last seen at the later of the sale and that refund, as when the sale came first.
 * Without this, last_seen, and the customer's transactions, would depend on the order the processor's
 * notifications arrived in. Rows of this batch are adopted before they are written; rows of earlier batches in the
 * store. Two queries per such sale, and none for a sale heard first (the usual case: its payment has one event). The
 * event that ties such a payment to its customer without making the sale count (RecordedEvent.tiedCustomer: an Adyen
 * authorisation after a failed capture left it void) gives them those transactions too; a sale seen void (its void or
 * failed capture heard first) is seen all the same, so a refund heard before it is a visit then too.
 */
async function adoptEarlierEvents(tx: SqlExecutor, records: readonly LedgerEvent[], recorded: readonly RecordedEvent[], plan: Planned[]): Promise<void> {
  // Each payment's events this batch recorded so far: when they are all the ledger has of it, no earlier batch wrote
  // a transaction of it (a transaction row is written only with its ledger event, and the ledger's migration counted
  // the rows before it), so the store holds nothing to adopt and the two queries below are skipped.
  const inBatch = new Map<string, number>();
  for (const [i, p] of plan.entries()) {
    const r = records[i]!;
    if (recorded[i]!.outcome === 'duplicate') continue;
    const key = paymentKeyOf(r);
    const recordedHere = (inBatch.get(key) ?? 0) + 1;
    inBatch.set(key, recordedHere);
    // The sale counting here, or (an Adyen capture failed before its authorisation leaves it void when that comes)
    // this event tying the payment to its customer: either way what its earlier events left with nobody is theirs.
    // A sale seen here already void (its void, or its capture failed, heard first) is seen all the same: a refund heard
    // before it was a visit, as when it came after (a refund of a counted sale is one even once the sale is void).
    const seenHere = recorded[i]!.outcome === 'recorded' && r.kind === 'payment' && recorded[i]!.payment.counted;
    const counts = p.totals?.seenAt !== undefined && (p.totals.payments === 1 || seenHere);
    if (!p.answer.customerId || !(counts || recorded[i]!.tiedCustomer) || recorded[i]!.payment.events <= 1) continue;
    const customerId = p.answer.customerId;
    // This batch's rows of the payment (columns as in TRANSACTION_COLUMNS: customer_id 1, source 2, payment_id 3,
    // kind 4, amount_minor 5, occurred_at 8) are adopted before they are written, and their refunds' times kept.
    const refundTimes: string[] = [];
    for (const { row } of plan) {
      if (!row || row[2] !== r.source || row[3] !== r.paymentId) continue;
      row[1] ??= customerId;
      if (row[4] === 'refund' && Number(row[5]) > 0) refundTimes.push(String(row[8]));
    }
    const inStore = recorded[i]!.payment.events > recordedHere;
    if (inStore) await tx.run('UPDATE transactions SET customer_id = ? WHERE source = ? AND payment_id = ? AND customer_id IS NULL', [customerId, r.source, r.paymentId]);
    if (!counts) continue;
    let first = p.totals!.seenAt!;
    let last = first;
    const visited = (at: string) => {
      if (at < first) first = at;
      if (at > last) last = at;
    };
    refundTimes.forEach(visited);
    if (inStore) {
      const [stored] = await tx.all<{ first: string | null; last: string | null }>(
        "SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'refund' AND amount_minor > 0",
        [r.source, r.paymentId],
      );
      if (stored?.first) visited(stored.first);
      if (stored?.last) visited(stored.last);
    }
    // Every refund report of the payment that takes none back is a visit once the sale counts (planOf's `visit`), also
    // one that added nothing in the processor's order, so its row holds 0: a running total no higher than the refunds
    // reported before it (Square's polled total at the payment's updated_at, after its refund.updated), a refund heard
    // after its reversal. The ledger keeps them all (ledger_refund_reports, this batch's written already).
    const [reported] = await tx.all<{ first: string | null; last: string | null }>(
      'SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM ledger_refund_reports WHERE source = ? AND payment_id = ? AND reversed = 0 AND amount_minor > 0',
      [r.source, r.paymentId],
    );
    if (reported?.first) visited(reported.first);
    if (reported?.last) visited(reported.last);
    p.totals = { ...p.totals!, seenAt: first, seenUntil: last };
  }
}

/**
 * A void heard before its sale that named no amount (a Clover payment read VOIDED or a SumUp transaction read
 * CANCELLED naming none, recorded at 0 with metadata voidAmountFrom "sale": sources/void-amount.ts) takes back all of
 * the sale, whatever it is; the ledger needs no amount for that (a void sets voidedAt). Its row waits at 0 for the
 * sale, and takes the sale's amount and currency when the sale arrives, as the same void read after its sale is
 * recorded at the ledger's amount: the rows are the same in either order. Rows of this batch are filled in before they
 * are written, rows of earlier batches in the store. One query per sale heard after a void of it, none otherwise.
 */
async function fillInVoidAmounts(tx: SqlExecutor, records: readonly LedgerEvent[], recorded: readonly RecordedEvent[], plan: Planned[]): Promise<void> {
  for (const [i, r] of records.entries()) {
    const e = recorded[i]!;
    // The sale itself, first seen now, of a payment the ledger held a void of before it.
    if (e.outcome !== 'recorded' || r.kind !== 'payment' || isReportOnSale(r) || e.payment.events <= 1 || e.payment.voidedAt === null) continue;
    const { grossMinor, currency } = e.payment;
    // Columns as in TRANSACTION_COLUMNS: source 2, payment_id 3, kind 4, amount_minor 5, currency 6.
    for (const { row } of plan) {
      if (row && row[2] === r.source && row[3] === r.paymentId && row[4] === 'failure' && Number(row[5]) === 0) {
        row[5] = grossMinor;
        row[6] = currency;
      }
    }
    await tx.run(
      "UPDATE transactions SET amount_minor = ?, currency = ? WHERE source = ? AND payment_id = ? AND kind = 'failure' AND amount_minor = 0",
      [grossMinor, currency, r.source, r.paymentId],
    );
  }
}

const customerLockKeys = (customers: readonly CustomerUpsert[]) => customers.map((c) => `customer:${c.id}`);
/** What two instances handling one payment or one customer at once would both read and then write. */
const transactionLockKeys = (records: readonly LedgerEvent[]) => [...ledgerLockKeys(records), ...records.flatMap((r) => (r.customerId ? [`customer:${r.customerId}`] : []))];

interface Planned {
  answer: { customerId: string | null; outcome: TransactionOutcome['outcome'] };
  /** The event's transaction row (without recorded_at), or the payment row it fills in. */
  row?: SqlValue[];
  /** `moved`: the event moved the sale's time earlier (RecordedEvent.movedFrom), to its own. */
  enrich?: { r: LedgerEvent; customerId: string | null; moved: boolean };
  totals?: TotalsDelta;
}

const INSERT_TRANSACTIONS = new MultiRowInsert(
  `INSERT INTO transactions (event_id, customer_id, source, payment_id, kind, amount_minor, currency, status, occurred_at,
     card_brand, card_last4, card_token, entry_mode, wallet, reader_id, location_id, recorded_at)`,
  17,
);

/**
 * Whether the customer was at the counter for this event. A refund the processor reversed, a sale it reported void or
 * captured again, a dispute: between banks, so the customer was not seen (as seenOf in identity/merged-totals.ts reads
 * it back). A dispute counted as a visit would also make last_seen depend on whether it arrived before its sale or after.
 */
const atCounter = (r: LedgerEvent): boolean => r.refund?.reversed !== true && !r.sale && r.kind !== 'dispute';

/** What one event does here: its transaction row, and its ledger delta for its customer's totals. */
function planOf(r: LedgerEvent, e: RecordedEvent): Planned {
  const answer = { customerId: e.customerId, outcome: e.outcome };
  if (e.outcome === 'duplicate') return { answer };
  // The event that ties a payment counted for nobody so far to its customer brings them all it counts.
  const d = e.tiedCustomer?.claimed ?? e.delta;
  // A lost dispute counts as refunded here: money that went back to the cardholder.
  const back = d.refundedMinor + d.chargebackMinor;
  const moves = d.payments !== 0 || d.grossMinor !== 0 || back !== 0;
  // A refund the processor reported is a visit even where it moves nothing here: after a lost chargeback took the
  // whole sale back, a refund heard later is capped to nothing; a running total heard after a larger one adds
  // nothing (Stripe's charge.refunded); a refund read after its void (Clover) is already taken back. Without this
  // the customer was last seen at it only in the orders where it came first. (A refund heard before its sale counts
  // is a visit once the sale counts: adoptEarlierEvents.)
  const visit = !moves && r.kind === 'refund' && atCounter(r) && r.amount.minor > 0 && e.payment.counted;
  // A report that moved its sale's time earlier (a sale stored offline, heard after a report dated at its forwarding):
  // the customer was at the counter then, not when the sale was forwarded, as when it came first.
  const moved = e.movedFrom !== undefined;
  return {
    answer,
    // A capture of a sale (Adyen's CAPTURE), like an adjustment of its authorisation, is no payment of its own: after
    // its sale it fills in the sale's row; heard before it, it writes none either, where it wrote a "payment" of the
    // capture's amount beside the sale's, so the customer's transactions depended on which the processor sent first.
    // The ledger keeps the capture (ledger_captures) and the adjustment (ledger_payments.authorised_minor). A refund's row holds what it added on arrival; orderRefundRows puts it in the processor's order
    // when it was heard behind its payment's other events.
    ...(e.outcome === 'enriched' ? { enrich: { r, customerId: e.customerId, moved } } : isReportOnSale(r) ? {} : { row: transactionRow(r, r.kind === 'refund' ? e.refundAddedMinor : r.amount.minor) }),
    ...(moves || visit || moved
      ? { totals: { currency: d.currency, payments: d.payments, gross: d.grossMinor, refunded: back, ...(atCounter(r) ? { seenAt: r.occurredAt } : {}), ...(moved ? { seenBefore: e.movedFrom } : {}) } }
      : {}),
  };
}

interface TotalsDelta {
  currency: string;
  payments: number;
  gross: number;
  refunded: number;
  /** When the customer was seen at the counter for this event (none: between banks); until `seenUntil` when given. */
  seenAt?: string;
  seenUntil?: string;
  /**
   * The sale's time before this event moved it to `seenAt` (RecordedEvent.movedFrom): a last visit the customer was
   * counted as making then is read again from their transactions (CustomerTotals.reseen), the sale's now moved.
   */
  seenBefore?: string;
}

/** A customer's totals in one currency, as customer_totals holds them. */
export interface TotalRow {
  customer_id: string;
  currency: string;
  payments: number;
  gross_minor: number;
  refunded_minor: number;
  first_seen: string | null;
  last_seen: string | null;
}

const READ_TOTALS = new InListQuery(
  'SELECT customer_id, currency, payments, gross_minor, refunded_minor, first_seen, last_seen FROM customer_totals WHERE customer_id IN (',
  1,
  ')',
);
const WRITE_TOTALS = new MultiRowInsert(
  'INSERT INTO customer_totals (customer_id, currency, payments, gross_minor, refunded_minor, first_seen, last_seen)',
  7,
  `ON CONFLICT (customer_id, currency) DO UPDATE SET payments = excluded.payments, gross_minor = excluded.gross_minor,
     refunded_minor = excluded.refunded_minor, first_seen = excluded.first_seen, last_seen = excluded.last_seen`,
);

/**
 * The totals of a batch's customers, read once, added to in memory as the events are applied (each outcome shows
 * the totals right after its event) and written once. The transaction makes read-add-write safe.
 */
class CustomerTotals {
  private readonly dirty = new Set<TotalRow>();
  /** Rows whose last visit was at a sale time that moved earlier since: read again from the transactions (reseen). */
  private readonly moved = new Set<TotalRow>();
  private constructor(private readonly rows: Map<string, TotalRow[]>) {}

  static async read(tx: SqlExecutor, customerIds: readonly (string | null)[]): Promise<CustomerTotals> {
    const ids = [...new Set(customerIds.filter((c): c is string => c !== null))];
    const rows = new Map<string, TotalRow[]>(ids.map((id) => [id, []]));
    for (const t of await readTotalRows(tx, ids)) rows.get(t.customer_id)!.push(t);
    return new CustomerTotals(rows);
  }

  add(customerId: string, d: TotalsDelta): void {
    const list = this.rows.get(customerId)!;
    let t = list.find((x) => x.currency === d.currency);
    if (!t) {
      t = { customer_id: customerId, currency: d.currency, payments: 0, gross_minor: 0, refunded_minor: 0, first_seen: null, last_seen: null };
      list.push(t);
    }
    t.payments += d.payments;
    t.gross_minor += d.gross;
    t.refunded_minor += d.refunded;
    if (d.seenAt !== undefined && (t.first_seen === null || d.seenAt < t.first_seen)) t.first_seen = d.seenAt;
    const seenUntil = d.seenUntil ?? d.seenAt;
    if (seenUntil !== undefined && (t.last_seen === null || seenUntil > t.last_seen)) t.last_seen = seenUntil;
    if (d.seenBefore !== undefined && t.last_seen === d.seenBefore) this.moved.add(t);
    this.dirty.add(t);
  }

  /**
   * The last visit of rows whose last visit was a sale whose time moved earlier since: the latest of the customer's
   * transactions in the currency that are visits (seenOf), read once this batch's rows are written, the moved sale's at
   * its new time among them, as when the sale came dated so.
   */
  async reseen(tx: SqlExecutor): Promise<void> {
    for (const t of this.moved) {
      const seen = (await seenOf(tx, t.customer_id)).get(t.currency);
      if (seen?.last_seen) t.last_seen = seen.last_seen;
    }
  }

  of(customerId: string | null): CustomerTotal[] {
    if (!customerId) return [];
    return [...(this.rows.get(customerId) ?? [])]
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
      .map((t) => ({ currency: t.currency, payments: t.payments, grossMinor: t.gross_minor, refundedMinor: t.refunded_minor, netMinor: t.gross_minor - t.refunded_minor }));
  }

  async write(tx: SqlExecutor): Promise<void> {
    await writeTotalRows(tx, [...this.dirty]);
  }
}

/** The customer_totals rows of these customers, each once. */
export async function readTotalRows(tx: SqlExecutor, customerIds: readonly string[]): Promise<TotalRow[]> {
  const out: TotalRow[] = [];
  const seen = new Set<string>();
  for (const t of await READ_TOTALS.all<TotalRow>(tx, customerIds.map((id) => [id]))) {
    // (A padded lookup repeats its last customer: that one's rows come twice.)
    if (!once(seen, `${t.customer_id}\u0000${t.currency}`)) continue;
    out.push({ ...t, payments: Number(t.payments), gross_minor: Number(t.gross_minor), refunded_minor: Number(t.refunded_minor) });
  }
  return out;
}

/** Writes these customer_totals rows, each replacing the customer's row in its currency. */
export async function writeTotalRows(tx: SqlExecutor, rows: readonly TotalRow[]): Promise<void> {
  await WRITE_TOTALS.run(tx, rows.map((t): SqlValue[] => [t.customer_id, t.currency, t.payments, t.gross_minor, t.refunded_minor, t.first_seen, t.last_seen]));
}

/** True the first time `mark` is seen. */
function once(seen: Set<string>, mark: string): boolean {
  if (seen.has(mark)) return false;
  seen.add(mark);
  return true;
}

/** One row per distinct card of a customer (its token where there is one); a wallet's device card is a card of its own. */
export function cardKey(card: CardDescriptor): string {
  return card.token ?? `${card.bin ?? ''}:${card.last4}:${card.expMonth ?? ''}/${card.expYear ?? ''}`;
}

/** A transaction row, all but its recorded_at. */
function transactionRow(r: LedgerEvent, amountMinor: number): SqlValue[] {
  const currency = (r.kind === 'refund' ? r.refundedTotal?.currency : undefined) ?? r.amount.currency;
  return [
    r.eventId, r.customerId, r.source, r.paymentId, r.kind, amountMinor, currency, r.status, r.occurredAt,
    r.card?.brand ?? null, r.card?.last4 ?? null, r.card?.token ?? null, r.card?.entryMode ?? null, r.card?.wallet ?? null,
    r.terminal?.readerId ?? null, r.terminal?.locationId ?? null,
  ];
}

/** The customer and the card and terminal descriptors `row` lacks, from `other` (columns as in TRANSACTION_COLUMNS). */
function fillIn(row: SqlValue[], other: SqlValue[]): void {
  for (const i of [1, 9, 10, 11, 12, 13, 14, 15]) row[i] = row[i] ?? other[i]!;
}

/**
 * A second event of a recorded payment (the charge after its PaymentIntent) fills in what the first lacked; one that
 * moved the sale's time earlier (`moved`: a sale stored offline) dates the sale's row at its time.
 */
async function enrichPayment(tx: SqlExecutor, r: LedgerEvent, customerId: string | null, moved: boolean): Promise<void> {
  await tx.run(
    `UPDATE transactions SET
       customer_id = COALESCE(customer_id, ?), card_brand = COALESCE(card_brand, ?), card_last4 = COALESCE(card_last4, ?),
       card_token = COALESCE(card_token, ?), entry_mode = COALESCE(entry_mode, ?), wallet = COALESCE(wallet, ?),
       reader_id = COALESCE(reader_id, ?), location_id = COALESCE(location_id, ?)${moved ? ', occurred_at = ?' : ''}
     WHERE source = ? AND payment_id = ? AND kind = 'payment'`,
    [
      customerId, r.card?.brand ?? null, r.card?.last4 ?? null, r.card?.token ?? null, r.card?.entryMode ?? null,
      r.card?.wallet ?? null, r.terminal?.readerId ?? null, r.terminal?.locationId ?? null, ...(moved ? [r.occurredAt] : []), r.source, r.paymentId,
    ],
  );
}

/**
 * First and last seen per currency over a customer's transactions that are visits (a sale, a refund that gave money
 * back), as recording them set them: what merging reads back, and the last visit once a sale's time moved earlier.
 */
export async function seenOf(tx: Pick<SqlExecutor, 'all'>, customerId: string): Promise<Map<string, { first_seen: string | null; last_seen: string | null }>> {
  const rows = await tx.all<{ currency: string; first_seen: string | null; last_seen: string | null }>(
    `SELECT currency, MIN(occurred_at) AS first_seen, MAX(occurred_at) AS last_seen FROM transactions
      WHERE customer_id = ? AND (kind = 'payment' OR (kind = 'refund' AND amount_minor > 0)) GROUP BY currency`,
    [customerId],
  );
  return new Map(rows.map((r) => [r.currency, { first_seen: r.first_seen, last_seen: r.last_seen }]));
}

export async function totalsOf(db: Pick<SqlExecutor, 'all'>, customerId: string | null): Promise<CustomerTotal[]> {
  if (!customerId) return [];
  const rows = await db.all<{ currency: string; payments: number; gross_minor: number; refunded_minor: number }>(
    'SELECT currency, payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ? ORDER BY currency',
    [customerId],
  );
  return rows.map((t) => ({
    currency: t.currency,
    payments: Number(t.payments),
    grossMinor: Number(t.gross_minor),
    refundedMinor: Number(t.refunded_minor),
    netMinor: Number(t.gross_minor) - Number(t.refunded_minor),
  }));
}
