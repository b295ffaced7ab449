import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch, type BatchProgress } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { tempStore } from '../../support/temp-store';
import { insertSimulatedStats } from './support/simulated-stats';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');
const CUSTOMERS = 3_000;

describe('the segment batch reports progress and lets the event loop turn before it writes (SQLite store)', { timeout: 30_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await insertSimulatedStats(s.db, CUSTOMERS, AS_OF);
  });
  after(async () => { await s.remove(); });

  it('reports while it reads, scores and fits, and a timer set at the start fires before the first chunk is written', async () => {
    const seen: { phase: string | undefined; written: number; customers: number; timerFired: boolean; hasCurrent: boolean }[] = [];
    let timerFired = false;
    const timer = setTimeout(() => (timerFired = true), 0);
    const immediate = setImmediate(() => undefined);
    try {
      const result = await runSegmentBatch(s.db, parseSegmentConfig({ clv: { unit: 'days' } }), {
        asOf: new Date(AS_OF),
        // Every pause point reports, however quickly a store this small is read, scored and fitted.
        pauseEveryMs: 0,
        onProgress: (p: BatchProgress) => seen.push({ phase: p.phase, written: p.written, customers: p.customers, timerFired, hasCurrent: p.checkpoint.current !== undefined }),
      });
      assert.equal(result.currencies[0]!.customers, CUSTOMERS);
      assert.notEqual(result.currencies[0]!.model, null, 'a model was fitted');
    } finally {
      clearTimeout(timer);
      clearImmediate(immediate);
    }
    const firstWrite = seen.findIndex((p) => p.written > 0);
    assert.ok(firstWrite > 0, 'chunks were written');
    const beforeWriting = seen.slice(0, firstWrite).filter((p) => p.phase !== 'writing');
    assert.deepEqual([...new Set(beforeWriting.map((p) => p.phase))], ['reading', 'scoring', 'fitting']);
    assert.ok(beforeWriting.filter((p) => p.phase === 'fitting').length > 10, 'the model fit reports as its optimiser goes');
    assert.ok(beforeWriting.every((p) => p.written === 0 && p.customers === CUSTOMERS && !p.hasCurrent), 'nothing written yet, nothing saved to go on from');
    assert.ok(seen[firstWrite]!.timerFired, 'the event loop turned before the first chunk was written');
  });
});
