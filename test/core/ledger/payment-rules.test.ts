import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { ledgerPaymentOf } from '../../../nodes/core/ledger/payment-rows';
import {
  applyEvent, deltaBetween, MemoryEntries, NOT_COUNTED, viewOf,
  type LedgerDelta, type PaymentRecord,
} from '../../../nodes/core/ledger/payment-rules';
import { permutations } from '../../support/permutations';
import { counted, summed } from './support/deltas';
import { again, capturedPart, capturedSale, cumulativeRefund, dispute, failedCapture, failure, ownRefund, payment, reversedRefund, voidedSale } from './support/events';

/**
 * The events in order, as the ledger applies them: per-refund events count once per refund id, until reversed;
 * captures by their id, the latest report deciding.
 */
function replay(events: readonly LedgerEvent[]): { record: PaymentRecord; deltas: LedgerDelta[] } {
  let record: PaymentRecord | undefined;
  const entries = new MemoryEntries();
  const deltas: LedgerDelta[] = [];
  for (const e of events) {
    const after = applyEvent(record, e, entries.changesFor(e));
    deltas.push(deltaBetween(viewOf(record), viewOf(after), after.currency));
    record = after;
  }
  return { record: record!, deltas };
}

describe('the money rules (pure)', () => {
  it('a PaymentIntent and its charge are one payment: counted once, with the card from whichever event has it', () => {
    const pi = payment('pi_1', 2500);
    const charge = payment('pi_1', 2500, '2025-03-01T10:00:02.000Z', { card: { brand: 'visa', last4: '4242', entryMode: 'contactless', token: 'ctok_k1_x' }, terminal: { readerId: 'tmr_1' } });
    const { record, deltas } = replay([pi, charge]);
    assert.deepEqual(deltas.map((d) => [d.payments, d.grossMinor]), [[1, 2500], [0, 0]]);
    assert.deepEqual(record.card, { brand: 'visa', last4: '4242', token: 'ctok_k1_x', entryMode: 'contactless', wallet: null });
    assert.equal(record.terminal.readerId, 'tmr_1');
    assert.equal(record.occurredAt, '2025-03-01T10:00:00.000Z', 'made when its first payment event says');
    assert.equal(record.events, 2);
  });

  it('a sale stored offline is made when its charge says, whether its PaymentIntent (dated at its forwarding) came first or not; no other report moves a sale\'s time', () => {
    // Stripe's offline payment: the reader stored it on 1 March, forwarded it on the 3rd; the PaymentIntent event is
    // dated then, the charge at card_present.offline.stored_at (storedOffline).
    const pi = payment('pi_off', 2500, '2025-03-03T09:00:00.000Z');
    const charge = payment('pi_off', 2500, '2025-03-01T18:00:00.000Z', { storedOffline: true, card: { brand: 'visa', last4: '4242', entryMode: 'chip', token: 'ctok_k1_x' } });
    const refund = cumulativeRefund('pi_off', 500, '2025-03-04T10:00:00.000Z');
    for (const events of permutations([pi, charge, refund])) {
      const { record, deltas } = replay(events);
      assert.equal(record.occurredAt, '2025-03-01T18:00:00.000Z', events.map((e) => e.occurredAt).join(', '));
      assert.deepEqual([record.firstSeen, record.lastSeen], ['2025-03-01T18:00:00.000Z', '2025-03-04T10:00:00.000Z']);
      assert.deepEqual(summed(deltas), { payments: 1, grossMinor: 2500, refundedMinor: 500, chargebackMinor: 0, disputes: 0, disputedOpenMinor: 0 }, 'the time moves no money');
    }
    // A report that is not stored offline, a capture of the sale and an adjustment of its authorisation leave its time.
    for (const later of [
      payment('pi_off', 2500, '2025-03-01T08:00:00.000Z'),
      capturedPart('pi_off', 'cap_1', 2500, '2025-03-01T08:00:00.000Z'),
      payment('pi_off', 2600, '2025-03-01T08:00:00.000Z', { sale: { voided: false, adjusted: true } }),
    ]) assert.equal(replay([pi, later]).record.occurredAt, '2025-03-03T09:00:00.000Z', JSON.stringify(later.sale ?? {}));
    // One stored offline later than the sale's time says nothing earlier.
    assert.equal(replay([pi, { ...charge, occurredAt: '2025-03-03T09:30:00.000Z' }]).record.occurredAt, '2025-03-03T09:00:00.000Z');
  });

  it('refunds reported cumulatively count what they add; an older or repeated total adds nothing', () => {
    const { deltas, record } = replay([payment('pi_2', 5000), cumulativeRefund('pi_2', 3000), cumulativeRefund('pi_2', 1000), cumulativeRefund('pi_2', 3000), cumulativeRefund('pi_2', 4500)]);
    assert.deepEqual(deltas.map((d) => d.refundedMinor), [0, 3000, 0, 0, 1500]);
    assert.equal(ledgerPaymentOf(record).refundedMinor, 4500);
    assert.equal(ledgerPaymentOf(record).status, 'partially_refunded');
  });

  it('refunds reported one by one: two partial refunds of the same size both count, one refund reported twice counts once', () => {
    const first = ownRefund('pi_3', 're_1', 1000);
    const { deltas, record } = replay([
      payment('pi_3', 5000),
      first,
      { ...first, eventId: 'square:refund.updated-again' }, // another event about the same refund
      ownRefund('pi_3', 're_2', 1000),
      ownRefund('pi_3', undefined, 1000, undefined, { eventId: 'adyen:PSP3:REFUND:true' }), // no refund id: the event is the refund
    ]);
    assert.deepEqual(deltas.map((d) => d.refundedMinor), [0, 1000, 0, 1000, 1000]);
    assert.equal(ledgerPaymentOf(record).refundedMinor, 3000);
  });

  it('a refund reversed after it counted (failed, or its money back with the merchant) counts no more; a second reversal changes nothing', () => {
    const { deltas, record } = replay([
      payment('pi_r1', 5000), ownRefund('pi_r1', 're_1', 2000), ownRefund('pi_r1', 're_2', 500), reversedRefund('pi_r1', 're_1', 2000), reversedRefund('pi_r1', 're_1', 2000),
    ]);
    assert.deepEqual(deltas.map((d) => d.refundedMinor), [0, 2000, 500, -2000, 0]);
    const p = ledgerPaymentOf(record);
    assert.deepEqual([p.refundedMinor, p.netMinor, p.status], [500, 4500, 'partially_refunded']);
    assert.deepEqual(summed(deltas), counted(viewOf(record)));
  });

  it('a reversal that arrives before its refund keeps the refund from ever counting; the payment is whole again', () => {
    const { deltas, record } = replay([payment('pi_r2', 3000), reversedRefund('pi_r2', 're_9', 3000), ownRefund('pi_r2', 're_9', 3000)]);
    assert.deepEqual(deltas.map((d) => d.refundedMinor), [0, 0, 0]);
    assert.equal(ledgerPaymentOf(record).status, 'succeeded');
    const whole = replay([payment('pi_r3', 3000), ownRefund('pi_r3', 're_8', 3000), reversedRefund('pi_r3', 're_8', 3000)]);
    assert.deepEqual([ledgerPaymentOf(whole.record).status, ledgerPaymentOf(whole.record).netMinor], ['succeeded', 3000]);
  });

  it('an unreferenced refund counts at once as money given back, no payment and uncapped; its reversal takes it out, in either order', () => {
    const unreferenced = (minor: number) => ownRefund('re_u1', 're_u1', minor, '2025-03-02T10:00:00.000Z', { refund: { id: 're_u1', cumulative: false, unreferenced: true }, status: 'refunded' });
    const { deltas, record } = replay([unreferenced(1200), again(unreferenced(1200))]);
    assert.deepEqual(deltas.map((d) => [d.payments, d.grossMinor, d.refundedMinor]), [[0, 0, 1200], [0, 0, 0]], 'counted once, by its id, and never a payment');
    const p = ledgerPaymentOf(record);
    assert.deepEqual([p.counted, p.unreferenced, p.grossMinor, p.refundedMinor, p.netMinor, p.status, p.occurredAt], [true, true, 0, 1200, -1200, 'refunded', '2025-03-02T10:00:00.000Z']);
    const reversal = reversedRefund('re_u1', 're_u1', 1200);
    for (const order of [[unreferenced(1200), reversal], [reversal, unreferenced(1200)]]) {
      const r = replay(order);
      const q = ledgerPaymentOf(r.record);
      assert.deepEqual([q.counted, q.refundedMinor, q.netMinor, q.status], [true, 0, 0, 'failed'], order.map((e) => e.refund?.reversed ? 'reversal' : 'refund').join(', '));
      assert.deepEqual(summed(r.deltas), counted(viewOf(r.record)));
      assert.equal(summed(r.deltas).payments, 0);
    }
  });

  it('a refund reported reversed by its id is out of a running total too (Stripe reports a failed refund so, after charge.refunded counted it), in any order', () => {
    const history = [payment('pi_r6', 5000), cumulativeRefund('pi_r6', 1000), cumulativeRefund('pi_r6', 3000, '2025-03-03T10:00:00.000Z'), reversedRefund('pi_r6', 're_2', 2000)];
    for (const order of permutations(history)) {
      const { record, deltas } = replay(order);
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.refundedMinor, p.netMinor, p.status], [1000, 4000, 'partially_refunded'], order.map((e) => e.eventId).join(' '));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    // The only refund failed: the payment is whole again, whether the failure came before or after the total.
    for (const order of permutations([payment('pi_r7', 3000), cumulativeRefund('pi_r7', 3000), reversedRefund('pi_r7', 're_1', 3000)])) {
      const p = ledgerPaymentOf(replay(order).record);
      assert.deepEqual([p.refundedMinor, p.status], [0, 'succeeded']);
    }
  });

  it('a sale reported void after it counted (its capture failed) gives back all it took, in any order, once; its status is failed', () => {
    const events = [payment('pi_v1', 5000), ownRefund('pi_v1', 're_1', 1000), voidedSale('pi_v1', 5000)];
    for (const order of permutations(events)) {
      const { deltas, record } = replay([...order, again(order[0]!)].map((e) => ({ ...e })));
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 5000, 5000, 0, 'failed'], order.map((e) => e.kind).join(','));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    // A void reported again (another delivery) moves nothing more.
    const twice = replay([payment('pi_v2', 5000), voidedSale('pi_v2', 5000), voidedSale('pi_v2', 5000, '2025-03-06T10:00:00.000Z')]);
    assert.deepEqual(twice.deltas.map((d) => [d.payments, d.refundedMinor]), [[1, 0], [-1, 5000], [0, 0]], 'no longer one of the payments, once');
  });

  it('money moving for the sale after its void (Adyen re-captures it) makes it count again; one before the void does not', () => {
    const events = [payment('pi_v3', 4000), capturedSale('pi_v3', 4000, '2025-03-01T10:05:00.000Z'), voidedSale('pi_v3', 4000), capturedSale('pi_v3', 4000, '2025-03-07T10:00:00.000Z')];
    for (const order of permutations(events)) {
      const { deltas, record } = replay(order);
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.refundedMinor, p.netMinor, p.status], [0, 4000, 'succeeded'], order.map((e) => `${e.kind}@${e.occurredAt}`).join(','));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    const { record } = replay(events.slice(0, 3));
    assert.deepEqual([ledgerPaymentOf(record).netMinor, ledgerPaymentOf(record).status], [0, 'failed']);
  });

  it('a failed part capture takes off only what it was to collect, in any order, once; the sale stays a payment', () => {
    // A sale of 100.00 captured in two parts; the 40.00 part fails. (The sale comes first: a capture seen before it
    // is taken for the sale, with the capture's amount.)
    const events = [
      payment('pi_c1', 10000), capturedPart('pi_c1', 'cap_a', 6000, '2025-03-02T10:00:00.000Z'), capturedPart('pi_c1', 'cap_b', 4000, '2025-03-02T10:00:00.000Z'),
      failedCapture('pi_c1', 'cap_b', 4000, '2025-03-05T10:00:00.000Z'),
    ];
    for (const rest of permutations(events.slice(1))) {
      const order = [events[0]!, ...rest];
      const { deltas, record } = replay([...order, again(order[3]!)].map((e) => ({ ...e })));
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.counted, p.grossMinor, p.refundedMinor, p.netMinor, p.status], [true, 10000, 4000, 6000, 'partially_refunded'], order.map((e) => e.kind).join(','));
      assert.equal(viewOf(record).voided, false);
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    // The failure before the sale: the sale counts with the part taken off.
    const early = replay([events[3]!, ...events.slice(0, 3)]);
    assert.deepEqual([ledgerPaymentOf(early.record).netMinor, ledgerPaymentOf(early.record).status], [6000, 'partially_refunded']);
    assert.deepEqual(summed(early.deltas), counted(viewOf(early.record)));
    // With a refund of 7000 of the rest: never more back than the sale.
    const refunded = replay([...events, ownRefund('pi_c1', 're_1', 7000, '2025-03-06T10:00:00.000Z')]);
    assert.deepEqual([ledgerPaymentOf(refunded.record).refundedMinor, ledgerPaymentOf(refunded.record).status], [10000, 'refunded']);
  });

  it('a re-capture of the failed part brings back only it, the latest report of each capture deciding; every part failed voids the sale', () => {
    const sale = [payment('pi_c2', 10000), capturedPart('pi_c2', 'cap_a', 6000, '2025-03-02T10:00:00.000Z'), capturedPart('pi_c2', 'cap_b', 4000, '2025-03-02T10:00:00.000Z')];
    const back = [failedCapture('pi_c2', 'cap_b', 4000, '2025-03-05T10:00:00.000Z'), capturedPart('pi_c2', 'cap_b', 4000, '2025-03-07T10:00:00.000Z')];
    for (const order of permutations([...sale.slice(1), ...back])) {
      const { deltas, record } = replay([sale[0]!, ...order]);
      assert.deepEqual([ledgerPaymentOf(record).netMinor, ledgerPaymentOf(record).status], [10000, 'succeeded'], order.map((e) => `${e.kind}@${e.occurredAt}`).join(','));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    // The other part failing after that takes off its own amount only: a capture of one part restores no other.
    const firstFails = replay([...sale, ...back, failedCapture('pi_c2', 'cap_a', 6000, '2025-03-09T10:00:00.000Z')]);
    assert.deepEqual([ledgerPaymentOf(firstFails.record).netMinor, ledgerPaymentOf(firstFails.record).status], [4000, 'partially_refunded']);
    // Both parts failed: the sale collected nothing, is void, and is no longer one of the payments.
    const { deltas, record } = replay([...sale, back[0]!, failedCapture('pi_c2', 'cap_a', 6000, '2025-03-09T10:00:00.000Z')]);
    assert.deepEqual([ledgerPaymentOf(record).refundedMinor, ledgerPaymentOf(record).netMinor, ledgerPaymentOf(record).status, viewOf(record).voided], [10000, 0, 'failed', true]);
    // The first part captured leaves the rest uncollected until the second part is reported (schema 26).
    assert.deepEqual(deltas.map((d) => [d.payments, d.refundedMinor]), [[1, 0], [0, 4000], [0, -4000], [0, 4000], [-1, 6000]]);
  });

  it('a void seen before its sale keeps the sale from ever adding net spend or being a payment; a void of a lost dispute takes no chargeback on top', () => {
    const first = replay([voidedSale('pi_v4', 3000), payment('pi_v4', 3000, '2025-03-01T10:00:00.000Z')]);
    assert.deepEqual(first.deltas.map((d) => [d.payments, d.grossMinor, d.refundedMinor]), [[0, 0, 0], [0, 3000, 3000]]);
    const lost = replay([payment('pi_v5', 3000), dispute('pi_v5', 'refunded', 3000), voidedSale('pi_v5', 3000, '2025-03-12T10:00:00.000Z')]);
    const p = ledgerPaymentOf(lost.record);
    assert.deepEqual([p.refundedMinor, p.chargebackMinor, p.netMinor], [3000, 0, 0]);
    assert.deepEqual(summed(lost.deltas), counted(viewOf(lost.record)));
  });

  it('a failed attempt that voids nothing leaves a counted sale as it is', () => {
    const { record } = replay([payment('pi_v6', 3000), failure('pi_v6', 3000)]);
    assert.deepEqual([ledgerPaymentOf(record).netMinor, ledgerPaymentOf(record).status], [3000, 'succeeded']);
  });

  it('a reversal takes out what its refund counted, not what the reversal states', () => {
    const { record } = replay([payment('pi_r4', 5000), ownRefund('pi_r4', 're_1', 1200), reversedRefund('pi_r4', 're_1', 9999)]);
    assert.equal(ledgerPaymentOf(record).refundedMinor, 0);
  });

  it('a refund reversed after a lost dispute: the chargeback takes the money the refund no longer explains', () => {
    const { deltas, record } = replay([
      payment('pi_r5', 5000), ownRefund('pi_r5', 're_1', 2000), dispute('pi_r5', 'disputed', 5000), dispute('pi_r5', 'refunded', 5000), reversedRefund('pi_r5', 're_1', 2000),
    ]);
    assert.deepEqual(deltas.at(-1)!.refundedMinor, -2000);
    assert.deepEqual(deltas.at(-1)!.chargebackMinor, 2000);
    const p = ledgerPaymentOf(record);
    assert.deepEqual([p.refundedMinor, p.chargebackMinor, p.netMinor, p.status], [0, 5000, 0, 'refunded']);
  });

  it('refunds never count more than the payment, however they are reported', () => {
    const { record, deltas } = replay([payment('pi_4', 2000), ownRefund('pi_4', 're_a', 1500), ownRefund('pi_4', 're_b', 1500), cumulativeRefund('pi_4', 2600)]);
    assert.equal(ledgerPaymentOf(record).refundedMinor, 2000);
    assert.equal(summed(deltas).refundedMinor, 2000);
    assert.equal(ledgerPaymentOf(record).status, 'refunded');
  });

  it('a refund before its payment counts nothing until the payment arrives, then all of it with it', () => {
    const { deltas, record } = replay([cumulativeRefund('pi_5', 400), dispute('pi_5', 'disputed', 1000), payment('pi_5', 1000)]);
    assert.deepEqual(deltas.slice(0, 2).map((d) => d), [
      { currency: 'USD', payments: 0, grossMinor: 0, refundedMinor: 0, chargebackMinor: 0, disputes: 0, disputedOpenMinor: 0 },
      { currency: 'USD', payments: 0, grossMinor: 0, refundedMinor: 0, chargebackMinor: 0, disputes: 0, disputedOpenMinor: 0 },
    ]);
    assert.deepEqual(deltas[2], {
      currency: 'USD', payments: 1, grossMinor: 1000, refundedMinor: 400, chargebackMinor: 0, disputes: 1, disputedOpenMinor: 1000,
      dispute: { from: null, to: 'open' },
    });
    const p = ledgerPaymentOf(record);
    assert.deepEqual([p.counted, p.status, p.occurredAt], [true, 'disputed', '2025-03-01T10:00:00.000Z']);
  });

  it('a lost dispute is one chargeback, up to what refunds left; a second "lost" and a replayed "open" change nothing', () => {
    const { deltas, record } = replay([
      payment('pi_6', 5000), cumulativeRefund('pi_6', 1000), dispute('pi_6', 'disputed', 5000),
      dispute('pi_6', 'refunded', 5000), dispute('pi_6', 'refunded', 5000), dispute('pi_6', 'disputed', 5000),
    ]);
    assert.deepEqual(deltas.map((d) => [d.chargebackMinor, d.disputes, d.disputedOpenMinor, d.dispute?.to ?? '-']), [
      [0, 0, 0, '-'], [0, 0, 0, '-'], [0, 1, 5000, 'open'], [4000, 0, -5000, 'lost'], [0, 0, 0, '-'], [0, 0, 0, '-'],
    ]);
    const p = ledgerPaymentOf(record);
    assert.deepEqual([p.refundedMinor, p.chargebackMinor, p.netMinor, p.status], [1000, 4000, 0, 'refunded']);
  });

  it('a won dispute gives nothing back; a report older than the one that decided changes nothing', () => {
    const at = (d: number) => `2025-03-${d}T10:00:00.000Z`;
    const { deltas, record } = replay([payment('pi_7', 1200), dispute('pi_7', 'disputed', 1200, at(10)), dispute('pi_7', 'succeeded', 1200, at(20)), dispute('pi_7', 'refunded', 1200, at(15)), dispute('pi_7', 'disputed', 1200, at(12))]);
    assert.equal(summed(deltas).chargebackMinor, 0);
    assert.equal(summed(deltas).disputedOpenMinor, 0);
    assert.deepEqual([record.disputePhase, ledgerPaymentOf(record).status, ledgerPaymentOf(record).netMinor], ['won', 'succeeded', 1200]);
  });

  it('a dispute report stating no amount (recorded at the sale\'s total) keeps the amount last stated for the dispute, in every order', () => {
    const at = (d: number) => `2025-03-${d}T10:00:00.000Z`;
    const unstated = { disputeAmountStated: false as const };
    // 30.00 of a 100.00 sale disputed, then lost in a report leaving the amount out (recorded at 100.00).
    const partLost = [payment('pi_d1', 10000), dispute('pi_d1', 'disputed', 3000, at(10)), dispute('pi_d1', 'refunded', 10000, at(20), unstated)];
    for (const order of permutations(partLost)) {
      const { record, deltas } = replay(order);
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.disputePhase, p.disputedMinor, p.chargebackMinor, p.netMinor], ['lost', 3000, 3000, 7000], order.map((e) => e.status).join(' → '));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
    }
    // Stated 30.00, then 50.00 in a later report, then won in one stating none: the latest stated amount stands.
    const restated = [payment('pi_d2', 10000), dispute('pi_d2', 'disputed', 3000, at(10)), dispute('pi_d2', 'disputed', 5000, at(15)), dispute('pi_d2', 'succeeded', 10000, at(20), unstated)];
    for (const order of permutations(restated)) {
      const { record } = replay(order);
      assert.deepEqual([record.disputePhase, record.disputedMinor, ledgerPaymentOf(record).chargebackMinor], ['won', 5000, 0]);
    }
    // Opened stating none, then lost stating 30.00: the stated amount, whichever came first.
    for (const order of permutations([payment('pi_d3', 10000), dispute('pi_d3', 'disputed', 10000, at(10), unstated), dispute('pi_d3', 'refunded', 3000, at(20))])) {
      assert.deepEqual([replay(order).record.disputePhase, ledgerPaymentOf(replay(order).record).chargebackMinor], ['lost', 3000]);
    }
    // No report stated one: the sale's total, as before (the ledger's cap keeps the sale at zero at most).
    const none = replay([payment('pi_d4', 10000), cumulativeRefund('pi_d4', 2500), dispute('pi_d4', 'disputed', 10000, at(10), unstated), dispute('pi_d4', 'refunded', 10000, at(20), unstated)]);
    assert.deepEqual([none.record.disputedMinor, ledgerPaymentOf(none.record).chargebackMinor, ledgerPaymentOf(none.record).netMinor], [10000, 7500, 0]);
  });

  it('a won dispute lost after all (a later report: a second chargeback) is charged back, and won again gives it back; at one instant a loss outweighs a win', () => {
    const at = (d: number) => `2025-03-${d}T10:00:00.000Z`;
    const lost = replay([payment('pi_7b', 1200), dispute('pi_7b', 'disputed', 1200, at(10)), dispute('pi_7b', 'succeeded', 1200, at(20)), dispute('pi_7b', 'refunded', 1200, at(25))]);
    assert.deepEqual([lost.record.disputePhase, summed(lost.deltas).chargebackMinor, ledgerPaymentOf(lost.record).netMinor], ['lost', 1200, 0]);
    const wonAgain = replay([payment('pi_7c', 1200), dispute('pi_7c', 'succeeded', 1200, at(20)), dispute('pi_7c', 'refunded', 1200, at(25)), dispute('pi_7c', 'succeeded', 1200, at(28))]);
    assert.deepEqual([wonAgain.record.disputePhase, summed(wonAgain.deltas).chargebackMinor, ledgerPaymentOf(wonAgain.record).netMinor], ['won', 0, 1200]);
    for (const reports of [['succeeded', 'refunded'], ['refunded', 'succeeded']] as const) {
      const tie = replay([payment('pi_7d', 1200), ...reports.map((status) => dispute('pi_7d', status, 1200, at(20)))]);
      assert.equal(tie.record.disputePhase, 'lost', reports.join(' then '));
    }
  });

  it('a failed attempt moves no money; the payment that follows it counts', () => {
    const { deltas, record } = replay([failure('pi_8', 900), payment('pi_8', 900)]);
    assert.deepEqual(deltas.map((d) => [d.payments, d.grossMinor]), [[0, 0], [1, 900]]);
    assert.equal(ledgerPaymentOf(replay([failure('pi_9', 900)]).record).status, 'failed');
    assert.equal(ledgerPaymentOf(record).status, 'succeeded');
  });

  it('a refund in another currency than the payment is not set against it', () => {
    const { record } = replay([payment('pi_10', 1000), cumulativeRefund('pi_10', 500, undefined, { refundedTotal: { minor: 500, currency: 'EUR' } })]);
    assert.equal(ledgerPaymentOf(record).refundedMinor, 0);
  });

  it('what was heard before the sale in another currency than the sale\'s is not set against it, as it is not when heard after: captures (captured or failed), refunds, a dispute', () => {
    const eur = (minor: number) => ({ amount: { minor, currency: 'EUR' }, refundedTotal: { minor, currency: 'EUR' } });
    const cases: [string, LedgerEvent[]][] = [
      // A capture of more than the sale: grossOf would take it for what the sale brought.
      ['a capture', [capturedPart('pi_10c', 'cap_eur', 15_000, undefined, eur(15_000))]],
      // A failed capture of all of it: the sale would read void.
      ['a failed capture', [failedCapture('pi_10c', 'cap_eur', 10_000, undefined, eur(10_000))]],
      ['a capture failed, then captured', [failedCapture('pi_10c', 'cap_eur', 4000, undefined, eur(4000)), capturedPart('pi_10c', 'cap_eur', 4000, undefined, eur(4000))]],
      ['refunds', [cumulativeRefund('pi_10c', 3000, undefined, eur(3000)), ownRefund('pi_10c', 're_eur', 2000, undefined, eur(2000))]],
      ['a dispute lost', [dispute('pi_10c', 'refunded', 10_000, undefined, eur(10_000))]],
    ];
    for (const [what, heard] of cases) {
      const sale = payment('pi_10c', 10_000);
      const afterIt = ledgerPaymentOf(replay([sale, ...heard]).record);
      assert.deepEqual([afterIt.currency, afterIt.grossMinor, afterIt.refundedMinor, afterIt.chargebackMinor, afterIt.netMinor, afterIt.status], ['USD', 10_000, 0, 0, 10_000, 'succeeded'], `${what} after the sale`);
      const { record, deltas } = replay([...heard, sale]);
      const { firstSeen: _f, lastSeen: _l, events: _e, ...before } = ledgerPaymentOf(record);
      const { firstSeen: _f2, lastSeen: _l2, events: _e2, ...after } = afterIt;
      assert.deepEqual(before, after, `${what} before the sale: the same payment`);
      assert.deepEqual(summed(deltas), { payments: 1, grossMinor: 10_000, refundedMinor: 0, chargebackMinor: 0, disputes: 0, disputedOpenMinor: 0 }, `${what} before the sale: counted as the sale alone`);
    }
  });

  it('money in the sale\'s currency heard before it counts in any order, also after money in another currency was heard first: refund EUR, refund USD, dispute USD, then the USD sale', () => {
    // The property test's counterexample (order-independence: a dispute report in another currency heard first): the
    // first event heard fixed the payment's currency until the sale came, so what came next in the sale's currency was
    // dropped, while heard after the sale it counted.
    const eur = ownRefund('pi_12c', 're_eur', 3000, '2025-03-02T10:00:00.000Z', { amount: { minor: 3000, currency: 'EUR' }, refundedTotal: { minor: 3000, currency: 'EUR' } });
    const heard = [eur, ownRefund('pi_12c', 're_usd', 2000), cumulativeRefund('pi_12c', 2500, '2025-03-03T10:00:00.000Z'), dispute('pi_12c', 'refunded', 1500)];
    const sale = payment('pi_12c', 10_000);
    let first: PaymentRecord | undefined;
    for (const events of permutations([...heard, sale])) {
      const { record, deltas } = replay(events);
      const order = events.map((e) => `${e.kind} ${e.amount.currency}`).join(', ');
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.currency, p.grossMinor, p.refundedMinor, p.chargebackMinor, p.netMinor], ['USD', 10_000, 2500, 1500, 6000], order);
      assert.deepEqual(summed(deltas), counted(viewOf(record)), `${order}: the deltas add up to the payment`);
      assert.deepEqual(record, first ?? (first = record), `${order}: one payment record`);
    }
  });

  describe('a refund\'s reversal or a capture\'s failure in another currency than the refund or capture it names (the entries are by id and currency)', () => {
    const eur = (minor: number): Partial<LedgerEvent> => ({ amount: { minor, currency: 'EUR' }, refundedTotal: { minor, currency: 'EUR' } });
    const adyen = (eventId: string, over: Partial<LedgerEvent> = {}): Partial<LedgerEvent> => ({ source: 'adyen', eventId, ...over });
    /** Every order of the events ends in one payment record, reads as `expected`, and its deltas add up to it. */
    const sameInEveryOrder = (events: LedgerEvent[], expected: unknown[]) => {
      let first: PaymentRecord | undefined;
      let orders = 0;
      for (const order of permutations(events)) {
        const { record, deltas } = replay(order);
        const label = order.map((e) => `${e.eventId} ${e.amount.currency}`).join(', ');
        const p = ledgerPaymentOf(record);
        assert.deepEqual([p.currency, p.grossMinor, p.refundedMinor, p.netMinor, p.status], expected, label);
        assert.deepEqual(summed(deltas), counted(viewOf(record)), `${label}: the deltas add up to the payment`);
        assert.deepEqual(record, first ?? (first = record), `${label}: one payment record`);
        orders++;
      }
      return orders;
    };

    it('Stripe: a refund in the sale\'s currency and its failure (refund.reversed) reported in another: the refund stands, whether the failure comes before the refund, after it, or before the sale', () => {
      const events = [payment('pi_rc1', 10_000), ownRefund('pi_rc1', 're_rc1', 3000), reversedRefund('pi_rc1', 're_rc1', 3000, undefined, eur(3000))];
      assert.equal(sameInEveryOrder(events, ['USD', 10_000, 3000, 7000, 'partially_refunded']), 6);
    });

    it('Adyen: a REFUND in the sale\'s currency, its REFUND_FAILED in another and its REFUNDED_REVERSED in the sale\'s: the sale\'s own reversal takes it back, the other never, in every order', () => {
      const events = [
        payment('PSP_RCSALE', 10_000, undefined, adyen('adyen:PSP_RCSALE:AUTHORISATION:true')),
        ownRefund('PSP_RCSALE', 'PSP_RCREFUND', 4000, undefined, adyen('adyen:PSP_RCREFUND:REFUND:true')),
        reversedRefund('PSP_RCSALE', 'PSP_RCREFUND', 4000, '2025-03-03T10:00:00.000Z', adyen('adyen:PSP_RCREFUND:REFUND_FAILED:true', eur(4000))),
      ];
      assert.equal(sameInEveryOrder(events, ['USD', 10_000, 4000, 6000, 'partially_refunded']), 6);
      const reversed = reversedRefund('PSP_RCSALE', 'PSP_RCREFUND', 4000, undefined, adyen('adyen:PSP_RCREFUND:REFUNDED_REVERSED:true'));
      assert.equal(sameInEveryOrder([...events, reversed], ['USD', 10_000, 0, 10_000, 'succeeded']), 24);
    });

    it('a refund reported in another currency than the sale\'s and its reversal in the sale\'s: nothing of it counts, and the reversal takes nothing from the refunds that do', () => {
      // Before: a reversal heard after the refund took the refund's amount off the sale's refunds (re_rcb's 1000 too).
      const events = [
        payment('pi_rc2', 10_000), ownRefund('pi_rc2', 're_rcb', 1000), ownRefund('pi_rc2', 're_rca', 3000, undefined, eur(3000)),
        reversedRefund('pi_rc2', 're_rca', 3000),
      ];
      assert.equal(sameInEveryOrder(events, ['USD', 10_000, 1000, 9000, 'partially_refunded']), 24);
    });

    it('Adyen: a part CAPTURE in the sale\'s currency and its CAPTURE_FAILED reported in another: the capture collected, in every order; the other way round it failed', () => {
      // Before: the failure heard first kept the capture from ever counting, so the sale read whole (nothing of the
      // authorisation released); heard after, the capture counted.
      const sale = payment('PSP_RCAUTH', 10_000, '2025-03-01T10:00:00.000Z', adyen('adyen:PSP_RCAUTH:AUTHORISATION:true'));
      const captured = capturedPart('PSP_RCAUTH', 'PSP_RCCAPTURE', 6000, '2025-03-02T10:00:00.000Z', adyen('adyen:PSP_RCCAPTURE:CAPTURE:true'));
      const failedEur = failedCapture('PSP_RCAUTH', 'PSP_RCCAPTURE', 6000, '2025-03-03T10:00:00.000Z', adyen('adyen:PSP_RCCAPTURE:CAPTURE_FAILED:true', eur(6000)));
      // 60.00 captured, the rest of the authorisation released.
      assert.equal(sameInEveryOrder([sale, captured, failedEur], ['USD', 10_000, 4000, 6000, 'partially_refunded']), 6);
      const capturedEur = { ...captured, amount: { minor: 6000, currency: 'EUR' } };
      const failed = { ...failedEur, amount: { minor: 6000, currency: 'USD' } };
      // The only capture in the sale's currency failed: nothing collected, the sale is void.
      assert.equal(sameInEveryOrder([sale, capturedEur, failed], ['USD', 10_000, 10_000, 0, 'failed']), 6);
    });
  });

  it('the same facts in any order end in the same payment, and a consumer adding the deltas counts exactly that', () => {
    const history = [
      payment('pi_11', 10_000),
      payment('pi_11', 10_000, '2025-03-01T10:00:03.000Z', { card: { brand: 'visa', last4: '4242', entryMode: 'chip' } }),
      cumulativeRefund('pi_11', 2000),
      cumulativeRefund('pi_11', 7000, '2025-03-03T10:00:00.000Z'),
      ownRefund('pi_11', 're_x', 1000),
      dispute('pi_11', 'disputed', 10_000),
      dispute('pi_11', 'refunded', 10_000, '2025-03-20T10:00:00.000Z'),
    ];
    const reference = ledgerPaymentOf(replay(history).record);
    assert.deepEqual([reference.refundedMinor, reference.chargebackMinor, reference.netMinor], [7000, 3000, 0]);
    let orders = 0;
    for (const order of permutations(history)) {
      const { record, deltas } = replay(order);
      const p = ledgerPaymentOf(record);
      assert.deepEqual(
        [p.grossMinor, p.refundedMinor, p.chargebackMinor, p.disputePhase, p.status, p.firstSeen, p.lastSeen, p.card.last4],
        [reference.grossMinor, reference.refundedMinor, reference.chargebackMinor, reference.disputePhase, reference.status, reference.firstSeen, reference.lastSeen, reference.card.last4],
        order.map((e) => e.eventId).join(' '),
      );
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
      orders++;
    }
    assert.equal(orders, 5040);
  });

  it('refunds and their reversals in any order end in the same payment, and the deltas add up to it', () => {
    const history = [
      payment('pi_13', 8000), ownRefund('pi_13', 're_a', 3000), ownRefund('pi_13', 're_b', 1000), reversedRefund('pi_13', 're_a', 3000),
      ownRefund('pi_13', 're_b', 1000, '2025-03-05T10:00:00.000Z', { eventId: 'adyen:re_b-again' }), dispute('pi_13', 'disputed', 8000),
    ];
    let orders = 0;
    for (const order of permutations(history)) {
      const { record, deltas } = replay(order);
      const p = ledgerPaymentOf(record);
      assert.deepEqual([p.refundedMinor, p.netMinor, p.status], [1000, 7000, 'disputed'], order.map((e) => e.eventId).join(' '));
      assert.deepEqual(summed(deltas), counted(viewOf(record)));
      orders++;
    }
    assert.equal(orders, 720);
  });

  it('a consumer catching up from what it counted to the ledger\'s view gets the same numbers as adding deltas', () => {
    const { record, deltas } = replay([cumulativeRefund('pi_12', 300), payment('pi_12', 1000), dispute('pi_12', 'refunded', 1000)]);
    assert.deepEqual(summed([deltaBetween(NOT_COUNTED, viewOf(record), 'USD')]), summed(deltas));
  });
});
