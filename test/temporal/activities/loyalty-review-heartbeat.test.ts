import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import type { LoyaltyReviewProgress } from '../../../nodes/core/loyalty/review';
import type { LoyaltyReviewSummary } from '../../../nodes/core/segment/scheduled-run';
import { createBatchActivities } from '../../../temporal/activities/batch-activities';
import { insertTieredMembers } from '../../core/loyalty/support/members';
import { tempStore } from '../../support/temp-store';

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

  it('never goes longer than the heartbeat timeout without a heartbeat, reviewing and writing included', { timeout: 40_000 }, async () => {
    const activities = createBatchActivities({ storeUrl: s.url, segment: null, loyalty: program });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    const beats: { at: number; progress: LoyaltyReviewProgress }[] = [];
    env.on('heartbeat', (p: LoyaltyReviewProgress) => beats.push({ at: performance.now(), progress: p }));
    const started = performance.now();
    const summary = (await env.run(activities.reviewLoyalty, '2026-06-01T00:00:00Z')) as LoyaltyReviewSummary | null;
    const ended = performance.now();
    assert.equal(summary!.downgrades, MEMBERS);

    const times = [started, ...beats.map((b) => b.at), ended];
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const longest = Math.max(...gaps);
    const where = gaps.indexOf(longest);
    assert.ok(
      longest < HEARTBEAT_TIMEOUT_MS,
      `${Math.round(longest)} ms without a heartbeat (after ${where === 0 ? 'the start' : `a ${beats[where - 1]!.progress.phase} heartbeat`}, ${beats.length} heartbeats in ${Math.round(ended - started)} ms)`,
    );
    assert.deepEqual([...new Set(beats.map((b) => b.progress.phase))], ['expiring', 'reviewing', 'writing']);
    const reviewing = beats.filter((b) => b.progress.phase === 'reviewing').map((b) => b.progress.done);
    assert.ok(reviewing.some((n) => n > 0 && n < MEMBERS), 'it heartbeats in the middle of the members, with how many it reviewed');
  });
});
