import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { reviewLoyalty } from '../../../nodes/core/loyalty/review';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { seedCustomers } from '../match/match-fixtures';
import { dialectStores } from '../match/store-dialects';
import { message } from '../segment/support/messages';
import { assertLedgerBalances } from './support/ledger-balances';

/** The same runs on a SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-loyalty-tier-history');

/** Gold (×2) from 100.00 over 90 days, Silver (×1.5) below; 1 point per dollar. */
const program = (id: string, silverFromMinor = 0): LoyaltyProgram => parseLoyaltyProgram({
  id, currency: 'USD', tierWindowDays: 90,
  tiers: [{ name: 'Silver', minSpendMinor: silverFromMinor, multiplier: 1.5 }, { name: 'Gold', minSpendMinor: 10_000, multiplier: 2 }],
});

/** A sale through the Loyalty step, dated `at` whenever it is heard; returns the points it earned. */
const sale = async (db: SqlDatabase, p: LoyaltyProgram, customerId: string, paymentId: string, amountMinor: number, at: string) => {
  const r = await loyaltyStep(message({ customerId, paymentId, amountMinor, at }), { db, program: p });
  return r.loyalty.entries.filter((e) => e.kind === 'earn').reduce((s, e) => s + e.points, 0);
};

const tierOf = async (db: SqlDatabase, p: LoyaltyProgram, customerId: string) =>
  (await db.get<{ tier: string | null }>('SELECT tier FROM loyalty_members WHERE program_id = ? AND customer_id = ?', [p.id, customerId]))?.tier ?? null;

const changesOf = async (db: SqlDatabase, p: LoyaltyProgram, customerId: string) =>
  (await db.all<{ changed_at: string; from_tier: string | null; to_tier: string | null }>(
    'SELECT changed_at, from_tier, to_tier FROM loyalty_tier_changes WHERE program_id = ? AND customer_id = ? ORDER BY seq', [p.id, customerId],
  )).map((r) => [r.changed_at, r.from_tier, r.to_tier]);

/** The review of 1 Dec 2025: a window of 90 days back to 2 Sep. */
const DEC_1 = new Date('2025-12-01T00:00:00Z');

for (const store of stores) describe(`Loyalty: a sale heard late earns at the tier its customer held at its time (${store.dialect})`, { timeout: 60_000 }, () => {
  it('Gold until the review of 1 Dec moved them down to Silver: a sale of 28 Nov heard on 3 Dec earns at Gold', async () => {
    const { db } = await store.open();
    const p = program('late-downgrade');
    assert.equal(await sale(db, p, 'cus_down', 'pi_sep', 20_000, '2025-09-01T10:00:00Z'), 200, 'the first sale earns at no tier, then makes them Gold');
    assert.equal(await tierOf(db, p, 'cus_down'), 'Gold');
    const review = await reviewLoyalty(db, p, { asOf: DEC_1, writeFields: 'none' });
    assert.deepEqual(review.events.map((e) => e.type === 'tier-changed' && [e.from, e.to, e.at]), [['Gold', 'Silver', '2025-12-01T00:00:00.000Z']]);
    // The offline sale of 28 Nov (Gold: 200.00 within the 90 days before it) uploaded on 3 Dec.
    assert.equal(await sale(db, p, 'cus_down', 'pi_nov28', 5_000, '2025-11-28T15:00:00Z'), 100, '50.00 at Gold ×2, not at Silver ×1.5 (75)');
    // A sale after the review earns at Silver.
    assert.equal(await sale(db, p, 'cus_down', 'pi_dec2', 2_000, '2025-12-02T10:00:00Z'), 30);
    await assertLedgerBalances(db);
  });

  it('Silver when they paid, Gold from a later sale: the earlier sale heard after it earns at Silver', async () => {
    const { db } = await store.open();
    const p = program('late-upgrade');
    assert.equal(await sale(db, p, 'cus_up', 'pi_1', 5_000, '2025-11-01T10:00:00Z'), 50);
    assert.equal(await sale(db, p, 'cus_up', 'pi_5', 10_000, '2025-11-05T10:00:00Z'), 150, 'at Silver, then Gold');
    assert.equal(await tierOf(db, p, 'cus_up'), 'Gold');
    assert.equal(await sale(db, p, 'cus_up', 'pi_3', 2_000, '2025-11-03T10:00:00Z'), 30, '20.00 at Silver ×1.5, not at Gold ×2 (40)');
    assert.deepEqual(await changesOf(db, p, 'cus_up'), [['2025-11-01T10:00:00.000Z', null, 'Silver'], ['2025-11-05T10:00:00.000Z', 'Silver', 'Gold']]);
    assert.equal(await sale(db, p, 'cus_up', 'pi_6', 2_000, '2025-11-06T10:00:00Z'), 40, 'a sale after the upgrade earns at Gold');
    await assertLedgerBalances(db);
  });

  it('a member from before the tier history (store schema 39): no change kept earns at their tier, as before; a change kept since tells the tier before it', async () => {
    const { db } = await store.open();
    const p = program('late-no-history');
    await sale(db, p, 'cus_old', 'pi_old', 20_000, '2025-09-01T10:00:00Z');
    await sale(db, p, 'cus_older', 'pi_older', 20_000, '2025-09-01T10:00:00Z');
    // As a store migrated to schema 39 has them: Gold, with no change kept.
    await db.run('DELETE FROM loyalty_tier_changes WHERE program_id = ?', [p.id]);
    assert.equal(await sale(db, p, 'cus_old', 'pi_old_aug', 2_000, '2025-08-01T10:00:00Z'), 40, 'no history: at the tier they hold (Gold), as before');
    // The review of 1 Dec moves cus_older down (kept), cus_old's late sale having been heard before it.
    await reviewLoyalty(db, p, { asOf: DEC_1, writeFields: 'none' });
    assert.equal(await sale(db, p, 'cus_older', 'pi_older_nov', 5_000, '2025-11-28T10:00:00Z'), 100, 'before the first change kept: the tier it moved them from (Gold)');
    assert.deepEqual(await changesOf(db, p, 'cus_older'), [['2025-12-01T00:00:00.000Z', 'Gold', 'Silver']]);
    await assertLedgerBalances(db);
  });

  it('a sale stored offline, dated earlier once its charge comes, moves the upgrade it made to its time: a sale heard late between the two earns at the new tier', async () => {
    const { db } = await store.open();
    const p = program('late-offline');
    assert.equal(await sale(db, p, 'cus_off', 'pi_first', 5_000, '2025-11-01T10:00:00Z'), 50);
    // The PaymentIntent event, dated at the forwarding (20 Nov): at Silver, then Gold.
    assert.equal(await sale(db, p, 'cus_off', 'pi_offline', 10_000, '2025-11-20T10:00:00Z'), 150);
    // Its charge, stored on the reader on 10 Nov: the sale, and the upgrade it made, are of 10 Nov.
    await loyaltyStep({ ...message({ customerId: 'cus_off', paymentId: 'pi_offline', amountMinor: 10_000, at: '2025-11-10T10:00:00Z' }), storedOffline: true }, { db, program: p });
    assert.equal(
      (await db.get<{ tier_since: string }>('SELECT tier_since FROM loyalty_members WHERE program_id = ? AND customer_id = ?', [p.id, 'cus_off']))!.tier_since,
      '2025-11-10T10:00:00.000Z',
    );
    assert.equal(await sale(db, p, 'cus_off', 'pi_late_nov15', 2_000, '2025-11-15T10:00:00Z'), 40, 'Gold since 10 Nov: ×2, not Silver ×1.5 (30)');
    assert.deepEqual(await changesOf(db, p, 'cus_off'), [['2025-11-01T10:00:00.000Z', null, 'Silver'], ['2025-11-10T10:00:00.000Z', 'Silver', 'Gold']]);
    await assertLedgerBalances(db);
  });

  it('a void that takes the membership back takes the tiers it held with it: a sale heard late from before they enrolled again earns at no tier', async () => {
    const { db } = await store.open();
    const p = program('late-void');
    assert.equal(await sale(db, p, 'cus_void', 'pi_voided', 10_000, '2025-11-01T10:00:00Z'), 100);
    await loyaltyStep(message({ customerId: 'cus_void', paymentId: 'pi_voided', amountMinor: 10_000, at: '2025-11-02T10:00:00Z', kind: 'failure', sale: { voided: true } }), { db, program: p });
    assert.equal(await tierOf(db, p, 'cus_void'), null, 'no member, no tier');
    assert.equal(await sale(db, p, 'cus_void', 'pi_again', 5_000, '2025-11-10T10:00:00Z'), 50, 'enrolled again by this sale, earning at no tier');
    assert.equal(await tierOf(db, p, 'cus_void'), 'Silver');
    assert.equal(await sale(db, p, 'cus_void', 'pi_late_nov5', 2_000, '2025-11-05T10:00:00Z'), 20, 'a member with no tier on 5 Nov: ×1, not Gold ×2 (40) as the voided membership held');
    assert.deepEqual(await changesOf(db, p, 'cus_void'), [['2025-11-10T10:00:00.000Z', null, 'Silver']], 'the tier the void took back is none they held');
    await assertLedgerBalances(db);
  });

  it('a void that leaves them a member since a later sale moves the tiers held before it there: a sale heard late from before it earns at no tier', async () => {
    const { db } = await store.open();
    const p = program('late-void-later');
    assert.equal(await sale(db, p, 'cus_moved', 'pi_voided', 10_000, '2025-11-01T10:00:00Z'), 100, 'enrolled, then Gold');
    assert.equal(await sale(db, p, 'cus_moved', 'pi_stands', 2_000, '2025-11-05T10:00:00Z'), 40, 'at Gold');
    await loyaltyStep(message({ customerId: 'cus_moved', paymentId: 'pi_voided', amountMinor: 10_000, at: '2025-11-06T10:00:00Z', kind: 'failure', sale: { voided: true } }), { db, program: p });
    const m = await db.get<{ enrolled_at: string; tier: string }>('SELECT enrolled_at, tier FROM loyalty_members WHERE program_id = ? AND customer_id = ?', [p.id, 'cus_moved']);
    assert.deepEqual([m!.enrolled_at, m!.tier], ['2025-11-05T10:00:00.000Z', 'Silver'], 'a member since the sale that stands, at its tier');
    assert.equal(await sale(db, p, 'cus_moved', 'pi_late_nov3', 2_000, '2025-11-03T10:00:00Z'), 20, 'no member yet on 3 Nov: ×1, not Gold ×2 (40) nor Silver ×1.5 (30)');
    assert.deepEqual(await changesOf(db, p, 'cus_moved'), [['2025-11-05T10:00:00.000Z', null, 'Gold'], ['2025-11-05T10:00:00.000Z', 'Gold', 'Silver']]);
    await assertLedgerBalances(db);
  });

  it('a merge: the survivor that takes the merged customer\'s tier takes the tiers they held, and undo gives each their own back', async () => {
    const s = await store.open();
    const { db } = s;
    // Silver from 50.00, so a member can have no tier.
    const p = program('late-merge', 5_000);
    await seedCustomers(s.crm, [{ id: 'cus_keep', givenName: 'Ada', email: 'ada@example.com' }, { id: 'cus_dup', givenName: 'Ada', email: 'ada.l@example.com' }]);
    await sale(db, p, 'cus_dup', 'pi_dup_sep', 20_000, '2025-09-01T10:00:00Z');
    await sale(db, p, 'cus_dup', 'pi_dup_nov', 6_000, '2025-11-20T10:00:00Z');
    await sale(db, p, 'cus_keep', 'pi_keep_nov', 1_000, '2025-11-15T10:00:00Z');
    await reviewLoyalty(db, p, { asOf: DEC_1, writeFields: 'none' });
    assert.deepEqual([await tierOf(db, p, 'cus_dup'), await tierOf(db, p, 'cus_keep')], ['Silver', null]);
    const dupChanges = await changesOf(db, p, 'cus_dup');
    assert.deepEqual(dupChanges, [['2025-09-01T10:00:00.000Z', null, 'Gold'], ['2025-12-01T00:00:00.000Z', 'Gold', 'Silver']]);

    const merge = await mergeCustomers(db, { into: 'cus_keep', from: 'cus_dup', evidence: 'test' });
    assert.equal(await tierOf(db, p, 'cus_keep'), 'Silver', 'the survivor had no tier: it takes the merged customer\'s');
    // A sale of 28 Nov heard now (matched to the survivor) earns at Gold, the tier the merged membership held then.
    assert.equal(await sale(db, p, 'cus_keep', 'pi_late_nov28', 2_000, '2025-11-28T10:00:00Z'), 40, '20.00 at Gold ×2, not at Silver ×1.5 (30)');
    assert.equal(await tierOf(db, p, 'cus_keep'), 'Silver', 'still Silver (90.00 over the window)');
    assert.deepEqual(await changesOf(db, p, 'cus_keep'), dupChanges, 'and the tiers they held');
    await assertLedgerBalances(db);

    await undoMerge(db, merge.id);
    assert.deepEqual(await changesOf(db, p, 'cus_keep'), [], 'the survivor\'s own history back (it never had a tier)');
    assert.deepEqual(await changesOf(db, p, 'cus_dup'), dupChanges);
    assert.deepEqual([await tierOf(db, p, 'cus_dup'), await tierOf(db, p, 'cus_keep')], ['Silver', null]);
    await assertLedgerBalances(db);
  });
});
