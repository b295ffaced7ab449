import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import type { LoyaltyReviewProgress } from '../../../nodes/core/loyalty/review';
import type { LoyaltyReviewSummary } from '../../../nodes/core/segment/scheduled-run';
import { createBatchActivities } from '../../../temporal/activities/batch-activities';
import { insertTieredMembers } from '../../core/loyalty/support/members';
import { tempStore } from '../../support/temp-store';
import { runCountingBeats } from './support/heartbeat-gaps';

/** Enough members that reviewing them and writing their fields takes a few seconds (about 0.4 ms each). */
const MEMBERS = 6_000;
/** The workflow's 30 s scaled down with the program: a gap this long would fail an attempt of a program far larger. */
const HEARTBEAT_TIMEOUT_MS = 1_000;
const program = parseLoyaltyProgram({ id: 'heartbeat', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000 }] });

describe('the loyalty review activity heartbeats its progress through a large program (SQLite)', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await insertTieredMembers(s.db, program.id, MEMBERS, 'Gold');
  }, { timeout: 30_000 });
  after(async () => { await s.remove(); });

  it('never goes longer than the heartbeat timeout without a heartbeat, reviewing (and writing the fields) included', { timeout: 40_000 }, async () => {
    const activities = createBatchActivities({ storeUrl: s.url, segment: null, loyalty: program });
    const { result: summary, beats, longestGapMs, gapAfter, ms } = await runCountingBeats<[string], LoyaltyReviewSummary | null, LoyaltyReviewProgress>(
      activities.reviewLoyalty, ['2026-06-01T00:00:00Z'], HEARTBEAT_TIMEOUT_MS,
    );
    assert.equal(summary!.downgrades, MEMBERS);
    assert.ok(
      longestGapMs < HEARTBEAT_TIMEOUT_MS,
      `${Math.round(longestGapMs)} ms without a heartbeat (after ${gapAfter ? `a ${gapAfter.phase} heartbeat` : 'the start'}, ${beats.length} heartbeats in ${Math.round(ms)} ms)`,
    );
    assert.deepEqual([...new Set(beats.map((b) => b.progress.phase))], ['expiring', 'reviewing']);
    const reviewing = beats.filter((b) => b.progress.phase === 'reviewing').map((b) => b.progress.done);
    assert.ok(reviewing.some((n) => n > 0 && n < MEMBERS), 'it heartbeats in the middle of the members, with how many it reviewed');
  });
});
