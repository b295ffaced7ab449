import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { reviewLoyalty, type LoyaltyReviewProgress } from '../../../nodes/core/loyalty/review';
import { countingLoopTurns, mostBetweenTurns } from '../../support/loop-turns';
import { tempStore } from '../../support/temp-store';
import { message } from '../segment/support/messages';
import { insertTieredMembers } from './support/members';

const MEMBERS = 1_200;
/** The most members reviewed (their fields written in the same transaction) between two turns of the event loop. */
const BETWEEN_TURNS = 250;
const program = parseLoyaltyProgram({ id: 'pacing', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000 }] });

describe('the loyalty review reports its progress and lets the event loop turn every few hundred members (SQLite store)', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await insertTieredMembers(s.db, program.id, MEMBERS, 'Gold');
  });
  after(async () => { await s.remove(); });

  it('counts the turns: never more than a page of members reviewed and written between two, each phase reported', async () => {
    let reviewed = 0;
    const reports: LoyaltyReviewProgress[] = [];
    const { result: review, turns } = await countingLoopTurns(
      () => ({ reviewed }),
      () =>
        reviewLoyalty(s.db, program, {
          asOf: new Date('2026-06-01T00:00:00Z'),
          // Every pause point lets the loop turn: what is counted is where the review pauses, not how long it takes.
          pauseEveryMs: 0,
          onProgress: (p) => {
            reports.push(p);
            if (p.phase === 'reviewing') reviewed = p.done;
          },
        }),
    );
    assert.equal(review.events.filter((e) => e.type === 'tier-changed' && e.direction === 'downgrade').length, MEMBERS, 'every Gold member with no spend in the window moved down');
    assert.deepEqual([...new Set(reports.map((r) => r.phase))], ['expiring', 'reviewing']);
    // The last page reviewed is counted once the review is done.
    turns.push({ reviewed: MEMBERS });
    const most = mostBetweenTurns(turns, (t) => t.reviewed);
    assert.ok(most <= BETWEEN_TURNS, `${most} members reviewed and their fields written between two turns of the event loop`);
    const fields = await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM customer_fields WHERE name = 'loyalty_tier' AND value = 'Silver'");
    assert.equal(Number(fields!.n), MEMBERS);
  });

  it('expires a backlog of earnings a page at a time, each once, ties in expiry time across pages included', async () => {
    const expiring = parseLoyaltyProgram({ id: 'pacing-expiry', currency: 'USD', points: { expiryDays: 30 } });
    // 600 sales on 6 days, 100 a day: many earnings share an expiry time, and pages end in the middle of them.
    const EARNINGS = 600;
    for (let i = 0; i < EARNINGS; i++) {
      const day = String(1 + Math.floor(i / 100)).padStart(2, '0');
      await loyaltyStep(message({ customerId: `exp_${i % 150}`, paymentId: `pi_exp_${String(i).padStart(4, '0')}`, amountMinor: 1000, at: `2025-03-${day}T10:00:00Z` }), { db: s.db, program: expiring });
    }
    let expired = 0;
    const { result: review, turns } = await countingLoopTurns(
      () => expired,
      () =>
        reviewLoyalty(s.db, expiring, {
          asOf: new Date('2025-06-01T00:00:00Z'),
          pauseEveryMs: 0,
          onProgress: (p) => {
            if (p.phase === 'expiring') expired = p.done;
          },
        }),
    );
    assert.deepEqual([review.expiredEntries, review.pointsExpired], [EARNINGS, EARNINGS * 10], 'every earning expired, 10 points each');
    turns.push(review.expiredEntries);
    const most = mostBetweenTurns(turns, (t) => t);
    assert.ok(most <= BETWEEN_TURNS, `${most} earnings expired between two turns of the event loop`);
    const balances = await s.db.get<{ total: number }>('SELECT SUM(points_balance) AS total FROM loyalty_members WHERE program_id = ?', [expiring.id]);
    assert.equal(Number(balances!.total), 0);
    const again = await reviewLoyalty(s.db, expiring, { asOf: new Date('2025-06-01T00:00:00Z') });
    assert.equal(again.expiredEntries, 0, 'a second review expires nothing');
  });
});
