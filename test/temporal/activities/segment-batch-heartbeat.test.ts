import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BatchProgress } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import type { SegmentBatchSummary } from '../../../nodes/core/segment/scheduled-run';
import { createBatchActivities } from '../../../temporal/activities/batch-activities';
import { insertSimulatedStats } from '../../core/segment/support/simulated-stats';
import { tempStore } from '../../support/temp-store';
import { runCountingBeats } from './support/heartbeat-gaps';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');
/**
 * Enough customers that reading, scoring and fitting them takes several seconds (3.6–4.3 s for 30,000 on a loaded
 * 2-CPU machine), the whole test staying under 15 s.
 */
const CUSTOMERS = 40_000;
/** The workflow's 30 s scaled down with the store: a gap this long would fail an attempt of a store ten times larger. */
const HEARTBEAT_TIMEOUT_MS = 2_000;

describe('the segment batch activity heartbeats through every phase of a large store (SQLite)', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await insertSimulatedStats(s.db, CUSTOMERS, AS_OF);
  }, { timeout: 30_000 });
  after(async () => { await s.remove(); });

  it('never goes longer than the heartbeat timeout without a heartbeat, before its first chunk included', { timeout: 40_000 }, async () => {
    const activities = createBatchActivities({ storeUrl: s.url, segment: parseSegmentConfig({ clv: { unit: 'days' } }), loyalty: null });
    const { result: summary, beats, longestGapMs, gapAfter, ms } = await runCountingBeats<[string], SegmentBatchSummary | null, BatchProgress>(
      activities.runSegmentBatch, [new Date(AS_OF).toISOString()], HEARTBEAT_TIMEOUT_MS,
    );
    assert.equal(summary!.currencies[0]!.customers, CUSTOMERS);
    assert.notEqual(summary!.currencies[0]!.modelId, null, 'a lifetime-value model was fitted');
    assert.ok(
      longestGapMs < HEARTBEAT_TIMEOUT_MS,
      `${Math.round(longestGapMs)} ms without a heartbeat (after ${gapAfter ? `a ${gapAfter.phase} heartbeat` : 'the start'}, ${beats.length} heartbeats in ${Math.round(ms)} ms)`,
    );
    const firstWrite = beats.findIndex((b) => b.progress.written > 0);
    assert.ok(beats.slice(0, firstWrite).some((b) => b.progress.phase === 'fitting'), 'the model fit heartbeats');
  });
});
