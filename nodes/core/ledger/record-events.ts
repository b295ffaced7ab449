import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { paymentKeyOf, type LedgerEvent } from './ledger-event';
import { insertMany } from './insert-many';
import { ledgerPaymentOf, LOOKUP_CHUNK, padded, readRecords, writeRecords, type LedgerPayment } from './payment-rows';
import { applyEvent, deltaBetween, refundIdOf, reportedRefundOf, utcIso, viewOf, type DisputePhase, type LedgerDelta, type PaymentRecord } from './payment-rules';

export interface RecordedEvent {
  eventId: string;
  /** recorded: new; enriched: another event of a payment already seen (a charge after its PaymentIntent); duplicate: recorded before. */
  outcome: 'recorded' | 'enriched' | 'duplicate';
  /** What this event changed in what counts (for a duplicate: what it changed when it was recorded). */
  delta: LedgerDelta;
  /**
   * Whose money the event moved: the payment's customer for another event of a payment already seen (the charge
   * after its PaymentIntent), else the customer the event was tied to, else the payment's.
   */
  customerId: string | null;
  /**
   * For a refund: what it added to the refunds the processors reported for the payment — its own amount, or the
   * growth of a cumulative total — before any cap, and whether or not the payment counts yet.
   */
  refundAddedMinor: number;
  /** The payment after this event (for a duplicate: as it is now). */
  payment: LedgerPayment;
}

interface StoredEvent {
  outcome: RecordedEvent['outcome'];
  delta: LedgerDelta;
  customerId: string | null;
  refundAddedMinor: number;
}

interface EventRow {
  event_id: string;
  outcome: RecordedEvent['outcome'];
  customer_id: string | null;
  currency: string;
  payments: number;
  gross_minor: number;
  refunded_minor: number;
  chargeback_minor: number;
  disputes: number;
  disputed_open_minor: number;
  dispute_from: string | null;
  dispute_to: string | null;
  refund_added_minor: number;
}

/**
 * Records events in the ledger inside the caller's transaction, each once (by its namespaced event id), and says
 * per event what it changed. Consumers add the deltas to their totals instead of applying money rules of their
 * own; an event met again (a redelivery, or a retry after a lost answer) is a duplicate carrying its first delta
 * and customer. A consumer that keeps its own per-payment view can instead catch up from it to `payment`
 * (deltaBetween), which is right whatever order it meets the events in.
 *
 * Lock keys for the caller's transaction: `ledgerLockKeys(events)`.
 */
export async function recordEvents(tx: SqlExecutor, events: readonly LedgerEvent[], at: Date = new Date()): Promise<RecordedEvent[]> {
  const now = at.toISOString();
  const known = await readEvents(tx, events.map((e) => e.eventId));
  const records = await readRecords(tx, events);
  const out: RecordedEvent[] = [];
  // Written once at the end, each payment in its last state: a batch often holds several events of one payment.
  const changed = new Map<string, PaymentRecord>();
  const newEvents: SqlValue[][] = [];
  for (const e of events) {
    const key = paymentKeyOf(e);
    const stored = known.get(e.eventId);
    if (stored) {
      const payment = records.get(key) ?? (await readRecords(tx, [e])).get(key);
      if (!payment) throw new Error(`ledger: event ${e.eventId} is recorded but its payment ${key} is not`);
      // (Events recorded before the ledger existed may name no customer: they belong to the payment's.)
      out.push({ eventId: e.eventId, ...stored, outcome: 'duplicate', customerId: stored.customerId ?? payment.customerId, payment: ledgerPaymentOf(payment) });
      continue;
    }
    const before = records.get(key);
    const refundId = refundIdOf(e);
    const refundIsNew = refundId !== null && (await insertRefund(tx, e, refundId, now));
    const after = applyEvent(before, e, refundIsNew);
    const outcome = e.kind === 'payment' && before?.seen ? 'enriched' : 'recorded';
    const recorded: StoredEvent = {
      outcome,
      delta: deltaBetween(viewOf(before), viewOf(after), after.currency),
      customerId: outcome === 'enriched' ? (after.customerId ?? e.customerId) : (e.customerId ?? after.customerId),
      refundAddedMinor: e.kind === 'refund' ? reportedRefundOf(after) - (before ? reportedRefundOf(before) : 0) : 0,
    };
    changed.set(key, after);
    newEvents.push(eventRow(e, recorded, now));
    records.set(key, after);
    known.set(e.eventId, recorded);
    out.push({ eventId: e.eventId, ...recorded, payment: ledgerPaymentOf(after) });
  }
  await writeRecords(tx, [...changed.values()], now);
  await insertMany(
    tx,
    `INSERT INTO ledger_events (event_id, source, payment_id, kind, outcome, customer_id, currency, payments, gross_minor, refunded_minor,
       chargeback_minor, disputes, disputed_open_minor, dispute_from, dispute_to, refund_added_minor, occurred_at, recorded_at)`,
    18,
    newEvents,
  );
  return out;
}

/** What a transaction that records these events reads and then writes: the payments. */
export function ledgerLockKeys(events: readonly Pick<LedgerEvent, 'source' | 'paymentId'>[]): string[] {
  return [...new Set(events.map((e) => `payment:${paymentKeyOf(e)}`))];
}

async function readEvents(tx: SqlExecutor, ids: readonly string[]): Promise<Map<string, StoredEvent>> {
  const out = new Map<string, StoredEvent>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const chunk = padded(unique.slice(i, i + LOOKUP_CHUNK));
    const rows = await tx.all<EventRow>(
      `SELECT event_id, outcome, customer_id, currency, payments, gross_minor, refunded_minor, chargeback_minor, disputes, disputed_open_minor,
         dispute_from, dispute_to, refund_added_minor
       FROM ledger_events WHERE event_id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const r of rows) out.set(r.event_id, storedOfRow(r));
  }
  return out;
}

function storedOfRow(r: EventRow): StoredEvent {
  const delta: LedgerDelta = {
    currency: r.currency,
    payments: Number(r.payments),
    grossMinor: Number(r.gross_minor),
    refundedMinor: Number(r.refunded_minor),
    chargebackMinor: Number(r.chargeback_minor),
    disputes: Number(r.disputes),
    disputedOpenMinor: Number(r.disputed_open_minor),
  };
  if (r.dispute_from !== r.dispute_to) delta.dispute = { from: r.dispute_from as DisputePhase | null, to: r.dispute_to as DisputePhase | null };
  return { outcome: r.outcome, delta, customerId: r.customer_id, refundAddedMinor: Number(r.refund_added_minor) };
}

/** True when this refund was not recorded before (another event about the same refund counts nothing). */
async function insertRefund(tx: SqlExecutor, e: LedgerEvent, refundId: string, now: string): Promise<boolean> {
  const r = await tx.run(
    `INSERT INTO ledger_refunds (source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source, payment_id, refund_id) DO NOTHING`,
    [e.source, e.paymentId, refundId, e.amount.minor, e.amount.currency, e.eventId, now],
  );
  return r.changes === 1;
}

function eventRow(e: LedgerEvent, s: StoredEvent, now: string): SqlValue[] {
  const d = s.delta;
  // A dispute move is kept as its two ends; equal ends mean none.
  const [from, to] = d.dispute ? [d.dispute.from, d.dispute.to] : [null, null];
  return [
    e.eventId, e.source, e.paymentId, e.kind, s.outcome, s.customerId, d.currency, d.payments, d.grossMinor, d.refundedMinor,
    d.chargebackMinor, d.disputes, d.disputedOpenMinor, from, to, s.refundAddedMinor, utcIso(e.occurredAt), now,
  ];
}
