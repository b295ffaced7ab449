import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { adyenDelivery, adyenPspReference, type AdyenScenario } from '../../../sandbox/simulator/adyen-events';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { receivedAdyen } from '../sources/adyen-test-support';
import { permutations } from '../../support/permutations';
import { assertLedgerBalances } from './support/ledger-balances';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-overcapture');

type Store = DialectStore;

const KEY = '7C'.repeat(32);
/**
 * Programs that enrol at a threshold the shopper below reaches only with the tip: an earlier sale of 10.00 and an
 * authorisation of 100.00 make 110.00; a capture of 115.00 (a tip of 15.00) makes 125.00.
 */
const programs: LoyaltyProgram[] = [
  // Lifetime spend, with tiers (the tip also lifts them to Gold) and points that expire.
  parseLoyaltyProgram({
    id: 'tip-lifetime', currency: 'EUR', enrollment: { lifetimeSpendMinor: 12_000 }, points: { expiryDays: 365 },
    tiers: [{ name: 'Silver', minSpendMinor: 11_000, multiplier: 2 }, { name: 'Gold', minSpendMinor: 11_500, multiplier: 3 }],
  }),
  // Spend within a period.
  parseLoyaltyProgram({ id: 'tip-period', currency: 'EUR', enrollment: { periodSpend: { minor: 12_000, days: 30 } } }),
  // Every threshold: two visits (already made by the sale) and the spend only the tip brings.
  parseLoyaltyProgram({ id: 'tip-all', currency: 'EUR', enrollment: { visits: 2, lifetimeSpendMinor: 12_000, rule: 'all' } }),
  // Any threshold: visits the shopper does not reach, or the spend.
  parseLoyaltyProgram({ id: 'tip-any', currency: 'EUR', enrollment: { visits: 5, lifetimeSpendMinor: 12_000, rule: 'any' } }),
];

const day = (d: number) => new Date(Date.UTC(2025, 10, d, 10));
const SALE_AT = day(3).toISOString();

const received = (scenario: AdyenScenario, o: Parameters<typeof adyenDelivery>[2]): Promise<PaymentEvent> => receivedAdyen(adyenDelivery(scenario, KEY, o), KEY);

/**
 * A shopper with an earlier chip sale of 10.00, then a terminal sale of 100.00 with manual capture: its
 * AUTHORISATION, the CAPTURE of `captured`, and the notifications named in `more`.
 */
async function scenario(n: number, captured: number, more: { role: string; scenario: AdyenScenario; amount: number; day: number }[] = []) {
  // (Fewer than 13 digits in a row: a longer run that passes Luhn's check is scrubbed as a card number.)
  const alias = `TIPE${String(n).padStart(12, '0')}`;
  const shopperEmail = `${createHash('sha256').update(`tip-${n}`).digest('hex').slice(0, 10)}@example.com`;
  const card = { alias, last4: String(1000 + (n % 9000)) };
  const pay = adyenPspReference();
  const earlier = await received('chip', { amount: 1000, eventDate: day(1), card, shopperEmail });
  const events = [
    { role: 'AUTHORISATION', event: await received('chip', { pspReference: pay, amount: 10_000, eventDate: day(3), card, shopperEmail }) },
    { role: 'CAPTURE', event: await received('capture', { pspReference: adyenPspReference(), originalReference: pay, amount: captured, eventDate: day(4) }) },
  ];
  for (const m of more) {
    events.push({ role: m.role, event: await received(m.scenario, { pspReference: adyenPspReference(), originalReference: pay, amount: m.amount, eventDate: day(m.day) }) });
  }
  return { earlier, events, pay };
}

for (const store of stores) describe(`an overcapture that takes a shopper over a program's threshold enrols them with its sale, in any order on ${store.dialect}`, () => {
  let s: Store;
  const keys = testKeys();
  before(async () => { s = await store.open(); });
  after(async () => {
    await assertLedgerBalances(s.db);
    await s.remove();
  });

  /** Through the CRM and every program, as a flow does; the loyalty answers by program. */
  async function deliver(event: PaymentEvent) {
    const [recorded] = await upsertStep([await matchStep(tokenizeStep(event, keys), s.crm)], s.crm);
    const loyalty = new Map<string, Awaited<ReturnType<typeof loyaltyStep>>['loyalty']>();
    for (const program of programs) loyalty.set(program.id, (await loyaltyStep(recorded, { db: s.db, program })).loyalty);
    return { customerId: recorded!.crm!.customerId!, loyalty };
  }

  /** The shopper's rows in the store, per program: membership, their payments as counted, their points ledger's sums. */
  async function rows(shopper: string) {
    const out: Record<string, unknown> = {};
    for (const { id } of programs) {
      const member = await s.db.all(
        `SELECT enrolled_at, tier, tier_since, points_balance, points_held, points_earned, lifetime_spend_minor, visits
         FROM loyalty_members WHERE program_id = ? AND customer_id = ?`, [id, shopper],
      );
      const payments = await s.db.all(
        `SELECT amount_minor, occurred_at, refunded_minor, earned_points, reversed_points, earn_multiplier, expires_at
         FROM loyalty_payments WHERE program_id = ? AND customer_id = ? ORDER BY occurred_at`, [id, shopper],
      );
      const ledger = await s.db.get('SELECT COALESCE(SUM(points), 0) AS points, COUNT(*) AS entries FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?', [id, shopper]);
      // (Plain objects: the store's rows have no prototype.)
      out[id] = { member: member.map((r) => ({ ...r })), payments: payments.map((r) => ({ ...r })), points: Number((ledger as { points: number }).points) };
    }
    return out;
  }

  /** Every order of the sale's notifications (those `taken`), each sale its own shopper: the rows of each, the natural order first. */
  async function everyOrder(base: number, captured: number, more: Parameters<typeof scenario>[2] = [], taken = (order: number[]) => order.length > 0) {
    const results: { order: string; shopper: string; rows: Awaited<ReturnType<typeof rows>> }[] = [];
    for (const [n, order] of permutations([...Array(2 + more.length).keys()]).filter(taken).entries()) {
      const { earlier, events } = await scenario(base + n, captured, more);
      const shopper = (await deliver(earlier)).customerId;
      for (const i of order) await deliver(events[i]!.event);
      results.push({ order: order.map((i) => events[i]!.role).join(', '), shopper, rows: await rows(shopper) });
    }
    for (const r of results.slice(1)) assert.deepEqual(r.rows, results[0]!.rows, r.order);
    return results[0]!;
  }

  const member = (r: Record<string, unknown>, id: string) => ((r[id] as { member: Record<string, unknown>[] }).member[0]);

  it('the AUTHORISATION counts below the threshold; the overcapture\'s CAPTURE enrols them, member since the sale, with the raised sale\'s points', async () => {
    const { earlier, events } = await scenario(1, 11_500);
    const shopper = (await deliver(earlier)).customerId;
    const sale = await deliver(events[0]!.event);
    for (const { id } of programs) {
      assert.equal(sale.loyalty.get(id)!.member!.enrolled, false, `${id}: 110.00 is below the threshold`);
      assert.deepEqual(sale.loyalty.get(id)!.entries, [], `${id}: no member, no points`);
    }
    const capture = await deliver(events[1]!.event);
    for (const { id } of programs) {
      const l = capture.loyalty.get(id)!;
      assert.equal(l.outcome, 'applied', id);
      assert.deepEqual(l.events.filter((e) => e.type === 'enrolled'), [{ type: 'enrolled', programId: id, customerId: shopper, at: SALE_AT }], id);
      // The raised sale earns all of 115.00 at x1 (no tier before it); the earlier sale, counted before they were members, nothing.
      assert.deepEqual(l.entries.map((e) => [e.kind, e.points]), [['earn', 115]], id);
    }
    const after = await rows(shopper);
    assert.deepEqual(member(after, 'tip-lifetime'), {
      enrolled_at: SALE_AT, tier: 'Gold', tier_since: SALE_AT, points_balance: 115, points_held: 0, points_earned: 115, lifetime_spend_minor: 12_500, visits: 2,
    });
    assert.deepEqual((after['tip-lifetime'] as { payments: unknown[] }).payments, [
      { amount_minor: 1000, occurred_at: day(1).toISOString(), refunded_minor: 0, earned_points: 0, reversed_points: 0, earn_multiplier: 0, expires_at: null },
      { amount_minor: 11_500, occurred_at: SALE_AT, refunded_minor: 0, earned_points: 115, reversed_points: 0, earn_multiplier: 1, expires_at: day(3 + 365).toISOString() },
    ]);
    for (const id of ['tip-period', 'tip-all', 'tip-any']) {
      assert.deepEqual(member(after, id), {
        enrolled_at: SALE_AT, tier: null, tier_since: null, points_balance: 115, points_held: 0, points_earned: 115, lifetime_spend_minor: 12_500, visits: 2,
      }, id);
    }
    // A replay of the capture changes nothing.
    const replay = await deliver(events[1]!.event);
    for (const { id } of programs) assert.deepEqual([replay.loyalty.get(id)!.outcome, replay.loyalty.get(id)!.events, replay.loyalty.get(id)!.entries], ['duplicate', [], []], id);
    assert.deepEqual(await rows(shopper), after);
  });

  it('the same reports in the other order (the CAPTURE first) give the same member rows, payments and points', async () => {
    const natural = await everyOrder(100, 11_500);
    assert.equal(member(natural.rows, 'tip-lifetime')!.enrolled_at, SALE_AT);
    assert.equal((natural.rows['tip-any'] as { points: number }).points, 115);
  });

  it('a refund of the tipped sale: the sale enrols at its full amount, and the refund takes back its share, in all 6 orders of AUTHORISATION, CAPTURE and REFUND', async () => {
    // 115.00 brought, 10.00 of it refunded: a sale of 115.00 enrols (125.00 lifetime) before its refund is taken off,
    // so the refund heard before the tip does not keep them out. A REFUND heard before the AUTHORISATION names only
    // the sale: it makes no customer of its own, and counts with the sale for this shopper.
    const natural = await everyOrder(200, 11_500, [{ role: 'REFUND 10', scenario: 'partial_refund', amount: 1000, day: 5 }]);
    assert.deepEqual(member(natural.rows, 'tip-lifetime'), {
      enrolled_at: SALE_AT, tier: 'Gold', tier_since: SALE_AT, points_balance: 105, points_held: 0, points_earned: 115, lifetime_spend_minor: 11_500, visits: 2,
    });
    for (const id of ['tip-period', 'tip-all', 'tip-any']) assert.deepEqual([member(natural.rows, id)!.enrolled_at, member(natural.rows, id)!.points_balance], [SALE_AT, 105], id);
  });

  it('a capture that does not reach the threshold enrols no one, in either order', async () => {
    // 105.00 captured: 115.00 in all, below every threshold.
    const natural = await everyOrder(300, 10_500);
    for (const { id } of programs) {
      assert.deepEqual(member(natural.rows, id), {
        enrolled_at: null, tier: null, tier_since: null, points_balance: 0, points_held: 0, points_earned: 0, lifetime_spend_minor: 11_500, visits: 2,
      }, id);
    }
    const { earlier, events } = await scenario(400, 10_500);
    await deliver(earlier);
    await deliver(events[0]!.event);
    const capture = await deliver(events[1]!.event);
    for (const { id } of programs) assert.deepEqual([capture.loyalty.get(id)!.events, capture.loyalty.get(id)!.entries], [[], []], id);
  });
});
