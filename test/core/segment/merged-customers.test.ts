import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TokenizedPaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { rebuildSegmentStats } from '../../../nodes/core/segment/merged-customers';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { chargeObject, stripeEvent, type ChargeSpec } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { matchAndRecord, seedCustomers } from '../match/match-fixtures';
import { dialectStores, type DialectStore } from '../match/store-dialects';

const T = 1_700_000_000; // 2023-11-14 22:13 UTC
const walkIn = { fingerprint: 'fp_seg_walk_in', last4: '4545', iin: '545454' };

/** A card-present charge event made at `created` (seconds), tokenized. */
function charge(type: 'charge.succeeded' | 'charge.refunded', spec: ChargeSpec, created: number): TokenizedPaymentEvent {
  return tokenize(normalizeStripeEvent(stripeEvent(type, chargeObject({ ...spec, created }), { created })), testKeys());
}

for (const store of dialectStores('tcrm-merge-segments')) describe(`segment statistics follow a merge on ${store.dialect}`, () => {
  let s: DialectStore;
  let walker: string;

  /** Recorded as CRM Upsert records it, then counted by the Segment step. */
  async function paid(event: TokenizedPaymentEvent): Promise<string> {
    const { match, upsert } = await matchAndRecord(s.crm, event);
    await segmentStep({ ...event, match, crm: upsert }, { db: s.db });
    return upsert.customerId!;
  }

  /** The statistics the Segment step adds up, without its bookkeeping (version, evaluation, time written). */
  async function stats(id: string) {
    return s.db.all(
      `SELECT currency, payments, purchase_days, gross_minor, refunded_minor, chargeback_minor, disputes, disputed_open_minor,
              first_seen, last_seen, first_day, last_day, first_day_value_minor
         FROM segment_stats WHERE customer_id = ? ORDER BY currency`,
      [id],
    );
  }
  async function counters(id: string) {
    return s.db.all('SELECT dimension, item, hits, amount_minor FROM segment_counters WHERE customer_id = ? ORDER BY dimension, item', [id]);
  }

  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, [{ id: 'cus_seg_ada', givenName: 'Ada', familyName: 'Lovelace', email: 'seg.ada@example.com' }]);
    await paid(charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 1200, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T));
    await paid(charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 800, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T + 2 * 86_400));
    // A walk-in on Ada's first day, paying with a card nobody knows, later refunded in part: a customer of their own.
    walker = await paid(charge('charge.succeeded', { card: walkIn, amount: 3000, chargeId: 'ch_seg_walk', paymentIntentId: 'pi_seg_walk' }, T + 3600));
    await paid(charge('charge.refunded', { card: walkIn, amount: 3000, amountRefunded: 500, chargeId: 'ch_seg_walk', paymentIntentId: 'pi_seg_walk' }, T + 7200));
  });
  afterEach(async () => { await s.remove(); });

  it('rebuilds a customer\'s statistics exactly as the Segment step added them up', async () => {
    const before = { ada: await stats('cus_seg_ada'), walker: await stats(walker) };
    assert.equal(before.ada.length, 1);
    await s.db.transaction(async (tx) => {
      await rebuildSegmentStats(tx, 'cus_seg_ada', new Date().toISOString());
      await rebuildSegmentStats(tx, walker, new Date().toISOString());
    });
    assert.deepEqual({ ada: await stats('cus_seg_ada'), walker: await stats(walker) }, before);
  });

  it('rebuilds a void sale as the Segment step counts it: its money back, neither a payment nor a purchase day', async () => {
    const sale = charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 2500, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T + 5 * 86_400);
    await paid(sale);
    // The processor reports the sale void after it succeeded (as Adyen's CAPTURE_FAILED does).
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true }, occurredAt: new Date((T + 6 * 86_400) * 1000).toISOString() });
    const counted = await stats('cus_seg_ada');
    const n = (k: string) => Number((counted[0] as Record<string, unknown>)[k]);
    assert.deepEqual(['payments', 'purchase_days', 'gross_minor', 'refunded_minor'].map(n), [2, 2, 4500, 2500]);
    await s.db.transaction((tx) => rebuildSegmentStats(tx, 'cus_seg_ada', new Date().toISOString()));
    assert.deepEqual(await stats('cus_seg_ada'), counted);
  });

  it('gives the survivor the merged customer\'s payments and counters, one person\'s statistics; undo gives them back', async () => {
    const before = { ada: await stats('cus_seg_ada'), walker: await stats(walker), adaCounters: await counters('cus_seg_ada'), walkerCounters: await counters(walker) };
    const merge = await mergeCustomers(s.db, { into: 'cus_seg_ada', from: walker, evidence: 'the walk-in was Ada' });

    const [usd] = (await stats('cus_seg_ada')) as Record<string, unknown>[];
    const n = (k: string) => Number(usd![k]);
    // Three payments on two days; the first day holds 1,200 and the walk-in's 3,000 less its 500 refund.
    assert.deepEqual(['payments', 'purchase_days', 'gross_minor', 'refunded_minor', 'first_day_value_minor'].map(n), [3, 2, 5000, 500, 3700]);
    assert.deepEqual(await stats(walker), []);
    assert.deepEqual(await counters(walker), []);
    const hits = (rows: unknown[], dimension: string) => (rows as { dimension: string; hits: number }[]).filter((r) => r.dimension === dimension).reduce((a, r) => a + Number(r.hits), 0);
    assert.equal(hits(await counters('cus_seg_ada'), 'weekday'), hits(before.adaCounters, 'weekday') + hits(before.walkerCounters, 'weekday'));

    await undoMerge(s.db, merge.id);
    assert.deepEqual(
      { ada: await stats('cus_seg_ada'), walker: await stats(walker), adaCounters: await counters('cus_seg_ada'), walkerCounters: await counters(walker) },
      before,
    );
  });
});
