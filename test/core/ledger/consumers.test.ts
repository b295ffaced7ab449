import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../../support/temp-store';
import { messageStep } from '../../../nodes/core/messages/message-step';
import { parseMessageSettings } from '../../../nodes/core/messages/settings';
import { adyenCaptureThatFailed, adyenPartCaptureThatFailed, adyenRefundThatFailed } from '../sources/adyen-test-support';
import { migrate } from '../../../nodes/core/store/migrations';

type Store = Awaited<ReturnType<typeof tempStore>>;

/** A Zettle-like sale and its refunds, each refund its own purchase with its own amount (refund.cumulative false). */
function zettle(kind: 'payment' | 'refund', id: string, saleId: string, minor: number, at: string): PaymentEvent {
  return {
    schemaVersion: 1,
    id: `zettle:${id}`,
    source: 'zettle',
    type: 'PurchaseCreated',
    kind,
    paymentId: saleId,
    amount: { minor, currency: 'GBP' },
    ...(kind === 'refund' ? { refundedTotal: { minor, currency: 'GBP' }, refund: { cumulative: false } } : {}),
    status: kind === 'refund' ? 'partially_refunded' : 'succeeded',
    occurredAt: at,
    livemode: true,
    card: { entryMode: 'chip', brand: 'MASTERCARD', last4: '0000', bin: '535583', identity: { kind: 'fingerprint', value: 'fp_zettle_card' } },
    terminal: { readerId: 'udid-1' },
    customerHints: {},
    metadata: {},
  };
}

/** One processor event through the steps every face runs, then Segment and Loyalty. */
async function throughConsumers(s: Store, keys: ReturnType<typeof testKeys>, event: unknown, loyalty: ReturnType<typeof parseLoyaltyProgram>) {
  const [recorded] = await upsertStep([await matchStep(tokenizeStep(event, keys), s.crm)], s.crm);
  const segmented = await segmentStep(recorded, { db: s.db });
  const rewarded = await loyaltyStep(recorded, { db: s.db, program: loyalty });
  return { crm: recorded!.crm!, segment: segmented.segment, loyalty: rewarded.loyalty, item: rewarded };
}

/**
 * The three consumers of the ledger through the steps every face runs (tokenize → match → upsert, then Segment
 * and Loyalty): CRM totals, segment statistics and the loyalty ledger count the same money.
 */
describe('CRM totals, segment statistics and loyalty read one ledger', () => {
  let s: Store;
  const keys = testKeys();
  const program = parseLoyaltyProgram({ id: 'ledger', currency: 'GBP' });
  const usdProgram = parseLoyaltyProgram({ id: 'ledger-usd', currency: 'USD' });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  const deliver = (event: unknown, loyalty = program) => throughConsumers(s, keys, event, loyalty);

  it('two partial refunds of the same size, reported one by one, both count — once each, however often delivered', async () => {
    const sale = await deliver(zettle('payment', 'sale-1', 'sale-1', 5000, '2025-06-01T10:00:00.000Z'));
    const refund1 = zettle('refund', 'refund-1', 'sale-1', 1000, '2025-06-02T10:00:00.000Z');
    await deliver(refund1);
    const second = await deliver(zettle('refund', 'refund-2', 'sale-1', 1000, '2025-06-03T10:00:00.000Z'));
    const repeat = await deliver(refund1);
    assert.equal(second.crm.customerId, sale.crm.customerId);
    for (const r of [second, repeat]) {
      assert.deepEqual(r.crm.totals, [{ currency: 'GBP', payments: 1, grossMinor: 5000, refundedMinor: 2000, netMinor: 3000 }]);
    }
    assert.deepEqual([repeat.crm.outcome, repeat.segment.outcome, repeat.loyalty.outcome], ['duplicate', 'duplicate', 'duplicate']);
    assert.deepEqual([second.segment.stats!.refundedMinor, second.segment.stats!.netMinor], [2000, 3000]);
    assert.deepEqual([second.loyalty.member!.pointsBalance, second.loyalty.member!.lifetimeSpendMinor], [30, 3000]);
    const p = (await paymentState(s.db, 'zettle', 'sale-1'))!;
    assert.deepEqual([p.refundedMinor, p.netMinor, p.status, p.events], [2000, 3000, 'partially_refunded', 3]);
  });

  it('a refund that arrives before its payment counts nowhere until the payment does, then the same everywhere', async () => {
    const spec = { amount: 4000, email: 'early@example.com', paymentIntentId: 'pi_early_bird', chargeId: 'ch_early_bird', card: { fingerprint: 'fp_early' } };
    const at = (iso: string) => ({ created: Math.floor(Date.parse(iso) / 1000) });
    const refund = normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded: 1500 }), { id: 'evt_early_rf', ...at('2025-06-05T10:00:00Z') }));
    const sale = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(spec), { id: 'evt_early_ch', ...at('2025-06-04T10:00:00Z') }));
    const early = await deliver(refund, usdProgram);
    assert.equal(early.crm.outcome, 'recorded');
    assert.deepEqual(early.crm.totals, []);
    assert.equal(early.segment.outcome, 'skipped');
    assert.match(early.segment.reason!, /not been seen yet/);
    assert.deepEqual(early.loyalty.entries, []);
    const late = await deliver(sale, usdProgram);
    assert.equal(late.crm.customerId, early.crm.customerId, 'one customer: the refund\'s new customer is the payment\'s');
    assert.deepEqual(late.crm.totals, [{ currency: 'USD', payments: 1, grossMinor: 4000, refundedMinor: 1500, netMinor: 2500 }]);
    assert.deepEqual([late.segment.stats!.payments, late.segment.stats!.refundedMinor, late.segment.stats!.netMinor], [1, 1500, 2500]);
    assert.deepEqual(late.loyalty.entries.map((e) => [e.kind, e.points]), [['earn', 40], ['reverse', -15]]);
    assert.equal(late.loyalty.member!.lifetimeSpendMinor, 2500);
  });

  it('a refund Adyen reports failed gives the money back everywhere: totals, segment, points, the payment; no refund mail', async () => {
    const eur = parseLoyaltyProgram({ id: 'ledger-eur', currency: 'EUR' });
    const { payment: sale, refund, failed, again } = await adyenRefundThatFailed();
    const paid = await deliver(sale, eur);
    const refunded = await deliver(refund, eur);
    assert.deepEqual(refunded.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 8000, refundedMinor: 3000, netMinor: 5000 }]);
    assert.deepEqual([refunded.loyalty.member!.pointsBalance, refunded.loyalty.member!.lifetimeSpendMinor], [50, 5000]);

    const back = await deliver(failed, eur);
    assert.equal(back.crm.customerId, paid.crm.customerId);
    assert.deepEqual(back.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 8000, refundedMinor: 0, netMinor: 8000 }]);
    assert.deepEqual([back.segment.stats!.refundedMinor, back.segment.stats!.netMinor], [0, 8000]);
    assert.deepEqual(back.loyalty.entries.map((e) => [e.kind, e.points]), [['reverse', 30]], 'the points the refund took come back');
    assert.deepEqual([back.loyalty.member!.pointsBalance, back.loyalty.member!.lifetimeSpendMinor], [80, 8000]);
    const p = (await paymentState(s.db, 'adyen', sale.paymentId))!;
    assert.deepEqual([p.refundedMinor, p.netMinor, p.status, p.events], [0, 8000, 'succeeded', 3]);
    const row = await s.db.get<{ amount_minor: number }>('SELECT amount_minor FROM transactions WHERE event_id = ?', [failed.id]);
    assert.equal(Number(row!.amount_minor), -3000, 'the CRM\'s transaction of the reversal takes back what the refund added');
    const customer = await s.db.get<{ last_seen: string }>('SELECT last_seen FROM customer_totals WHERE customer_id = ?', [paid.crm.customerId]);
    assert.equal(customer!.last_seen, refund.occurredAt, 'a reversal between banks is not a visit');

    // Another notification about the reversed refund (another event id, the same refund) does not count it again.
    const replay = await deliver(again, eur);
    assert.deepEqual([replay.crm.totals[0]!.refundedMinor, replay.loyalty.member!.pointsBalance], [0, 80]);

    const mail = await messageStep(back.item, { db: s.db, settings: parseMessageSettings({ kind: 'refund', shopName: 'Café Lumen' }) });
    assert.equal(mail.outcome, 'skipped');
    assert.match(mail.reason ?? '', /reversed this refund/);
  });

  it('a sale whose capture Adyen reports failed gives its money back everywhere, is no payment or visit, and reads failed; the re-capture brings it back', async () => {
    const eur = parseLoyaltyProgram({ id: 'ledger-eur-capture', currency: 'EUR' });
    const { payment: sale, failed, recaptured } = await adyenCaptureThatFailed();
    const paid = await deliver(sale, eur);
    assert.deepEqual(paid.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 6000, refundedMinor: 0, netMinor: 6000 }]);
    assert.deepEqual([paid.loyalty.member!.pointsBalance, paid.loyalty.member!.lifetimeSpendMinor, paid.loyalty.member!.visits], [60, 6000, 1]);
    assert.deepEqual([paid.segment.stats!.payments, paid.segment.stats!.purchaseDays], [1, 1]);

    const gone = await deliver(failed, eur);
    assert.equal(gone.crm.customerId, paid.crm.customerId);
    assert.deepEqual(gone.crm.totals, [{ currency: 'EUR', payments: 0, grossMinor: 6000, refundedMinor: 6000, netMinor: 0 }]);
    assert.deepEqual([gone.segment.stats!.netMinor, gone.segment.stats!.payments, gone.segment.stats!.purchaseDays], [0, 0, 0]);
    assert.deepEqual(gone.loyalty.entries.map((e) => [e.kind, e.points]), [['reverse', -60]], 'the points the sale earned go');
    assert.deepEqual([gone.loyalty.member!.pointsBalance, gone.loyalty.member!.lifetimeSpendMinor, gone.loyalty.member!.visits], [0, 0, 0]);
    const p = (await paymentState(s.db, 'adyen', sale.paymentId))!;
    assert.deepEqual([p.netMinor, p.status], [0, 'failed']);
    const customer = await s.db.get<{ last_seen: string }>('SELECT last_seen FROM customer_totals WHERE customer_id = ?', [paid.crm.customerId]);
    assert.equal(customer!.last_seen, sale.occurredAt, 'a capture failing between banks is not a visit');
    // The same failure delivered again changes nothing.
    const replay = await deliver(failed, eur);
    assert.deepEqual([replay.crm.outcome, replay.crm.totals[0]!.payments, replay.crm.totals[0]!.netMinor, replay.loyalty.member!.pointsBalance, replay.loyalty.member!.visits], ['duplicate', 0, 0, 0, 0]);
    assert.deepEqual([replay.segment.stats!.payments, replay.segment.stats!.purchaseDays], [0, 0]);

    const back = await deliver(recaptured, eur);
    assert.deepEqual(back.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 6000, refundedMinor: 0, netMinor: 6000 }]);
    assert.deepEqual([back.segment.stats!.netMinor, back.segment.stats!.payments, back.segment.stats!.purchaseDays], [6000, 1, 1]);
    assert.deepEqual([back.loyalty.member!.pointsBalance, back.loyalty.member!.lifetimeSpendMinor, back.loyalty.member!.visits], [60, 6000, 1]);
    assert.deepEqual([(await paymentState(s.db, 'adyen', sale.paymentId))!.status], ['succeeded']);
  });

  it('a capture that fails again after Adyen re-captured it voids the sale again, once; the next re-capture brings it back', async () => {
    const eur = parseLoyaltyProgram({ id: 'ledger-eur-capture-twice', currency: 'EUR' });
    const { payment: sale, failed, recaptured, failedAgain, recapturedAgain } = await adyenCaptureThatFailed({ alias: 'H167852639363484', email: 'twice@example.com' });
    for (const e of [sale, failed, recaptured]) await deliver(e, eur);
    const gone = await deliver(failedAgain, eur);
    assert.equal(gone.crm.outcome, 'recorded', 'a second failure is news, not a redelivery of the first');
    assert.deepEqual(gone.crm.totals, [{ currency: 'EUR', payments: 0, grossMinor: 6000, refundedMinor: 6000, netMinor: 0 }]);
    assert.deepEqual([gone.segment.stats!.netMinor, gone.segment.stats!.payments], [0, 0]);
    assert.deepEqual([gone.loyalty.member!.pointsBalance, gone.loyalty.member!.visits], [0, 0]);
    assert.equal((await paymentState(s.db, 'adyen', sale.paymentId))!.status, 'failed');
    const replay = await deliver(failedAgain, eur);
    assert.deepEqual([replay.crm.outcome, replay.crm.totals[0]!.netMinor, replay.loyalty.member!.pointsBalance], ['duplicate', 0, 0]);

    const back = await deliver(recapturedAgain, eur);
    assert.deepEqual(back.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 6000, refundedMinor: 0, netMinor: 6000 }]);
    assert.deepEqual([back.loyalty.member!.pointsBalance, back.loyalty.member!.visits], [60, 1]);
    assert.equal((await paymentState(s.db, 'adyen', sale.paymentId))!.status, 'succeeded');
  });

  it('a failed part capture takes off only what it was to collect, everywhere; its re-capture brings that back; the other part failing too voids the sale', async () => {
    const eur = parseLoyaltyProgram({ id: 'ledger-eur-part-capture', currency: 'EUR' });
    const { payment: sale, captured, secondFailed, secondRecaptured, firstFailed } = await adyenPartCaptureThatFailed({ alias: 'H167852639363485', email: 'paula@example.com' });
    for (const e of [sale, ...captured]) await deliver(e, eur);
    const part = await deliver(secondFailed, eur);
    assert.deepEqual(part.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 10000, refundedMinor: 4000, netMinor: 6000 }]);
    assert.deepEqual([part.segment.stats!.netMinor, part.segment.stats!.payments, part.segment.stats!.purchaseDays], [6000, 1, 1]);
    assert.deepEqual(part.loyalty.entries.map((e) => [e.kind, e.points]), [['reverse', -40]], 'the points of the part not collected go');
    assert.deepEqual([part.loyalty.member!.pointsBalance, part.loyalty.member!.lifetimeSpendMinor, part.loyalty.member!.visits], [60, 6000, 1]);
    const p = (await paymentState(s.db, 'adyen', sale.paymentId))!;
    assert.deepEqual([p.grossMinor, p.refundedMinor, p.netMinor, p.status], [10000, 4000, 6000, 'partially_refunded']);
    const replay = await deliver(secondFailed, eur);
    assert.deepEqual([replay.crm.outcome, replay.crm.totals[0]!.netMinor, replay.loyalty.member!.pointsBalance], ['duplicate', 6000, 60]);

    const back = await deliver(secondRecaptured, eur);
    assert.deepEqual(back.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 10000, refundedMinor: 0, netMinor: 10000 }]);
    assert.deepEqual([back.segment.stats!.netMinor, back.loyalty.member!.pointsBalance], [10000, 100]);

    const gone = await deliver(firstFailed, eur);
    assert.deepEqual(gone.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 10000, refundedMinor: 6000, netMinor: 4000 }], 'the re-captured part stays');
    assert.equal((await paymentState(s.db, 'adyen', sale.paymentId))!.status, 'partially_refunded');
  });

  it('a capture failure that arrives before its sale keeps the sale from ever being a payment, a visit, spend or points', async () => {
    const eur = parseLoyaltyProgram({ id: 'ledger-eur-capture-early', currency: 'EUR' });
    const { payment: sale, failed, recaptured } = await adyenCaptureThatFailed({ alias: 'H167852639363482', email: 'dominique@example.com' });
    await deliver(failed, eur);
    const late = await deliver(sale, eur);
    assert.deepEqual(late.crm.totals, [{ currency: 'EUR', payments: 0, grossMinor: 6000, refundedMinor: 6000, netMinor: 0 }]);
    assert.deepEqual([late.segment.stats!.netMinor, late.segment.stats!.payments, late.segment.stats!.purchaseDays], [0, 0, 0]);
    assert.deepEqual([late.loyalty.entries.length, late.loyalty.member?.visits ?? 0, late.loyalty.member?.pointsBalance ?? 0], [0, 0, 0], 'nothing earned to take back');
    assert.equal((await paymentState(s.db, 'adyen', sale.paymentId))!.status, 'failed');
    // Captured again after all: one payment, one visit, its points, once.
    const back = await deliver(recaptured, eur);
    assert.deepEqual(back.crm.totals, [{ currency: 'EUR', payments: 1, grossMinor: 6000, refundedMinor: 0, netMinor: 6000 }]);
    assert.deepEqual([back.segment.stats!.payments, back.segment.stats!.purchaseDays, back.segment.stats!.netMinor], [1, 1, 6000]);
    assert.deepEqual([back.loyalty.member!.visits, back.loyalty.member!.pointsBalance, back.loyalty.member!.lifetimeSpendMinor], [1, 60, 6000]);
  });
});

describe('a store whose void sales still counted as payments (schema 20) is upgraded', () => {
  let s: Store;
  const keys = testKeys();
  const eur = parseLoyaltyProgram({ id: 'void-upgrade', currency: 'EUR' });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  const deliver = (event: unknown) => throughConsumers(s, keys, event, eur);

  it('takes the void sale out of the payment counts, purchase days and visits, and a capture after it counts it once', async () => {
    const { payment: sale, failed, recaptured } = await adyenCaptureThatFailed({ alias: 'H167852639363483', email: 'upgrade@example.com' });
    const paid = await deliver(sale);
    await deliver(failed);
    const customerId = paid.crm.customerId!;
    // What schema 20 left: the void's money back everywhere, the sale still one payment, purchase day and visit, and
    // the void kept on the sale (voided_at), not on its capture (schema 24), which counts among no captures.
    await s.db.transaction(async (tx) => {
      await tx.run('UPDATE ledger_payments SET voided_at = ?, capture_failed_minor = 0, captured_minor = 0 WHERE source = ? AND payment_id = ?', [failed.occurredAt, 'adyen', sale.paymentId]);
      await tx.run('DELETE FROM ledger_captures WHERE source = ? AND payment_id = ?', ['adyen', sale.paymentId]);
      await tx.run('UPDATE customer_totals SET payments = 1 WHERE customer_id = ?', [customerId]);
      await tx.run('UPDATE segment_stats SET payments = 1, purchase_days = 1 WHERE customer_id = ?', [customerId]);
      await tx.run('UPDATE loyalty_members SET visits = 1 WHERE customer_id = ?', [customerId]);
      await tx.run('ALTER TABLE segment_payments DROP COLUMN voided');
      await tx.run('ALTER TABLE loyalty_payments DROP COLUMN voided');
      await tx.run('DELETE FROM schema_migrations WHERE version = 21');
    });
    await migrate(s.db);
    const counts = async () => [
      Number((await s.db.get<{ n: number }>('SELECT payments AS n FROM customer_totals WHERE customer_id = ?', [customerId]))!.n),
      { ...(await s.db.get('SELECT payments, purchase_days FROM segment_stats WHERE customer_id = ?', [customerId])) },
      Number((await s.db.get<{ n: number }>('SELECT visits AS n FROM loyalty_members WHERE customer_id = ?', [customerId]))!.n),
    ];
    assert.deepEqual(await counts(), [0, { payments: 0, purchase_days: 0 }, 0]);

    const back = await deliver(recaptured);
    assert.deepEqual(await counts(), [1, { payments: 1, purchase_days: 1 }, 1]);
    assert.deepEqual([back.crm.totals[0]!.netMinor, back.segment.stats!.netMinor, back.loyalty.member!.pointsBalance], [6000, 6000, 60]);
  });
});
