import type { SqlExecutor } from '../store/sql-database';
import { setTierChanges, tierChangesOf, type TierChange } from './tier-history';

/** A membership's dates and tier: what a merge decides for the survivor, and what undo puts back. */
interface MembershipDates {
  enrolledAt: string | null;
  tier: string | null;
  tierSince: string | null;
}

/** What a merge moved of the loyalty programs, so undo can put it back and nothing else. */
export interface LoyaltyMoved {
  /** The merged customer's counted payments; their ledger entries follow them. */
  payments: { programId: string; source: string; paymentId: string }[];
  /**
   * Per program: both memberships as they were (null: not a member), and what the merge set on `into`'s. When `into`
   * took `from`'s tier, it took its tier changes too (tier-history.ts): `intoTierChanges` are those `into` had (absent in
   * a merge recorded before store schema 39).
   */
  programs: {
    programId: string; from: MembershipDates | null; intoBefore: MembershipDates | null; intoAfter: MembershipDates; intoTierChanges?: TierChange[];
  }[];
}

interface MemberRow {
  program_id: string;
  enrolled_at: string | null;
  tier: string | null;
  tier_since: string | null;
}

const datesOf = (r: MemberRow | undefined): MembershipDates | null =>
  r ? { enrolledAt: r.enrolled_at, tier: r.tier, tierSince: r.tier_since } : null;
const sameDates = (a: MembershipDates | null, b: MembershipDates) =>
  a !== null && a.enrolledAt === b.enrolledAt && a.tier === b.tier && a.tierSince === b.tierSince;

async function membershipsOf(tx: SqlExecutor, customerId: string): Promise<Map<string, MemberRow>> {
  const rows = await tx.all<MemberRow>('SELECT program_id, enrolled_at, tier, tier_since FROM loyalty_members WHERE customer_id = ?', [customerId]);
  return new Map(rows.map((r) => [r.program_id, r]));
}

const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : Date.parse(b) < Date.parse(a) ? b : a);

/**
 * `from`'s loyalty goes to `into`, per program: its counted payments and every ledger entry, so a refund or
 * dispute of one of them later moves the survivor's points, and the balance stays the sum of the ledger. The
 * survivor is a member since the earlier of the two enrolments; it keeps its own tier, or takes `from`'s if it
 * had none (tiers are ranked by the program's configuration, which the store does not hold: the survivor's next
 * payment or the scheduled review re-tiers it on both customers' spend), and with it the tier changes `from` had (a
 * sale heard late earns at the tier held at its time: tier-history.ts).
 */
export async function moveLoyalty(tx: SqlExecutor, from: string, into: string, now: string): Promise<LoyaltyMoved> {
  const fromMembers = await membershipsOf(tx, from);
  const payments = (await tx.all<{ program_id: string; source: string; payment_id: string }>(
    'SELECT program_id, source, payment_id FROM loyalty_payments WHERE customer_id = ?',
    [from],
  )).map((r) => ({ programId: r.program_id, source: r.source, paymentId: r.payment_id }));
  if (fromMembers.size === 0 && payments.length === 0) return { payments: [], programs: [] };
  const intoMembers = await membershipsOf(tx, into);
  await tx.run('UPDATE loyalty_payments SET customer_id = ? WHERE customer_id = ?', [into, from]);
  await tx.run('UPDATE loyalty_ledger SET customer_id = ? WHERE customer_id = ?', [into, from]);
  const programs: LoyaltyMoved['programs'] = [];
  for (const programId of new Set([...fromMembers.keys(), ...payments.map((p) => p.programId)])) {
    const theirs = datesOf(fromMembers.get(programId));
    const ours = datesOf(intoMembers.get(programId));
    const keepOurs = ours?.enrolledAt != null && (ours.tier !== null || theirs?.tier == null);
    const intoAfter: MembershipDates = {
      enrolledAt: earlier(ours?.enrolledAt ?? null, theirs?.enrolledAt ?? null),
      ...(keepOurs ? { tier: ours!.tier, tierSince: ours!.tierSince } : { tier: theirs?.tier ?? null, tierSince: theirs?.tierSince ?? null }),
    };
    await setMembership(tx, programId, into, intoAfter, now);
    await rebuildMember(tx, programId, into, now);
    if (keepOurs) {
      programs.push({ programId, from: theirs, intoBefore: ours, intoAfter });
      continue;
    }
    // The survivor holds `from`'s tier, so it held the tiers `from` did: a late sale earns at those (`from` keeps its own
    // changes, for an undo).
    const intoTierChanges = await tierChangesOf(tx, programId, into);
    await setTierChanges(tx, programId, into, await tierChangesOf(tx, programId, from), now);
    programs.push({ programId, from: theirs, intoBefore: ours, intoAfter, intoTierChanges });
  }
  await tx.run('DELETE FROM loyalty_members WHERE customer_id = ?', [from]);
  return { payments, programs };
}

/**
 * Undo: the payments the merge moved go back to `from` with every ledger entry about them (a refund recorded
 * since included), both memberships get their dates and tiers back (`into`'s only where nothing has changed them
 * since), and both customers' balances, spend and visits are added up again from what each now holds.
 */
export async function giveBackLoyalty(tx: SqlExecutor, moved: LoyaltyMoved, from: string, into: string, now: string): Promise<void> {
  for (const p of moved.payments) {
    const where = 'WHERE program_id = ? AND source = ? AND payment_id = ? AND customer_id = ?';
    await tx.run(`UPDATE loyalty_payments SET customer_id = ? ${where}`, [from, p.programId, p.source, p.paymentId, into]);
    await tx.run(`UPDATE loyalty_ledger SET customer_id = ? ${where}`, [from, p.programId, p.source, p.paymentId, into]);
  }
  const current = await membershipsOf(tx, into);
  for (const { programId, from: theirs, intoBefore, intoAfter, intoTierChanges } of moved.programs) {
    // `into`'s tier changes come back with its membership (one the merge made, with the membership going).
    let putBack = false;
    if (intoBefore && sameDates(datesOf(current.get(programId)), intoAfter)) {
      await setMembership(tx, programId, into, intoBefore, now);
      putBack = true;
    }
    await rebuildMember(tx, programId, into, now);
    // A membership the merge made for `into` goes with the undo, unless `into` has paid in the program since.
    if (!intoBefore) {
      putBack = (await tx.run(
        `DELETE FROM loyalty_members WHERE program_id = ? AND customer_id = ?
           AND NOT EXISTS (SELECT 1 FROM loyalty_payments WHERE program_id = ? AND customer_id = ?)
           AND NOT EXISTS (SELECT 1 FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?)`,
        [programId, into, programId, into, programId, into],
      )).changes === 1;
    }
    if (putBack && intoTierChanges) await setTierChanges(tx, programId, into, intoTierChanges, now);
    if (theirs) {
      await setMembership(tx, programId, from, theirs, now);
      await rebuildMember(tx, programId, from, now);
    }
  }
}

/** Creates the membership row if missing, and sets its dates and tier. */
async function setMembership(tx: SqlExecutor, programId: string, customerId: string, m: MembershipDates, now: string): Promise<void> {
  await tx.run(
    `INSERT INTO loyalty_members (program_id, customer_id, enrolled_at, tier, tier_since, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (program_id, customer_id) DO UPDATE SET enrolled_at = excluded.enrolled_at, tier = excluded.tier, tier_since = excluded.tier_since,
       version = loyalty_members.version + 1, updated_at = excluded.updated_at`,
    [programId, customerId, m.enrolledAt, m.tier, m.tierSince, now],
  );
}

/**
 * A member's balance and hold are the sums of their ledger entries; points earned, spend and visits those of the
 * payments counted for them (a void sale's points and visit not among them), as the ledger adds them up one event at a
 * time (ledger.ts).
 */
async function rebuildMember(tx: SqlExecutor, programId: string, customerId: string, now: string): Promise<void> {
  const entries = 'FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?';
  const counted = 'FROM loyalty_payments WHERE program_id = ? AND customer_id = ? AND counted = 1';
  const who = [programId, customerId];
  await tx.run(
    `UPDATE loyalty_members SET
       points_balance = (SELECT COALESCE(SUM(points), 0) ${entries}),
       points_held = (SELECT COALESCE(SUM(held_points), 0) ${entries}),
       points_earned = (SELECT COALESCE(SUM(earned_points), 0) ${counted} AND voided = 0),
       lifetime_spend_minor = (SELECT COALESCE(SUM(amount_minor - refunded_minor - lost_minor), 0) ${counted}),
       visits = (SELECT COUNT(*) ${counted} AND voided = 0),
       version = version + 1, updated_at = ?
     WHERE program_id = ? AND customer_id = ?`,
    [...who, ...who, ...who, ...who, ...who, now, ...who],
  );
}
