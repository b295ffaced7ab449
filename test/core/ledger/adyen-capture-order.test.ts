import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { migrate } from '../../../nodes/core/store/migrations';
import { adyenDelivery, adyenPspReference, type AdyenScenario } from '../../../sandbox/simulator/adyen-events';
import { receivedAdyen } from '../sources/adyen-test-support';
import { DeliveryOrder } from '../pipeline/delivery-order-support';
import { bothDialects } from '../../support/both-dialects';
import { permutations } from '../../support/permutations';


const KEY = '5A'.repeat(32);
const program = parseLoyaltyProgram({ id: 'capture-order', currency: 'EUR' });
/**
 * Tiers the sales below cross: the earlier 10.00 and an authorisation of 100.00 reach Silver (110.00), a tip of
 * 15.00 on top Gold (120.00). Points are earned at the tier the shopper had when the sale counted.
 */
const tiered = parseLoyaltyProgram({
  id: 'capture-order-tiers', currency: 'EUR',
  tiers: [{ name: 'Silver', minSpendMinor: 11_000, multiplier: 2 }, { name: 'Gold', minSpendMinor: 12_000, multiplier: 3 }],
});

/** One notification as Adyen signs and sends it, through the Adyen source. */
const received = (scenario: AdyenScenario, o: Parameters<typeof adyenDelivery>[2]): Promise<PaymentEvent> => receivedAdyen(adyenDelivery(scenario, KEY, o), KEY);

/**
 * A returning shopper (an earlier chip sale of 10.00 with the same card), then one terminal sale with manual capture:
 * its AUTHORISATION of `authorised` (card, terminal, shopper) and the notifications named in `steps`, each about a
 * capture of its own pspReference (CAPTURE, CAPTURE_FAILED, the re-capture), as Adyen sends them.
 */
function saleScenario(authorised: number, steps: readonly { role: string; scenario: AdyenScenario; capture: string; amount: number; day: number; disputeStatus?: string }[]) {
  return async (n: number) => {
    // (Fewer than 13 digits in a row: a longer run that passes Luhn's check is scrubbed as a card number.)
    const alias = `HORD${String(n).padStart(12, '0')}`;
    // Mailboxes no typo apart: a match compares them field by field.
    const shopperEmail = `${createHash('sha256').update(String(n)).digest('hex').slice(0, 10)}@example.com`;
    // Shoppers told apart by every detail a match compares: card, its last digits, email; no name.
    const card = { alias, last4: String(1000 + (n % 9000)) };
    const at = (day: number) => new Date(Date.UTC(2025, 9, day, 10));
    const pay = adyenPspReference();
    const captures = new Map<string, string>();
    const earlier = await received('chip', { amount: 1000, eventDate: at(1), card, shopperEmail });
    const events: { role: string; event: PaymentEvent }[] = [
      { role: 'AUTHORISATION', event: await received('chip', { pspReference: pay, amount: authorised, eventDate: at(3), card, shopperEmail }) },
    ];
    for (const s of steps) {
      if (!captures.has(s.capture)) captures.set(s.capture, adyenPspReference());
      events.push({ role: s.role, event: await received(s.scenario, { pspReference: captures.get(s.capture)!, originalReference: pay, amount: s.amount, eventDate: at(s.day), disputeStatus: s.disputeStatus }) });
    }
    return { earlier, events, pay, captures };
  };
}

describe('an Adyen sale with manual capture ends the same in the ledger, the CRM, segment and loyalty, whatever order its notifications arrive in', () => {
  const order = new DeliveryOrder('adyen', program, tiered);
  before(() => order.open());
  after(() => order.close());
  const deliver = (event: PaymentEvent) => order.deliver(event);
  const members = (programId: string, shopper: string) => order.members(programId, shopper);
  const db = () => order.s.db;

  /** A shopper's loyalty in both programs after the earlier sale and one automatically captured sale of `amount`. */
  async function plainSale(n: number, amount: number) {
    const { earlier, events } = await saleScenario(amount, [])(n);
    const shopper = (await deliver(earlier)).customerId!;
    await deliver(events[0]!.event);
    return { loyalty: await members(program.id, shopper), tiers: await members(tiered.id, shopper) };
  }

  /** Every order of the sale's notifications, each sale its own shopper; the natural order (as listed) first. */
  const everyOrder = (scenario: ReturnType<typeof saleScenario>, roles: number, shoppers = roles * 1000) => order.everyOrder(scenario, roles, shoppers);

  it('two part captures (60.00 + 40.00 of 100.00), the 40.00 failing: the sale of 100.00 with 40.00 back, in all 24 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
      { role: 'CAPTURE 40', scenario: 'capture', capture: 'b', amount: 4000, day: 4 },
      { role: 'CAPTURE_FAILED 40', scenario: 'capture_failed', capture: 'b', amount: 4000, day: 6 },
    ]), 4);
    const p = natural.payment;
    assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 10000, 4000, 6000, 'partially_refunded']);
    assert.deepEqual([p.saleMinor, p.capturedMinor, p.captureFailedMinor], [10000, 10000, 4000]);
    assert.deepEqual([p.card.brand, p.card.entryMode, p.terminal.readerId], ['visa', 'chip', 'V400m-324688179'], 'the card and terminal of the authorisation');
    assert.equal(p.occurredAt, '2025-10-03T10:00:00.000Z', 'made when it was authorised');
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:4000']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[7000, 2, 70]]);
  });

  it('part captures, one failing and Adyen re-capturing it: the whole 100.00, in all 120 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
      { role: 'CAPTURE 40', scenario: 'capture', capture: 'b', amount: 4000, day: 4 },
      { role: 'CAPTURE_FAILED 40', scenario: 'capture_failed', capture: 'b', amount: 4000, day: 6 },
      { role: 're-capture 40', scenario: 'recaptured', capture: 'b', amount: 4000, day: 8 },
    ]), 5);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [10000, 0, 10000, 'succeeded']);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:0']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[11000, 2, 110]]);
  });

  it('two part captures of less than authorised (30.00 + 50.00 of 100.00), the 50.00 failing: the sale brought 30.00, each capture counted once, in all 24 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 30', scenario: 'capture', capture: 'a', amount: 3000, day: 4 },
      { role: 'CAPTURE 50', scenario: 'capture', capture: 'b', amount: 5000, day: 5 },
      { role: 'CAPTURE_FAILED 50', scenario: 'capture_failed', capture: 'b', amount: 5000, day: 7 },
    ]), 4, 26_000);
    const p = natural.payment;
    // What the captures add up to is the sum of the two, each once; the rest of the authorisation (20.00) and the failed
    // part (50.00) are given back, and nothing else.
    assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 10000, 7000, 3000, 'partially_refunded']);
    assert.deepEqual([p.saleMinor, p.capturedMinor, p.captureFailedMinor], [10000, 8000, 5000]);
    assert.deepEqual(natural.captureRows.map((c) => [c.capture, c.amount_minor, c.failed_at !== null, c.captured_at !== null]), [['a', 3000, false, true], ['b', 5000, true, true]]);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:7000']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[4000, 2, 40]]);
  });

  it('captured, 20.00 refunded, then the capture failed: the refund was a visit (last seen at it), whether or not the failure came before the authorisation, in all 24 orders', async () => {
    // Found by order-independence.property.test.ts: when the failure came before the authorisation, the sale was void
    // when it arrived, and the refund heard before it was no visit (last seen at the sale), where it is one when the
    // authorisation comes first.
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 100', scenario: 'capture', capture: 'a', amount: 10000, day: 4 },
      { role: 'REFUND 20', scenario: 'partial_refund', capture: 'r', amount: 2000, day: 5 },
      { role: 'CAPTURE_FAILED 100', scenario: 'capture_failed', capture: 'a', amount: 10000, day: 7 },
    ]), 4, 27_000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.status], [10000, 10000, 'failed']);
    assert.deepEqual(natural.totals.map((t) => ({ ...t })), [{ currency: 'EUR', payments: 1, gross_minor: 11000, refunded_minor: 10000, first_seen: '2025-10-01T10:00:00.000Z', last_seen: '2025-10-05T10:00:00.000Z' }]);
  });

  it('a capture of less than authorised (80.00 of 100.00): Adyen releases the rest, so the sale brought 80.00, in both orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [{ role: 'CAPTURE 80', scenario: 'capture', capture: 'a', amount: 8000, day: 4 }]), 2);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [10000, 2000, 8000, 'partially_refunded']);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:2000']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[9000, 2, 90]]);
  });

  // A pre-authorisation adjusted before its capture (AUTHORISATION_ADJUSTMENT: the whole updated amount).
  it('a tab raised (100.00 to 150.00) counts at 150.00 as soon as the adjustment is heard, before any capture, in both orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [{ role: 'ADJUSTMENT 150', scenario: 'authorisation_adjustment', capture: 'j', amount: 15000, day: 4 }]), 2, 30_000);
    const p = natural.payment;
    assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 15000, 0, 15000, 'succeeded']);
    assert.deepEqual([p.saleMinor, p.authorisedMinor, p.capturedMinor], [15000, 15000, 0]);
    assert.deepEqual([p.card.brand, p.terminal.readerId, p.occurredAt], ['visa', 'V400m-324688179', '2025-10-03T10:00:00.000Z'], 'the authorisation is the sale');
    assert.deepEqual(natural.transactions.map((t) => [t.kind, t.amount_minor, t.customer]), [['payment', 10000, 'shopper']], 'the local CRM: the sale\'s row, none for the adjustment');
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:16000:0']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[16000, 2, 160, 160]]);
    await earnsAsSaleOf(natural, 8101, 15000);
  });

  it('a tab raised (100.00 to 150.00) and captured at 150.00: one sale of 150.00, in all 6 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'ADJUSTMENT 150', scenario: 'authorisation_adjustment', capture: 'j', amount: 15000, day: 4 },
      { role: 'CAPTURE 150', scenario: 'capture', capture: 'a', amount: 15000, day: 6 },
    ]), 3, 31_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [15000, 0, 15000, 'succeeded']);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:16000:0']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[16000, 2, 160, 160]]);
  });

  it('an authorisation lowered (100.00 to 80.00): 20.00 of it given back at once, and the same once 80.00 is captured, in all 6 orders', async () => {
    const lowered = { role: 'ADJUSTMENT 80', scenario: 'authorisation_adjustment', capture: 'j', amount: 8000, day: 4 } as const;
    const before = await everyOrder(saleScenario(10000, [lowered]), 2, 32_000);
    const natural = await everyOrder(saleScenario(10000, [lowered, { role: 'CAPTURE 80', scenario: 'capture', capture: 'a', amount: 8000, day: 6 }]), 3, 32_100);
    for (const [when, o] of [['before the capture', before], ['after it', natural]] as const) {
      const p = o.payment;
      assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [10000, 2000, 8000, 'partially_refunded'], when);
      assert.deepEqual(o.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:2000'], when);
      assert.deepEqual(o.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[9000, 2, 90]], when);
    }
  });

  it('a tab raised, then lowered (100.00, 150.00, 120.00) and captured at 120.00: the latest authorisation decides what comes back, in all 24 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'ADJUSTMENT 150', scenario: 'authorisation_adjustment', capture: 'j', amount: 15000, day: 4 },
      { role: 'ADJUSTMENT 120', scenario: 'authorisation_adjustment', capture: 'k', amount: 12000, day: 5 },
      { role: 'CAPTURE 120', scenario: 'capture', capture: 'a', amount: 12000, day: 6 },
    ]), 4, 33_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [15000, 3000, 12000, 'partially_refunded']);
    assert.deepEqual([p.saleMinor, p.authorisedMinor, p.capturedMinor], [15000, 12000, 12000]);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:16000:3000']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[13000, 2, 130]]);
  });

  it('an authorisation lowered, then raised past where it began (100.00, 80.00, 130.00): nothing given back, the sale 130.00, in all 6 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'ADJUSTMENT 80', scenario: 'authorisation_adjustment', capture: 'j', amount: 8000, day: 4 },
      { role: 'ADJUSTMENT 130', scenario: 'authorisation_adjustment', capture: 'k', amount: 13000, day: 5 },
    ]), 3, 34_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [13000, 0, 13000, 'succeeded']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[14000, 2, 140, 140]]);
  });

  // An account with multiple partial captures: the rest stays authorised until it is cancelled or expires.
  for (const [k, release] of (['cancellation', 'expire'] as const).entries()) {
    it(`a part capture (60.00 of 100.00) and the rest released (${release}): the sale of 100.00 with 40.00 back, never void, in all 6 orders`, async () => {
      const natural = await everyOrder(saleScenario(10000, [
        { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
        { role: release.toUpperCase(), scenario: release, capture: 'r', amount: 10000, day: 5 },
      ]), 3, 19_000 + 2_000 * k);
      const p = natural.payment;
      assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 10000, 4000, 6000, 'partially_refunded']);
      assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:4000']);
      assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[7000, 2, 70, 110]], 'the rest released takes back its points as a refund does: earned stays what the sales earned');
    });
  }

  for (const [k, release] of (['expire', 'technical_cancel'] as const).entries()) {
    it(`an authorisation released uncaptured (${release}): the sale never became money, so it is void, in both orders`, async () => {
      const natural = await everyOrder(saleScenario(10000, [{ role: release.toUpperCase(), scenario: release, capture: 'x', amount: 10000, day: 10 }]), 2, 20_000 + 10 * k);
      const p = natural.payment;
      assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 10000, 10000, 0, 'failed']);
      assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[1000, 1, 10, 10]], 'only the earlier sale');
    });
  }

  it('a capture that arrives before its authorisation counts nowhere, and makes no customer, until the authorisation does', async () => {
    const { earlier, events, pay } = await saleScenario(10000, [{ role: 'CAPTURE', scenario: 'capture', capture: 'a', amount: 10000, day: 4 }])(9999);
    const shopper = (await deliver(earlier)).customerId!;
    const early = await deliver(events[1]!.event);
    assert.equal(early.customerId, null, 'a capture names no shopper: nobody is made of it');
    assert.equal((await paymentState(db(), 'adyen', pay))!.counted, false);
    const customers = await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM customers WHERE id <> ?', [shopper]);
    const late = await deliver(events[0]!.event);
    assert.equal(late.customerId, shopper);
    assert.deepEqual(late.totals, [{ currency: 'EUR', payments: 2, grossMinor: 11000, refundedMinor: 0, netMinor: 11000 }]);
    assert.equal((await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM customers WHERE id <> ?', [shopper]))!.n, customers!.n, 'no customer made for the sale');
  });

  it('a sale and its REFUND end the same in both orders: the CRM, segment and loyalty, the visit the refund was included', async () => {
    const natural = await everyOrder(saleScenario(10000, [{ role: 'REFUND 25', scenario: 'partial_refund', capture: 'r', amount: 2500, day: 5 }]), 2, 18_000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.refundedMinor, natural.payment.netMinor], [10000, 2500, 7500]);
    assert.deepEqual(natural.totals.map((t) => ({ ...t })), [{ currency: 'EUR', payments: 2, gross_minor: 11000, refunded_minor: 2500, first_seen: '2025-10-01T10:00:00.000Z', last_seen: '2025-10-05T10:00:00.000Z' }]);
  });

  it('a REFUND that arrives before its authorisation names only the sale: it makes no customer, and counts with the sale for the shopper', async () => {
    const { earlier, events, pay } = await saleScenario(10000, [{ role: 'REFUND', scenario: 'partial_refund', capture: 'r', amount: 2500, day: 4 }])(9997);
    const shopper = (await deliver(earlier)).customerId!;
    const customers = await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM customers WHERE id <> ?', [shopper]);
    const early = await deliver(events[1]!.event);
    assert.equal(early.customerId, null, 'a refund with no card, shopper or contact: nobody is made of it');
    assert.equal((await paymentState(db(), 'adyen', pay))!.counted, false);
    const late = await deliver(events[0]!.event);
    assert.equal(late.customerId, shopper, 'the sale, and its refund with it, are the shopper\'s');
    assert.deepEqual(late.totals, [{ currency: 'EUR', payments: 2, grossMinor: 11000, refundedMinor: 2500, netMinor: 8500 }]);
    assert.equal((await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM customers WHERE id <> ?', [shopper]))!.n, customers!.n, 'no customer made for the refund or the sale');
    const rows = await db().all<{ kind: string; customer_id: string | null }>('SELECT kind, customer_id FROM transactions WHERE source = ? AND payment_id = ? ORDER BY kind', ['adyen', pay]);
    assert.deepEqual(rows.map((r) => [r.kind, r.customer_id]), [['payment', shopper], ['refund', shopper]], 'the refund\'s transaction is the shopper\'s once the sale is');
  });

  /** Every order ends where a plain sale of the amount the sale brought does, in points, spend, visits and tier. */
  async function earnsAsSaleOf(natural: Awaited<ReturnType<typeof everyOrder>>, n: number, amount: number) {
    const plain = await plainSale(n, amount);
    assert.deepEqual(natural.loyalty, plain.loyalty, `the program without tiers: as a sale of ${amount}`);
    assert.deepEqual(natural.tiers, plain.tiers, `the program with tiers: as a sale of ${amount}`);
  }

  it('an overcapture (a tip: 115.00 captured of 100.00 authorised) earns the points of a sale of 115.00, in both orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [{ role: 'CAPTURE 115', scenario: 'capture', capture: 'a', amount: 11500, day: 4 }]), 2, 12_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [11500, 0, 11500, 'succeeded']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[12500, 2, 125, 125]]);
    // The sale counted with no tier yet (x1), so all of it earns x1 however it arrived; it lifts the shopper to Gold.
    assert.deepEqual(natural.tiers.map((m) => [m.lifetime_spend_minor, m.points_balance, m.tier]), [[12500, 125, 'Gold']]);
    await earnsAsSaleOf(natural, 8001, 11500);
  });

  it('two part captures adding up to more than authorised (60.00 + 55.00 of 100.00) earn as a sale of 115.00, in all 6 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
      { role: 'CAPTURE 55', scenario: 'capture', capture: 'b', amount: 5500, day: 5 },
    ]), 3, 13_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [11500, 0, 11500, 'succeeded']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_earned]), [[12500, 2, 125, 125]]);
    assert.deepEqual(natural.tiers.map((m) => [m.points_balance, m.tier]), [[125, 'Gold']]);
    await earnsAsSaleOf(natural, 8002, 11500);
  });

  it('an overcapture that fails and is captured again earns as a sale of 115.00, in all 24 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 115', scenario: 'capture', capture: 'a', amount: 11500, day: 4 },
      { role: 'CAPTURE_FAILED 115', scenario: 'capture_failed', capture: 'a', amount: 11500, day: 6 },
      { role: 're-capture 115', scenario: 'recaptured', capture: 'a', amount: 11500, day: 8 },
    ]), 4, 14_000);
    const p = natural.payment;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [11500, 0, 11500, 'succeeded']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[12500, 2, 125]]);
    await earnsAsSaleOf(natural, 8003, 11500);
  });

  it('part captures adding up to more than authorised, one failing and captured again, earn as a sale of 115.00, in all 120 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
      { role: 'CAPTURE 55', scenario: 'capture', capture: 'b', amount: 5500, day: 5 },
      { role: 'CAPTURE_FAILED 55', scenario: 'capture_failed', capture: 'b', amount: 5500, day: 6 },
      { role: 're-capture 55', scenario: 'recaptured', capture: 'b', amount: 5500, day: 8 },
    ]), 5, 15_000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.netMinor], [11500, 11500]);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[12500, 2, 125]]);
    await earnsAsSaleOf(natural, 8004, 11500);
  });

  // Adyen's dispute lifecycle past a won chargeback (https://docs.adyen.com/risk-management/disputes-api/dispute-notifications):
  // the issuer can charge back again, and the merchant can win that at pre-arbitration. The latest report decides.
  const disputeSteps = [
    { role: 'NOTIFICATION_OF_CHARGEBACK', scenario: 'chargeback', capture: 'd', amount: 10000, day: 5 },
    { role: 'CHARGEBACK_REVERSED', scenario: 'chargeback_won', capture: 'd', amount: 10000, day: 20 },
    { role: 'SECOND_CHARGEBACK', scenario: 'second_chargeback', capture: 'd', amount: 10000, day: 40 },
  ] as const;

  it('a dispute won, then lost to a second chargeback: the sale charged back, its points forfeited, in all 24 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, disputeSteps), 4, 22_000);
    const p = natural.payment;
    assert.deepEqual([p.disputePhase, p.chargebackMinor, p.netMinor, p.status], ['lost', 10000, 0, 'refunded']);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:10000']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_held]), [[1000, 2, 10, 0]]);
  });

  it('25.00 refunded, the sale charged back and the chargeback reversed: the points the refund took stay taken, in all 24 orders', async () => {
    // Found by order-independence.property.test.ts: a refund heard after the loss took no points (the loss had forfeited
    // them all), so the win gave back all the sale's points, the refunded share too: 110 points, where 85 when the
    // refund came before the loss.
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'REFUND 25', scenario: 'partial_refund', capture: 'r', amount: 2500, day: 5 },
      { role: 'CHARGEBACK', scenario: 'chargeback_lost', capture: 'd', amount: 10000, day: 9 },
      { role: 'CHARGEBACK_REVERSED', scenario: 'chargeback_won', capture: 'd', amount: 10000, day: 20 },
    ]), 4, 28_000);
    const p = natural.payment;
    assert.deepEqual([p.disputePhase, p.refundedMinor, p.chargebackMinor, p.netMinor], ['won', 2500, 0, 7500]);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_held]), [[8500, 2, 85, 0]]);
  });

  it('a dispute won, lost to a second chargeback, then won at pre-arbitration: the whole sale kept, its points back, in all 120 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [...disputeSteps, { role: 'PREARBITRATION_WON', scenario: 'prearbitration_won', capture: 'd', amount: 10000, day: 70 }]), 5, 23_000);
    const p = natural.payment;
    assert.deepEqual([p.disputePhase, p.chargebackMinor, p.netMinor, p.status], ['won', 0, 10000, 'succeeded']);
    assert.deepEqual(natural.totals.map((t) => t.payments + ':' + t.gross_minor + ':' + t.refunded_minor), ['2:11000:0']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_held]), [[11000, 2, 110, 0]]);
  });

  it('a dispute won, reopened by a second chargeback still defended, then lost at pre-arbitration: the points held again, then forfeited, in all 120 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      disputeSteps[0], disputeSteps[1],
      { role: 'SECOND_CHARGEBACK (pending)', scenario: 'second_chargeback', capture: 'd', amount: 10000, day: 40, disputeStatus: 'Pending' },
      { role: 'PREARBITRATION_LOST', scenario: 'prearbitration_lost', capture: 'd', amount: 10000, day: 70 },
    ]), 5, 24_000);
    const p = natural.payment;
    assert.deepEqual([p.disputePhase, p.chargebackMinor, p.netMinor, p.status], ['lost', 10000, 0, 'refunded']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance, m.points_held]), [[1000, 2, 10, 0]]);
  });

  it('an overcapture under an open dispute: the rest of its points are held with the first, in all 6 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 115', scenario: 'capture', capture: 'a', amount: 11500, day: 4 },
      { role: 'NOTIFICATION_OF_CHARGEBACK 115', scenario: 'chargeback', capture: 'd', amount: 11500, day: 6 },
    ]), 3, 16_000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.disputePhase, natural.payment.status], [11500, 'open', 'disputed']);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.points_balance, m.points_held, m.points_earned]), [[12500, 10, 115, 125]]);
  });

  it('an overcapture whose dispute is lost: the rest of its points are forfeited with the first, in all 6 orders', async () => {
    const natural = await everyOrder(saleScenario(10000, [
      { role: 'CAPTURE 115', scenario: 'capture', capture: 'a', amount: 11500, day: 4 },
      { role: 'CHARGEBACK 115', scenario: 'chargeback_lost', capture: 'd', amount: 11500, day: 6 },
    ]), 3, 17_000);
    assert.deepEqual([natural.payment.grossMinor, natural.payment.chargebackMinor, natural.payment.netMinor], [11500, 11500, 0]);
    assert.deepEqual(natural.loyalty.map((m) => [m.lifetime_spend_minor, m.points_balance, m.points_held, m.points_earned]), [[1000, 10, 0, 125]]);
  });

  // Last: it takes the store back to before schema 27 and upgrades it.
  it('a store from before schema 27 is upgraded: a sale counted before keeps the points it earned when an overcapture raises it', async () => {
    const { earlier, events } = await saleScenario(10000, [{ role: 'CAPTURE 115', scenario: 'capture', capture: 'a', amount: 11500, day: 4 }])(9998);
    const shopper = (await deliver(earlier)).customerId!;
    await deliver(events[0]!.event);
    await db().transaction(async (tx) => {
      await tx.run('ALTER TABLE loyalty_payments DROP COLUMN earn_multiplier');
      await tx.run('DELETE FROM schema_migrations WHERE version = 27');
    });
    await migrate(db());
    const rows = await db().all<{ m: number | null }>('SELECT earn_multiplier AS m FROM loyalty_payments WHERE customer_id = ?', [shopper]);
    assert.deepEqual(rows.map((r) => r.m), [null, null, null, null], 'both sales, in both programs: counted before, multiplier unknown');
    await deliver(events[1]!.event);
    // Spend follows the ledger; the points stay what the sale earned when it counted.
    assert.deepEqual((await members(program.id, shopper)).map((m) => [m.lifetime_spend_minor, m.visits, m.points_balance]), [[12500, 2, 110]]);
    assert.deepEqual((await members(tiered.id, shopper)).map((m) => [m.lifetime_spend_minor, m.points_balance, m.tier]), [[12500, 110, 'Gold']]);
  });
});

/**
 * What the ledger and the shopper's CRM totals show once these of the sale's notifications are heard (an
 * authorisation of 100.00, CAPTURE 60.00 of capture a, CAPTURE 40.00 and CAPTURE_FAILED 40.00 of capture b), whatever
 * order they came in: the same set heard is the same sale. A capture heard failed is a capture of its amount all the
 * same, so its 40.00 goes back once, as its failure, not again as what the captures leave of the authorisation; a
 * sale whose captures so far all failed, with nothing else captured, is void (as one heard captured and then failed).
 * Before the authorisation nothing counts (the earlier sale of 10.00 alone); a capture failure heard then makes the
 * payment read failed, as any failure heard before its sale.
 */
const HEARD_SO_FAR: ReadonlyMap<string, { gross: number; refunded: number; status: string; totals: string }> = new Map(([
  [[], 10000, 0, 'succeeded', '2:11000:0'],
  [['CAPTURE 60'], 10000, 4000, 'partially_refunded', '2:11000:4000'],
  [['CAPTURE 40'], 10000, 6000, 'partially_refunded', '2:11000:6000'],
  [['CAPTURE_FAILED 40'], 10000, 10000, 'failed', '1:11000:10000'],
  [['CAPTURE 60', 'CAPTURE 40'], 10000, 0, 'succeeded', '2:11000:0'],
  [['CAPTURE 60', 'CAPTURE_FAILED 40'], 10000, 4000, 'partially_refunded', '2:11000:4000'],
  [['CAPTURE 40', 'CAPTURE_FAILED 40'], 10000, 10000, 'failed', '1:11000:10000'],
  [['CAPTURE 60', 'CAPTURE 40', 'CAPTURE_FAILED 40'], 10000, 4000, 'partially_refunded', '2:11000:4000'],
] as const).map(([captures, gross, refunded, status, totals]) => [heardKey(['AUTHORISATION', ...captures]), { gross, refunded, status, totals }]));

function heardKey(roles: readonly string[]): string {
  return [...roles].sort().join(', ');
}

/** What a ledger reader and the CRM totals see of the sale once `heard` came, by HEARD_SO_FAR. */
function seenAfter(heard: readonly string[]) {
  if (!heard.includes('AUTHORISATION')) {
    return { counted: false, status: heard.includes('CAPTURE_FAILED 40') ? 'failed' : 'pending', gross: 0, refunded: 0, net: 0, totals: '1:1000:0' };
  }
  const e = HEARD_SO_FAR.get(heardKey(heard))!;
  return { counted: true, status: e.status, gross: e.gross, refunded: e.refunded, net: e.gross - e.refunded, totals: e.totals };
}

for (const store of bothDialects('adyen-capture-failed-first')) {
  describe(`an Adyen part capture heard failed before it is heard captured, on ${store.dialect}: after each notification, in every order, the ledger and the CRM totals show what was heard`, () => {
    const order = new DeliveryOrder('adyen', program, tiered);
    before(() => order.open(store));
    after(() => order.close());

    async function everyStep(scenario: ReturnType<typeof saleScenario>, roles: number, shoppers: number) {
      for (const [n, o] of permutations([...Array(roles).keys()]).entries()) {
        const { earlier, events, pay } = await scenario(shoppers + n);
        const shopper = (await order.deliver(earlier)).customerId!;
        const heard: string[] = [];
        for (const i of o) {
          await order.deliver(events[i]!.event);
          heard.push(events[i]!.role);
          const p = await paymentState(order.s.db, 'adyen', pay);
          const totals = await order.s.db.all<{ payments: number; gross_minor: number; refunded_minor: number }>(
            'SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', [shopper],
          );
          assert.deepEqual(
            { counted: p!.counted, status: p!.status, gross: p!.grossMinor, refunded: p!.refundedMinor, net: p!.netMinor, totals: totals.map((t) => `${t.payments}:${t.gross_minor}:${t.refunded_minor}`).join(' ') },
            seenAfter(heard),
            `heard so far: ${heard.join(', ')}`,
          );
        }
      }
    }

    const steps = {
      capture60: { role: 'CAPTURE 60', scenario: 'capture', capture: 'a', amount: 6000, day: 4 },
      capture40: { role: 'CAPTURE 40', scenario: 'capture', capture: 'b', amount: 4000, day: 4 },
      failed40: { role: 'CAPTURE_FAILED 40', scenario: 'capture_failed', capture: 'b', amount: 4000, day: 6 },
    } as const;

    it('60.00 captured and 40.00 captured then failed, of 100.00: 40.00 back once both of the 40.00 capture\'s reports are heard, whichever came first, in all 24 orders', { timeout: 240_000 }, async () => {
      await everyStep(saleScenario(10000, [steps.capture60, steps.capture40, steps.failed40]), 4, 40_000);
    });

    it('60.00 captured and a 40.00 capture heard only failed (its CAPTURE never comes), of 100.00: 40.00 back, not 80.00, in all 6 orders', { timeout: 120_000 }, async () => {
      await everyStep(saleScenario(10000, [steps.capture60, steps.failed40]), 3, 41_000);
    });
  });
}
