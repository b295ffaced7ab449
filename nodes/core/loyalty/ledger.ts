import type { LedgerPayment } from '../ledger/payment-rows';
import { deltaBetween, isEmptyDelta, isVoided, utcIso, viewOf, type DisputePhase, type LedgerDelta, type PaymentView } from '../ledger/payment-rules';
import { CursorStore } from '../cursors/cursor-store';
import type { SqlExecutor } from '../store/sql-database';
import { hasEnrollmentThresholds, pointsFor, tierFor, type LoyaltyProgram } from './program';
import { recordTierChange, redateTierChanges, setTierChanges, tierChangesNotBefore, tierHeldAt } from './tier-history';

/**
 * The points ledger. Every entry has a key derived from the payment and what happened to it ("earn:stripe:pi_1",
 * "reverse:stripe:pi_1:500" for a refund that brought the refunded amount to 500, "restore:adyen:P1:0" for a
 * reversed refund that brought it back to 0; the event's id follows when an amount comes round again), and the entry is
 * written with INSERT … ON CONFLICT DO NOTHING: only the writer whose insert lands moves the balance, in the same
 * transaction. A replayed or duplicated event, or two engine instances racing on one payment, therefore change
 * the balance once. The balance always equals the sum of the ledger (checked by the tests).
 *
 * Refunds reverse points in proportion to what was refunded (a refund the processor reversed gives them back); a
 * dispute holds the payment's points until it is won (released) or lost (forfeited); points expire per payment,
 * `expiryDays` after they were earned.
 */
export type EntryKind = 'earn' | 'reverse' | 'hold' | 'release' | 'forfeit' | 'expire';

export interface LedgerEntry {
  key: string;
  kind: EntryKind;
  /** Change of the available balance. */
  points: number;
  /** Change of the points on hold. */
  heldPoints: number;
}

export type MembershipEvent =
  | { type: 'enrolled'; programId: string; customerId: string; at: string }
  | { type: 'tier-changed'; programId: string; customerId: string; at: string; from: string | null; to: string | null; direction: 'upgrade' | 'downgrade' };

export interface Member {
  customerId: string;
  enrolled: boolean;
  enrolledAt: string | null;
  tier: string | null;
  tierSince: string | null;
  pointsBalance: number;
  pointsHeld: number;
  pointsEarned: number;
  lifetimeSpendMinor: number;
  visits: number;
}

interface PaymentRow {
  customer_id: string;
  amount_minor: number;
  occurred_at: string;
  counted: number;
  refunded_minor: number;
  lost_minor: number;
  earned_points: number;
  reversed_points: number;
  held_points: number;
  expired_points: number;
  forfeited_points: number;
  dispute_state: string | null;
  /** The ledger said the sale was void when this program last caught up: not a visit then. */
  voided: number;
  /**
   * The multiplier the payment earns at: its customer's tier's when it counted, 0 when they were no member then (it
   * earns nothing). NULL for a payment counted before store schema 27: it keeps the points it earned.
   */
  earn_multiplier: number | null;
}

/**
 * Where the program's scheduled review (review.ts) keeps the time it last reviewed the tiers as of (sync_cursors): an
 * event's review is never as of an earlier time (reviewTier). It only moves forward (CursorStore.advanceTime): a review
 * asked for as of an earlier time is as of this one.
 */
export const loyaltyReviewCursor = (programId: string): string => `loyalty-review:${programId}`;

const DAY_MS = 86_400_000;
/** The start of a window of `days` that ends at `at` (the enrolment period, the tier window). */
const daysBefore = (at: string, days: number): string => new Date(Date.parse(at) - days * DAY_MS).toISOString();
const remaining = (p: PaymentRow) => p.earned_points - p.reversed_points - p.expired_points - p.forfeited_points;

/** What this program counted of a payment, as a view the payment ledger's can be compared with. */
function countedView(row: PaymentRow, disputedMinor: number): PaymentView {
  return {
    counted: true,
    voided: Number(row.voided) === 1,
    grossMinor: Number(row.amount_minor),
    refundedMinor: Number(row.refunded_minor),
    chargebackMinor: Number(row.lost_minor),
    disputePhase: row.dispute_state as DisputePhase | null,
    // Disputed amounts mean nothing to points: taken as the ledger's.
    disputedMinor,
  };
}

export class LoyaltyLedger {
  constructor(readonly program: LoyaltyProgram) {}

  private get id(): string {
    return this.program.id;
  }

  /**
   * Brings the program up to the payment ledger's view of `payment` (after the event being processed); returns the
   * ledger entries it wrote (none when nothing new) and membership events. What counts (refunds by what they add,
   * chargebacks, events that came before their payment) is the payment ledger's to say: this program keeps per
   * payment what it has counted (`loyalty_payments`) and acts on the difference, whatever order events reach it in.
   */
  async apply(
    tx: SqlExecutor,
    payment: LedgerPayment,
    event: { eventId: string; occurredAt: string; customerId: string },
    now: string,
  ): Promise<{ entries: LedgerEntry[]; events: MembershipEvent[]; customerId: string; membershipMoved: boolean }> {
    const entries: LedgerEntry[] = [];
    const events: MembershipEvent[] = [];
    const row = await this.payment(tx, payment);
    const customerId = row?.customer_id ?? event.customerId;
    const f = { source: payment.source, paymentId: payment.paymentId, paymentKey: payment.key, eventId: event.eventId, occurredAt: event.occurredAt };
    const ctx: Ctx = { tx, f, now, entries, events, customerId, membershipMoved: false };
    if (!row) {
      // A sale void by the time the program meets it is no visit and earns nothing, until money moves for it.
      if (payment.counted && !isVoided(payment)) await this.onCounted(ctx, payment);
      else if (payment.counted && payment.unreferenced) await this.onMoneyBack(ctx, payment);
    } else if (payment.counted) {
      // (A row for a payment the ledger has not seen was counted before the ledger existed: it stays as it is.)
      await this.catchUpTo(ctx, await this.retime(ctx, row, payment.occurredAt), payment, true);
    }
    return { entries, events, customerId, membershipMoved: ctx.membershipMoved };
  }

  private payment(tx: SqlExecutor, f: Pick<LedgerPayment, 'source' | 'paymentId'>): Promise<PaymentRow | undefined> {
    return tx.get<PaymentRow>(
      `SELECT customer_id, amount_minor, occurred_at, counted, refunded_minor, lost_minor, earned_points, reversed_points, held_points,
         expired_points, forfeited_points, dispute_state, voided, earn_multiplier
       FROM loyalty_payments WHERE program_id = ? AND source = ? AND payment_id = ? AND counted = 1`,
      [this.id, f.source, f.paymentId],
    );
  }

  /** The payment counts: a visit, its spend, enrolment, points; then whatever the ledger remembered of it. */
  private async onCounted(ctx: Ctx, p: LedgerPayment): Promise<void> {
    const { tx, now } = ctx;
    const at = p.occurredAt;
    const inserted = await tx.run(
      `INSERT INTO loyalty_payments (program_id, source, payment_id, customer_id, amount_minor, occurred_at, counted)
       VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (program_id, source, payment_id) DO NOTHING`,
      [this.id, p.source, p.paymentId, ctx.customerId, p.grossMinor, at],
    );
    if (inserted.changes !== 1) return;
    await tx.run(
      `INSERT INTO loyalty_members (program_id, customer_id, lifetime_spend_minor, visits, updated_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (program_id, customer_id) DO UPDATE SET lifetime_spend_minor = loyalty_members.lifetime_spend_minor + excluded.lifetime_spend_minor,
         visits = loyalty_members.visits + 1, version = loyalty_members.version + 1, updated_at = excluded.updated_at`,
      [this.id, ctx.customerId, p.grossMinor, now],
    );
    const before = (await this.member(tx, ctx.customerId))!;
    const enrolled = before.enrolled || (await this.enroll(ctx, before, at));
    let earned = 0;
    // Points at the tier the customer held when they paid (a sale heard late earns at the tier of its time, not at one
    // the member has moved to since: tier-history.ts); an upgrade this payment earns applies from the next one. The
    // payment keeps that multiplier: when the ledger raises its amount later (an overcapture), the rest earns at it.
    const multiplier = enrolled ? this.multiplierOf(await this.tierHeldAt(tx, ctx.customerId, at, before.tier)) : 0;
    if (enrolled) {
      const points = pointsFor(this.program, p.grossMinor, multiplier);
      if (points > 0 && (await this.append(ctx, { key: `earn:${ctx.f.paymentKey}`, kind: 'earn', points, heldPoints: 0 }))) {
        await this.addEarned(ctx, points);
        earned = points;
      }
    }
    // One write of what the payment counted with, on the row inserted above (nothing earned, no expiry, until now).
    await tx.run(
      'UPDATE loyalty_payments SET earn_multiplier = ?, earned_points = ?, expires_at = ? WHERE program_id = ? AND source = ? AND payment_id = ?',
      [multiplier, earned, earned > 0 ? this.expiresAt(at) : null, this.id, p.source, p.paymentId],
    );
    // A refund or dispute the ledger saw before the payment counts now, as if it had come after it.
    const row: PaymentRow = {
      customer_id: ctx.customerId, amount_minor: p.grossMinor, occurred_at: at, counted: 1, refunded_minor: 0, lost_minor: 0,
      earned_points: earned, reversed_points: 0, held_points: 0, expired_points: 0, forfeited_points: 0, dispute_state: null, voided: 0,
      earn_multiplier: multiplier,
    };
    await this.catchUpTo(ctx, row, p, false);
    await this.reviewTier(ctx);
  }

  /**
   * A counted sale the ledger has dated earlier since (a sale stored offline, told after a report dated at its
   * forwarding): the program dates it, the points it earned (their entry and their expiry) and a membership or tier it
   * began at its new time, as if it had counted dated so. Returns the payment as it now stands.
   */
  private async retime(ctx: Ctx, row: PaymentRow, at: string): Promise<PaymentRow> {
    // The ledger only ever dates a counted sale earlier (ledger/payment-rules.ts); the same instant written otherwise is no move.
    if (!(Date.parse(at) < Date.parse(row.occurred_at))) return row;
    const { tx, f } = ctx;
    const was = row.occurred_at;
    await tx.run(
      'UPDATE loyalty_payments SET occurred_at = ?, expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE ? END WHERE program_id = ? AND source = ? AND payment_id = ?',
      [at, this.expiresAt(at), this.id, f.source, f.paymentId],
    );
    await tx.run('UPDATE loyalty_ledger SET occurred_at = ? WHERE program_id = ? AND entry_key = ? AND occurred_at = ?', [at, this.id, `earn:${f.paymentKey}`, was]);
    await redateTierChanges(tx, this.id, row.customer_id, was, at);
    const moved = await tx.run(
      `UPDATE loyalty_members SET enrolled_at = CASE WHEN enrolled_at = ? THEN ? ELSE enrolled_at END,
         tier_since = CASE WHEN tier_since = ? THEN ? ELSE tier_since END, version = version + 1, updated_at = ?
       WHERE program_id = ? AND customer_id = ? AND (enrolled_at = ? OR tier_since = ?)`,
      [was, at, was, at, ctx.now, this.id, row.customer_id, was, was],
    );
    if (moved.changes === 1) ctx.membershipMoved = true;
    return { ...row, occurred_at: at };
  }

  /** What the ledger has moved of the payment since the program counted it as `row` stands, caught up with. */
  private async catchUpTo(ctx: Ctx, row: PaymentRow, p: LedgerPayment, review: boolean): Promise<void> {
    const view = viewOf(p);
    const delta = deltaBetween(countedView(row, view.disputedMinor), view, p.currency);
    if (!isEmptyDelta(delta)) await this.catchUp(ctx, row, delta, view, review);
  }

  /**
   * An unreferenced refund (the ledger's PaymentRecord.unreferenced): money given back with no sale to take it from.
   * No visit, no enrolment and no points, as a void sale; what it gave back comes off the spend, as a refund's does.
   */
  private async onMoneyBack(ctx: Ctx, p: LedgerPayment): Promise<void> {
    const inserted = await ctx.tx.run(
      `INSERT INTO loyalty_payments (program_id, source, payment_id, customer_id, amount_minor, occurred_at, counted, voided, earn_multiplier)
       VALUES (?, ?, ?, ?, 0, ?, 1, 1, 0) ON CONFLICT (program_id, source, payment_id) DO NOTHING`,
      [this.id, p.source, p.paymentId, ctx.customerId, p.occurredAt],
    );
    if (inserted.changes !== 1) return;
    // A member row as a sale makes one (merged-members.ts adds up every counted payment's spend), with no visit.
    await ctx.tx.run(
      `INSERT INTO loyalty_members (program_id, customer_id, lifetime_spend_minor, visits, updated_at) VALUES (?, ?, 0, 0, ?)
       ON CONFLICT (program_id, customer_id) DO NOTHING`,
      [this.id, ctx.customerId, ctx.now],
    );
    const row: PaymentRow = {
      customer_id: ctx.customerId, amount_minor: 0, occurred_at: p.occurredAt, counted: 1, refunded_minor: 0, lost_minor: 0, earned_points: 0,
      reversed_points: 0, held_points: 0, expired_points: 0, forfeited_points: 0, dispute_state: null, voided: 1, earn_multiplier: 0,
    };
    await this.catchUpTo(ctx, row, p, true);
  }

  /**
   * The enrolment decision for a payment of `at` that has just counted for `m` (its spend and visit added): a member
   * since `at` if it takes them over the program's threshold (no threshold: at once). `notTakenOff` is what the
   * payment's own refunds and chargebacks have already taken off their spend: a payment decides at its full amount,
   * and what comes back of it is taken off after, whichever order the ledger heard of them in. True when enrolled.
   */
  private async enroll(ctx: Ctx, m: Member, at: string, notTakenOff = 0): Promise<boolean> {
    if (!(await this.qualifiesForEnrollment(ctx.tx, m, at, notTakenOff))) return false;
    const r = await ctx.tx.run('UPDATE loyalty_members SET enrolled_at = ? WHERE program_id = ? AND customer_id = ? AND enrolled_at IS NULL', [
      at, this.id, ctx.customerId,
    ]);
    if (r.changes === 1) ctx.events.push({ type: 'enrolled', programId: this.id, customerId: ctx.customerId, at });
    return true;
  }

  /** The tier the member held at `at` (tier-history.ts); a program without tiers has none to look up. */
  private tierHeldAt(tx: SqlExecutor, customerId: string, at: string, current: string | null): Promise<string | null> {
    return this.program.tiers.length === 0 ? Promise.resolve(current) : tierHeldAt(tx, this.id, customerId, at, current);
  }

  /** The multiplier a member's payment earns at: that of the tier they held at its time (none: 1). */
  private multiplierOf(tier: string | null): number {
    return this.program.tiers.find((t) => t.name === tier)?.multiplier ?? 1;
  }

  /**
   * A sale that counted while its customer was no member (it earned nothing), raised by the ledger since (an Adyen
   * overcapture): the raise can take them over the program's threshold. They are decided on again as the sale would
   * have decided them had it counted at its new amount — at its time, by `enroll` — and, enrolled, the sale earns at
   * the multiplier it would have counted with. Returns the payment as it now stands.
   */
  private async enrollOnRaise(ctx: Ctx, row: PaymentRow, view: PaymentView): Promise<PaymentRow> {
    if (view.voided || row.earn_multiplier === null || Number(row.earn_multiplier) !== 0) return row;
    const m = (await this.member(ctx.tx, ctx.customerId))!;
    if (m.enrolled || !(await this.enroll(ctx, m, row.occurred_at, view.refundedMinor + view.chargebackMinor))) return row;
    const multiplier = this.multiplierOf(await this.tierHeldAt(ctx.tx, ctx.customerId, row.occurred_at, m.tier));
    await ctx.tx.run('UPDATE loyalty_payments SET earn_multiplier = ? WHERE program_id = ? AND source = ? AND payment_id = ?', [
      multiplier, this.id, ctx.f.source, ctx.f.paymentId,
    ]);
    return { ...row, earn_multiplier: multiplier };
  }

  /**
   * A void is no sale ("cancelled or reversed … no longer payable to the merchant", a Clover void, a failed
   * capture): heard before its sale, it keeps the sale from counting and so from enrolling anyone. Heard after, the
   * same must hold, so a member whose enrolment the voided sale was part of (it was that sale, or one before it) and
   * who no longer qualifies without it — no visit left, or under the program's thresholds — is no member: no
   * enrolment date, no tier; one who still qualifies through their other sales is a member since the first of them
   * that enrols them. A full refund differs on purpose: that sale happened (a visit), and decided at its full amount.
   * The sale captured again (Adyen's re-capture) decides once more, as it would have counted. The points the member's
   * sales earned meanwhile, at the tier they had then, stay theirs.
   */
  private async membershipAfterVoid(ctx: Ctx, counted: PaymentRow, view: PaymentView): Promise<void> {
    const m = (await this.member(ctx.tx, ctx.customerId))!;
    if (!view.voided) {
      if (m.visits === 0) return;
      const since = await this.firstQualifyingSale(ctx.tx, ctx.customerId);
      if (since === null) return;
      if (!m.enrolled) await this.enroll(ctx, m, since);
      // Its void had moved their member-since date off it: the sale enrols them again as of its time.
      else if (since === counted.occurred_at && since < m.enrolledAt!) await this.moveMemberSince(ctx, m.enrolledAt!, since);
      return;
    }
    // A sale after the one that enrolled them had no part in it.
    if (m.enrolledAt === null || counted.occurred_at > m.enrolledAt) return;
    const since = m.visits > 0 ? await this.firstQualifyingSale(ctx.tx, ctx.customerId) : null;
    if (since !== null) {
      // Still a member through their other sales: a member since the one of them that enrols them without the void
      // sale (never earlier than they were: arrival order decided that). No 'enrolled' event: they were welcomed once.
      if (since > m.enrolledAt) await this.moveMemberSince(ctx, m.enrolledAt, since);
      return;
    }
    // No sale standing enrols them replayed one by one, yet their figures still meet the thresholds as of their
    // enrolment (a rule of all thresholds, each met at another sale): they stay.
    if (m.visits > 0 && (await this.qualifiesForEnrollment(ctx.tx, m, m.enrolledAt, 0))) return;
    const r = await ctx.tx.run(
      `UPDATE loyalty_members SET enrolled_at = NULL, tier = NULL, tier_since = NULL, version = version + 1, updated_at = ?
       WHERE program_id = ? AND customer_id = ? AND enrolled_at = ?`,
      [ctx.now, this.id, ctx.customerId, m.enrolledAt],
    );
    if (r.changes !== 1) return;
    ctx.membershipMoved = true;
    // No member then, so no tier either: the tiers they held go with the membership.
    await setTierChanges(ctx.tx, this.id, ctx.customerId, [], ctx.now);
  }

  /** The member's enrolment date moved (a tier taken since keeps its date, never before the new one). */
  private async moveMemberSince(ctx: Ctx, from: string, to: string): Promise<void> {
    const r = await ctx.tx.run(
      `UPDATE loyalty_members SET enrolled_at = ?, tier_since = CASE WHEN tier_since < ? THEN ? ELSE tier_since END, version = version + 1, updated_at = ?
       WHERE program_id = ? AND customer_id = ? AND enrolled_at = ?`,
      [to, to, to, ctx.now, this.id, ctx.customerId, from],
    );
    if (r.changes !== 1) return;
    ctx.membershipMoved = true;
    await tierChangesNotBefore(ctx.tx, this.id, ctx.customerId, to);
  }

  /**
   * The time of the customer's first sale, of those counted and not void, that takes them over the program's
   * thresholds, each decided as `enroll` decides a sale: at its full amount, with the sales before it as they stand
   * now. Null when none does.
   */
  private async firstQualifyingSale(tx: SqlExecutor, customerId: string): Promise<string | null> {
    const sales = await tx.all<{ occurred_at: string; amount_minor: number; refunded_minor: number; lost_minor: number }>(
      `SELECT occurred_at, amount_minor, refunded_minor, lost_minor FROM loyalty_payments
       WHERE program_id = ? AND customer_id = ? AND counted = 1 AND voided = 0 ORDER BY occurred_at, source, payment_id`,
      [this.id, customerId],
    );
    const net = (r: (typeof sales)[number]) => Number(r.amount_minor) - Number(r.refunded_minor) - Number(r.lost_minor);
    const periodDays = this.program.enrollment.periodSpend?.days;
    let spendBefore = 0;
    for (const [i, sale] of sales.entries()) {
      const full = Number(sale.amount_minor);
      let periodSpend = full;
      if (periodDays !== undefined) {
        const from = daysBefore(sale.occurred_at, periodDays);
        for (let j = i - 1; j >= 0 && sales[j]!.occurred_at > from; j--) periodSpend += net(sales[j]!);
      }
      if (this.meetsThresholds({ lifetimeSpendMinor: spendBefore + full, visits: i + 1, periodSpendMinor: periodSpend })) return sale.occurred_at;
      spendBefore += net(sale);
    }
    return null;
  }

  /** What the member has earned (points_earned): a void sale's points are not among it (catchUp). */
  private async addEarned(ctx: Ctx, points: number): Promise<void> {
    await ctx.tx.run('UPDATE loyalty_members SET points_earned = points_earned + ? WHERE program_id = ? AND customer_id = ?', [points, this.id, ctx.customerId]);
  }

  private expiresAt(earnedAt: string): string | null {
    return this.program.points.expiryDays ? new Date(Date.parse(earnedAt) + this.program.points.expiryDays * DAY_MS).toISOString() : null;
  }

  /**
   * The sale's amount, refunds, chargebacks and the dispute's phase, as far as the ledger has moved them since this
   * program counted. A sale the ledger raised (an Adyen overcapture) earns the rest of its points at the multiplier it
   * counted with, as if it had counted at its new amount; refunds then take back their share of all of them.
   */
  private async catchUp(ctx: Ctx, counted: PaymentRow, delta: LedgerDelta, view: PaymentView, review: boolean): Promise<void> {
    const { tx, f } = ctx;
    const spend = delta.grossMinor - delta.refundedMinor - delta.chargebackMinor;
    await tx.run(
      'UPDATE loyalty_payments SET amount_minor = ?, refunded_minor = ?, lost_minor = ?, dispute_state = ?, voided = ? WHERE program_id = ? AND source = ? AND payment_id = ?',
      [view.grossMinor, view.refundedMinor, view.chargebackMinor, view.disputePhase, view.voided ? 1 : 0, this.id, f.source, f.paymentId],
    );
    if (spend !== 0) await this.addSpend(ctx, spend);
    // A sale gone void is no longer a visit; captured again, it is one once more.
    if (delta.payments !== 0) {
      await tx.run('UPDATE loyalty_members SET visits = visits + ?, version = version + 1, updated_at = ? WHERE program_id = ? AND customer_id = ?', [
        delta.payments, ctx.now, this.id, ctx.customerId,
      ]);
    }
    // A void decides the membership as if the sale had never counted (see membershipAfterVoid).
    if (delta.payments !== 0 && counted.earn_multiplier !== null) await this.membershipAfterVoid(ctx, counted, view);
    // A raise can enrol the customer the sale did not (at its time; their tier follows, reviewed as any event's is).
    const raised = delta.grossMinor > 0 ? await this.enrollOnRaise(ctx, counted, view) : counted;
    const row = delta.grossMinor > 0 ? await this.earnRest(ctx, raised, view) : counted;
    if (delta.refundedMinor !== 0 || row.earned_points !== counted.earned_points) await this.reversePoints(ctx, row, view.refundedMinor);
    // A voided sale earned nothing (heard first, the void keeps it from ever counting): what it had earned leaves what
    // the member has earned while it is void (earnRest adds nothing then), and comes back with a re-capture.
    if (view.voided !== (Number(counted.voided) === 1) && counted.earned_points !== 0) {
      await this.addEarned(ctx, view.voided ? -counted.earned_points : counted.earned_points);
    }
    if (delta.dispute) await this.disputeMoved(ctx, (await this.payment(tx, f))!, delta.dispute.from, delta.dispute.to);
    // A raise that enrolled the customer, or spend that moved: the tier follows (as of their latest payment, not this event).
    if (raised !== counted || (review && spend !== 0)) await this.reviewTier(ctx);
  }

  /**
   * The rest of the points of a sale whose amount the ledger raised to `grossMinor` after it counted: what a sale of
   * that amount earns at the payment's multiplier, less what it has earned. They follow the payment: on hold while its
   * dispute is open, forfeited if it was lost (as its first points were). Returns the payment as it now stands; one
   * the customer was no member for, or counted before store schema 27, earns nothing more. While the sale is void,
   * what it earns is not yet among what the member has earned (catchUp).
   */
  private async earnRest(ctx: Ctx, row: PaymentRow, { grossMinor, voided }: Pick<PaymentView, 'grossMinor' | 'voided'>): Promise<PaymentRow> {
    const after: PaymentRow = { ...row, amount_minor: grossMinor };
    const multiplier = row.earn_multiplier === null ? 0 : Number(row.earn_multiplier);
    const owed = multiplier > 0 ? pointsFor(this.program, grossMinor, multiplier) - row.earned_points : 0;
    // The amount only grows (the ledger's captures add up by id), so each raise has a key of its own.
    const key = `${ctx.f.paymentKey}:${grossMinor}`;
    if (owed <= 0 || !(await this.append(ctx, { key: `earn:${key}`, kind: 'earn', points: owed, heldPoints: 0 }))) return after;
    after.earned_points += owed;
    if (!voided) await this.addEarned(ctx, owed);
    if (row.dispute_state === 'open' && (await this.append(ctx, { key: `hold:${key}`, kind: 'hold', points: -owed, heldPoints: owed }))) after.held_points += owed;
    if (row.dispute_state === 'lost' && (await this.append(ctx, { key: `forfeit:${key}`, kind: 'forfeit', points: -owed, heldPoints: 0 }))) after.forfeited_points += owed;
    await ctx.tx.run(
      `UPDATE loyalty_payments SET earned_points = ?, held_points = ?, forfeited_points = ?, expires_at = COALESCE(expires_at, ?)
       WHERE program_id = ? AND source = ? AND payment_id = ?`,
      [after.earned_points, after.held_points, after.forfeited_points, this.expiresAt(row.occurred_at), this.id, ctx.f.source, ctx.f.paymentId],
    );
    return after;
  }

  /**
   * Refunds take back points in proportion to what has been refunded of the payment (`refunded`, in total); a
   * refund the processor reversed gives back what it took (to the hold while the payment's dispute is open, and to
   * what it forfeited once it was lost).
   */
  private async reversePoints(ctx: Ctx, row: PaymentRow, refunded: number): Promise<void> {
    if (row.earned_points <= 0 || row.amount_minor <= 0) return;
    const shouldBeReversed = Math.floor((row.earned_points * refunded) / row.amount_minor);
    const held = row.dispute_state === 'open';
    // A lost dispute forfeited all the payment had left (disputeMoved): a refund heard after it takes its share from
    // what was forfeited, and one reversed after it gives its share back there, so the balance ends as when the refund
    // came before the loss, and a later win gives back what the refunds leave, in either order.
    const lost = row.dispute_state === 'lost';
    const room = held ? row.held_points : lost ? row.forfeited_points : remaining(row);
    const owed = shouldBeReversed - row.reversed_points;
    // Taken back up to what the payment has left; given back (owed below 0) as far as refunds took.
    const reverse = owed > 0 ? Math.max(0, Math.min(owed, room)) : owed;
    if (reverse === 0) return;
    // Points on hold for a dispute come off (or go back to) the hold, not the available balance; points a lost dispute
    // forfeited, off (or back to) what it forfeited.
    const key = `${reverse > 0 ? 'reverse' : 'restore'}:${ctx.f.paymentKey}:${refunded}`;
    const entry: LedgerEntry = { key, kind: 'reverse', points: held || lost ? 0 : -reverse, heldPoints: held ? -reverse : 0 };
    // The same total can come round again (refunded, reversed, refunded anew): the payment's lock keeps a second
    // writer of this event out, so a key taken means an earlier round, and this round's entry is told by its event.
    if ((await this.append(ctx, entry)) || (await this.append(ctx, { ...entry, key: `${key}:${ctx.f.eventId}` }))) {
      await ctx.tx.run(
        `UPDATE loyalty_payments SET reversed_points = reversed_points + ?, held_points = held_points - ?, forfeited_points = forfeited_points - ?
         WHERE program_id = ? AND source = ? AND payment_id = ?`,
        [reverse, held ? reverse : 0, lost ? reverse : 0, this.id, ctx.f.source, ctx.f.paymentId],
      );
    }
  }

  /**
   * A dispute holds the payment's points; won releases them, lost forfeits them. A dispute decided once can be decided
   * again (lost to a second chargeback after it was won, won at pre-arbitration after that): won gives back what a
   * loss forfeited, and each move's entry is keyed by the event that made it, so every move counts once.
   */
  private async disputeMoved(ctx: Ctx, row: PaymentRow, from: DisputePhase | null, to: DisputePhase | null): Promise<void> {
    const pay = (set: string, v: number) =>
      ctx.tx.run(`UPDATE loyalty_payments SET ${set} WHERE program_id = ? AND source = ? AND payment_id = ?`, [v, this.id, ctx.f.source, ctx.f.paymentId]);
    const key = `${ctx.f.paymentKey}:${ctx.f.eventId}`;
    if (to === 'open') {
      const hold = remaining(row);
      if (hold > 0 && (await this.append(ctx, { key: `hold:${key}`, kind: 'hold', points: -hold, heldPoints: hold }))) await pay('held_points = ?', hold);
      return;
    }
    if (to === 'won') {
      const held = row.held_points;
      const forfeited = row.forfeited_points;
      if (held + forfeited > 0 && (await this.append(ctx, { key: `release:${key}`, kind: 'release', points: held + forfeited, heldPoints: -held }))) {
        await pay('held_points = 0, forfeited_points = ?', 0);
      }
      return;
    }
    if (to !== 'lost') return;
    // Lost: the money went back, so do the points — from the hold if there was one, else from the balance.
    const held = from === 'open' ? row.held_points : 0;
    const fromBalance = from === 'open' ? 0 : remaining(row);
    if (held + fromBalance > 0 && (await this.append(ctx, { key: `forfeit:${key}`, kind: 'forfeit', points: -fromBalance, heldPoints: -held }))) {
      await ctx.tx.run(
        'UPDATE loyalty_payments SET held_points = 0, forfeited_points = forfeited_points + ? WHERE program_id = ? AND source = ? AND payment_id = ?',
        [held + fromBalance, this.id, ctx.f.source, ctx.f.paymentId],
      );
    }
  }

  private async addSpend(ctx: Ctx, deltaMinor: number): Promise<void> {
    await ctx.tx.run(
      'UPDATE loyalty_members SET lifetime_spend_minor = lifetime_spend_minor + ?, version = version + 1, updated_at = ? WHERE program_id = ? AND customer_id = ?',
      [deltaMinor, ctx.now, this.id, ctx.customerId],
    );
  }

  /** Writes the entry if its key is new, and moves the balance only then. */
  private async append(ctx: AppendCtx, e: LedgerEntry): Promise<boolean> {
    const r = await ctx.tx.run(
      `INSERT INTO loyalty_ledger (program_id, entry_key, customer_id, kind, points, held_points, source, payment_id, event_id, occurred_at, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (program_id, entry_key) DO NOTHING`,
      [this.id, e.key, ctx.customerId, e.kind, e.points, e.heldPoints, ctx.f.source, ctx.f.paymentId, ctx.f.eventId, ctx.f.occurredAt, ctx.now],
    );
    if (r.changes !== 1) return false;
    await ctx.tx.run(
      `UPDATE loyalty_members SET points_balance = points_balance + ?, points_held = points_held + ?, version = version + 1, updated_at = ?
       WHERE program_id = ? AND customer_id = ?`,
      [e.points, e.heldPoints, ctx.now, this.id, ctx.customerId],
    );
    ctx.entries.push(e);
    return true;
  }

  /** `notTakenOff`: what the payment of `at` has given back already (refunds, chargebacks), still counted toward the spend thresholds (see enroll). */
  private async qualifiesForEnrollment(tx: SqlExecutor, m: Member, at: string, notTakenOff: number): Promise<boolean> {
    const period = this.program.enrollment.periodSpend;
    const periodSpendMinor = period === undefined ? 0 : (await this.netSpendSince(tx, m.customerId, daysBefore(at, period.days), at)) + notTakenOff;
    return this.meetsThresholds({ lifetimeSpendMinor: m.lifetimeSpendMinor + notTakenOff, visits: m.visits, periodSpendMinor });
  }

  /** The program's enrolment thresholds (all, or any, by its rule) against a customer's figures; none: met. */
  private meetsThresholds(f: { lifetimeSpendMinor: number; visits: number; periodSpendMinor: number }): boolean {
    if (!hasEnrollmentThresholds(this.program)) return true;
    const e = this.program.enrollment;
    const checks: boolean[] = [];
    if (e.lifetimeSpendMinor !== undefined) checks.push(f.lifetimeSpendMinor >= e.lifetimeSpendMinor);
    if (e.visits !== undefined) checks.push(f.visits >= e.visits);
    if (e.periodSpend !== undefined) checks.push(f.periodSpendMinor >= e.periodSpend.minor);
    return e.rule === 'all' ? checks.every(Boolean) : checks.some(Boolean);
  }

  async netSpendSince(tx: SqlExecutor, customerId: string, sinceIso: string, untilIso: string): Promise<number> {
    const r = await tx.get<{ s: number | null }>(
      `SELECT SUM(amount_minor - refunded_minor - lost_minor) AS s FROM loyalty_payments
       WHERE program_id = ? AND customer_id = ? AND counted = 1 AND occurred_at > ? AND occurred_at <= ?`,
      [this.id, customerId, sinceIso, untilIso],
    );
    return Number(r?.s ?? 0);
  }

  /**
   * Tier from net spend over the trailing window; upgrades and downgrades alike, once (conditional on the old tier).
   * An event's review (no `scheduledAt`) is as of the member's latest payment counted here, or of the program's last
   * scheduled review (reviewLoyalty, its cursor) when that is later; never of the event's own date. So a refund, a
   * dispute or a reversal dated after every payment of the member's leaves the tier where its sale put it, a payment
   * heard after a later one does not take the tier back to its own time, and the member ends in the same tier whatever
   * order the processor sent them in. Time moves the window on only in the scheduled review (`scheduledAt`: its time,
   * or the latest payment when that is later), and an event heard after it stays with where it moved the window.
   */
  async reviewTier(ctx: { tx: SqlExecutor; events: MembershipEvent[]; customerId: string; now: string }, scheduledAt?: string): Promise<void> {
    if (this.program.tiers.length === 0) return;
    const m = await this.member(ctx.tx, ctx.customerId);
    if (!m?.enrolled) return;
    const latest = await ctx.tx.get<{ at: string | null }>(
      'SELECT MAX(occurred_at) AS at FROM loyalty_payments WHERE program_id = ? AND customer_id = ? AND counted = 1', [this.id, ctx.customerId],
    );
    const reviewed = scheduledAt ?? (await new CursorStore(ctx.tx).get(loyaltyReviewCursor(this.id)));
    const latestAt = latest?.at ?? null;
    const asOf = reviewed !== null && (latestAt === null || Date.parse(reviewed) > Date.parse(latestAt)) ? utcIso(reviewed) : latestAt;
    if (asOf === null) return;
    const since = daysBefore(asOf, this.program.tierWindowDays);
    const spend = await this.netSpendSince(ctx.tx, ctx.customerId, since, asOf);
    const next = tierFor(this.program, spend)?.name ?? null;
    if (next === m.tier) return;
    const r = await ctx.tx.run(
      `UPDATE loyalty_members SET tier = ?, tier_since = ?, version = version + 1, updated_at = ?
       WHERE program_id = ? AND customer_id = ? AND ${m.tier === null ? 'tier IS NULL' : 'tier = ?'}`,
      m.tier === null ? [next, asOf, ctx.now, this.id, ctx.customerId] : [next, asOf, ctx.now, this.id, ctx.customerId, m.tier],
    );
    if (r.changes !== 1) return;
    await recordTierChange(ctx.tx, this.id, ctx.customerId, { at: asOf, from: m.tier, to: next }, ctx.now);
    const rank = (name: string | null) => this.program.tiers.findIndex((t) => t.name === name);
    ctx.events.push({
      type: 'tier-changed', programId: this.id, customerId: ctx.customerId, at: asOf, from: m.tier, to: next,
      direction: rank(next) > rank(m.tier) ? 'upgrade' : 'downgrade',
    });
  }

  async member(tx: Pick<SqlExecutor, 'get'>, customerId: string): Promise<Member | undefined> {
    const r = await tx.get<Record<string, unknown>>(
      `SELECT customer_id, enrolled_at, tier, tier_since, points_balance, points_held, points_earned, lifetime_spend_minor, visits
       FROM loyalty_members WHERE program_id = ? AND customer_id = ?`,
      [this.id, customerId],
    );
    if (!r) return undefined;
    return {
      customerId: String(r.customer_id),
      enrolled: r.enrolled_at !== null,
      enrolledAt: (r.enrolled_at as string | null) ?? null,
      tier: (r.tier as string | null) ?? null,
      tierSince: (r.tier_since as string | null) ?? null,
      pointsBalance: Number(r.points_balance),
      pointsHeld: Number(r.points_held),
      pointsEarned: Number(r.points_earned),
      lifetimeSpendMinor: Number(r.lifetime_spend_minor),
      visits: Number(r.visits),
    };
  }

  /**
   * Points past their expiry date leave the balance (per payment, key "expire:<payment>", then
   * "expire:<payment>:<expired in all>" for points the payment earned after, when the ledger raised its amount). Points on hold for an
   * open dispute wait for its outcome. Returns the entries written, per customer.
   *
   * With `page`, at most `page.size` payments, in expiry order from after `page.after` (the `next` of the page before;
   * none for the first), so a caller can expire a large backlog in several transactions; `next` is undefined after the last.
   */
  async expire(
    tx: SqlExecutor, asOf: string, now: string, page?: { size: number; after?: ExpiryPosition },
  ): Promise<{ expired: { customerId: string; entry: LedgerEntry }[]; next?: ExpiryPosition }> {
    const after = page?.after;
    const due = await tx.all<PaymentRow & { source: string; payment_id: string; expires_at: string }>(
      `SELECT source, payment_id, customer_id, amount_minor, occurred_at, counted, refunded_minor, lost_minor, earned_points, reversed_points,
         held_points, expired_points, forfeited_points, dispute_state, voided, earn_multiplier, expires_at
       FROM loyalty_payments WHERE program_id = ? AND counted = 1 AND expires_at IS NOT NULL AND expires_at <= ?
         AND (dispute_state IS NULL OR dispute_state <> 'open')
         AND earned_points - reversed_points - expired_points - forfeited_points > 0
         ${after ? 'AND (expires_at, source, payment_id) > (?, ?, ?)' : ''}
       ${page ? 'ORDER BY expires_at, source, payment_id LIMIT ?' : ''}`,
      [this.id, asOf, ...(after ? [after.expiresAt, after.source, after.paymentId] : []), ...(page ? [page.size] : [])],
    );
    const out: { customerId: string; entry: LedgerEntry }[] = [];
    for (const p of due) {
      const points = remaining(p);
      const r = await tx.run(
        'UPDATE loyalty_payments SET expired_points = expired_points + ? WHERE program_id = ? AND source = ? AND payment_id = ? AND expired_points = ?',
        [points, this.id, p.source, p.payment_id, p.expired_points],
      );
      if (r.changes !== 1) continue;
      const ctx: AppendCtx = { tx, f: { source: p.source, paymentId: p.payment_id, eventId: null, occurredAt: asOf }, now, entries: [], customerId: p.customer_id };
      // Points a raised sale earned after its first ones expired (loyalty catchUp) expire on a key of their own.
      const key = `expire:${p.source}:${p.payment_id}${Number(p.expired_points) > 0 ? `:${Number(p.expired_points) + points}` : ''}`;
      const entry: LedgerEntry = { key, kind: 'expire', points: -points, heldPoints: 0 };
      if (await this.append(ctx, entry)) out.push({ customerId: p.customer_id, entry });
    }
    const last = due[due.length - 1];
    return { expired: out, ...(page && last && due.length === page.size ? { next: { expiresAt: last.expires_at, source: last.source, paymentId: last.payment_id } } : {}) };
  }
}

/** Where a paged expiry stands: the last payment it read, in expiry order. */
export interface ExpiryPosition {
  expiresAt: string;
  source: string;
  paymentId: string;
}

/** What a ledger entry is written with: the payment it is about, and the event that caused it (none for expiry). */
interface AppendCtx {
  tx: SqlExecutor;
  f: { source: string; paymentId: string; occurredAt: string; eventId: string | null };
  now: string;
  entries: LedgerEntry[];
  customerId: string;
}

interface Ctx extends AppendCtx {
  f: AppendCtx['f'] & { paymentKey: string; eventId: string };
  events: MembershipEvent[];
  /**
   * A void took back the membership its sale made, or moved the member-since date off it (membershipAfterVoid): the
   * CRM's fields are written again (cleared, or with the new date).
   */
  membershipMoved: boolean;
}
