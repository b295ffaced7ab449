import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { runSegmentBatch, type BatchResult } from '../../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { readLocalCustomerFields } from '../../../nodes/core/crm/customer-fields';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { saveEvaluation, SegmentStatsRepository } from '../../../nodes/core/segment/stats-repository';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { fixedDataset, type DatasetPayment } from './support/fixed-dataset';
import { message } from './support/messages';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-segment-batch');

const AS_OF = '2025-07-01T00:00:00.000Z';

/**
 * The independent computation: plain SQL over the raw payments (not over anything the step maintains), with the
 * default segment rules written out by hand as a CASE. Quintiles are rank-based:
 * 1 + (RANK() − 1) · 5 / n, integer division, ties sharing the lower score.
 */
const REFERENCE_SQL = `
  WITH customers AS (
    SELECT customer_id, currency, COUNT(*) AS payments,
           SUM(amount_minor - refunded_minor) AS net_minor,
           MIN(date(occurred_at)) AS first_date, MAX(date(occurred_at)) AS last_date
    FROM dataset GROUP BY customer_id, currency
  ), scored AS (
    SELECT customer_id, currency, payments, first_date,
      1 + (RANK() OVER (PARTITION BY currency ORDER BY last_date) - 1) * 5 / COUNT(*) OVER (PARTITION BY currency) AS r,
      1 + (RANK() OVER (PARTITION BY currency ORDER BY payments) - 1) * 5 / COUNT(*) OVER (PARTITION BY currency) AS f,
      1 + (RANK() OVER (PARTITION BY currency ORDER BY net_minor) - 1) * 5 / COUNT(*) OVER (PARTITION BY currency) AS m
    FROM customers
  ), graded AS (
    SELECT *, (f + m) / 2 AS fm, CAST(julianday(date(:as_of)) - julianday(first_date) AS INTEGER) AS since_first FROM scored
  )
  SELECT customer_id, currency, r, f, m,
    CASE
      WHEN payments = 1 AND since_first BETWEEN 0 AND 30 THEN 'New'
      WHEN r >= 4 AND fm >= 4 THEN 'Champions'
      WHEN r = 1 AND fm >= 4 THEN 'Can''t lose them'
      WHEN r <= 2 AND fm >= 3 THEN 'At risk'
      WHEN r >= 3 AND fm >= 3 THEN 'Loyal'
      WHEN r >= 4 THEN 'Potential'
      WHEN r = 3 THEN 'Need attention'
      WHEN r = 2 THEN 'Hibernating'
      ELSE 'Lost'
    END AS segment
  FROM graded ORDER BY currency, customer_id`;

function referenceResult(data: readonly DatasetPayment[]) {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE dataset (customer_id TEXT, currency TEXT, payment_id TEXT, amount_minor INTEGER, refunded_minor INTEGER, occurred_at TEXT)');
  const insert = db.prepare('INSERT INTO dataset VALUES (?, ?, ?, ?, ?, ?)');
  for (const p of data) insert.run(p.customerId, p.currency, p.paymentId, p.amountMinor, p.refundMinor ?? 0, p.at);
  const rows = db.prepare(REFERENCE_SQL).all({ as_of: AS_OF }) as { customer_id: string; currency: string; r: number; f: number; m: number; segment: string }[];
  const counts = db.prepare(`SELECT currency, segment, COUNT(*) AS n FROM (${REFERENCE_SQL}) GROUP BY currency, segment`).all({ as_of: AS_OF }) as { currency: string; segment: string; n: number }[];
  db.close();
  return { rows, counts };
}

for (const store of stores) describe(`batch RFM and segments equal plain SQL over the same payments on ${store.dialect}`, () => {
  let s: DialectStore;
  let result: BatchResult;
  const data = fixedDataset();
  const config = parseSegmentConfig();

  before(async () => {
    s = await store.open();
    // Through the Segment step, payment by payment, with refunds as their own events.
    for (const p of data) {
      await segmentStep(message({ customerId: p.customerId, paymentId: p.paymentId, amountMinor: p.amountMinor, currency: p.currency, at: p.at }), { db: s.db, config });
      if (p.refundMinor) {
        await segmentStep(
          message({ customerId: p.customerId, paymentId: p.paymentId, kind: 'refund', amountMinor: p.amountMinor, refundedTotalMinor: p.refundMinor, currency: p.currency, at: p.refundAt! }),
          { db: s.db, config },
        );
      }
    }
    result = await runSegmentBatch(s.db, config, { asOf: new Date(AS_OF) });
  });
  after(async () => { await s.remove(); });

  it('every customer\'s R, F, M and segment', async () => {
    const { rows } = referenceResult(data);
    const ours = await s.db.all<{ customer_id: string; currency: string; r: number; f: number; m: number; segment: string }>(
      'SELECT customer_id, currency, rfm_r AS r, rfm_f AS f, rfm_m AS m, segment FROM segment_stats ORDER BY currency, customer_id',
    );
    assert.equal(ours.length, 580);
    assert.deepEqual(ours.map((r) => ({ ...r })), rows.map((r) => ({ ...r })));
  });

  it('segment counts per currency, and every default segment is exercised', () => {
    const { counts } = referenceResult(data);
    for (const c of result.currencies) {
      const want = Object.fromEntries(counts.filter((x) => x.currency === c.currency).map((x) => [x.segment, x.n]));
      assert.deepEqual(c.segmentCounts, want, c.currency);
    }
    const seen = new Set(counts.map((c) => c.segment));
    for (const name of ['New', 'Champions', "Can't lose them", 'At risk', 'Loyal', 'Potential', 'Need attention', 'Hibernating', 'Lost']) {
      assert.ok(seen.has(name), `dataset has no "${name}"`);
    }
  });

  it('fits a lifetime-value model per currency and stores P(alive) and forecasts for every customer', async () => {
    const usd = result.currencies.find((c) => c.currency === 'USD')!;
    assert.ok(usd.model, usd.modelSkipped);
    assert.ok(usd.model.purchase.converged);
    const bad = await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM segment_stats WHERE p_alive IS NULL OR p_alive < 0 OR p_alive > 1 OR clv IS NULL");
    assert.equal(bad!.n, 0);
    const fields = await readLocalCustomerFields(s.db, 'usd_cus_0001');
    assert.ok(fields.terminal_crm_segment && fields.terminal_crm_rfm?.match(/^[1-5]{3}$/), JSON.stringify(fields));
  });

  it('between runs a payment is scored against the last run\'s thresholds, marked approximate', async () => {
    const out = await segmentStep(message({ customerId: 'usd_cus_0001', paymentId: 'pi_after_run', amountMinor: 1000, at: '2025-07-02T10:00:00Z' }), { db: s.db, config });
    const usd = result.currencies.find((c) => c.currency === 'USD')!;
    assert.equal(out.segment.rfm!.runId, usd.runId);
    assert.equal(out.segment.rfm!.approximate, true);
    assert.equal(out.segment.rfm!.r, 5, 'bought after everyone in the run');
    assert.ok(out.segment.clv && out.segment.clv.pAlive > 0.5 && out.segment.clv.horizons.map((h) => h.days).join() === '90,365');
  });

  it('a batch write does not overwrite a customer whose counters moved since the run read them', async () => {
    const repo = new SegmentStatsRepository(s.db.dialect);
    const stats = (await repo.stats(s.db, 'usd_cus_0002', 'USD'))!;
    await segmentStep(message({ customerId: 'usd_cus_0002', paymentId: 'pi_meanwhile', amountMinor: 1000, at: '2025-07-02T11:00:00Z' }), { db: s.db, config });
    const stale = { rfm: null, segment: 'Stale', clv: null, flags: { highValue: false, atRisk: false, anomaly: false, reasons: [] } };
    assert.equal(await saveEvaluation(s.db, stats, stale, new Date().toISOString(), stats.version), false);
    assert.notEqual((await s.db.get<{ segment: string }>("SELECT segment FROM segment_stats WHERE customer_id = 'usd_cus_0002'"))!.segment, 'Stale');
  });
});
