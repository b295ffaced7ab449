import type { PaymentEvent } from '../../contracts/payment-event';
import { InputError } from '../../errors';
import type { Source, SourceContext } from '../source';

/** A stretch of a processor's history to read, and where the last page ended. */
export interface HistoryWindow {
  /** The lister's own position (null: from the start of the window). Kept by the caller after every page. */
  cursor: string | null;
  /** Payments made at or after this… */
  since: Date;
  /** …and before this. */
  until: Date;
  limit: number;
  /**
   * Each payment in one window only (reconciliation, which compares a period's payments): a payment the processor
   * lists inside the window but dates before it (a sale a reader stored offline and forwarded in it) is left to the
   * window it is dated in. Absent (backfill): it is kept here too, so a window read before the sale was forwarded
   * never loses it; the ledger finds the second read a duplicate.
   */
  onePeriod?: boolean;
  /**
   * How far past the window's end a listing by forwarding or upload time reads for sales a reader stored offline in
   * it (HistoryLister.offlineGraceMs when absent; offlineGraceOf reads an operator's setting). Other listers ignore it.
   */
  offlineGraceMs?: number;
}

export interface HistoryPage {
  /**
   * The page's payments, refunds and failures as PaymentEvents, only those of payments made inside the window (or,
   * where the processor's query selects by another time, such as Square's created_at, selected inside it).
   */
  events: PaymentEvent[];
  /** Pass back to read the next page; null when the processor gave no position (keep the old one). */
  cursor: string | null;
  /** More pages wait. */
  more: boolean;
  /** What the operator must hear of this page though nothing failed (a listing narrower than asked, and why). */
  notes?: string[];
}

export type { LedgerView } from '../source';

/** What a lister may use: the source's context, with the caller's store as a LedgerView (SourceContext.ledger). */
export type HistoryContext = SourceContext;

/**
 * A processor's payment history, page by page: what backfill writes and reconciliation compares. `order` says
 * which way the pages walk through time, so progress can be told from the times reached.
 */
export interface HistoryLister {
  readonly source: string;
  readonly label: string;
  readonly order: 'oldest-first' | 'newest-first';
  /** The source whose credentials (its polling schema where it has one) the lister takes. */
  readonly credentialsOf: Source<unknown>;
  list(credentials: unknown, window: HistoryWindow, ctx: HistoryContext): Promise<HistoryPage>;
  /**
   * A listing that selects payments by when they reached the processor (forwarding, upload) rather than when they
   * were made: the grace its windows read past their end by default (HistoryWindow.offlineGraceMs). Absent: the
   * listing selects by the payment's own time, and takes no grace.
   */
  readonly offlineGraceMs?: number;
  /**
   * The processor's record of these payments (by the ledger's payment ids), read by id whatever window lists them:
   * for reconciliation, which asks only about payments the ledger dates in its window that the window's listing
   * did not bring (a sale stored offline and forwarded after the grace, listed in the window it was forwarded in).
   * Events only for payments the listing reads at all (card-present, of a location it lists); none for one the
   * processor does not know.
   */
  lookUp?(credentials: unknown, paymentIds: readonly string[], ctx: HistoryContext): Promise<LookedUp>;
}

/** What a lister's lookUp found: the events of the payments it knows, and what the operator must hear of them. */
export interface LookedUp {
  events: PaymentEvent[];
  notes?: string[];
}

/** The grace a window of `lister` reads past its end: the window's own (an operator's setting), else the lister's. */
export function offlineGraceMsOf(lister: Pick<HistoryLister, 'offlineGraceMs'>, window: Pick<HistoryWindow, 'offlineGraceMs'>): number {
  return window.offlineGraceMs ?? lister.offlineGraceMs ?? 0;
}

const inside = (iso: string, since: Date, until: Date) => {
  const t = Date.parse(iso);
  return t >= since.getTime() && t < until.getTime();
};

/**
 * Only the events of payments made inside the window. A listing by change time (Clover's modifiedTime) also brings
 * older payments changed since; a refund event carries the refund's time, so it goes with its payment when the page
 * has the payment, else by its own time.
 *
 * `listedAt` gives, by payment id, the time a payment is to be kept by where that is not the sale's occurredAt
 * (eventsListedInWindow passes it for a listing that selects on its upload or forwarding time).
 */
export function eventsInWindow(events: readonly PaymentEvent[], since: Date, until: Date, listedAt?: (paymentId: string) => string | undefined): PaymentEvent[] {
  const paymentTime = paymentTimes(events);
  return events.filter((e) => inside(listedAt?.(e.paymentId) ?? paymentTime.get(e.paymentId) ?? e.occurredAt, since, until));
}

/** Each payment's time, by id: its sale's (or failure's) occurredAt. */
function paymentTimes(events: readonly PaymentEvent[]): Map<string, string> {
  const times = new Map<string, string>();
  for (const e of events) if (e.kind === 'payment' || e.kind === 'failure') times.set(e.paymentId, e.occurredAt);
  return times;
}

export function checkWindow(since: Date, until: Date): void {
  if (Number.isNaN(since.getTime())) throw new InputError('since', 'is not a time', 'give a date such as 2026-01-01 or an ISO time');
  if (Number.isNaN(until.getTime())) throw new InputError('until', 'is not a time', 'give a date such as 2026-02-01 or an ISO time, or leave it out for now');
  if (until.getTime() <= since.getTime()) throw new InputError('until', `${until.toISOString()} is not after since (${since.toISOString()})`, 'give an --until later than --since, or leave it out for now');
}

/**
 * The events of a listing that selects payments by when they reached the processor (Square's ListPayments by
 * created_at, Stripe's charges by created), read `graceMs` past the window's end (listedUntil): a sale a reader stored
 * offline occurred (occurredAt) hours before that, and belongs to the window it occurred in, which lists it through
 * the grace. `listedAt` gives, by payment id, the time the listing selected it by; a payment it gives none for is kept
 * by its own time, as eventsInWindow keeps it.
 *
 * A payment belongs to the window it is dated in (datedAt). Unless the window is reconciliation's (onePeriod), it
 * also keeps a payment the listing selected inside it but dated before it: the window before may have been read
 * before the sale reached the processor (backfill up to now), and the ledger finds a second read a duplicate.
 */
export function eventsListedInWindow(events: readonly PaymentEvent[], window: HistoryWindow, graceMs: number, listedAt: (paymentId: string) => string | undefined): PaymentEvent[] {
  const occurred = paymentTimes(events);
  const unlisted = new Set(eventsInWindow(events.filter((e) => listedAt(e.paymentId) === undefined), window.since, window.until));
  return events.filter((e) => {
    const listed = listedAt(e.paymentId);
    return listed === undefined ? unlisted.has(e) : listedInWindow(window, graceMs, listed, occurred.get(e.paymentId));
  });
}

/**
 * Whether a payment the listing selected by `listedAt` (its upload or forwarding), made at `occurredAt`, belongs to
 * the window, as eventsListedInWindow keeps it: for a lister to leave out, before reading more of it, a payment whose
 * events would not be kept.
 */
export function listedInWindow(window: HistoryWindow, graceMs: number, listedAt: string, occurredAt: string | undefined): boolean {
  return inside(datedAt(listedAt, occurredAt, graceMs), window.since, window.until) || (!window.onePeriod && inside(listedAt, window.since, window.until));
}

/** The end a listing by upload or forwarding time asks for: the window's, plus the grace (eventsListedInWindow). */
export function listedUntil(window: HistoryWindow, graceMs: number): Date {
  return new Date(window.until.getTime() + graceMs);
}

/**
 * The time that decides a payment's window: its sale's (occurredAt: when a reader stored it offline, else when it was
 * made), unless the window it is dated in, read from its start to `graceMs` past its end, does not list it: it reached
 * the processor so late (`graceMs` or more after), or before it (a reader's clock ahead of the processor's, which
 * Square's client_created_at keeps). Then the time it was listed by, which the window holding it always lists: so
 * exactly one window of a period's split keeps it, whatever the delay.
 */
export function datedAt(listedAt: string, occurredAt: string | undefined, graceMs: number): string {
  const listed = Date.parse(listedAt);
  const occurred = occurredAt === undefined ? NaN : Date.parse(occurredAt);
  const late = listed - occurred;
  return Number.isFinite(late) && late >= 0 && late < graceMs ? new Date(occurred).toISOString() : listedAt;
}
