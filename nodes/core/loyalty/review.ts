import { CursorStore } from '../cursors/cursor-store';
import type { FieldsTarget } from '../outbox/field-updates';
import { pacer, PAUSE_EVERY_MS } from '../store/pacer';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { LoyaltyLedger, loyaltyReviewCursor, type ExpiryPosition, type MembershipEvent } from './ledger';
import { writeMembership } from './loyalty-step';
import type { LoyaltyProgram } from './program';
import { keepReviewEvents, takeReviewEvents } from './review-events';

export interface LoyaltyReview {
  /** The time the review was as of: the one asked for, or the program's last review's when that is later. */
  asOf: string;
  expiredEntries: number;
  pointsExpired: number;
  /**
   * Downgrades (and upgrades) from the tier window moving on; emitted like the step's events. Each is kept in the store
   * with the tier change until a review hands it out (review-events.ts): these are this review's and those of an earlier
   * one that died before handing its out (the retry of a run that failed), each handed out once.
   */
  events: MembershipEvent[];
  /** Members whose fields were queued for the SaaS CRM (0 without one). */
  fieldsQueued: number;
}

/**
 * What the review is doing, for a scheduler to tell a long run from a stuck one (a Temporal activity heartbeats
 * with it): expiring points (`done`: the earnings expired so far), reviewing members' tiers (`done`: members reviewed
 * so far). The fields of the members it re-tiered or whose points expired are written as it goes, in the same
 * transactions.
 */
export interface LoyaltyReviewProgress {
  phase: 'expiring' | 'reviewing';
  done: number;
}

export interface LoyaltyReviewOptions {
  asOf?: Date;
  writeFields?: 'local' | 'none';
  /** A SaaS CRM: re-tiered members' fields are queued for it too. */
  crm?: FieldsTarget;
  /** Called as it starts and whenever it lets the event loop turn (see pauseEveryMs). */
  onProgress?: (p: LoyaltyReviewProgress) => void;
  /**
   * The longest it works before letting the event loop turn (timers, heartbeats, other work of the same process)
   * and reporting progress: 50 ms by default. A page of earnings expired or of members reviewed (250 each, with the
   * fields of the members it changed) is not split; each takes some tens of milliseconds.
   */
  pauseEveryMs?: number;
}

/** Earnings expired, or members reviewed, per transaction (with the fields of the members they changed). */
const PAGE = 250;

/**
 * The scheduled part of a program: expire points past their date and re-tier members whose qualifying window
 * has moved on (a downgrade needs no payment to happen): the one place time moves a member's tier window on. Each
 * member as of `asOf`, or of their latest payment when that is later; `asOf` is kept (the program's review cursor) for
 * the events that follow to review tiers no earlier. The cursor only moves forward: a review asked for as of an earlier
 * time than the last one (an operator's `--as-of` in the past, a replayed schedule) is as of the last one's time, so
 * it neither takes the cursor back nor gives back a tier the later review took away (the events heard after it would
 * take it again). Idempotent: run it twice for the same day and the second run changes nothing.
 *
 * Nothing it changes is left half done when it dies midway (a worker killed, a store error): the points it expires and
 * the tiers it changes are committed with the members' fields (the store's copy and the SaaS CRM's outbox row) and,
 * for a tier change, its `tier-changed` event, kept until a review hands it out. The retry, finding them done, writes
 * none of them again, and hands out the events the run that died did not.
 */
export async function reviewLoyalty(
  db: SqlDatabase,
  program: LoyaltyProgram,
  options: LoyaltyReviewOptions = {},
): Promise<LoyaltyReview> {
  const ledger = new LoyaltyLedger(program);
  const at = new Date();
  const now = at.toISOString();
  const pace = pacer(options.pauseEveryMs ?? PAUSE_EVERY_MS);
  const progress = (p: LoyaltyReviewProgress) => () => options.onProgress?.(p);
  progress({ phase: 'expiring', done: 0 })();
  // Where the window now stands, before any member is reviewed: an event's review from here on is not as of an earlier
  // time (ledger reviewTier), so one heard while or after this runs does not give back a tier the window took away. The
  // later of this review's time and the last one's, in one statement (two reviewers at once leave the later).
  const asOf = await db.transaction((tx) => new CursorStore(tx).advanceTime(loyaltyReviewCursor(program.id), options.asOf ?? at, tx, at));
  const local = (options.writeFields ?? 'local') === 'local';
  const to = local || options.crm ? { local, crm: options.crm } : null;
  // Members whose fields were queued for the SaaS CRM, once each however many pages touched them.
  const queued = new Set<string>();
  const expired: Awaited<ReturnType<LoyaltyLedger['expire']>>['expired'] = [];
  let position: ExpiryPosition | undefined;
  do {
    await pace(progress({ phase: 'expiring', done: expired.length }));
    const after = position;
    // The fields of the members whose points expired are written in the transaction that expires them: a review that
    // dies after it leaves nothing unwritten (the retry finds these points expired and would not write them again).
    const page = await db.transaction(async (tx) => {
      const p = await ledger.expire(tx, asOf, now, { size: PAGE, ...(after ? { after } : {}) });
      return { ...p, queued: to ? await writeFieldsOf(tx, ledger, [...new Set(p.expired.map((e) => e.customerId))], at, to) : [] };
    });
    expired.push(...page.expired);
    for (const id of page.queued) queued.add(id);
    position = page.next;
  } while (position);
  if (program.tiers.length > 0) {
    let after = '';
    let reviewed = 0;
    for (;;) {
      await pace(progress({ phase: 'reviewing', done: reviewed }));
      const page = await db.all<{ customer_id: string }>(
        'SELECT customer_id FROM loyalty_members WHERE program_id = ? AND enrolled_at IS NOT NULL AND customer_id > ? ORDER BY customer_id LIMIT ?',
        [program.id, after, PAGE],
      );
      // A tier change, the member's fields (the store's copy, the CRM's outbox row) and its event (kept until a review
      // hands it out: review-events.ts) in one transaction: whatever dies after it commits, none of them is lost, and a
      // retry, finding the tier changed already, writes none of them twice. A Postgres transaction may be rerun after a
      // conflict: collect inside it, merge once it has committed.
      const pageQueued = await db.transaction(async (tx) => {
        const pageEvents: MembershipEvent[] = [];
        const pageTouched: string[] = [];
        for (const { customer_id } of page) {
          const before = pageEvents.length;
          await ledger.reviewTier({ tx, events: pageEvents, customerId: customer_id, now }, asOf);
          if (pageEvents.length > before) pageTouched.push(customer_id);
        }
        await keepReviewEvents(tx, program.id, asOf, pageEvents, now);
        return to ? writeFieldsOf(tx, ledger, pageTouched, at, to) : [];
      });
      for (const id of pageQueued) queued.add(id);
      reviewed += page.length;
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.customer_id;
    }
  }
  // This review's tier changes, and those of a review that died before handing its out.
  const events = await takeReviewEvents(db, program.id);
  return { asOf, expiredEntries: expired.length, pointsExpired: expired.reduce((s, e) => s - e.entry.points, 0), events, fieldsQueued: queued.size };
}

/** Writes the fields of those of `customerIds` who are members, in the caller's transaction; returns whose were queued for the SaaS CRM. */
async function writeFieldsOf(
  tx: SqlExecutor, ledger: LoyaltyLedger, customerIds: readonly string[], at: Date, to: { local: boolean; crm?: FieldsTarget },
): Promise<string[]> {
  const queued: string[] = [];
  for (const id of customerIds) {
    const m = await ledger.member(tx, id);
    if (m?.enrolled && (await writeMembership(tx, ledger.program, m, at, to)).crmSync) queued.push(id);
  }
  return queued;
}
