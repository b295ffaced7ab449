import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TokenizedPaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { rebuildSegmentStats } from '../../../nodes/core/segment/rebuild-stats';
import { migrate } from '../../../nodes/core/store/migrations';
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

  it('a void sale is no payment, purchase day, visit or preference, rebuilt as the Segment step counts it; a capture after the void brings it back', async () => {
    const before = { stats: await stats('cus_seg_ada'), counters: await counters('cus_seg_ada') };
    const sale = charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 2500, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T + 5 * 86_400);
    await paid(sale);
    const withSale = { stats: await stats('cus_seg_ada'), counters: await counters('cus_seg_ada') };
    const seen = (rows: unknown[]) => (rows as Record<string, unknown>[]).map((r) => [r.first_seen, r.last_seen, Number(r.first_day), Number(r.last_day)]);
    assert.notDeepEqual(seen(withSale.stats), seen(before.stats), 'the sale is the last visit');
    assert.notDeepEqual(withSale.counters, before.counters);
    // The processor reports the sale void after it succeeded (as Adyen's CAPTURE_FAILED does).
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true }, occurredAt: new Date((T + 6 * 86_400) * 1000).toISOString() });
    const counted = await stats('cus_seg_ada');
    const n = (k: string) => Number((counted[0] as Record<string, unknown>)[k]);
    assert.deepEqual(['payments', 'purchase_days', 'gross_minor', 'refunded_minor'].map(n), [2, 2, 4500, 2500]);
    assert.deepEqual(seen(counted), seen(before.stats), 'the last visit is the purchase before the void sale again');
    assert.deepEqual(await counters('cus_seg_ada'), before.counters, 'the void sale\'s weekday, hour and month are taken back');
    await s.db.transaction((tx) => rebuildSegmentStats(tx, 'cus_seg_ada', new Date().toISOString()));
    assert.deepEqual(await stats('cus_seg_ada'), counted);

    // Captured again (Adyen's CAPTURE after CAPTURE_FAILED): a purchase, a visit and a preference once more.
    await paid({ ...sale, id: `${sale.id}:capture`, sale: { voided: false }, occurredAt: new Date((T + 8 * 86_400) * 1000).toISOString() });
    assert.deepEqual(await stats('cus_seg_ada'), withSale.stats);
    assert.deepEqual(await counters('cus_seg_ada'), withSale.counters);
  });

  it('a void sale takes back the product categories its line items added, and a capture after the void gives them back', async () => {
    const lineItems = [{ category: 'Coffee', quantity: 2, amountMinor: 900 }, { category: 'pastry', amountMinor: 400 }, { category: 'coffee', amountMinor: 450 }];
    const categories = async (id: string) => ((await counters(id)) as { dimension: string; item: string; hits: number; amount_minor: number }[])
      .filter((c) => c.dimension === 'category').map((c) => [c.item, Number(c.hits), Number(c.amount_minor)]);
    const sale = charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 1750, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T + 5 * 86_400);
    const { match, upsert } = await matchAndRecord(s.crm, sale);
    await segmentStep({ ...sale, match, crm: upsert, lineItems }, { db: s.db });
    const withSale = await counters('cus_seg_ada');
    assert.deepEqual(await categories('cus_seg_ada'), [['coffee', 3, 1350], ['pastry', 1, 400]]);

    // The void names no line items: what the sale's added is taken back all the same.
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true }, occurredAt: new Date((T + 6 * 86_400) * 1000).toISOString() });
    assert.deepEqual(await categories('cus_seg_ada'), []);
    await paid({ ...sale, id: `${sale.id}:capture`, sale: { voided: false }, occurredAt: new Date((T + 8 * 86_400) * 1000).toISOString() });
    assert.deepEqual(await counters('cus_seg_ada'), withSale);
  });

  it('a sale void when first counted adds its product categories once it is captured', async () => {
    const walkInCard = { fingerprint: 'fp_seg_void_cats', last4: '7070', iin: '424242' };
    const sale = charge('charge.succeeded', { card: walkInCard, amount: 1200, chargeId: 'ch_seg_void_cats', paymentIntentId: 'pi_seg_void_cats' }, T + 86_400);
    // The void reaches the store before the sale, so the sale is counted void, with its line items kept aside.
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true } });
    const { match, upsert } = await matchAndRecord(s.crm, sale);
    await segmentStep({ ...sale, match, crm: upsert, lineItems: [{ category: 'tea', quantity: 2, amountMinor: 1200 }] }, { db: s.db });
    const customer = upsert.customerId!;
    assert.deepEqual(await counters(customer), []);
    await paid({ ...sale, id: `${sale.id}:capture`, sale: { voided: false }, occurredAt: new Date((T + 2 * 86_400) * 1000).toISOString() });
    const cats = ((await counters(customer)) as { dimension: string; item: string; hits: number; amount_minor: number }[]).filter((c) => c.dimension === 'category');
    assert.deepEqual(cats.map((c) => [c.item, Number(c.hits), Number(c.amount_minor)]), [['tea', 2, 1200]]);
  });

  it('a store whose void sales were still last visits (schema 21) takes its dates from the purchases when upgraded', async () => {
    const before = await stats('cus_seg_ada');
    const sale = charge('charge.succeeded', { email: 'seg.ada@example.com', amount: 2500, card: { fingerprint: 'fp_seg_ada', last4: '1212' } }, T + 5 * 86_400);
    await paid(sale);
    const withSale = (await stats('cus_seg_ada'))[0] as Record<string, unknown>;
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true }, occurredAt: new Date((T + 6 * 86_400) * 1000).toISOString() });
    // What schema 21 left: the void sale out of the payment counts, still the last visit.
    await s.db.transaction(async (tx) => {
      await tx.run('UPDATE segment_stats SET last_seen = ?, last_day = ? WHERE customer_id = ?', [withSale.last_seen as string, Number(withSale.last_day), 'cus_seg_ada']);
      await tx.run('DELETE FROM schema_migrations WHERE version = 22');
    });
    await migrate(s.db);
    const upgraded = (await stats('cus_seg_ada')).map((r) => ({ ...(r as object) }));
    // The void sale's money came and went back in full; the rest is as before it.
    const expected = (before as Record<string, unknown>[]).map((r) => ({ ...r, gross_minor: Number(r.gross_minor) + 2500, refunded_minor: Number(r.refunded_minor) + 2500 }));
    assert.deepEqual(upgraded.map((r) => ({ ...r, gross_minor: Number((r as Record<string, unknown>).gross_minor), refunded_minor: Number((r as Record<string, unknown>).refunded_minor) })), expected);
  });

  it('a sale void before it is first seen is no visit or preference, and the next purchase is the first visit', async () => {
    const walkInCard = { fingerprint: 'fp_seg_void_first', last4: '9090', iin: '424242' };
    const sale = charge('charge.succeeded', { card: walkInCard, amount: 4000, chargeId: 'ch_seg_void_first', paymentIntentId: 'pi_seg_void_first' }, T + 86_400);
    await paid({ ...sale, id: `${sale.id}:void`, kind: 'failure', status: 'failed', sale: { voided: true } });
    const customer = await paid(sale);
    assert.deepEqual(await counters(customer), []);
    const later = charge('charge.succeeded', { card: walkInCard, amount: 1500, chargeId: 'ch_seg_after_void', paymentIntentId: 'pi_seg_after_void' }, T + 4 * 86_400);
    await paid(later);
    const [row] = (await stats(customer)) as Record<string, unknown>[];
    assert.deepEqual(
      [Number(row!.payments), Number(row!.purchase_days), row!.first_seen, row!.last_seen, Number(row!.first_day_value_minor)],
      [1, 1, later.occurredAt, later.occurredAt, 1500],
    );
    const preferences = (await counters(customer)) as { dimension: string; hits: number; amount_minor: number }[];
    assert.deepEqual(preferences.filter((c) => ['weekday', 'hour', 'month'].includes(c.dimension)).map((c) => [Number(c.hits), Number(c.amount_minor)]), [[1, 1500], [1, 1500], [1, 1500]]);
    assert.ok(preferences.every((c) => Number(c.hits) === 1 && Number(c.amount_minor) === 1500), JSON.stringify(preferences));
    await s.db.transaction((tx) => rebuildSegmentStats(tx, customer, new Date().toISOString()));
    const [rebuilt] = (await stats(customer)) as Record<string, unknown>[];
    assert.deepEqual(rebuilt, row);
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
