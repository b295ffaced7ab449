import { CursorStore } from '../cursors/cursor-store';
import type { FieldsTarget } from '../outbox/field-updates';
import { pacer, PAUSE_EVERY_MS } from '../store/pacer';
import type { SqlDatabase } from '../store/sql-database';
import { LoyaltyLedger, loyaltyReviewCursor, type ExpiryPosition, type MembershipEvent } from './ledger';
import { writeMembership } from './loyalty-step';
import type { LoyaltyProgram } from './program';

export interface LoyaltyReview {
  /** The time the review was as of: the one asked for, or the program's last review's when that is later. */
  asOf: string;
  expiredEntries: number;
  pointsExpired: number;
  /** Downgrades (and upgrades) from the tier window moving on; emitted like the step's events. */
  events: MembershipEvent[];
  /** Members whose fields were queued for the SaaS CRM (0 without one). */
  fieldsQueued: number;
}

/**
 * What the review is doing, for a scheduler to tell a long run from a stuck one (a Temporal activity heartbeats
 * with it): expiring points (`done`: the earnings expired so far), reviewing members' tiers (`done`: members reviewed
 * so far), writing the fields of the members it re-tiered or whose points expired (`done`: written so far, of `of`).
 */
export interface LoyaltyReviewProgress {
  phase: 'expiring' | 'reviewing' | 'writing';
  done: number;
  of?: number;
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
   * and reporting progress: 50 ms by default. A page of earnings expired, of members reviewed and of fields written
   * (250 each) is not split; each takes some tens of milliseconds.
   */
  pauseEveryMs?: number;
}

/** Earnings expired, members reviewed and members' fields written per transaction. */
const PAGE = 250;

/**
 * The scheduled part of a program: expire points past their date and re-tier members whose qualifying window
 * has moved on (a downgrade needs no payment to happen): the one place time moves a member's tier window on. Each
 * member as of `asOf`, or of their latest payment when that is later; `asOf` is kept (the program's review cursor) for
 * the events that follow to review tiers no earlier. The cursor only moves forward: a review asked for as of an earlier
 * time than the last one (an operator's `--as-of` in the past, a replayed schedule) is as of the last one's time, so
 * it neither takes the cursor back nor gives back a tier the later review took away (the events heard after it would
 * take it again). Idempotent: run it twice for the same day and the second run changes nothing.
 */
export async function reviewLoyalty(
  db: SqlDatabase,
  program: LoyaltyProgram,
  options: LoyaltyReviewOptions = {},
): Promise<LoyaltyReview> {
  const ledger = new LoyaltyLedger(program);
  const at = new Date();
  const now = at.toISOString();
  const touched = new Set<string>();
  const pace = pacer(options.pauseEveryMs ?? PAUSE_EVERY_MS);
  const progress = (p: LoyaltyReviewProgress) => () => options.onProgress?.(p);
  progress({ phase: 'expiring', done: 0 })();
  // Where the window now stands, before any member is reviewed: an event's review from here on is not as of an earlier
  // time (ledger reviewTier), so one heard while or after this runs does not give back a tier the window took away. The
  // later of this review's time and the last one's, in one statement (two reviewers at once leave the later).
  const asOf = await db.transaction((tx) => new CursorStore(tx).advanceTime(loyaltyReviewCursor(program.id), options.asOf ?? at, tx, at));
  const expired: Awaited<ReturnType<LoyaltyLedger['expire']>>['expired'] = [];
  let position: ExpiryPosition | undefined;
  do {
    await pace(progress({ phase: 'expiring', done: expired.length }));
    const after = position;
    const page = await db.transaction((tx) => ledger.expire(tx, asOf, now, { size: PAGE, ...(after ? { after } : {}) }));
    expired.push(...page.expired);
    position = page.next;
  } while (position);
  for (const e of expired) touched.add(e.customerId);
  const events: MembershipEvent[] = [];
  if (program.tiers.length > 0) {
    let after = '';
    let reviewed = 0;
    for (;;) {
      await pace(progress({ phase: 'reviewing', done: reviewed }));
      const page = await db.all<{ customer_id: string }>(
        'SELECT customer_id FROM loyalty_members WHERE program_id = ? AND enrolled_at IS NOT NULL AND customer_id > ? ORDER BY customer_id LIMIT ?',
        [program.id, after, PAGE],
      );
      // A Postgres transaction may be rerun after a conflict: collect inside it, merge once it has committed.
      const pageResult = await db.transaction(async (tx) => {
        const pageEvents: MembershipEvent[] = [];
        const pageTouched: string[] = [];
        for (const { customer_id } of page) {
          const before = pageEvents.length;
          await ledger.reviewTier({ tx, events: pageEvents, customerId: customer_id, now }, asOf);
          if (pageEvents.length > before) pageTouched.push(customer_id);
        }
        return { pageEvents, pageTouched };
      });
      events.push(...pageResult.pageEvents);
      for (const id of pageResult.pageTouched) touched.add(id);
      reviewed += page.length;
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.customer_id;
    }
  }
  const local = (options.writeFields ?? 'local') === 'local';
  let fieldsQueued = 0;
  if ((local || options.crm) && touched.size > 0) {
    const members = [...touched];
    for (let start = 0; start < members.length; start += PAGE) {
      await pace(progress({ phase: 'writing', done: start, of: members.length }));
      fieldsQueued += await db.transaction(async (tx) => {
        let queued = 0;
        for (const id of members.slice(start, start + PAGE)) {
          const m = await ledger.member(tx, id);
          if (m?.enrolled && (await writeMembership(tx, program, m, at, { local, crm: options.crm })).crmSync) queued++;
        }
        return queued;
      });
    }
  }
  return { asOf, expiredEntries: expired.length, pointsExpired: expired.reduce((s, e) => s - e.entry.points, 0), events, fieldsQueued };
}
