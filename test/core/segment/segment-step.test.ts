import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../../nodes/core/store/migrations';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { readLocalCustomerFields } from '../../../nodes/core/crm/customer-fields';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { SegmentStatsRepository } from '../../../nodes/core/segment/stats-repository';
import { rebuildSegmentStats } from '../../../nodes/core/segment/rebuild-stats';
import { tempDir } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { message } from './support/messages';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-segment-step');

type Store = DialectStore;

async function statsOf(s: Store, customerId: string, currency = 'USD') {
  return s.db.get<Record<string, unknown>>('SELECT * FROM segment_stats WHERE customer_id = ? AND currency = ?', [customerId, currency]);
}

for (const store of stores) describe(`Segment step: incremental statistics on ${store.dialect}`, () => {
  let s: Store;
  before(async () => { s = await store.open(); });
  after(async () => { await s.remove(); });
  const deps = () => ({ db: s.db });

  it('counts a payment once across its PaymentIntent and charge events, taking the card details from whichever has them', async () => {
    const first = await segmentStep(message({ customerId: 'c1', paymentId: 'pi_1', amountMinor: 1250, at: '2025-03-03T10:00:00Z' }), deps());
    const second = await segmentStep(
      message({ customerId: 'c1', paymentId: 'pi_1', amountMinor: 1250, at: '2025-03-03T10:00:01Z', entryMode: 'contactless', wallet: 'apple_pay' }),
      deps(),
    );
    assert.equal(first.segment.outcome, 'updated');
    assert.equal(second.segment.outcome, 'updated', 'the charge added the entry mode');
    const row = await statsOf(s, 'c1');
    assert.deepEqual([row!.payments, row!.purchase_days, row!.gross_minor], [1, 1, 1250]);
    assert.equal(second.segment.stats!.preferences.entryMode, 'contactless');
    assert.equal(second.segment.stats!.preferences.method, 'apple_pay');
    assert.equal(second.segment.stats!.preferences.dayOfWeek, 'Monday');
    assert.equal(second.segment.stats!.preferences.season, 'spring');
  });

  it('a duplicate delivery returns the first answer and changes nothing', async () => {
    const m = message({ customerId: 'c2', paymentId: 'pi_2', amountMinor: 800, at: '2025-03-04T10:00:00Z' });
    const first = await segmentStep(m, deps());
    const before = await statsOf(s, 'c2');
    const again = await segmentStep(m, deps());
    assert.equal(again.segment.outcome, 'duplicate');
    assert.deepEqual(again.segment.stats, first.segment.stats);
    assert.deepEqual(await statsOf(s, 'c2'), before);
  });

  it('refunds lower net spend by what is newly refunded, whatever order and however often their events arrive', async () => {
    await segmentStep(message({ customerId: 'c3', paymentId: 'pi_3', amountMinor: 1000, at: '2025-03-05T10:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c3', paymentId: 'pi_3', kind: 'refund', amountMinor: 1000, refundedTotalMinor: 300, at: '2025-03-06T10:00:00Z' }), deps());
    const second = message({ customerId: 'c3', paymentId: 'pi_3', kind: 'refund', amountMinor: 1000, refundedTotalMinor: 500, at: '2025-03-07T10:00:00Z' });
    await segmentStep(second, deps());
    // A different event id carrying the same cumulative total (another delivery path) changes nothing.
    const replay = await segmentStep({ ...second, id: 'evt_other_path' }, deps());
    assert.equal(replay.segment.outcome, 'unchanged');
    const row = await statsOf(s, 'c3');
    assert.deepEqual([row!.gross_minor, row!.refunded_minor], [1000, 500]);
    assert.equal(replay.segment.stats!.netMinor, 500);

    // Refund first, payment later: remembered, then applied with the payment.
    const early = await segmentStep(message({ customerId: 'c3', paymentId: 'pi_3b', kind: 'refund', amountMinor: 400, refundedTotalMinor: 400, at: '2025-03-08T10:00:00Z' }), deps());
    assert.equal(early.segment.outcome, 'skipped');
    assert.match(early.segment.reason!, /remembered/);
    await segmentStep(message({ customerId: 'c3', paymentId: 'pi_3b', amountMinor: 400, at: '2025-03-08T09:00:00Z' }), deps());
    const after = await statsOf(s, 'c3');
    assert.deepEqual([after!.payments, after!.gross_minor, after!.refunded_minor], [2, 1400, 900]);
  });

  it('disputes: open holds, won releases, lost becomes a chargeback; a replayed "open" after the close is ignored', async () => {
    await segmentStep(message({ customerId: 'c4', paymentId: 'pi_4', amountMinor: 2000, at: '2025-03-05T10:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c4', paymentId: 'pi_5', amountMinor: 3000, at: '2025-03-06T10:00:00Z' }), deps());
    const open4 = message({ customerId: 'c4', paymentId: 'pi_4', kind: 'dispute', status: 'disputed', amountMinor: 2000, at: '2025-03-10T10:00:00Z' });
    await segmentStep(open4, deps());
    let row = await statsOf(s, 'c4');
    assert.deepEqual([row!.disputes, row!.disputed_open_minor, row!.chargeback_minor], [1, 2000, 0]);
    await segmentStep(message({ customerId: 'c4', paymentId: 'pi_4', kind: 'dispute', status: 'succeeded', amountMinor: 2000, at: '2025-03-20T10:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c4', paymentId: 'pi_5', kind: 'dispute', status: 'disputed', amountMinor: 3000, at: '2025-03-21T10:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c4', paymentId: 'pi_5', kind: 'dispute', status: 'refunded', amountMinor: 3000, at: '2025-03-30T10:00:00Z' }), deps());
    await segmentStep({ ...open4, id: 'evt_reopen' }, deps());
    row = await statsOf(s, 'c4');
    assert.deepEqual([row!.disputes, row!.disputed_open_minor, row!.chargeback_minor, row!.gross_minor], [2, 0, 3000, 5000]);
  });

  it('purchase days and the first day follow the calendar, also when an older payment arrives late', async () => {
    await segmentStep(message({ customerId: 'c5', paymentId: 'pi_6', amountMinor: 500, at: '2025-04-10T09:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c5', paymentId: 'pi_7', amountMinor: 700, at: '2025-04-10T18:00:00Z' }), deps());
    await segmentStep(message({ customerId: 'c5', paymentId: 'pi_8', amountMinor: 900, at: '2025-04-01T12:00:00Z' }), deps());
    const row = await statsOf(s, 'c5');
    assert.deepEqual([row!.payments, row!.purchase_days, row!.first_day_value_minor], [3, 2, 900]);
    assert.equal(row!.first_seen, '2025-04-01T12:00:00.000Z');
    assert.equal(row!.last_seen, '2025-04-10T18:00:00.000Z');
  });

  it('category preference from line items, and from metadata when there are none', async () => {
    await segmentStep(message({ customerId: 'c6', paymentId: 'pi_9', amountMinor: 900, at: '2025-07-01T08:00:00Z', lineItems: [{ category: 'Coffee', quantity: 2 }, { category: 'pastry' }] }), deps());
    const out = await segmentStep(message({ customerId: 'c6', paymentId: 'pi_10', amountMinor: 400, at: '2025-07-02T08:00:00Z', metadata: { categories: 'coffee' } }), deps());
    assert.equal(out.segment.stats!.preferences.category, 'coffee');
    assert.equal(out.segment.stats!.preferences.season, 'summer');
  });

  it('seasons and weekdays in the shop\'s time zone and hemisphere', async () => {
    const config = parseSegmentConfig({ timeZone: 'Australia/Sydney', hemisphere: 'south' });
    // 2025-06-30 22:30 UTC is Tuesday 1 July 08:30 in Sydney: winter there.
    const out = await segmentStep(message({ customerId: 'c7', paymentId: 'pi_11', amountMinor: 100, at: '2025-06-30T22:30:00Z' }), { db: s.db, config });
    assert.deepEqual([out.segment.stats!.preferences.dayOfWeek, out.segment.stats!.preferences.hour, out.segment.stats!.preferences.season], ['Tuesday', 8, 'winter']);
  });

  it('purchase days are the shop\'s calendar days: two visits on one day there, either side of midnight UTC, are one', async () => {
    const sydney = parseSegmentConfig({ timeZone: 'Australia/Sydney' });
    // 09:30 and 11:30 on Tuesday 1 July in Sydney (30 June 23:30 and 1 July 01:30 UTC), then 09:00 on 3 July there.
    await segmentStep(message({ customerId: 'c7b', paymentId: 'pi_syd_1', amountMinor: 500, at: '2025-06-30T23:30:00Z' }), { db: s.db, config: sydney });
    const same = await segmentStep(message({ customerId: 'c7b', paymentId: 'pi_syd_2', amountMinor: 700, at: '2025-07-01T01:30:00Z' }), { db: s.db, config: sydney });
    assert.equal(same.segment.stats!.purchaseDays, 1);
    await segmentStep(message({ customerId: 'c7b', paymentId: 'pi_syd_3', amountMinor: 300, at: '2025-07-02T23:00:00Z' }), { db: s.db, config: sydney });
    const row = await statsOf(s, 'c7b');
    const july1 = Date.UTC(2025, 6, 1) / 86_400_000;
    // The first day's value is both of that day's visits; the repeat day is two days later, in Sydney as in the shop's books.
    assert.deepEqual([row!.payments, row!.purchase_days, row!.first_day, row!.last_day, row!.first_day_value_minor].map(Number), [3, 2, july1, july1 + 2, 1200]);
    // 16:00 and 18:00 on 1 July in Los Angeles (23:00 and 01:00 UTC): one day there too.
    const la = parseSegmentConfig({ timeZone: 'America/Los_Angeles' });
    await segmentStep(message({ customerId: 'c7c', paymentId: 'pi_la_1', amountMinor: 500, at: '2025-07-01T23:00:00Z' }), { db: s.db, config: la });
    const evening = await segmentStep(message({ customerId: 'c7c', paymentId: 'pi_la_2', amountMinor: 500, at: '2025-07-02T01:00:00Z' }), { db: s.db, config: la });
    assert.equal(evening.segment.stats!.purchaseDays, 1);
    assert.equal(Number((await statsOf(s, 'c7c'))!.first_day), july1);
  });

  it('skips failed payments and payments without a customer, saying why', async () => {
    const failed = await segmentStep(message({ customerId: 'c8', paymentId: 'pi_12', kind: 'failure', amountMinor: 100, at: '2025-03-03T10:00:00Z' }), deps());
    assert.equal(failed.segment.outcome, 'skipped');
    assert.match(failed.segment.reason!, /failed payment/);
    const anonymous = await segmentStep(message({ customerId: null, paymentId: 'pi_13', amountMinor: 100, at: '2025-03-03T10:00:00Z' }), deps());
    assert.match(anonymous.segment.reason!, /no customer/);
    assert.equal(await statsOf(s, 'c8'), undefined);
  });

  it('refuses a message that has not been through CRM Upsert, naming the missing step', async () => {
    const { crm: _crm, ...withoutCrm } = message({ customerId: 'c9', paymentId: 'pi_14', amountMinor: 100, at: '2025-03-03T10:00:00Z' });
    await assert.rejects(segmentStep(withoutCrm, deps()), /crm: .*Fix: put a CRM Upsert step before Segment/);
  });
});

for (const store of stores) describe(`Segment step: flags and CRM fields on ${store.dialect}`, () => {
  let s: Store;
  before(async () => { s = await store.open(); });
  after(async () => { await s.remove(); });

  it('flags an amount, hour and place unusual for this customer, and not a usual payment', async () => {
    for (let i = 0; i < 10; i++) {
      const usual = await segmentStep(
        message({ customerId: 'a1', paymentId: `pi_u${i}`, amountMinor: 900 + (i % 3) * 100, at: `2025-05-${String(i + 1).padStart(2, '0')}T09:${10 + i}:00Z`, locationId: 'tml_home' }),
        { db: s.db },
      );
      assert.equal(usual.segment.flags!.anomaly, false, `payment ${i}: ${usual.segment.flags!.reasons.join('; ')}`);
    }
    const odd = await segmentStep(message({ customerId: 'a1', paymentId: 'pi_odd', amountMinor: 48_000, at: '2025-05-20T03:00:00Z', locationId: 'tml_far' }), { db: s.db });
    const f = odd.segment.flags!;
    assert.equal(f.anomaly, true);
    assert.ok(f.reasons.some((r) => r.startsWith('anomaly: amount')), f.reasons.join('; '));
    assert.ok(f.reasons.some((r) => r.startsWith('anomaly: time of day')), f.reasons.join('; '));
    assert.ok(f.reasons.includes('anomaly: first payment at this location'));
    const normal = await segmentStep(message({ customerId: 'a1', paymentId: 'pi_norm', amountMinor: 1000, at: '2025-05-21T09:30:00Z', locationId: 'tml_home' }), { db: s.db });
    assert.equal(normal.segment.flags!.anomaly, false, normal.segment.flags!.reasons.join('; '));
  });

  it('flags a high-value payment by the configured threshold and writes the mapped CRM fields', async () => {
    const config = parseSegmentConfig({ flags: { highValue: { paymentMinor: { USD: 50_000 } } }, crmFields: { segment: 'Segment', highValue: 'VIP', netSpend: 'Total spend' } });
    const out = await segmentStep(message({ customerId: 'a2', paymentId: 'pi_big', amountMinor: 75_000, at: '2025-05-01T12:00:00Z' }), { db: s.db, config, now: () => new Date('2025-05-01T12:00:00Z') });
    assert.equal(out.segment.flags!.highValue, true);
    assert.equal(out.segment.name, 'New', 'one payment, first seen today: New even before any batch run');
    assert.deepEqual(out.segment.crmFields, { Segment: 'New', VIP: true, 'Total spend': 75_000 });
    assert.deepEqual(await readLocalCustomerFields(s.db, 'a2'), { Segment: 'New', 'Total spend': '75000', VIP: 'true' });
  });

  it('a sale void by the time it is counted is no high-value payment, and not the history the next one is compared with', async () => {
    const config = parseSegmentConfig({ flags: { highValue: { paymentMinor: { USD: 50_000 } } } });
    const at = '2025-06-01T12:00:00Z';
    // The void (Adyen's CAPTURE_FAILED, a SumUp sale read CANCELLED) arrives before the sale it voids.
    await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_void_big', kind: 'failure', sale: { voided: true }, amountMinor: 75_000, at }), { db: s.db, config });
    const sale = await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_void_big', amountMinor: 75_000, at, locationId: 'tml_far' }), { db: s.db, config });
    assert.deepEqual([sale.segment.stats!.payments, sale.segment.flags!.highValue, sale.segment.flags!.anomaly], [0, false, false], sale.segment.flags!.reasons.join('; '));
    const next = await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_after_void', amountMinor: 1_000, at: '2025-06-02T12:00:00Z', locationId: 'tml_home' }), { db: s.db, config });
    assert.deepEqual([next.segment.stats!.payments, next.segment.stats!.firstSeen], [1, '2025-06-02T12:00:00.000Z']);

    // Three purchases at home, then a sale at another shop voided after it succeeded: the customer never bought there.
    const watch = parseSegmentConfig({ flags: { anomaly: { minHistory: 3 } } });
    for (const day of [3, 4, 5]) {
      await segmentStep(message({ customerId: 'a2void', paymentId: `pi_home_${day}`, amountMinor: 1_000, at: `2025-06-0${day}T12:00:00Z`, locationId: 'tml_home' }), { db: s.db, config: watch });
    }
    await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_far_void', amountMinor: 1_000, at: '2025-06-06T12:00:00Z', locationId: 'tml_far' }), { db: s.db, config: watch });
    await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_far_void', kind: 'failure', sale: { voided: true }, amountMinor: 1_000, at: '2025-06-07T12:00:00Z' }), { db: s.db, config: watch });
    const far = await segmentStep(message({ customerId: 'a2void', paymentId: 'pi_far', amountMinor: 1_000, at: '2025-06-08T12:00:00Z', locationId: 'tml_far' }), { db: s.db, config: watch });
    assert.ok(far.segment.flags!.reasons.includes('anomaly: first payment at this location'), far.segment.flags!.reasons.join('; '));
    assert.equal(far.segment.stats!.lastSeen, '2025-06-08T12:00:00.000Z');
  });

  it('a customer with no purchase (a sale void by the time it counts, a refund naming no sale): the earliest and latest of their dates and no first-day value, whichever came first, as added up again', async () => {
    // The order-independence property test's counterexample: the statistics row kept the dates of the first such
    // payment to arrive, and a refund naming no sale put what its reversal gave back in the first day's value, while
    // added up again (a sale going void) they are the earliest and latest of them and in no day's value.
    const facts = (c: string) => ({
      unreferenced: message({ customerId: c, paymentId: `ur_${c}`, kind: 'refund', status: 'refunded', refund: { id: `ur_${c}`, cumulative: false, unreferenced: true }, amountMinor: 850, at: '2025-06-01T15:00:00Z' }),
      reversal: message({ customerId: c, paymentId: `ur_${c}`, kind: 'refund', status: 'succeeded', refund: { id: `ur_${c}`, cumulative: false, reversed: true }, amountMinor: 850, at: '2025-06-01T15:30:00Z' }),
      void: message({ customerId: c, paymentId: `pi_${c}`, kind: 'failure', sale: { voided: true }, amountMinor: 4000, at: '2025-06-01T16:00:00Z' }),
      sale: message({ customerId: c, paymentId: `pi_${c}`, amountMinor: 4000, at: '2025-06-01T10:00:00Z' }),
    });
    const columns = 'payments, purchase_days, gross_minor, refunded_minor, first_seen, last_seen, first_day, last_day, first_day_value_minor';
    const read = async (c: string) => ({ ...(await s.db.get<Record<string, unknown>>(`SELECT ${columns} FROM segment_stats WHERE customer_id = ?`, [c])) });
    const outcomes: Record<string, unknown>[] = [];
    for (const [c, order] of [['nopurchase1', ['unreferenced', 'void', 'sale', 'reversal']], ['nopurchase2', ['sale', 'void', 'unreferenced', 'reversal']]] as const) {
      const f = facts(c);
      for (const k of order) await segmentStep(f[k], { db: s.db });
      const incremental = await read(c);
      await s.db.transaction((tx) => rebuildSegmentStats(tx, c, new Date().toISOString()));
      assert.deepEqual(incremental, await read(c), `${order.join(', ')}: as added up again`);
      outcomes.push(incremental);
    }
    assert.deepEqual(outcomes[0], outcomes[1]);
    assert.deepEqual([outcomes[0]!.first_seen, outcomes[0]!.last_seen, Number(outcomes[0]!.first_day_value_minor)].map(String), ['2025-06-01T10:00:00.000Z', '2025-06-01T15:00:00.000Z', '0']);
  });

  it('fills the anomaly window, among payments made at one time, with those last in the ledger\'s order (by payment id) on every store', async () => {
    const config = parseSegmentConfig({ flags: { anomaly: { window: 5, minHistory: 5 } } });
    const at = '2025-07-01T10:00:00Z';
    // Six purchases stamped with the same second (Stripe's `created` counts seconds): the one at the far shop
    // recorded first, though its payment id comes last.
    await segmentStep(message({ customerId: 'a_tie', paymentId: 'pi_tie_9', amountMinor: 1_009, at, locationId: 'tml_far' }), { db: s.db, config });
    for (const k of [1, 2, 3, 4, 5]) {
      await segmentStep(message({ customerId: 'a_tie', paymentId: `pi_tie_${k}`, amountMinor: 1_000 + k, at, locationId: 'tml_home' }), { db: s.db, config });
    }
    const window = await new SegmentStatsRepository(s.db.dialect).history(s.db, 'a_tie', 'USD', { source: 'stripe', paymentId: 'pi_next' }, 5);
    assert.deepEqual(window.map((h) => h.amountMinor), [1_009, 1_005, 1_004, 1_003, 1_002], 'newest first; at one time, the reverse of the ledger\'s order');
    const next = await segmentStep(message({ customerId: 'a_tie', paymentId: 'pi_next', amountMinor: 1_003, at: '2025-07-02T10:00:00Z', locationId: 'tml_far' }), { db: s.db, config });
    assert.equal(next.segment.flags!.anomaly, false, `the far shop is in the window: ${next.segment.flags!.reasons.join('; ')}`);
  });

  it('writes the currency the money fields count in, where it is mapped', async () => {
    const config = parseSegmentConfig({ crmFields: { netSpend: 'Total spend', averageOrder: 'Average order', currency: 'Spend currency' } });
    const out = await segmentStep(message({ customerId: 'a2yen', paymentId: 'pi_yen', amountMinor: 4_200, currency: 'jpy', at: '2025-05-01T12:00:00Z' }), { db: s.db, config, now: () => new Date('2025-05-01T12:00:00Z') });
    assert.deepEqual(out.segment.crmFields, { 'Total spend': 4_200, 'Average order': 4_200, 'Spend currency': 'JPY' });
    assert.deepEqual(await readLocalCustomerFields(s.db, 'a2yen'), { 'Average order': '4200', 'Spend currency': 'JPY', 'Total spend': '4200' });
  });

  it('rejects a configuration mistake with the setting\'s path and a fix', () => {
    assert.throws(() => parseSegmentConfig({ flags: { anomaly: { threshold: -1 } } }), /segmentConfig\.flags\.anomaly\.threshold: .*Fix:/);
    assert.throws(() => parseSegmentConfig({ crmFields: { segmnt: 'x' } }), /segmentConfig\.crmFields\.segmnt: is not a field the Segment step produces/);
    assert.throws(() => parseSegmentConfig({ timeZone: 'Mars/Olympus' }), /segmentConfig\.timeZone: .*not a time zone/);
    assert.throws(() => parseSegmentConfig('{oops'), /segmentConfig: is not valid JSON/);
  });
});

describe('Segment step: persistence', () => {
  it('statistics survive closing the store and opening it again (a restart)', async () => {
    const dir = tempDir('tcrm-seg-');
    const path = join(dir.path, 'store.db');
    try {
      const first = new SqliteDatabase(path);
      await migrate(first);
      await segmentStep(message({ customerId: 'p1', paymentId: 'pi_p1', amountMinor: 1500, at: '2025-03-03T10:00:00Z' }), { db: first });
      await first.close();
      const second = new SqliteDatabase(path);
      await migrate(second);
      const again = await segmentStep(message({ customerId: 'p1', paymentId: 'pi_p2', amountMinor: 500, at: '2025-03-04T10:00:00Z' }), { db: second });
      await second.close();
      assert.deepEqual([again.segment.stats!.payments, again.segment.stats!.grossMinor, again.segment.stats!.purchaseDays], [2, 2000, 2]);
    } finally {
      dir.remove();
    }
  });
});
