import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { tempStore } from '../../support/temp-store';
import { message } from './support/messages';

describe('segment batch over customers none of whom came back', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  const config = parseSegmentConfig({ clv: { minCustomers: 5 } });

  before(async () => {
    store = await tempStore();
    for (let i = 0; i < 12; i++) {
      const day = String(1 + i).padStart(2, '0');
      await segmentStep(message({ customerId: `cus_once_${i}`, paymentId: `pi_once_${i}`, amountMinor: 1000 + 100 * i, at: `2025-05-${day}T10:00:00Z` }), { db: store.db, config });
    }
  });
  after(async () => { await store.remove(); });

  it('fits no lifetime-value model, says why, and still scores RFM and segments', async () => {
    const result = await runSegmentBatch(store.db, config, { asOf: new Date('2025-06-30T00:00:00Z') });
    const usd = result.currencies.find((c) => c.currency === 'USD')!;
    assert.equal(usd.customers, 12);
    assert.equal(usd.model, null);
    assert.match(usd.modelSkipped ?? '', /none of the 12 customers made a repeat purchase/);
    const rows = await store.db.all<{ clv: string | null; segment: string | null; rfm_r: number | null }>('SELECT clv, segment, rfm_r FROM segment_stats');
    assert.equal(rows.length, 12);
    for (const r of rows) {
      assert.equal(r.clv, null, 'no forecast from a model that was never fitted');
      assert.ok(r.segment && r.rfm_r! >= 1 && r.rfm_r! <= 5, JSON.stringify(r));
    }
    assert.equal((await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM segment_clv_models'))!.n, 0);
  });
});
