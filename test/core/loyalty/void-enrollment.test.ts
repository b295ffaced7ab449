import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { readLocalCustomerFields } from '../../../nodes/core/crm/customer-fields';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { normalizeCloverPayment } from '../../../nodes/core/sources/clover-payment';
import { normalizeSumUpTransaction } from '../../../nodes/core/sources/sumup-transaction';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { adyenDelivery, adyenPspReference, type AdyenScenario } from '../../../sandbox/simulator/adyen-events';
import { cloverPayment } from '../../../sandbox/simulator/clover-events';
import { sumupTransaction } from '../../../sandbox/simulator/sumup-events';
import { permutations } from '../../support/permutations';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { receivedAdyen } from '../sources/adyen-test-support';
import { assertLedgerBalances } from './support/ledger-balances';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-void-enrol');

type Store = DialectStore;

const HUBSPOT = { crm: 'hubspot' } as const;
const at = (day: number) => new Date(Date.UTC(2025, 10, day, 10));

/** At the first payment (with tiers the 100.00 sale reaches), and at a lifetime spend the sale alone reaches. */
const programs = (currency: string): LoyaltyProgram[] => [
  parseLoyaltyProgram({ id: `void-at-once-${currency.toLowerCase()}`, currency, tiers: [{ name: 'Silver', minSpendMinor: 5_000, multiplier: 2 }] }),
  parseLoyaltyProgram({ id: `void-threshold-${currency.toLowerCase()}`, currency, enrollment: { lifetimeSpendMinor: 8_000 } }),
];

/**
 * A void is no sale: a shopper whose only sale was voided is no loyalty member, whichever the program heard first —
 * the sale (it enrolled them, the void takes that back) or the void (the sale never counts). Each delivery runs
 * tokenize → match → CRM Upsert → Loyalty with a SaaS CRM, as the templates do.
 */
for (const store of stores) describe(`Loyalty: a voided sale that enrolled its new shopper leaves no member, in either order on ${store.dialect}`, () => {
  let s: Store;
  const keys = testKeys();
  before(async () => { s = await store.open(); });
  after(async () => { await s.remove(); });

  /** The customer CRM Upsert linked the last event to (none for a void heard before its sale: it names no one new). */
  /** Every membership event the loyalty step announced (an 'enrolled' one is what sends a welcome). */
  const announced: string[] = [];
  const deliver = async (events: readonly PaymentEvent[], program: LoyaltyProgram[]) => {
    let customerId: string | null = null;
    for (const event of events) {
      const [recorded] = await upsertStep([await matchStep(tokenizeStep(event, keys), s.crm)], s.crm);
      customerId = recorded!.crm!.customerId;
      for (const p of program) {
        const result = await loyaltyStep(recorded, { db: s.db, program: p, crm: HUBSPOT });
        announced.push(...result.loyalty.events.map((e) => `${e.type} ${e.programId} ${e.customerId}`));
      }
    }
    return customerId;
  };

  const members = async (programId: string, customerId: string) =>
    (await s.db.all<{ enrolled_at: string | null; tier: string | null; lifetime_spend_minor: number; visits: number; points_balance: number }>(
      'SELECT enrolled_at, tier, lifetime_spend_minor, visits, points_balance FROM loyalty_members WHERE program_id = ? AND customer_id = ?',
      [programId, customerId],
    )).map((m) => [m.enrolled_at, m.tier, Number(m.lifetime_spend_minor), Number(m.visits), Number(m.points_balance)]);

  /** The loyalty fields last queued for the SaaS CRM for this customer (the outbox coalesces to the latest). */
  const queued = async (customerId: string) => {
    const rows = await s.db.all<{ payload: string }>("SELECT payload FROM outbox WHERE kind = 'fields' AND customer_external_id = ? ORDER BY created_at", [customerId]);
    return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
  };

  for (const order of ['sale first', 'cancellation first'] as const) {
    it(`SumUp: a chip sale of 100.00 read SUCCESSFUL, then CANCELLED (${order})`, async () => {
      const ps = programs('EUR');
      const sale = sumupTransaction('chip', { amount: '100.00', last4: order === 'sale first' ? '4101' : '4102', at: at(3) });
      const cancelled = { ...structuredClone(sale), status: 'CANCELLED', simple_status: 'CANCELLED' };
      const reads = [normalizeSumUpTransaction(sale), normalizeSumUpTransaction(cancelled)];
      if (order === 'cancellation first') reads.reverse();
      const first = await deliver(reads[0]!, ps);
      const shopper = (await deliver(reads[1]!, ps)) ?? first;
      assert.ok(shopper, 'the sale makes its shopper a customer');
      for (const p of ps) {
        const rows = await members(p.id, shopper);
        // Heard first, the sale made a member row (its visit, spend and points all taken back since): no member now.
        assert.deepEqual(rows, order === 'sale first' ? [[null, null, 0, 0, 0]] : [], `${p.id}: no member`);
        await assertLedgerBalances(s.db);
      }
      const fields = await readLocalCustomerFields(s.db, shopper);
      if (order === 'sale first') {
        // The membership the sale gave went to the CRM; the cancellation clears it there too.
        assert.deepEqual([fields.loyalty_member_since, fields.loyalty_tier, fields.loyalty_points], [null, null, '0']);
        const payloads = JSON.stringify(await queued(shopper));
        assert.match(payloads, /"loyalty_member_since":null/, payloads);
        assert.doesNotMatch(payloads, /"loyalty_member_since":"2025/, payloads);
      } else {
        assert.equal(fields.loyalty_member_since, undefined, 'never a member, nothing written');
      }
    });
  }

  it('Clover: a member\'s first sale voided after their second: a member since the second, here and in the CRM; under a threshold only the void sale reached, no member', async () => {
    const ps = [
      ...programs('USD'),
      // Its own CRM fields: the others write the default ones.
      parseLoyaltyProgram({ id: 'void-two-visits-usd', currency: 'USD', enrollment: { visits: 2 }, crmFields: { tier: 'visits_tier', points: 'visits_points', memberSince: 'visits_member_since' } }),
    ];
    const options = { merchantId: 'SJ925JDCKKTJJ', livemode: true, currency: 'USD' };
    const first = cloverPayment('chip', { amount: 10_000, token: 'clover-void-first-of-two', at: at(3) });
    const second = cloverPayment('chip', { amount: 9_000, token: 'clover-void-first-of-two', at: at(5) });
    const shopper = (await deliver(normalizeCloverPayment(first, options), ps))!;
    assert.equal(await deliver(normalizeCloverPayment(second, options), ps), shopper, 'the same card');
    const [atOnce, threshold, twoVisits] = ps;
    assert.deepEqual((await members(atOnce!.id, shopper))[0]![0], at(3).toISOString(), 'a member since the first sale');
    assert.deepEqual((await members(twoVisits!.id, shopper))[0]![0], at(5).toISOString(), 'two visits: a member since the second');
    const voided = { ...structuredClone(first), result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: at(6).getTime(), cardTransaction: { ...(first.cardTransaction as object), type: 'VOID' } };
    await deliver(normalizeCloverPayment(voided, options), ps);
    assert.deepEqual(await members(atOnce!.id, shopper), [[at(5).toISOString(), 'Silver', 9_000, 1, 180]], 'no threshold: since the sale left (which earned at Silver, the tier they had then)');
    assert.deepEqual(await members(threshold!.id, shopper), [[at(5).toISOString(), null, 9_000, 1, 90]], '90.00 alone is over 80.00: since it');
    assert.deepEqual(await members(twoVisits!.id, shopper), [[null, null, 9_000, 1, 90]], 'one visit left: no member (the second sale\'s points, earned as a member, stay)');
    const fields = await readLocalCustomerFields(s.db, shopper);
    assert.deepEqual([fields.loyalty_member_since, fields.visits_member_since], [at(5).toISOString(), null], 'the CRM has the new date, and no date for the program they left');
    const payloads = await queued(shopper);
    const last = payloads.at(-1)!.fields as Record<string, unknown>;
    assert.deepEqual([last.loyalty_member_since, last.visits_member_since], [at(5).toISOString(), null], 'and so does the SaaS CRM\'s outbox');
    assert.equal(announced.filter((e) => e.startsWith('enrolled') && e.endsWith(shopper)).length, 3, 'one welcome per program, none for the new date');
    await assertLedgerBalances(s.db);
  });

  it('Clover: a payment read VOIDED (its sale and its void, in one read) enrols no one; a later sale does', async () => {
    const ps = programs('USD');
    const options = { merchantId: 'SJ925JDCKKTJJ', livemode: true, currency: 'USD' };
    const base = cloverPayment('chip', { amount: 10_000, token: 'clover-void-enrol', at: at(3) });
    const voided = { ...structuredClone(base), result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: at(4).getTime(), cardTransaction: { ...(base.cardTransaction as object), type: 'VOID' } };
    const shopper = (await deliver(normalizeCloverPayment(voided, options), ps))!;
    for (const p of ps) assert.deepEqual(await members(p.id, shopper), [], `${p.id}: no member`);
    // Its void read with it, the sale never enrolled them: no welcome went out to be taken back.
    assert.deepEqual(announced.filter((e) => e.endsWith(shopper)), []);
    // The same card pays again: that sale enrols them, at its own time.
    const next = cloverPayment('chip', { amount: 10_000, token: 'clover-void-enrol', at: at(6) });
    assert.equal(await deliver(normalizeCloverPayment(next, options), ps), shopper);
    const [atOnce, threshold] = ps;
    assert.deepEqual(await members(atOnce!.id, shopper), [[at(6).toISOString(), 'Silver', 10_000, 1, 100]]);
    assert.deepEqual(await members(threshold!.id, shopper), [[at(6).toISOString(), null, 10_000, 1, 100]]);
    await assertLedgerBalances(s.db);
  });

  /**
   * Adyen: a new shopper's AUTHORISATION of 100.00, its CAPTURE and that capture failing (the sale void), then, in
   * the second case, captured again. Every order, each its own shopper: void, the sale enrols no one; captured
   * again, it enrols them as the sale would have, member since its time with its points.
   */
  const ADYEN_KEY = '3D'.repeat(32);
  const adyenSale = async (n: number, steps: readonly { scenario: AdyenScenario; day: number }[]) => {
    const card = { alias: `VOIDE${String(n).padStart(11, '0')}`, last4: String(1000 + n) };
    const shopperEmail = `void-enrol-${n}@example.com`;
    const pay = adyenPspReference();
    const capture = adyenPspReference();
    const received = (scenario: AdyenScenario, o: Parameters<typeof adyenDelivery>[2]) => receivedAdyen(adyenDelivery(scenario, ADYEN_KEY, o), ADYEN_KEY);
    const events = [await received('chip', { pspReference: pay, amount: 10_000, eventDate: at(3), card, shopperEmail })];
    for (const step of steps) events.push(await received(step.scenario, { pspReference: capture, originalReference: pay, amount: 10_000, eventDate: at(step.day) }));
    return events;
  };
  const adyenCases = [
    // Cancelled before it was captured (CANCELLATION): the sale never became money, as a failed capture.
    { name: 'cancelled', steps: [{ scenario: 'cancellation', day: 4 }], member: (_p: LoyaltyProgram) => [[null, null, 0, 0, 0]] },
    { name: 'captured, the capture failing', steps: [{ scenario: 'capture', day: 4 }, { scenario: 'capture_failed', day: 6 }], member: (_p: LoyaltyProgram) => [[null, null, 0, 0, 0]] },
    {
      name: 'captured, failing, captured again', steps: [{ scenario: 'capture', day: 4 }, { scenario: 'capture_failed', day: 6 }, { scenario: 'recaptured', day: 8 }],
      member: (p: LoyaltyProgram) => [[at(3).toISOString(), p.tiers.length ? 'Silver' : null, 10_000, 1, 100]],
    },
  ] as const;
  it('Adyen: a member\'s first sale failing its capture after their second, then captured again: member since the second, then the first again', async () => {
    const ps = programs('EUR');
    const card = { alias: 'VOIDETWOSALES001', last4: '4321' };
    const shopperEmail = 'two-sales@example.com';
    const received = (scenario: AdyenScenario, o: Parameters<typeof adyenDelivery>[2]) => receivedAdyen(adyenDelivery(scenario, ADYEN_KEY, o), ADYEN_KEY);
    const [first, second, capture] = [adyenPspReference(), adyenPspReference(), adyenPspReference()];
    const shopper = (await deliver([await received('chip', { pspReference: first, amount: 10_000, eventDate: at(3), card, shopperEmail })], ps))!;
    await deliver([await received('capture', { pspReference: capture, originalReference: first, amount: 10_000, eventDate: at(4) })], ps);
    assert.equal(await deliver([await received('chip', { pspReference: second, amount: 9_000, eventDate: at(5), card, shopperEmail })], ps), shopper);
    const since = async () => Promise.all(ps.map(async (p) => (await members(p.id, shopper))[0]![0]));
    assert.deepEqual(await since(), [at(3).toISOString(), at(3).toISOString()]);
    await deliver([await received('capture_failed', { pspReference: capture, originalReference: first, amount: 10_000, eventDate: at(6) })], ps);
    assert.deepEqual(await since(), [at(5).toISOString(), at(5).toISOString()], 'the void sale enrols no one: the second does');
    await deliver([await received('recaptured', { pspReference: capture, originalReference: first, amount: 10_000, eventDate: at(8) })], ps);
    assert.deepEqual(await since(), [at(3).toISOString(), at(3).toISOString()], 'captured again, the first sale enrols them as of its time once more');
    assert.equal((await readLocalCustomerFields(s.db, shopper)).loyalty_member_since, at(3).toISOString());
    await assertLedgerBalances(s.db);
  });

  for (const [k, c] of adyenCases.entries()) {
    it(`Adyen: a sale of 100.00 ${c.name}, in every order`, async () => {
      const ps = programs('EUR');
      const orders = permutations([...Array(c.steps.length + 1).keys()]);
      for (const [n, order] of orders.entries()) {
        const events = await adyenSale(n + 100 * (k + 1), c.steps);
        let shopper: string | null = null;
        for (const i of order) shopper = (await deliver([events[i]!], ps)) ?? shopper;
        assert.ok(shopper, 'the authorisation makes its shopper a customer');
        for (const p of ps) {
          const rows = await members(p.id, shopper);
          // Heard after the sale counted, the void leaves the member row it made (with nothing); heard before, none.
          const expected = c.member(p);
          assert.deepEqual(rows.length ? rows : [[null, null, 0, 0, 0]], expected, `${p.id}, order ${order.join(',')}`);
        }
      }
      await assertLedgerBalances(s.db);
    });
  }
});
