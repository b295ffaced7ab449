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
}

/**
 * Only the events of payments made inside the window. A listing by change time (Clover's modifiedTime) also brings
 * older payments changed since; a refund event carries the refund's time, so it goes with its payment when the page
 * has the payment, else by its own time.
 *
 * `listedAt` gives, by payment id, the time the processor's query selects on where that is not the sale's
 * occurredAt (Square lists by created_at, and a sale a reader stored offline occurred hours or days before it reached
 * Square): the payment is then kept by that time, so it lands in the one window whose query lists it. (Stripe's lister
 * reads past its window instead and passes the time each charge is dated at: stripe-charges.ts.)
 */
export function eventsInWindow(events: readonly PaymentEvent[], since: Date, until: Date, listedAt?: (paymentId: string) => string | undefined): PaymentEvent[] {
  const inside = (iso: string) => {
    const t = Date.parse(iso);
    return t >= since.getTime() && t < until.getTime();
  };
  const paymentTime = new Map<string, string>();
  for (const e of events) if (e.kind === 'payment' || e.kind === 'failure') paymentTime.set(e.paymentId, e.occurredAt);
  return events.filter((e) => inside(listedAt?.(e.paymentId) ?? paymentTime.get(e.paymentId) ?? e.occurredAt));
}

export function checkWindow(since: Date, until: Date): void {
  if (Number.isNaN(since.getTime())) throw new InputError('since', 'is not a time', 'give a date such as 2026-01-01 or an ISO time');
  if (Number.isNaN(until.getTime())) throw new InputError('until', 'is not a time', 'give a date such as 2026-02-01 or an ISO time, or leave it out for now');
  if (until.getTime() <= since.getTime()) throw new InputError('until', `${until.toISOString()} is not after since (${since.toISOString()})`, 'give an --until later than --since, or leave it out for now');
}
