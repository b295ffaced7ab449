import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch, type BatchProgress } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { countingLoopTurns, mostBetweenTurns } from '../../support/loop-turns';
import { tempStore } from '../../support/temp-store';
import { insertSimulatedStats } from './support/simulated-stats';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');
const CUSTOMERS = 6_000;
/** The most customers read (one page), and written (one chunk), between two turns of the event loop. */
const READ_BETWEEN_TURNS = 5_000;
const WRITTEN_BETWEEN_TURNS = 500;

describe('the segment batch lets the event loop turn at least every few thousand customers read and every 500 written (SQLite store)', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await insertSimulatedStats(s.db, CUSTOMERS, AS_OF);
  });
  after(async () => { await s.remove(); });

  it('counts the turns: never more than a page read or a chunk written between two', async () => {
    // Where the run stood (customers read, customers written) each time the loop turned: node:sqlite answers at once,
    // so the loop turns only where the batch lets it.
    let read = 0;
    let written = 0;
    const { result, turns } = await countingLoopTurns(
      () => ({ read, written }),
      () =>
        runSegmentBatch(s.db, parseSegmentConfig({ clv: { unit: 'days', minCustomers: CUSTOMERS * 2 } }), {
          asOf: new Date(AS_OF),
          // Every pause point lets the loop turn: what is counted is where the batch pauses, not how long its steps take.
          pauseEveryMs: 0,
          onProgress: (p: BatchProgress) => {
            if (p.phase === 'reading') read = p.customers;
            if (p.phase === 'writing') written = p.written;
          },
        }),
    );
    assert.equal(result.currencies[0]!.customers, CUSTOMERS);
    turns.push({ read, written });
    assert.equal(read, CUSTOMERS);
    assert.equal(written, CUSTOMERS);
    const most = (of: 'read' | 'written') => mostBetweenTurns(turns, (t) => t[of]);
    assert.ok(most('read') <= READ_BETWEEN_TURNS, `${most('read')} customers read between two turns of the event loop`);
    assert.ok(most('written') <= WRITTEN_BETWEEN_TURNS, `${most('written')} customers written between two turns of the event loop`);
    assert.ok(turns.filter((t, i) => i > 0 && t.written > turns[i - 1]!.written).length >= CUSTOMERS / WRITTEN_BETWEEN_TURNS, 'a turn after every chunk');
  });
});
