import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { AT, delivered, ledger, polled, referencePayment, referenceRefund } from './clover-reference';

/**
 * What the Clover source makes of a payment that leaves out fields Clover's reference does not require: its Payment
 * schema (docs.clover.com/dev/reference, "Get a single payment") marks none required, and the SDK's classes
 * (clover-android-sdk com.clover.sdk.v3.payments Payment, Refund, CardTransaction) make every one a nullable
 * object. Each payload below is the reference's payment with some of them left out; the outcome is asserted (ledger
 * amount, status, customer): recorded where the rest is enough, acknowledged and ignored (200, with the reason) where
 * it is not. The shapes and helpers are those of clover-reference.ts (shared with clover-conformance.test.ts): a
 * payment written as Clover's REST API reference documents it, lists as bare arrays, amounts in cents, the webhook
 * as "Use webhooks" shows it.
 */

const dir = tempDir('tcrm-clover-optional-');
const DEADLINE = { timeout: 20_000 };
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

async function deliver(payment: { id: string }) {
  const out = await delivered(payment);
  assert.ok(out.events.length > 0, JSON.stringify(out.report));
  return out.events;
}

async function ignored(payment: { id: string }, reason: RegExp) {
  const out = await delivered(payment);
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join('; '), reason);
}

/** The reference's payment without the named fields. */
function without(keys: string[], overrides: Record<string, unknown> = {}): { id: string } & Record<string, unknown> {
  const p: Record<string, unknown> = referencePayment(overrides);
  for (const k of keys) delete p[k];
  return p as { id: string } & Record<string, unknown>;
}

/** The notification's ts (1718271001000). */
const NOTIFIED = '2024-06-13T09:30:01.000Z';

describe('Clover: a payment with the fields its reference does not require left out', () => {
  nockOffline();

  it('createdTime absent: the sale is at clientCreatedTime, else modifiedTime, else the notification\'s ts; the ledger counts it', DEADLINE, async () => {
    const [atClient] = await deliver(without(['createdTime']));
    assert.deepEqual([atClient!.kind, atClient!.amount, atClient!.occurredAt], ['payment', { minor: 2450, currency: 'EUR' }, '2024-06-13T09:29:59.412Z']);
    const [atModified] = await deliver(without(['createdTime', 'clientCreatedTime']));
    assert.equal(atModified!.occurredAt, '2024-06-13T09:30:00.900Z');
    const events = await deliver(without(['createdTime', 'clientCreatedTime', 'modifiedTime']));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.occurredAt]), [
      ['clover:XJ4D2K9W1MQ7A', 'payment', NOTIFIED],
      ['clover:XJ4D2K9W1MQ7A:amount:2450', 'payment', NOTIFIED],
    ]);
    const state = await ledger(dir.path, 'no-time', events);
    assert.deepEqual([state.grossMinor, state.netMinor, state.status], [2450, 2450, 'succeeded']);
  });

  it('a void of no times of its own is still the void of its sale', DEADLINE, async () => {
    const events = await deliver(without(['createdTime', 'clientCreatedTime', 'modifiedTime'], { result: 'VOIDED', tipAmount: 0 }));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.sale?.voided, e.occurredAt]), [
      ['clover:XJ4D2K9W1MQ7A:void', 'failure', true, NOTIFIED],
      ['clover:XJ4D2K9W1MQ7A', 'payment', undefined, NOTIFIED],
    ]);
    const state = await ledger(dir.path, 'void-no-time', events);
    assert.deepEqual([state.netMinor, state.status], [0, 'failed']);
  });

  it('a refund of no createdTime counts at its clientCreatedTime, else at the payment\'s time', DEADLINE, async () => {
    const noCreated = { ...referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000) } as Record<string, unknown>;
    delete noCreated.createdTime;
    const neither = { ...referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000) } as Record<string, unknown>;
    delete neither.createdTime;
    delete neither.clientCreatedTime;
    const events = await deliver(referencePayment({ refunds: [noCreated, neither] }));
    const refunds = events.filter((e) => e.kind === 'refund');
    // In the order they were made, by the times they have: the one at its payment's time first.
    assert.deepEqual(refunds.map((e) => [e.id, e.amount.minor, e.occurredAt, e.refundedTotal?.minor]), [
      ['clover:RG7H8J9K0L1M2', 450, '2024-06-13T09:30:00.000Z', 450],
      ['clover:RA1B2C3D4E5F6', 800, '2024-06-13T09:46:39.600Z', 1250],
    ]);
    const state = await ledger(dir.path, 'refund-no-time', events);
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor, state.status], [2450, 1250, 1200, 'partially_refunded']);
  });

  it('a refund that names no amount is not counted (as nothing or otherwise); the sale and the other refunds are', DEADLINE, async () => {
    const noAmount = { ...referenceRefund('RA1B2C3D4E5F6', 800, 1718272000000) } as Record<string, unknown>;
    delete noAmount.amount;
    const events = await deliver(referencePayment({ refunds: [noAmount, referenceRefund('RG7H8J9K0L1M2', 450, 1718273000000)] }));
    assert.deepEqual(events.filter((e) => e.kind === 'refund').map((e) => [e.id, e.amount.minor, e.refundedTotal?.minor]), [['clover:RG7H8J9K0L1M2', 450, 450]]);
  });

  it('a payment that names no amount is acknowledged and ignored, naming it: not a sale of its tip alone', DEADLINE, async () => {
    await ignored(without(['amount']), /payment XJ4D2K9W1MQ7A names no amount/);
    await ignored(without(['amount', 'tipAmount']), /payment XJ4D2K9W1MQ7A names no amount/);
  });

  it('cardTransaction absent: acknowledged and ignored, saying a card tender has no card transaction', DEADLINE, async () => {
    await ignored(without(['cardTransaction']), /payment XJ4D2K9W1MQ7A was paid with Credit Card but has no card transaction/);
    await ignored(without(['cardTransaction', 'tender']), /payment XJ4D2K9W1MQ7A was paid with a non-card tender, not a card/);
  });

  it('tender, order, refunds, employee, device absent: the sale in the card transaction\'s currency, the cardholder its name', DEADLINE, async () => {
    const events = await deliver(without(['tender', 'order', 'refunds', 'employee', 'device', 'externalPaymentId', 'note', 'taxAmount']));
    const [sale] = events;
    assert.deepEqual([sale!.kind, sale!.status, sale!.amount, sale!.card?.funding, sale!.card?.brand, sale!.terminal?.readerId], ['payment', 'succeeded', { minor: 2450, currency: 'EUR' }, undefined, 'mastercard', undefined]);
    assert.equal(sale!.customerHints.name, 'SIOBHAN KELLY');
    assert.equal(sale!.customerHints.processorCustomerId, undefined);
    assert.deepEqual([sale!.metadata.orderId, sale!.metadata.employeeId, sale!.metadata.tender], [undefined, undefined, undefined]);
  });

  it('an order with no customers, and no card currency: the order\'s currency, the cardholder\'s name', DEADLINE, async () => {
    const ct = { ...referencePayment().cardTransaction } as Record<string, unknown>;
    delete ct.currency;
    const [sale] = await deliver(referencePayment({ order: { id: 'V8S5N0C4B2Z6X', currency: 'EUR' }, cardTransaction: ct }));
    assert.deepEqual([sale!.amount, sale!.customerHints.name, sale!.customerHints.processorCustomerId, sale!.customerHints.email], [{ minor: 2450, currency: 'EUR' }, 'SIOBHAN KELLY', undefined, undefined]);
  });

  it('result absent: acknowledged as not final', DEADLINE, async () => {
    await ignored(without(['result']), /payment XJ4D2K9W1MQ7A is of no result, not final yet/);
  });

  it('the same fields sent as null read as left out', DEADLINE, async () => {
    const events = await deliver(referencePayment({ createdTime: null, clientCreatedTime: null, tender: null, order: null, employee: null, refunds: null, device: null }));
    assert.deepEqual(events.map((e) => [e.id, e.amount.minor, e.occurredAt]), [['clover:XJ4D2K9W1MQ7A', 2450, '2024-06-13T09:30:00.900Z'], ['clover:XJ4D2K9W1MQ7A:amount:2450', 2450, '2024-06-13T09:30:00.900Z']]);
    await ignored(referencePayment({ amount: null }), /names no amount/);
    await ignored(referencePayment({ cardTransaction: null }), /has no card transaction/);
  });

  it('a payment read VOIDED naming no amount voids the sale the ledger holds, at the amount the ledger counts; with no store it is acknowledged with why', DEADLINE, async () => {
    const db = await openDatabase(`sqlite:${join(dir.path, 'void-no-amount.db')}`);
    const sale = (await delivered(referencePayment(), { store: db })).events;
    await recordPaymentEvents(db, sale);
    const before = (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
    assert.deepEqual([before.grossMinor, before.status], [2450, 'succeeded']);
    const voidedNoAmount = without(['amount', 'tipAmount'], { result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: 1718271000950 });
    const out = await delivered(voidedNoAmount, { store: db });
    assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.status, e.paymentId, e.amount, e.sale, e.failure?.code, e.metadata.voidAmountFrom]), [
      ['clover:XJ4D2K9W1MQ7A:void', 'failure', 'failed', 'XJ4D2K9W1MQ7A', { minor: 2450, currency: 'EUR' }, { voided: true }, 'VOIDED', 'ledger'],
    ]);
    await recordPaymentEvents(db, out.events);
    const after = (await paymentState(db, 'clover', 'XJ4D2K9W1MQ7A'))!;
    assert.deepEqual([after.grossMinor, after.refundedMinor, after.netMinor, after.status], [2450, 2450, 0, 'failed']);
    // The void record of a pair (voidPaymentRef), naming no amount: the sale it names is voided at the ledger's amount,
    // and the record voids itself at 0 as a void heard before its sale is (a record of the pair is never a sale).
    const pair = (await delivered(without(['amount', 'tipAmount'], { id: 'VOIDREC000001', result: 'VOIDED', voidPaymentRef: { id: 'XJ4D2K9W1MQ7A' } }), { store: db })).events;
    assert.deepEqual(pair.map((e) => [e.id, e.paymentId, e.amount.minor, e.metadata.voidAmountFrom]), [
      ['clover:VOIDREC000001:void', 'VOIDREC000001', 0, 'sale'],
      ['clover:XJ4D2K9W1MQ7A:void', 'XJ4D2K9W1MQ7A', 2450, 'ledger'],
    ]);
    // Polled, the same.
    const page = await polled({ elements: [voidedNoAmount] }, db);
    assert.deepEqual(page.events.map((e) => [e.id, e.amount.minor]), [['clover:XJ4D2K9W1MQ7A:void', 2450]]);
    // A sale the ledger has not recorded (yet): the void is recorded at 0, its amount the sale's when that arrives.
    const unseen = await delivered(without(['amount'], { id: 'NEVERSEEN0001', result: 'VOIDED' }), { store: db });
    assert.deepEqual(unseen.events.map((e) => [e.id, e.kind, e.amount, e.sale, e.metadata.voidAmountFrom]), [
      ['clover:NEVERSEEN0001:void', 'failure', { minor: 0, currency: 'EUR' }, { voided: true }, 'sale'],
    ]);
    // No store: nothing to read the amount from.
    await ignored(voidedNoAmount, /payment XJ4D2K9W1MQ7A names no amount, and no store was given to read the voided sale's amount from/);
    // A payment naming no amount that is no void stays ignored, store or not.
    const noAmountSale = await delivered(without(['amount']), { store: db });
    assert.deepEqual(noAmountSale.events, []);
    assert.match(noAmountSale.report.ignored.join('; '), /payment XJ4D2K9W1MQ7A names no amount(;|$)/);
  });

  it('a payment read VOIDED naming no amount heard before its sale (webhook or poll) is recorded at 0: the sale arriving later is void, the ledger as in the other order, and the void read again is the same event', DEADLINE, async () => {
    const voidedNoAmount = without(['amount', 'tipAmount'], { result: 'VOIDED', voidReason: 'USER_CANCEL', modifiedTime: 1718271000950 });
    const readings = {
      webhook: async (payment: { id: string }, db: SqlDatabase) => (await delivered(payment, { store: db })).events,
      poll: async (payment: { id: string }, db: SqlDatabase) => (await polled({ elements: [payment] }, db)).events,
    };
    for (const [how, read] of Object.entries(readings)) {
      const saleFirst = await openDatabase(`sqlite:${join(dir.path, `void-after-sale-${how}.db`)}`);
      await recordPaymentEvents(saleFirst, await read(referencePayment(), saleFirst));
      await recordPaymentEvents(saleFirst, await read(voidedNoAmount, saleFirst));
      const expected = (await paymentState(saleFirst, 'clover', 'XJ4D2K9W1MQ7A'))!;
      assert.deepEqual([expected.grossMinor, expected.refundedMinor, expected.netMinor, expected.status], [2450, 2450, 0, 'failed'], how);

      const voidFirst = await openDatabase(`sqlite:${join(dir.path, `void-before-sale-${how}.db`)}`);
      const early = await read(voidedNoAmount, voidFirst);
      assert.deepEqual(early.map((e) => [e.id, e.kind, e.amount.minor, e.sale, e.metadata.voidAmountFrom]), [['clover:XJ4D2K9W1MQ7A:void', 'failure', 0, { voided: true }, 'sale']], how);
      const recorded = await recordPaymentEvents(voidFirst, early);
      assert.deepEqual(recorded.map((o) => [o.outcome, o.delta.payments, o.delta.grossMinor, o.delta.refundedMinor]), [['recorded', 0, 0, 0]], `${how}: the void alone counts nothing`);
      const sold = await recordPaymentEvents(voidFirst, await read(referencePayment(), voidFirst));
      assert.deepEqual(sold.map((o) => o.delta.payments), [0, 0], `${how}: the sale arrives void`);
      assert.deepEqual(await paymentState(voidFirst, 'clover', 'XJ4D2K9W1MQ7A'), expected, `${how}: the same payment in either order`);
      // Read again once the sale is in: the same event (its one id), at the ledger's amount, recorded once.
      const again = await read(voidedNoAmount, voidFirst);
      assert.deepEqual(again.map((e) => [e.id, e.amount.minor]), [['clover:XJ4D2K9W1MQ7A:void', 2450]], how);
      assert.deepEqual((await recordPaymentEvents(voidFirst, again)).map((o) => o.outcome), ['duplicate'], how);
    }
  });

  it('polled, a payment of no times is read at the time of the poll; one of no amount is left out of the page', DEADLINE, async () => {
    const out = await polled({ elements: [without(['createdTime', 'clientCreatedTime', 'modifiedTime'], { tipAmount: 0 }), without(['amount'], { id: 'NOAMOUNT00001' })] });
    assert.deepEqual(out.events.map((e) => [e.id, e.amount.minor, e.occurredAt]), [['clover:XJ4D2K9W1MQ7A', 2250, AT.toISOString()]]);
  });
});
