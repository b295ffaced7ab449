import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLocalCustomerFields } from '../../../nodes/core/crm/customer-fields';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { reviewLoyalty } from '../../../nodes/core/loyalty/review';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { dyingAfterCommitOf } from '../../support/crashing-store';
import { dialectStores } from '../match/store-dialects';
import { message } from '../segment/support/messages';

/** The same runs on a SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-loyalty-review-retry');

const HUBSPOT = { crm: 'hubspot' } as const;
const AS_OF = new Date('2025-06-01T00:00:00Z');

/** The fields rows queued for the SaaS CRM for this customer, oldest first, each as the fields it carries. */
const outboxFields = async (db: SqlDatabase, customerId: string) =>
  (await db.all<{ payload: string }>("SELECT payload FROM outbox WHERE kind = 'fields' AND customer_external_id = ? ORDER BY created_at", [customerId]))
    .map((r) => (JSON.parse(r.payload) as { fields: Record<string, unknown> }).fields);

/** Payments through the Loyalty step with the store's copy of the fields only: the outbox is empty before the review. */
const pay = async (db: SqlDatabase, program: LoyaltyProgram, customerId: string, amountMinor: number, at: string) => {
  await loyaltyStep(message({ customerId, paymentId: `pi_${customerId}_${at.slice(0, 10)}`, amountMinor, at }), { db, program });
};

for (const store of stores) describe(`the loyalty review dies after committing its changes: the retry loses no field and no event, and doubles none (${store.dialect})`, { timeout: 60_000 }, () => {
  it('a downgrade committed before the review died: its tier field is queued once and its tier-changed event handed out once', async () => {
    const { db } = await store.open();
    const program = parseLoyaltyProgram({
      id: 'retry-tiers', currency: 'USD', tierWindowDays: 90,
      tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000 }],
    });
    await pay(db, program, 'cus_lapsed', 20_000, '2025-01-10T10:00:00Z');
    await pay(db, program, 'cus_recent', 20_000, '2025-05-20T10:00:00Z');
    assert.deepEqual(await outboxFields(db, 'cus_lapsed'), []);

    // The worker dies the moment the transaction that moved a member's tier has committed.
    const dying = dyingAfterCommitOf(db, /UPDATE loyalty_members SET tier\b/, 'the worker died');
    await assert.rejects(reviewLoyalty(dying, program, { asOf: AS_OF, crm: HUBSPOT }), /the worker died \(simulated\)/);
    assert.equal((await db.get<{ tier: string }>("SELECT tier FROM loyalty_members WHERE program_id = ? AND customer_id = 'cus_lapsed'", [program.id]))!.tier, 'Silver', 'the tier change was committed');

    const retry = await reviewLoyalty(dying, program, { asOf: AS_OF, crm: HUBSPOT });
    assert.deepEqual(
      retry.events.map((e) => e.type === 'tier-changed' && [e.customerId, e.from, e.to, e.direction, e.at]),
      [['cus_lapsed', 'Gold', 'Silver', 'downgrade', '2025-06-01T00:00:00.000Z']],
      'the retry hands out the downgrade the run that died made',
    );
    assert.deepEqual((await outboxFields(db, 'cus_lapsed')).map((f) => f.loyalty_tier), ['Silver'], 'the new tier is queued for the CRM, once');
    assert.equal((await readLocalCustomerFields(db, 'cus_lapsed')).loyalty_tier, 'Silver');
    assert.deepEqual(await outboxFields(db, 'cus_recent'), [], 'a member the review left alone gets nothing');

    // The CRM got it (a sync sent the row); one more review finds everything done: no row and no event again.
    await db.run("UPDATE outbox SET state = 'synced' WHERE kind = 'fields'");
    const again = await reviewLoyalty(db, program, { asOf: AS_OF, crm: HUBSPOT });
    assert.deepEqual([again.events, again.fieldsQueued], [[], 0]);
    assert.equal((await outboxFields(db, 'cus_lapsed')).length, 1);
  });

  it('points expired before the review died: the member\'s points field is queued once', async () => {
    const { db } = await store.open();
    const program = parseLoyaltyProgram({ id: 'retry-expiry', currency: 'USD', points: { expiryDays: 30 } });
    await pay(db, program, 'cus_expiring', 1_000, '2025-01-01T10:00:00Z');
    assert.equal((await readLocalCustomerFields(db, 'cus_expiring')).loyalty_points, '10', 'the store keeps its copy as text');

    const dying = dyingAfterCommitOf(db, /UPDATE loyalty_payments SET expired_points\b/, 'the worker died');
    await assert.rejects(reviewLoyalty(dying, program, { asOf: AS_OF, crm: HUBSPOT }), /the worker died \(simulated\)/);
    const retry = await reviewLoyalty(dying, program, { asOf: AS_OF, crm: HUBSPOT });
    assert.equal(retry.expiredEntries, 0, 'the points expired in the run that died');

    assert.deepEqual((await outboxFields(db, 'cus_expiring')).map((f) => f.loyalty_points), [0], 'the balance after expiry is queued for the CRM, once');
    assert.equal((await readLocalCustomerFields(db, 'cus_expiring')).loyalty_points, '0');
    await db.run("UPDATE outbox SET state = 'synced' WHERE kind = 'fields'");
    assert.equal((await reviewLoyalty(db, program, { asOf: AS_OF, crm: HUBSPOT })).fieldsQueued, 0);
    assert.equal((await outboxFields(db, 'cus_expiring')).length, 1);
  });
});
