import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordEvents } from '../../../nodes/core/ledger/record-events';
import { runSegmentBatch } from '../../../nodes/core/segment/batch';
import { findUnscoredPayments } from '../../../nodes/core/segment/unscored';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { cumulativeRefund, payment } from '../ledger/support/events';
import { dialectStores } from '../match/store-dialects';
import { coreSteps, MAY_SALES, seedPayments } from '../../workflows/support/seed-payments';

/** The same scenario on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-segment-unscored');

for (const where of stores) describe(`the segment batch reports the ledger's unscored payments beside the customers it scored (${where.dialect})`, { timeout: 60_000 }, () => {
  it('counts payments linked to no customer and payments no Segment step counted, with the first few, in the run\'s currencies', async () => {
    const { db, url } = await where.open();
    // Customers the Segment step counted, as each payment passed it.
    await seedPayments(coreSteps(url, null), MAY_SALES);
    const known = (await db.get<{ customer_id: string }>('SELECT customer_id FROM segment_stats ORDER BY customer_id LIMIT 1'))!.customer_id;
    // Recorded in the ledger without the Segment step (a flow with no Segment node, a backfill) ...
    await db.transaction((tx) =>
      recordEvents(tx, [
        payment('pi_unscored_b', 1200, '2025-05-10T10:00:00.000Z', { customerId: known }),
        payment('pi_unscored_a', 800, '2025-05-11T10:00:00.000Z', { customerId: null }),
        payment('pi_unscored_c', 500, '2025-05-12T10:00:00.000Z', { customerId: known, amount: { minor: 500, currency: 'EUR' } }),
        // ... and a payment heard of only by its refund: not a payment yet, for the Segment step neither.
        cumulativeRefund('pi_only_refund', 300, '2025-05-13T10:00:00.000Z', { customerId: known }),
      ]),
    );
    const config = parseSegmentConfig({ clv: { unit: 'days' } });
    const all = await runSegmentBatch(db, config, { asOf: new Date('2025-06-01T00:00:00Z') });
    assert.deepEqual(all.currencies.map((c) => [c.currency, c.customers]), [['USD', 6]], 'the Segment step\'s customers were scored');
    assert.deepEqual(all.unscored, {
      payments: 3, noCustomer: 1, notCounted: 2,
      examples: [
        { source: 'stripe', paymentId: 'pi_unscored_a', currency: 'USD', reason: 'no-customer' },
        { source: 'stripe', paymentId: 'pi_unscored_b', currency: 'USD', reason: 'not-counted' },
        { source: 'stripe', paymentId: 'pi_unscored_c', currency: 'EUR', reason: 'not-counted' },
      ],
    });
    const usd = await runSegmentBatch(db, config, { asOf: new Date('2025-06-01T00:00:00Z'), currencies: ['USD'] });
    assert.deepEqual(usd.unscored, {
      payments: 2, noCustomer: 1, notCounted: 1,
      examples: [
        { source: 'stripe', paymentId: 'pi_unscored_a', currency: 'USD', reason: 'no-customer' },
        { source: 'stripe', paymentId: 'pi_unscored_b', currency: 'USD', reason: 'not-counted' },
      ],
    });
    // Read a page at a time, the pages ending between them: the same answer, each payment once.
    const pages: number[] = [];
    assert.deepEqual(await findUnscoredPayments(db, { pageSize: 2, pause: async (read) => void pages.push(read) }), all.unscored);
    assert.ok(pages.length >= 6, `${pages.length} pages of 2`);
  });
});
