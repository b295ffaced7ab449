import type { SqlExecutor } from '../store/sql-database';

/** A membership's dates and tier as they were before a merge changed them, so undo can put them back. */
interface MembershipBefore {
  programId: string;
  customerId: string;
  enrolledAt: string | null;
  tier: string | null;
  tierSince: string | null;
}

/**
 * What a merge moved of the loyalty programs: the merged customer's counted payments (their ledger entries follow
 * them), and both customers' memberships as they were.
 */
export interface LoyaltyMoved {
  payments: { programId: string; source: string; paymentId: string }[];
  /** `from`'s memberships, and `into`'s in the same programs (absent where `into` was not a member yet). */
  members: MembershipBefore[];
  /** What the merge set on `into`'s membership per program, so undo knows whether a later payment changed it. */
  setOnInto: MembershipBefore[];
}

interface MemberRow {
  program_id: string;
  customer_id: string;
  enrolled_at: string | null;
  tier: string | null;
  tier_since: string | null;
}

const before = (r: MemberRow): MembershipBefore => ({
  programId: r.program_id, customerId: r.customer_id, enrolledAt: r.enrolled_at, tier: r.tier, tierSince: r.tier_since,
});

async function membershipsOf(tx: SqlExecutor, customerId: string): Promise<MemberRow[]> {
  return tx.all<MemberRow>('SELECT program_id, customer_id, enrolled_at, tier, tier_since FROM loyalty_members WHERE customer_id = ?', [customerId]);
}

const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : Date.parse(b) < Date.parse(a) ? b : a);

/**
 * `from`'s loyalty goes to `into`, per program: its counted payments and every ledger entry, so a refund or
 * dispute of one of them later moves the survivor's points, and the balance stays the sum of the ledger. The
 * survivor is a member since the earlier of the two enrolments; it keeps its own tier, or takes `from`'s if it
 * had none (tiers are ranked by the program's configuration, which the store does not hold: the survivor's next
 * payment or the scheduled review re-tiers it on both customers' spend).
 */
export async function moveLoyalty(tx: SqlExecutor, from: string, into: string, now: string): Promise<LoyaltyMoved> {
  const fromMembers = await membershipsOf(tx, from);
  const payments = (await tx.all<{ program_id: string; source: string; payment_id: string }>(
    'SELECT program_id, source, payment_id FROM loyalty_payments WHERE customer_id = ?',
    [from],
  )).map((r) => ({ programId: r.program_id, source: r.source, paymentId: r.payment_id }));
  if (fromMembers.length === 0 && payments.length === 0) return { payments: [], members: [], setOnInto: [] };
  const intoMembers = new Map((await membershipsOf(tx, into)).map((r) => [r.program_id, r]));
  await tx.run('UPDATE loyalty_payments SET customer_id = ? WHERE customer_id = ?', [into, from]);
  await tx.run('UPDATE loyalty_ledger SET customer_id = ? WHERE customer_id = ?', [into, from]);
  const setOnInto: MembershipBefore[] = [];
  const programs = new Set([...fromMembers.map((m) => m.program_id), ...payments.map((p) => p.programId)]);
  for (const programId of programs) {
    const theirs = fromMembers.find((m) => m.program_id === programId);
    const ours = intoMembers.get(programId);
    const keepOurs = ours?.enrolled_at != null && (ours.tier !== null || theirs?.tier == null);
    const set: MembershipBefore = {
      programId, customerId: into,
      enrolledAt: earlier(ours?.enrolled_at ?? null, theirs?.enrolled_at ?? null),
      tier: keepOurs ? ours!.tier : (theirs?.tier ?? null),
      tierSince: keepOurs ? ours!.tier_since : (theirs?.tier_since ?? null),
    };
    await setMembership(tx, set, now);
    await rebuildMember(tx, programId, into, now);
    setOnInto.push(set);
  }
  await tx.run('DELETE FROM loyalty_members WHERE customer_id = ?', [from]);
  return { payments, members: [...fromMembers.map(before), ...[...intoMembers.values()].filter((m) => programs.has(m.program_id)).map(before)], setOnInto };
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
  const current = new Map((await membershipsOf(tx, into)).map((r) => [r.program_id, r]));
  for (const set of moved.setOnInto) {
    const row = current.get(set.programId);
    const untouched = row !== undefined && row.enrolled_at === set.enrolledAt && row.tier === set.tier && row.tier_since === set.tierSince;
    const was = moved.members.find((m) => m.programId === set.programId && m.customerId === into);
    if (was && untouched) await setMembership(tx, was, now);
    await rebuildMember(tx, set.programId, into, now);
    // A membership the merge made for `into` goes with the undo, unless `into` has paid in the program since.
    if (!was) {
      await tx.run(
        `DELETE FROM loyalty_members WHERE program_id = ? AND customer_id = ?
           AND NOT EXISTS (SELECT 1 FROM loyalty_payments WHERE program_id = ? AND customer_id = ?)
           AND NOT EXISTS (SELECT 1 FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?)`,
        [set.programId, into, set.programId, into, set.programId, into],
      );
    }
  }
  for (const m of moved.members.filter((x) => x.customerId === from)) {
    await setMembership(tx, m, now);
    await rebuildMember(tx, m.programId, from, now);
  }
}

/** Creates the membership row if missing, and sets its dates and tier. */
async function setMembership(tx: SqlExecutor, m: MembershipBefore, now: string): Promise<void> {
  await tx.run(
    `INSERT INTO loyalty_members (program_id, customer_id, enrolled_at, tier, tier_since, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (program_id, customer_id) DO UPDATE SET enrolled_at = excluded.enrolled_at, tier = excluded.tier, tier_since = excluded.tier_since,
       version = loyalty_members.version + 1, updated_at = excluded.updated_at`,
    [m.programId, m.customerId, m.enrolledAt, m.tier, m.tierSince, now],
  );
}

/**
 * A member's balance, hold and points earned are the sums of their ledger entries; spend and visits those of the
 * payments counted for them, as the ledger adds them up one event at a time (ledger.ts).
 */
async function rebuildMember(tx: SqlExecutor, programId: string, customerId: string, now: string): Promise<void> {
  const entries = 'FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?';
  const counted = 'FROM loyalty_payments WHERE program_id = ? AND customer_id = ? AND counted = 1';
  const who = [programId, customerId];
  await tx.run(
    `UPDATE loyalty_members SET
       points_balance = (SELECT COALESCE(SUM(points), 0) ${entries}),
       points_held = (SELECT COALESCE(SUM(held_points), 0) ${entries}),
       points_earned = (SELECT COALESCE(SUM(points), 0) ${entries} AND kind = 'earn'),
       lifetime_spend_minor = (SELECT COALESCE(SUM(amount_minor - refunded_minor - lost_minor), 0) ${counted}),
       visits = (SELECT COUNT(*) ${counted}),
       version = version + 1, updated_at = ?
     WHERE program_id = ? AND customer_id = ?`,
    [...who, ...who, ...who, ...who, ...who, now, ...who],
  );
}
