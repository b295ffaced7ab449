import { disputePhase, isReportOnSale } from '../contracts/payment-event';
import type { LedgerEvent } from './ledger-event';

/**
 * The money rules, written once. Every step that counts money (CRM totals, segment statistics, the loyalty
 * ledger, the outbox's payment records) reads what these functions say, never its own version of them.
 *
 * A payment is kept as the facts the processor reported (`PaymentRecord`), and everything counted is derived from
 * those facts alone, never from the order they arrived in:
 * - a payment counts once it has been seen (a payment event, not a capture of it), however many of its events
 *   arrive (a PaymentIntent and its charge are one payment); until then its refunds, disputes and captures are
 *   remembered and count with it. It was made when the sale event that made it count says, unless a report of the
 *   same sale stored on the reader while offline (storedOffline: Stripe's charge with card_present.offline.stored_at)
 *   gives an earlier time: then at the earliest such time, whichever report arrived first (the PaymentIntent event,
 *   dated at the sale's forwarding, or the charge);
 * - refunds: the highest cumulative total reported (Stripe, Square with its lookups) or the sum of distinct refunds
 *   each reported with its own amount (Square without them, Zettle, Adyen, Clover, SumUp), whichever is higher, and
 *   never more than the payment. Replays and reordering change nothing: the cumulative total only grows, and each
 *   refund counts once by its id until the processor reports it reversed (failed, or its money back with the
 *   merchant), after which it never counts — neither by its id nor inside a cumulative total (Stripe reports a
 *   refund that failed by its id, after charge.refunded counted it in the running total). A refund is its id in one
 *   currency: a reversal naming another currency than the refund's (which Stripe's and Adyen's reports never do: a
 *   failed refund is the refund itself, in its currency) is no reversal of it, in any order, so one in another
 *   currency than the sale's takes nothing back, and one in the sale's currency of a refund reported in another is a
 *   reversal of a refund the sale never counted (it leaves the cumulative total, as one heard before its refund does);
 * - disputes: open → won | lost, the latest report by time deciding (a won dispute lost after all, to a second
 *   chargeback, and won again); a lost dispute is a chargeback of the disputed amount, up to what refunds have not
 *   already given back, so no payment ever nets below zero. The disputed amount is the one the latest report that
 *   stated one gave, by the same order; a report stating none (Square's amount_money null, recorded at the payment's
 *   total: LedgerEvent.disputeAmountStated false) sets it only while no report has stated one, so a dispute of part
 *   of a sale stays one of that part whatever order its reports arrive in;
 * - a failed attempt moves no money;
 * - a sale the processor reports void after it succeeded (a SumUp transaction read CANCELLED, a Clover payment read
 *   VOIDED, an Adyen authorisation cancelled or expired) moved no money: everything it took counts as given back and
 *   its status is failed, until money moves for it again. The later report, by its time, decides, so the order they
 *   arrive in does not. A sale part of which a capture collected (by capture id) is never void this way: what is
 *   cancelled or expires is the rest of its authorisation, which counts as given back as below;
 * - a capture the processor reports failed (Adyen's CAPTURE_FAILED, by the capture's id) collected nothing: what it
 *   was to collect counts as given back, as a refund of that much would, until that capture is reported captured
 *   again (Adyen's re-capture), the later report by its time deciding, per capture. When the failed captures add up
 *   to the whole sale, the sale is void as above; one of several part captures failing takes off only its amount;
 * - a sale captured under capture ids (Adyen's CAPTURE, its originalReference the authorisation) is the sale event
 *   (the authorisation, which carries the card, the terminal and the shopper) and its captures, in any order: a
 *   capture is never the sale, and one reported before it is remembered and counts with it. Each capture counts once,
 *   by its id (in one currency, as a refund: a failure in another currency than its capture's is no failure of it),
 *   with its own amount (a part capture's part), from its first report whatever that says: a capture heard
 *   failed before it is heard captured is still a capture of that amount, so what it was to collect is given back
 *   once, as its failure, and never again as what the captures leave of the authorisation. Once a capture is
 *   reported, what the captures were to collect is what the sale brought: the sale's amount is the larger of what
 *   was authorised and what was captured (an overcapture, a tip), and what the captures leave of the authorisation (a
 *   capture of less than authorised, whose rest Adyen releases) counts as given back, as a failed capture's amount
 *   does. The sums only grow by capture id, so any order of the same reports ends with the same payment;
 * - a sale's authorisation adjusted before its capture (sale.adjusted: Adyen's AUTHORISATION_ADJUSTMENT, a tab or a
 *   hotel stay raised or lowered) is a report on the sale, never the sale, in any order: the sale's amount is the
 *   largest it was authorised at (a raise counts at once, as an overcapture does), and until a capture is reported
 *   what the latest authorisation by time leaves of that counts as given back, as what a capture leaves does after
 *   it. So a sale raised and then lowered, or lowered and then captured at the lower amount, ends alike in any order;
 * - a refund that names no sale (refund.unreferenced: Adyen's REFUND_WITH_DATA) is a payment of its own that waits for
 *   nothing: it counts when it arrives, as money given back with no sale to take it from (gross 0, refunded its
 *   amount, so its net is below zero), and is no purchase: not one of the customer's payments, as a void sale is not.
 *   A reversal of it (REFUND_FAILED) takes it out by its id, in either order, as any refund's does, whichever payment
 *   the reversal names: one naming another payment (Adyen's REFUND_FAILED carries the originalReference the refund
 *   was sent with) is the refund's own payment's once that is known (reversalElsewhereOf; record-events.ts places it),
 *   and one heard before the refund is found by the refund's id when the refund arrives.
 */
export type DisputePhase = 'open' | 'won' | 'lost';

export interface CardDescriptor {
  brand: string | null;
  last4: string | null;
  token: string | null;
  entryMode: string | null;
  wallet: string | null;
}

export interface TerminalDescriptor {
  readerId: string | null;
  locationId: string | null;
}

/** One payment's facts, as stored in ledger_payments. */
export interface PaymentRecord {
  source: string;
  paymentId: string;
  /** The customer the payment belongs to: the first one any of its events was tied to. */
  customerId: string | null;
  currency: string;
  /** A payment event was seen: the payment counts. */
  seen: boolean;
  /**
   * The payment is a refund that names no sale (refund.unreferenced): seen once it arrives, with no sale amount, its
   * refunds uncapped (ledger_payments.unreferenced, schema 29).
   */
  unreferenced: boolean;
  /** The payment's amount (0 until seen). */
  grossMinor: number;
  /** The highest cumulative refunded amount a processor reported. */
  refundReportedMinor: number;
  /** The sum of distinct refunds reported each with its own amount. */
  refundSumMinor: number;
  /**
   * The sum of the refunds reported reversed (by their ids, each once, what each counted or was reported with): out
   * of the cumulative total too, which may still count them (reportedRefundOf).
   */
  refundReversedMinor: number;
  disputePhase: DisputePhase | null;
  /**
   * The amount of the dispute: as the latest report that stated one states it (disputeAmountAt), else as the report
   * that set the phase gives it (a report stating none gives the payment's total).
   */
  disputedMinor: number;
  /**
   * The time and phase of the report the stated amount comes from (statedAmountDecides); null while no report stated
   * one (and for a dispute recorded before store schema 33 without the time of its report).
   */
  disputeAmountAt: string | null;
  disputeAmountPhase: DisputePhase | null;
  /**
   * The time of the dispute report that set the phase (disputeReportDecides). null for a dispute recorded before store
   * schema 30, which keeps the rule it was recorded under: a closed dispute never reopens.
   */
  disputeAt: string | null;
  /** A failed attempt was seen. */
  failed: boolean;
  /** The latest time the processor reported the sale void (it moved no money after all), if ever. */
  voidedAt: string | null;
  /** The latest time the processor reported money moving for the sale (a capture), if ever. */
  restoredAt: string | null;
  /**
   * What the captures reported failed, and not captured again since, were to collect: each capture once, by its id
   * (CaptureEntry, captureEntryAfter), in the payment's currency.
   */
  captureFailedMinor: number;
  /**
   * What the sale event itself reported (for a sale captured under capture ids, what was authorised), or an adjustment
   * of its authorisation above that (sale.adjusted): the largest amount it was authorised at. 0 until either is seen.
   */
  saleMinor: number;
  /**
   * What the latest adjustment of the sale's authorisation (by time) set it to, and when; null while none is reported
   * (the sale event's amount stands). What it leaves of saleMinor counts as given back until a capture is reported.
   */
  authorisedMinor: number | null;
  authorisedAt: string | null;
  /**
   * What the captures reported (each once, by its id, with the amount it was first reported with, captured or failed:
   * CaptureEntry.addedUp) were to collect, in the payment's currency. null for a payment counted before store schema
   * 26: its amount stays the one it was counted with, whatever its captures say.
   */
  capturedMinor: number | null;
  /**
   * When the payment was made: the time of the sale event that made it count, or the earlier time a report of the same
   * sale stored offline gives (LedgerEvent.storedOffline: it was made when the customer paid, and forwarded later);
   * until it is seen, the time of its first event.
   */
  occurredAt: string;
  /** Earliest and latest event times. */
  firstSeen: string;
  lastSeen: string;
  card: CardDescriptor;
  terminal: TerminalDescriptor;
  /** Events recorded for this payment. */
  events: number;
  /**
   * Money heard before the payment counts in another currency than the one it was first heard in (so far set against
   * nothing): each such report's facts and what the caller's entries said it moved (HeardMoney). When the sale (or a
   * refund naming no sale) arrives in one of those currencies, what was heard in it is set against the payment as if it
   * had been heard in the payment's currency; once the payment counts, its currency is fixed and this is empty
   * (ledger_payments.other_money, schema 35).
   */
  otherMoney: readonly HeardMoney[];
}

/** What counts of a payment is read from these facts (the money heard aside, otherMoney, counts for nothing). */
export type CountedFacts = Omit<PaymentRecord, 'otherMoney'>;

/** One report of money heard before its payment counted, in another currency than the payment's so far. */
export interface HeardMoney {
  event: MoneyFacts;
  changes: EntryChanges;
}

/** What an event says about money, all that applyEvent's money rules read of it (kept for HeardMoney). */
export type MoneyFacts = Pick<LedgerEvent, 'kind' | 'amount' | 'refundedTotal' | 'refund' | 'sale' | 'status' | 'disputeAmountStated' | 'storedOffline' | 'occurredAt'>;

/** What a consumer counts of one payment: nothing until it is seen, then its money and dispute. */
export interface PaymentView {
  counted: boolean;
  /**
   * No purchase (isVoided): the sale is void, its money all went back (refundedMinor is its gross), and it is not one of
   * the customer's payments or visits until money moves for it again; or there is no sale at all (an unreferenced
   * refund), so only the money it gave back counts.
   */
  voided: boolean;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  disputePhase: DisputePhase | null;
  disputedMinor: number;
}

export const NOT_COUNTED: PaymentView = Object.freeze({ counted: false, voided: false, grossMinor: 0, refundedMinor: 0, chargebackMinor: 0, disputePhase: null, disputedMinor: 0 });

/**
 * What changed between two views of one payment: what a consumer adds to its totals. `payments` is 1 once per
 * payment (when it is first counted, unless it is void by then) and then carries everything remembered before; -1
 * when a counted sale is reported void, and 1 again when money moves for it after that. `refundedMinor` is
 * negative only for a refund reversed after it counted (the money is the merchant's again). `chargebackMinor` is
 * negative only for a refund reported after a lost dispute had already taken the money back, when the refund now
 * explains part of it (net spend does not move).
 */
export interface LedgerDelta {
  currency: string;
  payments: number;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  /** Payments with a dispute (1 when the payment's first dispute counts). */
  disputes: number;
  /** Change of the amount in open disputes. */
  disputedOpenMinor: number;
  /** The dispute's phase moved (only for a counted payment). */
  dispute?: { from: DisputePhase | null; to: DisputePhase | null };
}

/**
 * Refunded as the processor reported it, before any cap: what the refunds alone say. A refund reported reversed by
 * its id is out of the cumulative total as well as out of the sum: a processor that reports refunds as a running
 * total (Stripe's amount_refunded) reports a later failure of one of them by the refund's id, not with a lower
 * total, so the highest total still holds it.
 */
export function reportedRefundOf(r: Pick<PaymentRecord, 'refundReportedMinor' | 'refundSumMinor' | 'refundReversedMinor'>): number {
  return Math.max(r.refundReportedMinor - r.refundReversedMinor, r.refundSumMinor, 0);
}

type CaptureFacts = Pick<PaymentRecord, 'seen' | 'grossMinor' | 'captureFailedMinor' | 'saleMinor' | 'capturedMinor' | 'authorisedMinor'>;

/**
 * The sale's amount: once a capture is reported, the larger of what the sale event reported (authorised) and what
 * its captures add up to; before that, or for a payment counted before schema 26, what it was counted with.
 */
export function grossOf(r: Pick<PaymentRecord, 'grossMinor' | 'saleMinor' | 'capturedMinor'>): number {
  return r.capturedMinor === null ? r.grossMinor : Math.max(r.saleMinor, r.capturedMinor);
}

/**
 * What the sale will not bring of the most it was authorised at: once a capture is reported (captured or failed), what
 * the captures were not even to collect (a failed one's amount is captureFailedMinor's, counted once there); before
 * that, what the latest adjustment lowered the authorisation by (nothing for a sale captured automatically, or whose
 * authorisation was never adjusted). A payment counted before schema 26 keeps its amount.
 */
export function uncollectedOf(r: CaptureFacts): number {
  if (!r.seen || r.capturedMinor === null) return 0;
  if (r.capturedMinor > 0) return Math.max(0, r.saleMinor - r.capturedMinor);
  return r.authorisedMinor === null ? 0 : Math.max(0, r.saleMinor - r.authorisedMinor);
}

/**
 * Whether an adjustment of the sale's authorisation to `minor` at `at` is the latest one: the later by time decides,
 * and at one instant the larger (so the same reports end alike in any order).
 */
function adjustmentDecides(r: Pick<PaymentRecord, 'authorisedMinor' | 'authorisedAt'>, minor: number, at: string): boolean {
  if (r.authorisedAt === null || r.authorisedMinor === null) return true;
  return at > r.authorisedAt || (at === r.authorisedAt && minor > r.authorisedMinor);
}

/** What the sale was to bring and its captures did not: the failed ones, and what none captured. */
const shortfallOf = (r: CaptureFacts): number => r.captureFailedMinor + uncollectedOf(r);

/**
 * A capture was reported for the sale: a processor can cancel (or let expire) only what no capture took, so a void
 * of such a sale releases the rest of its authorisation (which uncollectedOf counts as given back), never the sale.
 * (Had every capture failed, what they failed to collect and that rest add up to all of it: the sale is void anyway.)
 */
const capturedAny = (r: Pick<PaymentRecord, 'capturedMinor'>): boolean => r.capturedMinor !== null && r.capturedMinor > 0;

/**
 * The sale moved no money: its latest void is later than any money moving for it (and no capture of it collected
 * money), or (once it is seen) its failed captures and what no capture collected add up to all of it; or there is no
 * sale (an unreferenced refund). Either way the payment is no purchase.
 */
export function isVoided(r: Pick<PaymentRecord, 'voidedAt' | 'restoredAt' | 'unreferenced'> & CaptureFacts): boolean {
  if (r.unreferenced) return true;
  if (r.voidedAt !== null && (r.restoredAt === null || r.voidedAt > r.restoredAt) && !capturedAny(r)) return true;
  const shortfall = shortfallOf(r);
  return r.seen && shortfall > 0 && shortfall >= r.grossMinor;
}

/**
 * Refunded: never more than the payment (once it is known). A void gives all of it back, as a full refund would:
 * net spend, points and the CRM's refunded amount go back the way refunds take them; a failed part capture gives
 * back what it was to collect the same way.
 */
export function refundedOf(r: CountedFacts): number {
  // No sale to cap it at: what the refunds gave back is all there is.
  if (r.unreferenced) return reportedRefundOf(r);
  if (r.seen && isVoided(r)) return r.grossMinor;
  const reported = reportedRefundOf(r);
  return r.seen ? Math.min(reported + shortfallOf(r), r.grossMinor) : reported;
}

/** A lost dispute takes back the disputed amount, up to what refunds have not already given back. */
export function chargebackOf(r: CountedFacts): number {
  if (r.disputePhase !== 'lost') return 0;
  if (isVoided(r)) return 0;
  return r.seen ? Math.max(0, Math.min(r.disputedMinor, r.grossMinor - refundedOf(r))) : r.disputedMinor;
}

export type PaymentStatus = 'succeeded' | 'failed' | 'refunded' | 'partially_refunded' | 'disputed' | 'pending';

/**
 * The payment's status now, in the PaymentEvent's words: "pending" while only its refunds or disputes have been
 * seen, "failed" while the sale is void, "disputed" while a dispute is open, "refunded" once refunds and
 * chargebacks have given all of it back, "partially_refunded" while some of it is back (a failed part capture too,
 * and the rest of an authorisation its captures left uncollected).
 */
export function statusOf(r: CountedFacts): PaymentStatus {
  if (!r.seen) return r.failed ? 'failed' : 'pending';
  // An unreferenced refund reversed (REFUND_FAILED) gave nothing back.
  if (r.unreferenced) return refundedOf(r) > 0 ? 'refunded' : 'failed';
  if (isVoided(r)) return 'failed';
  if (r.disputePhase === 'open') return 'disputed';
  const back = refundedOf(r) + chargebackOf(r);
  if (back > 0 && back >= r.grossMinor) return 'refunded';
  return back > 0 ? 'partially_refunded' : 'succeeded';
}

export function viewOf(r: CountedFacts | undefined): PaymentView {
  if (!r?.seen) return NOT_COUNTED;
  return {
    counted: true,
    voided: isVoided(r),
    grossMinor: r.grossMinor,
    refundedMinor: refundedOf(r),
    chargebackMinor: chargebackOf(r),
    disputePhase: r.disputePhase,
    disputedMinor: r.disputedMinor,
  };
}

const openMinor = (v: PaymentView) => (v.disputePhase === 'open' ? v.disputedMinor : 0);

/**
 * What a consumer must add to go from `before` (what it has counted of the payment) to `after`. The ledger gives
 * each event the delta between the payment's views around it; a consumer that keeps its own per-payment view can
 * also catch up from it to the ledger's current one, whatever order it saw the events in.
 */
export function deltaBetween(before: PaymentView, after: PaymentView, currency: string): LedgerDelta {
  const delta: LedgerDelta = {
    currency,
    payments: Number(after.counted && !after.voided) - Number(before.counted && !before.voided),
    grossMinor: after.grossMinor - before.grossMinor,
    refundedMinor: after.refundedMinor - before.refundedMinor,
    chargebackMinor: after.chargebackMinor - before.chargebackMinor,
    disputes: Number(after.disputePhase !== null) - Number(before.disputePhase !== null),
    disputedOpenMinor: openMinor(after) - openMinor(before),
  };
  if (after.disputePhase !== before.disputePhase) delta.dispute = { from: before.disputePhase, to: after.disputePhase };
  return delta;
}

export function isEmptyDelta(d: LedgerDelta): boolean {
  return d.payments === 0 && d.grossMinor === 0 && d.refundedMinor === 0 && d.chargebackMinor === 0 && d.disputes === 0 && d.disputedOpenMinor === 0 && !d.dispute;
}

/** Net spend the delta adds: gross less what went back. */
export function netOf(d: Pick<LedgerDelta, 'grossMinor' | 'refundedMinor' | 'chargebackMinor'>): number {
  return d.grossMinor - d.refundedMinor - d.chargebackMinor;
}

/**
 * A failed attempt moves no money, so steps that count purchases (segment statistics, loyalty) pass it by; a
 * failure that voids a sale (sale.voided) takes back money already counted, so they apply it like any other event.
 */
export function isFailedAttempt(e: Pick<LedgerEvent, 'kind' | 'sale'>): boolean {
  return e.kind === 'failure' && e.sale?.voided !== true;
}

/** At one instant, an outcome over an opening, and a loss over a win: so any order of the same reports ends alike. */
const PHASE_RANK: Record<DisputePhase, number> = { open: 0, won: 1, lost: 2 };

/**
 * Whether a dispute report of `phase` at `at` sets the payment's dispute: the latest report by time decides, so a
 * dispute can be lost again after it was won (Adyen's SECOND_CHARGEBACK after CHARGEBACK_REVERSED) and won again
 * after that (PREARBITRATION_WON), while a report older than the one that decided (an opening delivered after the
 * outcome) changes nothing. A dispute recorded before schema 30 (no time kept) keeps the rule it was recorded under:
 * open, then one outcome, never reopened.
 */
export function disputeReportDecides(r: Pick<PaymentRecord, 'disputePhase' | 'disputedMinor' | 'disputeAt'>, phase: DisputePhase, amountMinor: number, at: string): boolean {
  if (r.disputePhase === null) return true;
  if (r.disputeAt === null) return r.disputePhase === 'open' && phase !== 'open';
  if (at !== r.disputeAt) return at > r.disputeAt;
  const rank = PHASE_RANK[phase] - PHASE_RANK[r.disputePhase];
  return rank > 0 || (rank === 0 && amountMinor > r.disputedMinor);
}

/**
 * Whether a dispute report that states its amount sets the dispute's amount: the latest such report decides, in the
 * same order as disputeReportDecides (by time, then an outcome over an opening and a loss over a win, then the larger
 * amount), so any order of the same reports ends with the same amount. A report stating none never sets it once one
 * has been stated (applyEvent).
 */
export function statedAmountDecides(r: Pick<PaymentRecord, 'disputedMinor' | 'disputeAmountAt' | 'disputeAmountPhase'>, phase: DisputePhase, amountMinor: number, at: string): boolean {
  if (r.disputeAmountAt === null || r.disputeAmountPhase === null) return true;
  if (at !== r.disputeAmountAt) return at > r.disputeAmountAt;
  const rank = PHASE_RANK[phase] - PHASE_RANK[r.disputeAmountPhase];
  return rank > 0 || (rank === 0 && amountMinor > r.disputedMinor);
}

/** For per-refund sources: the refund an event is about (the event itself when the processor names none). */
export function refundIdOf(e: LedgerEvent): string | null {
  if (e.kind !== 'refund' || e.refund?.cumulative !== false) return null;
  return e.refund.id ?? e.eventId;
}

/**
 * For a per-refund reversal that names its refund by an id other than its payment's: that id, which may be a refund
 * that is a payment of its own (refund.unreferenced, recorded under the refund's id), whose reversal it then is,
 * whatever payment the reversal names. null for anything else: a refund, a running total, a reversal of a refund
 * under its own payment's id.
 */
export function reversalElsewhereOf(e: Pick<LedgerEvent, 'kind' | 'paymentId' | 'refund'>): string | null {
  if (e.kind !== 'refund' || e.refund?.reversed !== true || e.refund.cumulative !== false || e.refund.id === undefined) return null;
  return e.refund.id === e.paymentId ? null : e.refund.id;
}

/** For a sale captured under capture ids (PaymentEvent sale.captureId): the capture an event reports on. */
export function captureIdOf(e: Pick<LedgerEvent, 'sale'>): string | null {
  return e.sale?.captureId ?? null;
}

/**
 * A capture reported by its own id, as the ledger keeps it (ledger_captures): the latest report of each outcome. One per
 * id and currency, as a refund's entry is (RefundEntry).
 */
export interface CaptureEntry {
  amountMinor: number;
  /** The latest time the capture was reported failed, if ever. */
  failedAt: string | null;
  /** The latest time money was reported moving for it (its capture, a re-capture), if ever. */
  capturedAt: string | null;
  /**
   * Its amount is in what the payment's captures add up to (capturedMinor): from its first report, captured or failed.
   * false only for a capture a store recorded failed, and never captured, before schema 34 (ledger_captures.added_up),
   * when a capture counted there only once reported captured: it is added when it is.
   */
  addedUp: boolean;
}

/** The capture collected nothing: its latest failure is later than any money moving for it. */
export const captureFailed = (c: CaptureEntry): boolean => c.failedAt !== null && (c.capturedAt === null || c.failedAt > c.capturedAt);

/**
 * What one event about a capture (captureIdOf not null) does to it: the entry after it, how much it moves what the
 * payment's failed captures were to collect, and how much it moves what the payment's captures add up to (a capture
 * counts there once, from its first report, whether that says it was captured or that it failed). The latest report
 * by time decides, so any order of the same reports ends with the same entry and the same sums; the amount is the one
 * the capture was first reported with.
 */
export function captureEntryAfter(entry: CaptureEntry | undefined, e: LedgerEvent): { entry: CaptureEntry; failedChange: number; capturedChange: number } {
  const at = utcIso(e.occurredAt);
  const was = entry ?? { amountMinor: e.amount.minor, failedAt: null, capturedAt: null, addedUp: true };
  const after = { ...was };
  if (e.sale?.voided === true && (after.failedAt === null || at > after.failedAt)) after.failedAt = at;
  if (e.sale?.voided === false && (after.capturedAt === null || at > after.capturedAt)) after.capturedAt = at;
  // A capture recorded failed before schema 34 counts among the captures once it is reported captured, as it then did.
  if (after.capturedAt !== null) after.addedUp = true;
  const failedChange = (captureFailed(after) ? after.amountMinor : 0) - (entry && captureFailed(entry) ? entry.amountMinor : 0);
  const capturedChange = after.addedUp && entry?.addedUp !== true ? after.amountMinor : 0;
  return { entry: after, failedChange, capturedChange };
}

/** What the caller's per-refund and per-capture entries say an event moves (refundEntryAfter, captureEntryAfter). */
export interface EntryChanges {
  /** What a per-refund event moves the sum of refunds by. */
  refundSum: number;
  /** What a per-refund event moves the sum of refunds reversed by. */
  refundReversed: number;
  /** What an event about a capture moves the failed captures by. */
  captureFailed: number;
  /** What an event about a capture moves what the captures add up to by. */
  captured: number;
}

export const NO_ENTRY_CHANGES: EntryChanges = Object.freeze({ refundSum: 0, refundReversed: 0, captureFailed: 0, captured: 0 });

/**
 * The entries the store keeps beside the payments (ledger_refunds, ledger_captures), kept in memory for a fold of
 * events outside the store (reconciliation's view of the processor's record, tests).
 */
export class MemoryEntries {
  private readonly refunds = new Map<string, RefundEntry>();
  private readonly captures = new Map<string, CaptureEntry>();

  changesFor(e: LedgerEvent): EntryChanges {
    // By payment, id and currency, as the store keys them (ledger_refunds, ledger_captures: store schema 36).
    const payment = `${e.source}\u0000${e.paymentId}\u0000${e.amount.currency}\u0000`;
    let refundSum = 0;
    let refundReversed = 0;
    let failedChange = 0;
    let capturedChange = 0;
    const refundId = refundIdOf(e);
    if (refundId !== null) {
      const step = refundEntryAfter(this.refunds.get(payment + refundId), e);
      this.refunds.set(payment + refundId, step.entry);
      refundSum = step.sumChange;
      refundReversed = step.reversedChange;
    }
    const captureId = captureIdOf(e);
    if (captureId !== null) {
      const step = captureEntryAfter(this.captures.get(payment + captureId), e);
      this.captures.set(payment + captureId, step.entry);
      failedChange = step.failedChange;
      capturedChange = step.capturedChange;
    }
    return { refundSum, refundReversed, captureFailed: failedChange, captured: capturedChange };
  }
}

/**
 * A refund reported by its own id, as the ledger keeps it (ledger_refunds): one per id and currency, so reports naming
 * another currency than the refund's (a reversal in another currency) are another entry, and only the entries in the
 * payment's currency move its money, whatever order the reports came in.
 */
export interface RefundEntry {
  amountMinor: number;
  reversed: boolean;
}

/** What one per-refund event moves: the sum of refunds standing, and the sum of refunds reversed. */
export interface RefundChange {
  sumChange: number;
  reversedChange: number;
}

export const NO_REFUND_CHANGE: RefundChange = Object.freeze({ sumChange: 0, reversedChange: 0 });

/**
 * What one per-refund event (refundIdOf not null) does to its refund: the entry after it, and how much it moves the
 * sum of refunds and the sum of refunds reversed. A refund counts once, by its id; its reversal takes out what it
 * counted, and a reversal that arrives first keeps the refund from ever counting. Either order ends with the same
 * sums. The entry is the refund's in one currency (RefundEntry): a reversal in another currency is no reversal of it.
 */
export function refundEntryAfter(entry: RefundEntry | undefined, e: Pick<LedgerEvent, 'amount' | 'refund'>): { entry: RefundEntry } & RefundChange {
  const reversal = e.refund?.reversed === true;
  if (!entry) {
    const amountMinor = e.amount.minor;
    return { entry: { amountMinor, reversed: reversal }, sumChange: reversal ? 0 : amountMinor, reversedChange: reversal ? amountMinor : 0 };
  }
  if (!reversal || entry.reversed) return { entry, ...NO_REFUND_CHANGE };
  return { entry: { ...entry, reversed: true }, sumChange: -entry.amountMinor, reversedChange: entry.amountMinor };
}

function newRecord(e: LedgerEvent, at: string): PaymentRecord {
  return {
    source: e.source,
    paymentId: e.paymentId,
    customerId: null,
    currency: moneyOf(e).currency,
    seen: false,
    unreferenced: false,
    grossMinor: 0,
    refundReportedMinor: 0,
    refundSumMinor: 0,
    refundReversedMinor: 0,
    disputePhase: null,
    disputedMinor: 0,
    disputeAt: null,
    disputeAmountAt: null,
    disputeAmountPhase: null,
    failed: false,
    voidedAt: null,
    restoredAt: null,
    captureFailedMinor: 0,
    saleMinor: 0,
    capturedMinor: 0,
    authorisedMinor: null,
    authorisedAt: null,
    occurredAt: at,
    firstSeen: at,
    lastSeen: at,
    card: { brand: null, last4: null, token: null, entryMode: null, wallet: null },
    terminal: { readerId: null, locationId: null },
    events: 0,
    otherMoney: [],
  };
}

/** The amount an event states: a refund's cumulative total when it reports one, else its own amount. */
export function moneyOf(e: Pick<LedgerEvent, 'kind' | 'amount' | 'refundedTotal' | 'refund'>): LedgerEvent['amount'] {
  return e.kind === 'refund' && e.refund?.cumulative !== false ? (e.refundedTotal ?? e.amount) : e.amount;
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A time in UTC ISO form ("2025-03-01T10:00:00.000Z"), so times compare and sort as text. */
export function utcIso(time: string): string {
  return CANONICAL_TIME.test(time) ? time : new Date(time).toISOString();
}

/**
 * The event that makes a payment count: its sale (a payment event that is no report on it: not a capture, not an
 * adjustment of its authorisation), or a refund naming no sale (refund.unreferenced), which is its own payment. Its
 * currency is the payment's.
 */
function makesCount(e: Pick<LedgerEvent, 'kind' | 'sale' | 'refund'>): boolean {
  return (e.kind === 'payment' && e.sale?.adjusted !== true && captureIdOf(e) === null) || (e.kind === 'refund' && e.refund?.unreferenced === true);
}

/** An event whose money the rules set against the payment in its currency only (a void or a decline names none). */
function movesMoney(e: Pick<LedgerEvent, 'kind' | 'sale'>): boolean {
  return e.kind !== 'failure' || captureIdOf(e) !== null;
}

/**
 * The payment not yet seen, as its sale (or a refund naming no sale) arriving in `currency` makes it: the money heard
 * in another currency than that cannot be set against it, as none is when heard after it (every rule of applyEvent
 * takes money in the payment's currency only), and what was heard in that currency (otherMoney) is, as it would have
 * been had it been heard first. Forgotten: an authorisation adjusted, captures (captured or failed: grossOf would take a
 * larger one for what the sale brought, isVoided a failed one for all of it), refunds, a dispute. A void, which takes
 * back all of the sale whatever its amount, stays; so do the times the processor reported money moving or failing to.
 */
function inCurrencyOfSale(r: PaymentRecord, currency: string): void {
  const heard = r.otherMoney;
  r.otherMoney = [];
  if (currency === r.currency) return;
  r.currency = currency;
  r.saleMinor = 0;
  r.authorisedMinor = null;
  r.authorisedAt = null;
  r.captureFailedMinor = 0;
  if (r.capturedMinor !== null) r.capturedMinor = 0;
  r.refundReportedMinor = 0;
  r.refundSumMinor = 0;
  r.refundReversedMinor = 0;
  r.disputePhase = null;
  r.disputedMinor = 0;
  r.disputeAt = null;
  r.disputeAmountAt = null;
  r.disputeAmountPhase = null;
  // Each report's own changes, in the order heard: the entries' sums add up the same in any order.
  for (const h of heard) if (moneyOf(h.event).currency === currency) applyMoney(r, h.event, h.changes);
}

/**
 * The record after one more event. `changes` is what the event moves the sums of refunds (standing and reversed) and
 * the failed captures by, as refundEntryAfter and captureEntryAfter say from the refunds and captures the caller has
 * recorded (nothing for any other event). Pure: the same facts give the same record in any order.
 */
export function applyEvent(record: PaymentRecord | undefined, e: LedgerEvent, changes: EntryChanges = NO_ENTRY_CHANGES): PaymentRecord {
  const at = utcIso(e.occurredAt);
  const r: PaymentRecord = record ? { ...record } : newRecord(e, at);
  r.events += 1;
  r.customerId = r.customerId ?? e.customerId;
  if (at < r.firstSeen) r.firstSeen = at;
  if (at > r.lastSeen) r.lastSeen = at;
  // Descriptors: whichever event has them (a PaymentIntent event often lacks the card its charge carries). The sale's
  // own come first, though: what a refund, dispute or capture heard before it brought gives way to what the sale
  // carries (a Zettle refund is tapped on the reader while its sale was read from the chip), so the payment, and the
  // segment counters that read it, are the same whichever the processor sent first. Events after the sale only
  // fill in what it lacks.
  const sale = e.kind === 'payment' && !r.seen && !isReportOnSale(e);
  const pick = <T>(kept: T | null, brought: T | null | undefined): T | null => (sale ? (brought ?? kept) : (kept ?? brought)) ?? null;
  const c = e.card ?? {};
  r.card = {
    brand: pick(r.card.brand, c.brand),
    last4: pick(r.card.last4, c.last4),
    token: pick(r.card.token, c.token),
    entryMode: pick(r.card.entryMode, c.entryMode && c.entryMode !== 'unknown' ? c.entryMode : null),
    wallet: pick(r.card.wallet, c.wallet),
  };
  r.terminal = { readerId: pick(r.terminal.readerId, e.terminal?.readerId), locationId: pick(r.terminal.locationId, e.terminal?.locationId) };
  if (!r.seen) {
    const currency = moneyOf(e).currency;
    // The event that makes the payment count fixes its currency; until then money heard in another currency than the
    // first event's is kept aside, for a sale in that currency to take.
    if (makesCount(e)) inCurrencyOfSale(r, currency);
    else if (currency !== r.currency && movesMoney(e)) r.otherMoney = [...r.otherMoney, { event: moneyFactsOf(e, at), changes }];
  }
  applyMoney(r, e, changes, at);
  return r;
}

/** What HeardMoney keeps of an event: its money facts at its time in UTC, nothing about the card or the customer. */
function moneyFactsOf(e: LedgerEvent, at: string): MoneyFacts {
  return {
    kind: e.kind, amount: e.amount, status: e.status, occurredAt: at,
    ...(e.refundedTotal ? { refundedTotal: e.refundedTotal } : {}),
    ...(e.refund ? { refund: e.refund } : {}),
    ...(e.sale ? { sale: e.sale } : {}),
    ...(e.disputeAmountStated === false ? { disputeAmountStated: false as const } : {}),
    ...(e.storedOffline ? { storedOffline: true as const } : {}),
  };
}

/** The money rules: what one event's money does to the record (its descriptors, times and count are applyEvent's); `at` its time in UTC. */
function applyMoney(r: PaymentRecord, e: MoneyFacts, changes: EntryChanges, at = utcIso(e.occurredAt)): void {
  const money = moneyOf(e);
  // Money in another currency than the payment's cannot be set against it.
  const sameCurrency = money.currency === r.currency;
  switch (e.kind) {
    case 'payment':
      // An adjusted authorisation moved no money: it says what the sale may bring (saleMinor, authorisedMinor).
      if (e.sale?.adjusted === true) {
        if (sameCurrency) {
          r.saleMinor = Math.max(r.saleMinor, e.amount.minor);
          if (adjustmentDecides(r, e.amount.minor, at)) {
            r.authorisedMinor = e.amount.minor;
            r.authorisedAt = at;
          }
        }
        if (r.seen) r.grossMinor = grossOf(r);
        break;
      }
      // Money moving for the sale also undoes a void of all of it reported earlier (a capture failure the ledger
      // recorded before it kept captures by their id).
      if (e.sale?.voided === false && (r.restoredAt === null || at > r.restoredAt)) r.restoredAt = at;
      if (sameCurrency) {
        r.captureFailedMinor += changes.captureFailed;
        if (r.capturedMinor !== null) r.capturedMinor += changes.captured;
      }
      // A capture is never the sale: one reported before it is remembered, and counts when the sale arrives; so is an
      // adjustment of its authorisation reported before it (the larger amount stands). The sale is in the payment's
      // currency (applyEvent made it so).
      if (!r.seen && captureIdOf(e) === null) {
        r.seen = true;
        r.saleMinor = Math.max(r.saleMinor, e.amount.minor);
        r.grossMinor = e.amount.minor;
        r.occurredAt = at;
      } else if (r.seen && e.storedOffline === true && captureIdOf(e) === null && at < r.occurredAt) {
        // A sale stored offline, reported after a report of it dated at its forwarding: it was made when the customer
        // paid (sale times: the earliest a report stored offline gives), so either order ends at that time.
        r.occurredAt = at;
      }
      if (r.seen) r.grossMinor = grossOf(r);
      break;
    case 'refund':
      // A refund naming no sale is its own payment: it counts now, and nothing else ever makes it seen.
      if (e.refund?.unreferenced === true && !r.seen) {
        r.seen = true;
        r.unreferenced = true;
        r.occurredAt = at;
      }
      if (!sameCurrency) break;
      if (e.refund?.cumulative === false) {
        r.refundSumMinor += changes.refundSum;
        r.refundReversedMinor += changes.refundReversed;
      } else {
        r.refundReportedMinor = Math.max(r.refundReportedMinor, money.minor);
      }
      break;
    case 'dispute': {
      const phase = disputePhase(e.status);
      if (!sameCurrency) break;
      const decides = disputeReportDecides(r, phase, e.amount.minor, at);
      // A dispute recorded before schema 30 (no time kept) keeps the rule it was recorded under: the amount goes with
      // the report that decides.
      const timeless = r.disputePhase !== null && r.disputeAt === null;
      const stated = e.disputeAmountStated !== false;
      const setsAmount = stated ? (timeless ? decides : statedAmountDecides(r, phase, e.amount.minor, at)) : decides && r.disputeAmountAt === null;
      if (setsAmount) {
        r.disputedMinor = e.amount.minor;
        if (stated) {
          r.disputeAmountAt = at;
          r.disputeAmountPhase = phase;
        }
      }
      if (decides) {
        r.disputePhase = phase;
        r.disputeAt = at;
      }
      break;
    }
    case 'failure':
      r.failed = true;
      // A failed capture takes back what it was to collect (isVoided and refundedOf say what that makes of the sale);
      // a void without a capture id takes back the whole sale.
      // A capture heard failed first is a capture all the same: what it was to collect is among what the captures
      // were to (capturedMinor), so it goes back once, as its failure.
      if (captureIdOf(e) !== null) {
        if (sameCurrency) {
          r.captureFailedMinor += changes.captureFailed;
          if (r.capturedMinor !== null) r.capturedMinor += changes.captured;
        }
        if (r.seen) r.grossMinor = grossOf(r);
      } else if (e.sale?.voided === true && (r.voidedAt === null || at > r.voidedAt)) r.voidedAt = at;
      break;
  }
}
