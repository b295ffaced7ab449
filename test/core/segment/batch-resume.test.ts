import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch, type BatchCheckpoint, type BatchProgress } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { tempStore } from '../../support/temp-store';
import { fixedDataset } from './support/fixed-dataset';
import { message } from './support/messages';

const AS_OF = new Date('2025-07-01T00:00:00.000Z');
const config = parseSegmentConfig();

async function seededStore() {
  const s = await tempStore();
  for (const p of fixedDataset()) {
    await segmentStep(message({ customerId: p.customerId, paymentId: p.paymentId, amountMinor: p.amountMinor, currency: p.currency, at: p.at }), { db: s.db, config });
  }
  return s;
}

class WorkerDied extends Error {}

/** Each customer's stored evaluation, as the batch leaves it. */
const evaluations = (s: Awaited<ReturnType<typeof tempStore>>) =>
  s.db.all<{ customer_id: string; currency: string; segment: string; updated_at: string }>('SELECT customer_id, currency, segment, updated_at FROM segment_stats ORDER BY currency, customer_id');

describe('the segment batch goes on from its last checkpoint after a crash, instead of starting over', () => {
  let straight: Awaited<ReturnType<typeof tempStore>>;
  let crashed: Awaited<ReturnType<typeof tempStore>>;
  before(async () => { [straight, crashed] = await Promise.all([seededStore(), seededStore()]); });
  after(async () => { await Promise.all([straight.remove(), crashed.remove()]); });

  it('writes each customer once across both attempts, reuses the thresholds and model it saved, and ends as a straight run does', async () => {
    const expected = await runSegmentBatch(straight.db, config, { asOf: AS_OF, chunkSize: 50 });

    // EUR comes first; the worker dies after writing three chunks of USD.
    let last: BatchCheckpoint | undefined;
    const attempt1: BatchProgress[] = [];
    await assert.rejects(
      runSegmentBatch(crashed.db, config, {
        asOf: AS_OF, chunkSize: 50,
        onProgress: (p) => {
          attempt1.push(p);
          last = JSON.parse(JSON.stringify(p.checkpoint)) as BatchCheckpoint; // as a heartbeat carries it
          if (p.currency === 'USD' && p.written === 150) throw new WorkerDied();
        },
      }),
      WorkerDied,
    );
    assert.deepEqual(last!.done.map((c) => c.currency), ['EUR']);
    assert.equal(last!.current?.currency, 'USD');
    assert.equal(last!.current?.afterCustomerId, 'usd_cus_0149');
    const writtenBefore = new Map((await evaluations(crashed)).map((r) => [r.customer_id, r.updated_at]));
    const runsBefore = await crashed.db.all<{ id: string }>('SELECT id FROM segment_rfm_runs ORDER BY id');
    const modelsBefore = await crashed.db.all<{ id: string }>('SELECT id FROM segment_clv_models ORDER BY id');

    await new Promise((r) => setTimeout(r, 5)); // the second attempt's writes carry a later time
    const attempt2: BatchProgress[] = [];
    const resumed = await runSegmentBatch(crashed.db, config, { asOf: AS_OF, chunkSize: 50, resumeFrom: last, onProgress: (p) => attempt2.push(p) });

    assert.deepEqual(attempt2.map((p) => [p.currency, p.written]), [['USD', 150], ['USD', 200], ['USD', 250], ['USD', 300], ['USD', 350], ['USD', 400], ['USD', 420]]);
    assert.deepEqual(await crashed.db.all('SELECT id FROM segment_rfm_runs ORDER BY id'), runsBefore, 'no second set of thresholds');
    assert.deepEqual(await crashed.db.all('SELECT id FROM segment_clv_models ORDER BY id'), modelsBefore, 'no second model fit');
    assert.deepEqual(resumed.currencies.map((c) => c.runId), last!.done.map((c) => c.runId).concat(last!.current!.run.id));

    const after = await evaluations(crashed);
    const rewritten = after.filter((r) => r.updated_at !== writtenBefore.get(r.customer_id)).map((r) => r.customer_id);
    assert.equal(rewritten.length, 420 - 150, 'only the USD customers after the checkpoint are written again');
    assert.ok(rewritten.every((id) => id >= 'usd_cus_0150'));

    // Same segments, counts and tallies as the run that never crashed.
    assert.deepEqual(after.map((r) => [r.customer_id, r.segment]), (await evaluations(straight)).map((r) => [r.customer_id, r.segment]));
    const strip = (r: typeof expected) => r.currencies.map(({ runId: _r, model, ...c }) => ({ ...c, modelFit: model?.purchase.params }));
    assert.deepEqual(strip(resumed), strip(expected));
  });

  it('ignores a checkpoint of another run (another as-of time) and starts over', async () => {
    const s = await seededStore();
    try {
      let last: BatchCheckpoint | undefined;
      await assert.rejects(runSegmentBatch(s.db, config, {
        asOf: AS_OF, chunkSize: 100, onProgress: (p) => { last = p.checkpoint; if (p.written === 100) throw new WorkerDied(); },
      }), WorkerDied);
      const written: number[] = [];
      const other = await runSegmentBatch(s.db, config, { asOf: new Date('2025-08-01T00:00:00Z'), chunkSize: 100, resumeFrom: last, onProgress: (p) => written.push(p.written) });
      assert.deepEqual(other.currencies.map((c) => c.currency), ['EUR', 'USD']);
      assert.equal(written[0], 0, 'from the first customer');
    } finally {
      await s.remove();
    }
  });
});
