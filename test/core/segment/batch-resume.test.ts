import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch, type BatchCheckpoint, type BatchProgress } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { fixedDataset } from './support/fixed-dataset';
import { message } from './support/messages';

const AS_OF = new Date('2025-07-01T00:00:00.000Z');
const config = parseSegmentConfig();
const stores = dialectStores('tcrm-segment-resume');

/**
 * How much each dialect is given. The stores are filled through the Segment step, one transaction of some twenty
 * statements per payment: the whole fixed dataset (580 customers, 3,279 payments) takes about 2.5 s on SQLite but
 * about 19 s a store on PostgreSQL, where every statement is a round trip (the batch itself takes 0.3 s on either).
 * PostgreSQL gets the first customers of each currency, still enough for both currencies' lifetime-value models and
 * for a crash several chunks into USD.
 */
const VOLUME = {
  sqlite: { customers: { USD: 420, EUR: 160 } as Record<string, number>, chunkSize: 50, crashAfter: 150 },
  postgres: { customers: { USD: 100, EUR: 60 } as Record<string, number>, chunkSize: 20, crashAfter: 60 },
};

const customerId = (n: number) => `usd_cus_${String(n).padStart(4, '0')}`;

/** A store of that dialect holding the first `customers` of each currency of the fixed dataset. */
async function seededStore(store: (typeof stores)[number], customers: Record<string, number>): Promise<DialectStore> {
  const s = await store.open();
  for (const p of fixedDataset()) {
    if (Number(p.customerId.slice(-4)) >= customers[p.currency]!) continue;
    await segmentStep(message({ customerId: p.customerId, paymentId: p.paymentId, amountMinor: p.amountMinor, currency: p.currency, at: p.at }), { db: s.db, config });
  }
  return s;
}

class WorkerDied extends Error {}

/** Each customer's stored evaluation, as the batch leaves it. */
const evaluations = (s: DialectStore) =>
  s.db.all<{ customer_id: string; currency: string; segment: string; updated_at: string }>('SELECT customer_id, currency, segment, updated_at FROM segment_stats ORDER BY currency, customer_id');

for (const store of stores) describe(`the segment batch goes on from its last checkpoint after a crash, instead of starting over (${store.dialect})`, { timeout: 60_000 }, () => {
  const { customers, chunkSize, crashAfter } = VOLUME[store.dialect];
  const usd = customers.USD!;
  let straight: DialectStore;
  let crashed: DialectStore;
  before(async () => { [straight, crashed] = await Promise.all([seededStore(store, customers), seededStore(store, customers)]); }, { timeout: 60_000 });
  after(async () => { await Promise.all([straight.remove(), crashed.remove()]); });

  it('writes each customer once across both attempts, reuses the thresholds and model it saved, and ends as a straight run does', async () => {
    const expected = await runSegmentBatch(straight.db, config, { asOf: AS_OF, chunkSize });
    assert.deepEqual(expected.currencies.map((c) => [c.currency, c.customers, c.model !== null]), [['EUR', customers.EUR, true], ['USD', usd, true]], 'both currencies fit a model');

    // EUR comes first; the worker dies after writing three chunks of USD.
    let last: BatchCheckpoint | undefined;
    const attempt1: BatchProgress[] = [];
    await assert.rejects(
      runSegmentBatch(crashed.db, config, {
        asOf: AS_OF, chunkSize,
        onProgress: (p) => {
          attempt1.push(p);
          last = JSON.parse(JSON.stringify(p.checkpoint)) as BatchCheckpoint; // as a heartbeat carries it
          if (p.currency === 'USD' && p.written === crashAfter) throw new WorkerDied();
        },
      }),
      WorkerDied,
    );
    assert.deepEqual(last!.done.map((c) => c.currency), ['EUR']);
    assert.equal(last!.current?.currency, 'USD');
    assert.equal(last!.current?.afterCustomerId, customerId(crashAfter - 1));
    const writtenBefore = new Map((await evaluations(crashed)).map((r) => [r.customer_id, r.updated_at]));
    const runsBefore = await crashed.db.all<{ id: string }>('SELECT id FROM segment_rfm_runs ORDER BY id');
    const modelsBefore = await crashed.db.all<{ id: string }>('SELECT id FROM segment_clv_models ORDER BY id');

    await new Promise((r) => setTimeout(r, 5)); // the second attempt's writes carry a later time
    const attempt2: BatchProgress[] = [];
    // Every pause reports, so reading and scoring USD again do: a worker dying then leaves the same checkpoint.
    const resumed = await runSegmentBatch(crashed.db, config, { asOf: AS_OF, chunkSize, resumeFrom: last, pauseEveryMs: 0, onProgress: (p) => attempt2.push(p) });

    // From the checkpoint, chunk by chunk, to the last USD customer.
    const steps = [crashAfter];
    while (steps.at(-1)! < usd) steps.push(Math.min(usd, steps.at(-1)! + chunkSize));
    // Before writing (the ledger read for unscored payments comes after every currency, with nothing to go on from but them).
    const preparing = attempt2.filter((p) => p.phase !== 'writing' && p.phase !== 'unscored');
    assert.deepEqual([...new Set(preparing.map((p) => p.phase))], ['reading', 'scoring'], 'no second fit');
    assert.ok(preparing.every((p) => JSON.stringify(p.checkpoint) === JSON.stringify(last)), 'before writing, the checkpoint it started from');
    assert.deepEqual(attempt2.filter((p) => p.phase === 'writing').map((p) => [p.currency, p.written]), steps.map((n) => ['USD', n]));
    assert.deepEqual(await crashed.db.all('SELECT id FROM segment_rfm_runs ORDER BY id'), runsBefore, 'no second set of thresholds');
    assert.deepEqual(await crashed.db.all('SELECT id FROM segment_clv_models ORDER BY id'), modelsBefore, 'no second model fit');
    assert.deepEqual(resumed.currencies.map((c) => c.runId), last!.done.map((c) => c.runId).concat(last!.current!.run.id));

    const after = await evaluations(crashed);
    const rewritten = after.filter((r) => r.updated_at !== writtenBefore.get(r.customer_id)).map((r) => r.customer_id);
    assert.equal(rewritten.length, usd - crashAfter, 'only the USD customers after the checkpoint are written again');
    assert.ok(rewritten.every((id) => id >= customerId(crashAfter)));

    // Same segments, counts and tallies as the run that never crashed.
    assert.deepEqual(after.map((r) => [r.customer_id, r.segment]), (await evaluations(straight)).map((r) => [r.customer_id, r.segment]));
    const strip = (r: typeof expected) => r.currencies.map(({ runId: _r, model, ...c }) => ({ ...c, modelFit: model?.purchase.params }));
    assert.deepEqual(strip(resumed), strip(expected));
  });

  it('ignores a checkpoint of another run (another as-of time) and starts over', async () => {
    // Two chunks of each currency are enough to crash in the first and start over.
    const s = await seededStore(store, { USD: 2 * chunkSize, EUR: 2 * chunkSize });
    try {
      let last: BatchCheckpoint | undefined;
      await assert.rejects(runSegmentBatch(s.db, config, {
        asOf: AS_OF, chunkSize, onProgress: (p) => { last = p.checkpoint; if (p.written === chunkSize) throw new WorkerDied(); },
      }), WorkerDied);
      assert.equal(last!.current?.afterCustomerId, `eur_cus_${String(chunkSize - 1).padStart(4, '0')}`);
      const written: number[] = [];
      const other = await runSegmentBatch(s.db, config, { asOf: new Date('2025-08-01T00:00:00Z'), chunkSize, resumeFrom: last, onProgress: (p) => written.push(p.written) });
      assert.deepEqual(other.currencies.map((c) => c.currency), ['EUR', 'USD']);
      assert.equal(written[0], 0, 'from the first customer');
    } finally {
      await s.remove();
    }
  });
});
