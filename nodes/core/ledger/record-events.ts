import { markInboxDone } from '../inbox/mark-done';
import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { paymentKeyOf, type LedgerEvent } from './ledger-event';
import { InListQuery, MultiRowInsert } from '../store/sql-shapes';
import { refundReportRow, writeRefundReports } from './refund-order';
import { ledgerPaymentOf, PAYMENT_COLUMNS, readRecords, recordOfRow, writeRecords, type LedgerPayment, type PaymentRow } from './payment-rows';
import {
  applyEvent, captureEntryAfter, captureIdOf, deltaBetween, NO_REFUND_CHANGE, NOT_COUNTED, refundEntryAfter, refundIdOf, reportedRefundOf, reversalElsewhereOf, utcIso, viewOf,
  type DisputePhase, type LedgerDelta, type PaymentRecord, type RefundChange,
} from './payment-rules';

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
  /**
   * Set on the event that first ties a payment whose earlier events named no one (an Adyen capture or refund, a
   * Stripe PaymentIntent heard before its charge) to a customer: all the payment counts after this event (for
   * nobody until now, so nothing is counted twice), which is the customer's, as when the event naming them came
   * first; and what those earlier events left with nobody is theirs. `delta` stays what this event changed, so the
   * ledger's events still add up to each payment once (reconcile reads them so).
   */
  tiedCustomer?: { claimed: LedgerDelta };
  /**
   * Set on a refund event no later in the processor's time than an event of its payment recorded before: what each of
   * the payment's refund events adds in the processor's order (refund-order.ts refundAmountsOf) may differ from what
   * they added as they arrived. A refund after everything else its payment had adds in that order what it added here.
   */
  refundBehind?: true;
  /**
   * Set on a report of a sale already counted that moved the sale's time earlier (a sale stored offline, reported
   * after a report of it dated at its forwarding: PaymentRecord.occurredAt): the time the sale had before, which
   * consumers that recorded it there move to the payment's time now.
   */
  movedFrom?: string;
  /**
   * Set on the event that made its payment count (its sale, a refund naming no sale) in another currency than the one
   * its earlier events were heard in: that currency. What each of its earlier refund reports adds is what it adds in
   * the sale's currency (refund-order.ts refundAmountsOf): nothing for one in another, what it gave back for one in the
   * sale's currency (PaymentRecord.otherMoney), as when heard after the sale.
   */
  currencyWas?: string;
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
export async function recordEvents(tx: SqlExecutor, named: readonly LedgerEvent[], at: Date = new Date()): Promise<RecordedEvent[]> {
  return recordPlacedEvents(tx, await placedEvents(tx, named), at);
}

/** recordEvents for events a caller has placed already (placedEvents), which it reads by their payment too. */
export async function recordPlacedEvents(tx: SqlExecutor, events: readonly LedgerEvent[], at: Date = new Date()): Promise<RecordedEvent[]> {
  // The trigger's inbox learns in this same transaction that the events are recorded: a redrive finishes only
  // what is not (inbox/mark-done.ts).
  await markInboxDone(tx, events.map((e) => e.eventId), at);
  if (events.length === 1) {
    const { recorded, records } = await readOne(tx, events[0]!);
    return record(tx, events, recorded ? await readEvents(tx, [events[0]!.eventId]) : new Map(), records, at);
  }
  return record(tx, events, await readEvents(tx, events.map((e) => e.eventId)), await readRecords(tx, events), at);
}

/**
 * For a step that keeps its own view of each payment and catches up from it (segment statistics, loyalty): records
 * the event if the ledger lacks it, and returns the payment as it is now. One read when the event is recorded
 * already (CRM Upsert recorded it), as it usually is.
 */
export async function paymentAfter(tx: SqlExecutor, named: LedgerEvent, at: Date = new Date()): Promise<LedgerPayment> {
  const [event] = await placedEvents(tx, [named]);
  const { recorded, records } = await readOne(tx, event!);
  const known = records.get(paymentKeyOf(event!));
  if (recorded && known) return ledgerPaymentOf(known);
  const [out] = await record(tx, [event!], new Map(), records, at);
  return out!.payment;
}

async function record(tx: SqlExecutor, events: readonly LedgerEvent[], known: Map<string, StoredEvent>, records: Map<string, PaymentRecord>, at: Date): Promise<RecordedEvent[]> {
  const now = at.toISOString();
  const asRead = new Map(records);
  const out: RecordedEvent[] = [];
  // Written once at the end, each payment in its last state: a batch often holds several events of one payment.
  const changed = new Map<string, PaymentRecord>();
  const newEvents: SqlValue[][] = [];
  const reports: SqlValue[][] = [];
  for (const e of events) {
    const key = paymentKeyOf(e);
    const stored = known.get(e.eventId);
    if (stored) {
      const payment = records.get(key) ?? (await readRecords(tx, [e])).get(key);
      if (!payment) throw new Error(`ledger: event ${e.eventId} is recorded but its payment ${key} is not`);
      // (Events recorded before the ledger existed may name no customer: they belong to the payment's.)
      out.push(answer(e.eventId, { ...stored, outcome: 'duplicate', customerId: stored.customerId ?? payment.customerId }, payment));
      continue;
    }
    const before = records.get(key);
    const refundId = refundIdOf(e);
    const captureId = captureIdOf(e);
    const refund: RefundRecorded = refundId === null ? NO_REFUND_CHANGE : await recordRefund(tx, e, refundId, now);
    if (refund.claimed) reports.push(refund.claimed);
    const capture = captureId === null ? NO_CAPTURE_CHANGE : await recordCapture(tx, e, captureId, now);
    const after = applyEvent(before, e, {
      refundSum: refund.sumChange,
      refundReversed: refund.reversedChange,
      captureFailed: capture.failedChange,
      captured: capture.capturedChange,
    });
    const outcome = e.kind === 'payment' && before?.seen ? 'enriched' : 'recorded';
    // A payment whose events so far named no one is the customer's whom this one first names (RecordedEvent.tiedCustomer).
    const tied = before !== undefined && before.customerId === null && after.customerId !== null;
    const recorded: StoredEvent = {
      outcome,
      delta: deltaBetween(viewOf(before), viewOf(after), after.currency),
      customerId: outcome === 'enriched' ? (after.customerId ?? e.customerId) : (e.customerId ?? after.customerId),
      refundAddedMinor: e.kind === 'refund' ? reportedRefundOf(after) - (before ? reportedRefundOf(before) : 0) : 0,
    };
    changed.set(key, after);
    newEvents.push(eventRow(e, recorded, now));
    const report = refundReportRow(e);
    if (report) reports.push(report);
    records.set(key, after);
    known.set(e.eventId, recorded);
    const behind = report !== null && before !== undefined && utcIso(e.occurredAt) <= before.lastSeen;
    const movedFrom = before?.seen && before.occurredAt !== after.occurredAt ? before.occurredAt : undefined;
    const currencyWas = before !== undefined && before.currency !== after.currency ? before.currency : undefined;
    out.push(answer(e.eventId, recorded, after, tied ? { claimed: deltaBetween(NOT_COUNTED, viewOf(after), after.currency) } : undefined, behind, movedFrom, currencyWas));
  }
  await writeRecords(tx, [...changed.values()], asRead, now);
  await INSERT_EVENTS.run(tx, newEvents);
  await writeRefundReports(tx, reports);
  return out;
}

/** The answer for one event; its payment's state is worked out when asked for (the local CRM asks only of a few). */
function answer(
  eventId: string, s: StoredEvent, record: PaymentRecord, tiedCustomer?: RecordedEvent['tiedCustomer'], refundBehind = false, movedFrom?: string, currencyWas?: string,
): RecordedEvent {
  let payment: LedgerPayment | undefined;
  return {
    eventId, outcome: s.outcome, delta: s.delta, customerId: s.customerId, refundAddedMinor: s.refundAddedMinor,
    ...(tiedCustomer ? { tiedCustomer } : {}),
    ...(refundBehind ? { refundBehind: true as const } : {}),
    ...(movedFrom !== undefined ? { movedFrom } : {}),
    ...(currencyWas !== undefined ? { currencyWas } : {}),
    get payment() {
      return (payment ??= ledgerPaymentOf(record));
    },
  };
}

/**
 * What a transaction that records these events reads and then writes: the payments, and for a reversal naming its
 * refund by another id (reversalElsewhereOf) the payment that id may be, which it is recorded on if it is.
 */
export function ledgerLockKeys(events: readonly (Pick<LedgerEvent, 'source' | 'paymentId'> & Partial<Pick<LedgerEvent, 'kind' | 'refund'>>)[]): string[] {
  return [...new Set(events.flatMap((e) => {
    const elsewhere = e.kind === undefined ? null : reversalElsewhereOf({ kind: e.kind, paymentId: e.paymentId, refund: e.refund });
    return [`payment:${paymentKeyOf(e)}`, ...(elsewhere === null ? [] : [`payment:${paymentKeyOf({ source: e.source, paymentId: elsewhere })}`])];
  }))];
}

/**
 * The events as the ledger records them: a reversal naming its refund by another id than its payment's
 * (reversalElsewhereOf) whose refund is a payment of its own (an unreferenced refund, recorded under the refund's id)
 * is that payment's, whatever payment it names (Adyen's REFUND_FAILED of a REFUND_WITH_DATA carries the
 * originalReference the refund was sent with). Anything else stays on the payment it names. A reversal heard before
 * its unreferenced refund stays where it names, and the refund finds it when it arrives (recordRefund). Consumers that
 * read the ledger by an event's payment (CRM Upsert's transactions, a SaaS CRM's payment record) read it here.
 */
export async function placedEvents<T extends Pick<LedgerEvent, 'source' | 'paymentId' | 'kind' | 'refund'>>(tx: Pick<SqlExecutor, 'all'>, events: readonly T[]): Promise<T[]> {
  const elsewhere = events.flatMap((e) => {
    const id = reversalElsewhereOf(e);
    return id === null ? [] : [{ source: e.source, paymentId: id }];
  });
  if (elsewhere.length === 0) return [...events];
  const own = await readRecords(tx, elsewhere);
  return events.map((e) => {
    const id = reversalElsewhereOf(e);
    return id !== null && own.get(paymentKeyOf({ source: e.source, paymentId: id }))?.unreferenced === true ? { ...e, paymentId: id } : e;
  });
}

const EVENT_COLUMNS = `event_id, outcome, customer_id, currency, payments, gross_minor, refunded_minor, chargeback_minor, disputes, disputed_open_minor,
  dispute_from, dispute_to, refund_added_minor`;
// The event is looked up in its index only (is it recorded?); what it was recorded with is read when it is.
const ONE = `SELECT ${PAYMENT_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')}, e.event_id AS recorded_event
  FROM ledger_payments p LEFT JOIN ledger_events e ON e.event_id = ? WHERE p.source = ? AND p.payment_id = ?`;

/**
 * One event and its payment in one read (a step recording a single event, usually one CRM Upsert recorded
 * already). An event is only ever written with its payment, so no payment means no event either.
 */
async function readOne(tx: SqlExecutor, e: LedgerEvent): Promise<{ recorded: boolean; records: Map<string, PaymentRecord> }> {
  const row = await tx.get<PaymentRow & { recorded_event: string | null }>(ONE, [e.eventId, e.source, e.paymentId]);
  const records = new Map<string, PaymentRecord>();
  if (row) records.set(paymentKeyOf(e), recordOfRow(row));
  return { recorded: row !== undefined && row.recorded_event !== null, records };
}

const READ_EVENTS = new InListQuery(`SELECT ${EVENT_COLUMNS} FROM ledger_events WHERE event_id IN (`, 1, ')');
const INSERT_EVENTS = new MultiRowInsert(
  `INSERT INTO ledger_events (event_id, source, payment_id, kind, outcome, customer_id, currency, payments, gross_minor, refunded_minor,
     chargeback_minor, disputes, disputed_open_minor, dispute_from, dispute_to, refund_added_minor, occurred_at, recorded_at)`,
  18,
);

async function readEvents(tx: SqlExecutor, ids: readonly string[]): Promise<Map<string, StoredEvent>> {
  const out = new Map<string, StoredEvent>();
  for (const r of await READ_EVENTS.all<EventRow>(tx, [...new Set(ids)].map((id) => [id]))) out.set(r.event_id, storedOfRow(r));
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

/**
 * Keeps a per-refund event's refund in ledger_refunds (by its id in the event's currency: RefundEntry) and says what it
 * moves the sums of refunds by, as refundEntryAfter rules. A refund met before (or reversed before it arrived) is one
 * statement that changes nothing. An unreferenced refund whose reversal was heard before it, on the payment the
 * reversal named (placedEvents could not know then that the refund is a payment of its own), is recorded as reversed
 * before it arrived: its entry reversed, and the reversal's report beside its own (`claimed`), so the refund counts
 * nothing, as when the reversal names its payment.
 */
async function recordRefund(tx: SqlExecutor, e: LedgerEvent, refundId: string, now: string): Promise<RefundRecorded> {
  const values = [e.source, e.paymentId, refundId, e.amount.minor, e.amount.currency, e.eventId, now];
  if (e.refund?.reversed !== true) {
    const heard = e.refund?.unreferenced === true ? await reversalHeardElsewhere(tx, e, refundId) : undefined;
    if (heard) {
      const reversal = { ...e, eventId: heard.eventId, amount: { minor: heard.minor, currency: heard.currency }, refund: { id: refundId, cumulative: false, reversed: true as const } };
      const first = refundEntryAfter(undefined, reversal);
      const then = refundEntryAfter(first.entry, e);
      const r = await tx.run(`${INSERT_REFUND} ${REFUND_KEPT}`, [
        e.source, e.paymentId, refundId, first.entry.amountMinor, heard.currency, heard.eventId, now, now,
      ]);
      if (r.changes !== 1) return NO_REFUND_CHANGE;
      return {
        sumChange: first.sumChange + then.sumChange,
        reversedChange: first.reversedChange + then.reversedChange,
        claimed: refundReportRow({ ...reversal, occurredAt: heard.occurredAt })!,
      };
    }
    const r = await tx.run(`${INSERT_REFUND} ${REFUND_KEPT}`, [...values, null]);
    return r.changes === 1 ? refundEntryAfter(undefined, e) : NO_REFUND_CHANGE;
  }
  const row = await tx.get<{ amount_minor: number; reversed_at: string | null }>(
    'SELECT amount_minor, reversed_at FROM ledger_refunds WHERE source = ? AND payment_id = ? AND refund_id = ? AND currency = ?',
    [e.source, e.paymentId, refundId, e.amount.currency],
  );
  const entry = row && { amountMinor: Number(row.amount_minor), reversed: row.reversed_at !== null };
  const step = refundEntryAfter(entry, e);
  if (!row) await tx.run(INSERT_REFUND, [...values, now]);
  else if (!entry!.reversed) {
    await tx.run('UPDATE ledger_refunds SET reversed_at = ? WHERE source = ? AND payment_id = ? AND refund_id = ? AND currency = ?', [
      now, e.source, e.paymentId, refundId, e.amount.currency,
    ]);
  }
  return step;
}

/** What recording a per-refund event moves, and the report of a reversal heard before it that it takes over. */
type RefundRecorded = RefundChange & { claimed?: SqlValue[] };

/**
 * A reversal of this refund recorded on another payment of its source (the one it named, before the refund was
 * known), in the refund's currency (one in another is no reversal of it: RefundEntry): its event, amount and time; the
 * earliest, if several were. Read through ledger_refunds_reversed (schema 32).
 */
async function reversalHeardElsewhere(tx: SqlExecutor, e: LedgerEvent, refundId: string): Promise<{ eventId: string; minor: number; currency: string; occurredAt: string } | undefined> {
  const row = await tx.get<{ event_id: string; amount_minor: number; currency: string; occurred_at: string }>(
    `SELECT r.event_id, r.amount_minor, r.currency, e.occurred_at FROM ledger_refunds r JOIN ledger_events e ON e.event_id = r.event_id
     WHERE r.source = ? AND r.refund_id = ? AND r.reversed_at IS NOT NULL AND r.payment_id <> ? AND r.currency = ?
     ORDER BY e.occurred_at, r.event_id LIMIT 1`,
    [e.source, refundId, e.paymentId, e.amount.currency],
  );
  return row && { eventId: row.event_id, minor: Number(row.amount_minor), currency: row.currency, occurredAt: row.occurred_at };
}

const NO_CAPTURE_CHANGE = Object.freeze({ failedChange: 0, capturedChange: 0 });

/**
 * Keeps the capture an event reports on in ledger_captures (by its id in the event's currency: CaptureEntry) and says
 * what it moves the payment's failed captures and what its captures add up to by, as captureEntryAfter rules. A report
 * no later than the one of its outcome kept already changes nothing.
 */
async function recordCapture(tx: SqlExecutor, e: LedgerEvent, captureId: string, now: string): Promise<{ failedChange: number; capturedChange: number }> {
  const row = await tx.get<{ amount_minor: number; failed_at: string | null; captured_at: string | null; added_up: number }>(
    'SELECT amount_minor, failed_at, captured_at, added_up FROM ledger_captures WHERE source = ? AND payment_id = ? AND capture_id = ? AND currency = ?',
    [e.source, e.paymentId, captureId, e.amount.currency],
  );
  const entry = row && { amountMinor: Number(row.amount_minor), failedAt: row.failed_at, capturedAt: row.captured_at, addedUp: Number(row.added_up) === 1 };
  const step = captureEntryAfter(entry, e);
  const addedUp = step.entry.addedUp ? 1 : 0;
  if (!entry) {
    await tx.run(
      `INSERT INTO ledger_captures (source, payment_id, capture_id, amount_minor, currency, failed_at, captured_at, added_up, event_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.source, e.paymentId, captureId, step.entry.amountMinor, e.amount.currency, step.entry.failedAt, step.entry.capturedAt, addedUp, e.eventId, now],
    );
  } else if (step.entry.failedAt !== entry.failedAt || step.entry.capturedAt !== entry.capturedAt || step.entry.addedUp !== entry.addedUp) {
    await tx.run('UPDATE ledger_captures SET failed_at = ?, captured_at = ?, added_up = ? WHERE source = ? AND payment_id = ? AND capture_id = ? AND currency = ?', [
      step.entry.failedAt, step.entry.capturedAt, addedUp, e.source, e.paymentId, captureId, e.amount.currency,
    ]);
  }
  return step;
}

const INSERT_REFUND = `INSERT INTO ledger_refunds (source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at, reversed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
/** A refund is kept once per id and currency (store schema 36: RefundEntry). */
const REFUND_KEPT = 'ON CONFLICT (source, payment_id, refund_id, currency) DO NOTHING';

function eventRow(e: LedgerEvent, s: StoredEvent, now: string): SqlValue[] {
  const d = s.delta;
  // A dispute move is kept as its two ends; equal ends mean none.
  const [from, to] = d.dispute ? [d.dispute.from, d.dispute.to] : [null, null];
  return [
    e.eventId, e.source, e.paymentId, e.kind, s.outcome, s.customerId, d.currency, d.payments, d.grossMinor, d.refundedMinor,
    d.chargebackMinor, d.disputes, d.disputedOpenMinor, from, to, s.refundAddedMinor, utcIso(e.occurredAt), now,
  ];
}
