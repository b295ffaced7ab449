import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { recordPaymentEvents } from '../ledger/support/record-payment-events';
import { tempDir } from '../../support/temp-store';
import { nockOffline } from '../../support/nock-offline';
import { AT, delivered, ID, ledger, merchantAnswered, polled, readerCallback, transactionFull } from './sumup-reference';

/**
 * What the SumUp source makes of a transaction that leaves out fields SumUp's OpenAPI marks optional. Every field of
 * TransactionFull (TransactionBase + TransactionCheckoutInfo + TransactionMixinHistory + its own, @sumup/sdk 0.2.0
 * types/transaction-full.d.ts) is optional: `card?`, `entry_mode?`, `events?`, `transaction_events?`, `timestamp?`,
 * `currency?`, `amount?`, `local_time?` ("Local timestamp of when the transaction was created", a date-time with its
 * offset, openapi.json). The outcome is asserted: recorded where the rest is enough, acknowledged and ignored (200,
 * with the reason) where it is not. The transaction, the reader callback and its delivery are those of
 * sumup-reference.ts (shared with sumup-conformance.test.ts).
 */

const DEADLINE = { timeout: 20_000 };
const dir = tempDir('tcrm-sumup-optional-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

/** The reader callback `hint` delivered, its transaction answered with `transaction`. */
const deliver = (transaction: object, hint?: object) => delivered(transaction, { hint });

async function accepted(transaction: object, hint?: object) {
  const out = await deliver(transaction, hint);
  assert.ok(out.events.length > 0, JSON.stringify(out.report));
  return out.events;
}

async function ignored(transaction: object, reason: RegExp) {
  const out = await deliver(transaction);
  assert.deepEqual(out.events, []);
  assert.match(out.report.ignored.join('; '), reason);
}

describe('SumUp: TransactionFull with the fields its OpenAPI marks optional left out', () => {
  nockOffline();

  it('no card: the sale is recorded with its entry mode; no card and no entry_mode: with no card at all', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({}, ['card']));
    assert.deepEqual([sale!.kind, sale!.status, sale!.amount, sale!.card], ['payment', 'succeeded', { minor: 2450, currency: 'EUR' }, { entryMode: 'contactless', funding: 'debit' }]);
    const [bare] = await accepted(transactionFull({}, ['card', 'entry_mode', 'process_as']));
    assert.deepEqual([bare!.kind, bare!.amount, bare!.card], ['payment', { minor: 2450, currency: 'EUR' }, undefined]);
  });

  it('payment_type absent: a transaction carrying a card, or a reader\'s entry mode, is the card sale with what it carries; one paid another way, or carrying nothing of a card, is acknowledged with why', DEADLINE, async () => {
    for (const [i, t] of [transactionFull({}, ['payment_type']), transactionFull({ payment_type: null })].entries()) {
      const events = await accepted(t);
      assert.deepEqual(events.map((e) => [e.id, e.kind, e.status, e.amount.minor, e.card]), [
        [`sumup:${ID}`, 'payment', 'succeeded', 2450, { brand: 'visa', last4: '3456', funding: 'debit', entryMode: 'contactless' }],
      ]);
      const state = await ledger(dir.path, `no-payment-type-${i}`, events);
      assert.deepEqual([state.grossMinor, state.status, state.card.last4], [2450, 'succeeded', '3456']);
    }
    // No card named, but read at a reader (its entry mode, or its simple payment type EMV).
    const [chip] = await accepted(transactionFull({ entry_mode: 'CHIP' }, ['payment_type', 'card']));
    assert.deepEqual([chip!.kind, chip!.amount.minor, chip!.card?.entryMode], ['payment', 2450, 'chip']);
    const [emv] = await accepted(transactionFull({}, ['payment_type', 'card', 'entry_mode']));
    assert.deepEqual([emv!.kind, emv!.amount.minor, emv!.card], ['payment', 2450, undefined]);
    // Paid another way, card or not: an online card entry, cash.
    await ignored(transactionFull({ entry_mode: 'CUSTOMER_ENTRY', simple_payment_type: 'CC_CUSTOMER_ENTERED' }, ['payment_type']), /TEENSK4W2K names no payment_type and was paid by CUSTOMER_ENTRY, not a card at a reader/);
    await ignored(transactionFull({ simple_payment_type: 'CASH' }, ['payment_type', 'card', 'entry_mode']), /names no payment_type and was paid by CASH/);
    // Nothing of a card: nothing to record as one.
    await ignored(transactionFull({}, ['payment_type', 'card', 'entry_mode', 'simple_payment_type']), /names no payment_type and carries no card: nothing says a card was taken at a reader/);
    // A payment_type that is not POS still decides, whatever else the transaction carries.
    await ignored(transactionFull({ payment_type: 'ECOM' }), /transaction TEENSK4W2K is ECOM, not a card at a reader \(POS\)/);
  });

  it('entry_mode absent: the card is read, entry unknown', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({}, ['entry_mode']));
    assert.deepEqual([sale!.amount.minor, sale!.card?.brand, sale!.card?.last4, sale!.card?.entryMode], [2450, 'visa', '3456', 'unknown']);
    assert.equal(sale!.metadata.entryMode, undefined);
  });

  it('no events and no transaction_events: a REFUNDED transaction is still its sale, with no refund invented', DEADLINE, async () => {
    const events = await accepted(transactionFull({ status: 'REFUNDED', simple_status: 'REFUNDED' }, ['events', 'transaction_events']));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.amount.minor]), [[`sumup:${ID}`, 'payment', 2450]]);
  });

  it('timestamp absent: the sale is at local_time (a date-time with its offset); with neither, at the notification\'s time', DEADLINE, async () => {
    const [local] = await accepted(transactionFull({}, ['timestamp']));
    assert.deepEqual([local!.kind, local!.amount.minor, local!.occurredAt], ['payment', 2450, '2026-03-02T14:31:07.412Z']);
    const [hinted] = await accepted(transactionFull({}, ['timestamp', 'local_time']));
    assert.deepEqual([hinted!.kind, hinted!.amount.minor, hinted!.occurredAt], ['payment', 2450, '2026-03-02T14:31:08.000Z']);
    // A notification of no time either: the time the transaction was read.
    const [read] = await accepted(transactionFull({}, ['timestamp', 'local_time']), { ...readerCallback, timestamp: undefined });
    assert.equal(read!.occurredAt, AT.toISOString());
  });

  it('timestamp absent on a cancelled transaction and on a refund event of no time: both still recorded, and the ledger nets them', DEADLINE, async () => {
    const [voided] = await accepted(transactionFull({ status: 'CANCELLED', simple_status: 'CANCELLED' }, ['timestamp', 'local_time']));
    assert.deepEqual([voided!.id, voided!.kind, voided!.sale?.voided, voided!.occurredAt], [`sumup:${ID}:cancelled`, 'failure', true, '2026-03-02T14:31:08.000Z']);
    const refunded = transactionFull({
      status: 'REFUNDED', simple_status: 'REFUNDED',
      events: [{ id: 9567461207, transaction_id: ID, type: 'REFUND', status: 'REFUNDED', amount: 8.0 }],
    }, ['timestamp']);
    const events = await accepted(refunded);
    assert.deepEqual(events.map((e) => [e.kind, e.amount.minor, e.occurredAt]), [['payment', 2450, '2026-03-02T14:31:07.412Z'], ['refund', 800, '2026-03-02T14:31:07.412Z']]);
    const state = await ledger(dir.path, 'no-time', events);
    assert.deepEqual([state.grossMinor, state.refundedMinor, state.status], [2450, 800, 'partially_refunded']);
  });

  it('currency or amount absent: acknowledged and ignored, naming the field, never a 400 SumUp would retry', DEADLINE, async () => {
    await ignored(transactionFull({}, ['currency']), /transaction TEENSK4W2K names no currency/);
    await ignored(transactionFull({}, ['amount']), /transaction TEENSK4W2K names no amount/);
  });

  // A transaction read CANCELLED is the void of its sale, which the ledger takes as all of the sale given back, never
  // by the void's own amount: one naming no amount is recorded all the same where there is a store (void-amount.ts).
  const cancelled = (without: string[] = []) => transactionFull({ status: 'CANCELLED', simple_status: 'CANCELLED' }, without);
  const readings = {
    webhook: async (t: Record<string, unknown>, db?: SqlDatabase) => {
      const out = await delivered(t, { store: db });
      return { events: out.events, ignored: out.report.ignored };
    },
    poll: async (t: Record<string, unknown>, db?: SqlDatabase) => {
      const out = await polled(t, db);
      return { events: out.events, ignored: out.notes ?? [] };
    },
  };

  it('a transaction read CANCELLED naming no amount voids the sale the ledger holds, at the amount the ledger counts, as one naming it does; with no store it is acknowledged with why (webhook or poll)', DEADLINE, async () => {
    for (const [how, read] of Object.entries(readings)) {
      const namingIt = await openDatabase(`sqlite:${join(dir.path, `cancelled-amount-${how}.db`)}`);
      await recordPaymentEvents(namingIt, (await read(transactionFull(), namingIt)).events);
      await recordPaymentEvents(namingIt, (await read(cancelled(), namingIt)).events);
      const expected = (await paymentState(namingIt, 'sumup', ID))!;
      assert.deepEqual([expected.grossMinor, expected.refundedMinor, expected.netMinor, expected.status], [2450, 2450, 0, 'failed'], how);

      const db = await openDatabase(`sqlite:${join(dir.path, `cancelled-no-amount-${how}.db`)}`);
      await recordPaymentEvents(db, (await read(transactionFull(), db)).events);
      const out = await read(cancelled(['amount']), db);
      assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.amount, e.sale, e.metadata.voidAmountFrom]), [
        [`sumup:${ID}:cancelled`, 'failure', { minor: 2450, currency: 'EUR' }, { voided: true }, 'ledger'],
      ], how);
      await recordPaymentEvents(db, out.events);
      assert.deepEqual(await paymentState(db, 'sumup', ID), expected, `${how}: as the CANCELLED read naming its amount`);

      // No store: nothing tells a void after its sale from one before it.
      const bare = await read(cancelled(['amount']));
      assert.deepEqual(bare.events, [], how);
      assert.match(bare.ignored.join('; '), /transaction TEENSK4W2K is CANCELLED and names no amount, and no store was given to read the voided sale's amount from/, how);
      // A transaction naming no amount that is no cancellation stays ignored, store or not.
      const noAmountSale = await read(transactionFull({}, ['amount']), db);
      assert.deepEqual(noAmountSale.events, [], how);
      assert.match(noAmountSale.ignored.join('; '), /transaction TEENSK4W2K names no amount(;|$)/, how);
    }
  });

  it('a transaction read CANCELLED naming no amount heard before its sale (webhook or poll) is recorded at 0: the sale arriving later is void, the ledger as in the other order, and the cancellation read again is the same event', DEADLINE, async () => {
    for (const [how, read] of Object.entries(readings)) {
      const saleFirst = await openDatabase(`sqlite:${join(dir.path, `cancelled-after-sale-${how}.db`)}`);
      await recordPaymentEvents(saleFirst, (await read(transactionFull(), saleFirst)).events);
      await recordPaymentEvents(saleFirst, (await read(cancelled(['amount']), saleFirst)).events);
      const expected = (await paymentState(saleFirst, 'sumup', ID))!;
      assert.deepEqual([expected.grossMinor, expected.refundedMinor, expected.netMinor, expected.status], [2450, 2450, 0, 'failed'], how);

      const voidFirst = await openDatabase(`sqlite:${join(dir.path, `cancelled-before-sale-${how}.db`)}`);
      const early = (await read(cancelled(['amount']), voidFirst)).events;
      assert.deepEqual(early.map((e) => [e.id, e.kind, e.amount, e.sale, e.metadata.voidAmountFrom]), [
        [`sumup:${ID}:cancelled`, 'failure', { minor: 0, currency: 'EUR' }, { voided: true }, 'sale'],
      ], how);
      const recorded = await recordPaymentEvents(voidFirst, early);
      assert.deepEqual(recorded.map((o) => [o.outcome, o.delta.payments, o.delta.grossMinor, o.delta.refundedMinor]), [['recorded', 0, 0, 0]], `${how}: the void alone counts nothing`);
      const sold = await recordPaymentEvents(voidFirst, (await read(transactionFull(), voidFirst)).events);
      assert.deepEqual(sold.map((o) => o.delta.payments), [0], `${how}: the sale arrives void`);
      assert.deepEqual(await paymentState(voidFirst, 'sumup', ID), expected, `${how}: the same payment in either order`);
      // Read again once the sale is in: the same event (its one id), at the ledger's amount, recorded once.
      const again = (await read(cancelled(['amount']), voidFirst)).events;
      assert.deepEqual(again.map((e) => [e.id, e.amount.minor, e.metadata.voidAmountFrom]), [[`sumup:${ID}:cancelled`, 2450, 'ledger']], how);
      assert.deepEqual((await recordPaymentEvents(voidFirst, again)).map((o) => o.outcome), ['duplicate'], how);
    }
  });

  // TransactionBase.currency is optional as well: a CANCELLED read naming no currency (with its amount or without) is
  // a cancellation whose amount cannot be read, recorded as one naming no amount is.
  const noCurrency = { 'no currency': ['currency'], 'no currency nor amount': ['currency', 'amount'] };

  it('a transaction read CANCELLED naming no currency voids the sale the ledger holds, at the ledger\'s amount and currency, as one naming both does; the merchant is not asked (webhook or poll)', DEADLINE, async () => {
    for (const [how, read] of Object.entries(readings)) {
      const namingIt = await openDatabase(`sqlite:${join(dir.path, `cancelled-currency-${how}.db`)}`);
      await recordPaymentEvents(namingIt, (await read(transactionFull(), namingIt)).events);
      await recordPaymentEvents(namingIt, (await read(cancelled(), namingIt)).events);
      const expected = (await paymentState(namingIt, 'sumup', ID))!;
      assert.deepEqual([expected.grossMinor, expected.refundedMinor, expected.netMinor, expected.status, expected.currency], [2450, 2450, 0, 'failed', 'EUR'], how);
      for (const [left, without] of Object.entries(noCurrency)) {
        const db = await openDatabase(`sqlite:${join(dir.path, `cancelled-${left.replace(/ /g, '-')}-${how}.db`)}`);
        await recordPaymentEvents(db, (await read(transactionFull(), db)).events);
        // No GET /v1/merchants/… is answered here: with the sale in the ledger, none is made (nock refuses any other).
        const out = await read(cancelled(without), db);
        assert.deepEqual(out.events.map((e) => [e.id, e.kind, e.amount, e.sale, e.metadata.voidAmountFrom]), [
          [`sumup:${ID}:cancelled`, 'failure', { minor: 2450, currency: 'EUR' }, { voided: true }, 'ledger'],
        ], `${how}, ${left}`);
        await recordPaymentEvents(db, out.events);
        assert.deepEqual(await paymentState(db, 'sumup', ID), expected, `${how}, ${left}: as the CANCELLED read naming both`);
        // No store: acknowledged, saying why.
        const bare = await read(cancelled(without));
        assert.deepEqual(bare.events, [], `${how}, ${left}`);
        assert.match(bare.ignored.join('; '), new RegExp(`transaction TEENSK4W2K is CANCELLED and names no ${without.includes('amount') ? 'amount or currency' : 'currency'}, and no store was given`), `${how}, ${left}`);
      }
      // A transaction naming no currency that is no cancellation stays ignored, store or not.
      const noCurrencySale = await read(transactionFull({}, ['currency']), namingIt);
      assert.deepEqual(noCurrencySale.events, [], how);
      assert.match(noCurrencySale.ignored.join('; '), /transaction TEENSK4W2K names no currency, so its amount cannot be read/, how);
    }
  });

  it('a transaction read CANCELLED naming no currency heard before its sale (webhook or poll) is recorded at 0 in the merchant\'s default currency: the sale arriving later is void, the ledger as in the other order, and the cancellation read again is the same event', DEADLINE, async () => {
    for (const [how, read] of Object.entries(readings)) {
      for (const [left, without] of Object.entries(noCurrency)) {
        const name = `${left.replace(/ /g, '-')}-${how}`;
        const saleFirst = await openDatabase(`sqlite:${join(dir.path, `cancelled-after-sale-${name}.db`)}`);
        await recordPaymentEvents(saleFirst, (await read(transactionFull(), saleFirst)).events);
        await recordPaymentEvents(saleFirst, (await read(cancelled(without), saleFirst)).events);
        const expected = (await paymentState(saleFirst, 'sumup', ID))!;
        assert.deepEqual([expected.grossMinor, expected.refundedMinor, expected.netMinor, expected.status, expected.currency], [2450, 2450, 0, 'failed', 'EUR'], `${how}, ${left}`);

        const voidFirst = await openDatabase(`sqlite:${join(dir.path, `cancelled-before-sale-${name}.db`)}`);
        const asked = merchantAnswered();
        const early = (await read(cancelled(without), voidFirst)).events;
        assert.ok(asked.isDone(), `${how}, ${left}: the merchant's default currency was read`);
        assert.deepEqual(early.map((e) => [e.id, e.kind, e.amount, e.sale, e.metadata.voidAmountFrom]), [
          [`sumup:${ID}:cancelled`, 'failure', { minor: 0, currency: 'EUR' }, { voided: true }, 'sale'],
        ], `${how}, ${left}`);
        const recorded = await recordPaymentEvents(voidFirst, early);
        assert.deepEqual(recorded.map((o) => [o.outcome, o.delta.payments, o.delta.grossMinor, o.delta.refundedMinor]), [['recorded', 0, 0, 0]], `${how}, ${left}: the void alone counts nothing`);
        const sold = await recordPaymentEvents(voidFirst, (await read(transactionFull(), voidFirst)).events);
        assert.deepEqual(sold.map((o) => o.delta.payments), [0], `${how}, ${left}: the sale arrives void`);
        assert.deepEqual(await paymentState(voidFirst, 'sumup', ID), expected, `${how}, ${left}: the same payment in either order`);
        // Read again once the sale is in: the same event (its one id), at the ledger's amount, recorded once.
        const again = (await read(cancelled(without), voidFirst)).events;
        assert.deepEqual(again.map((e) => [e.id, e.amount, e.metadata.voidAmountFrom]), [[`sumup:${ID}:cancelled`, { minor: 2450, currency: 'EUR' }, 'ledger']], `${how}, ${left}`);
        assert.deepEqual((await recordPaymentEvents(voidFirst, again)).map((o) => o.outcome), ['duplicate'], `${how}, ${left}`);
      }
    }
  });

  it('a transaction read CANCELLED naming no currency before its sale, the merchant\'s default currency not to be read (404, token refused): acknowledged, saying why, and a later read once it can be is still recorded', DEADLINE, async () => {
    for (const [how, read] of Object.entries(readings)) {
      const db = await openDatabase(`sqlite:${join(dir.path, `cancelled-no-merchant-${how}.db`)}`);
      merchantAnswered(404, { error_code: 'NOT_FOUND', message: 'Resource not found' });
      const missing = await read(cancelled(['currency']), db);
      assert.deepEqual(missing.events, [], how);
      assert.match(missing.ignored.join('; '), /transaction TEENSK4W2K is CANCELLED and names no currency, the ledger holds no sale of it yet to take the amount and currency from, and SumUp has no merchant MCNF8K2Q to read the default currency of \(404\)/, how);
      merchantAnswered(403, { error_code: 'FORBIDDEN', message: 'Forbidden' });
      const refused = await read(cancelled(['currency']), db);
      assert.deepEqual(refused.events, [], how);
      assert.match(refused.ignored.join('; '), /SumUp refused the access token \(HTTP 403\) when fetching merchant MCNF8K2Q, so its default currency is not known/, how);
      // Nothing was recorded, so the void's id is still free for a read that can be recorded.
      merchantAnswered();
      const later = (await read(cancelled(['currency']), db)).events;
      assert.deepEqual(later.map((e) => [e.id, e.amount, e.metadata.voidAmountFrom]), [[`sumup:${ID}:cancelled`, { minor: 0, currency: 'EUR' }, 'sale']], how);
      assert.deepEqual((await recordPaymentEvents(db, later)).map((o) => o.outcome), ['recorded'], how);
    }
  });

  it('a refund event of no amount is not counted (as 0 or otherwise); the sale and the other refunds are', DEADLINE, async () => {
    const events = await accepted(transactionFull({
      status: 'REFUNDED', simple_status: 'REFUNDED',
      events: [
        { id: 9567461207, transaction_id: ID, type: 'REFUND', status: 'REFUNDED', timestamp: '2026-03-02T16:05:00.000Z' },
        { id: 9567461344, transaction_id: ID, type: 'REFUND', status: 'SUCCESSFUL', amount: 4.5, timestamp: '2026-03-03T09:12:00.000Z' },
      ],
    }));
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.amount.minor, e.refundedTotal?.minor]), [
      [`sumup:${ID}`, 'payment', 2450, undefined],
      [`sumup:${ID}:refund:9567461344`, 'refund', 450, 450],
    ]);
  });

  it('id absent: the transaction is the one the notification names (transaction_id); naming none either, acknowledged with why', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({}, ['id']));
    assert.deepEqual([sale!.id, sale!.paymentId, sale!.amount.minor], [`sumup:${ID}`, ID, 2450]);
    const out = await deliver(transactionFull({}, ['id']), { ...readerCallback, payload: { ...readerCallback.payload, transaction_id: undefined } });
    assert.equal(out.status, 200, JSON.stringify(out));
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored.join('; '), /transaction TEENSK4W2K names no id/);
  });

  it('a chargeback event of no status is an open dispute, as its id says, not money taken back', DEADLINE, async () => {
    const events = await accepted(transactionFull({
      status: 'CHARGEBACK', simple_status: 'CHARGEBACK',
      events: [{ id: 9567470001, transaction_id: ID, type: 'CHARGE_BACK', amount: 24.5, timestamp: '2026-03-10T08:00:00.000Z' }],
    }));
    const dispute = events.find((e) => e.kind === 'dispute')!;
    assert.deepEqual([dispute.id, dispute.status, dispute.amount.minor, dispute.dispute], [`sumup:${ID}:chargeback:9567470001:open`, 'disputed', 2450, { id: '9567470001' }]);
    const state = await ledger(dir.path, 'chargeback', events);
    assert.deepEqual([state.grossMinor, state.chargebackMinor, state.status], [2450, 0, 'disputed']);
  });

  it('status absent: simple_status decides; neither: acknowledged as not final', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({}, ['status']));
    assert.deepEqual([sale!.kind, sale!.amount.minor], ['payment', 2450]);
    await ignored(transactionFull({}, ['status', 'simple_status']), /of no status, not final yet/);
  });

  it('every other optional field the pack reads absent: device, code, merchant, tip, VAT, summary, username, process_as', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({}, ['device_info', 'transaction_code', 'merchant_code', 'tip_amount', 'vat_amount', 'product_summary', 'username', 'process_as', 'client_transaction_id', 'foreign_transaction_id', 'verification_method', 'simple_status']));
    assert.deepEqual([sale!.kind, sale!.amount, sale!.terminal, sale!.card?.funding], ['payment', { minor: 2450, currency: 'EUR' }, undefined, undefined]);
    assert.deepEqual(Object.keys(sale!.metadata).sort(), ['entryMode', 'status']);
  });

  it('the same fields sent as null read as left out', DEADLINE, async () => {
    const [sale] = await accepted(transactionFull({ card: null, entry_mode: null, events: null, transaction_events: null, timestamp: null, device_info: null }));
    assert.deepEqual([sale!.kind, sale!.amount.minor, sale!.card, sale!.occurredAt, sale!.terminal], ['payment', 2450, undefined, '2026-03-02T14:31:07.412Z', undefined]);
    await ignored(transactionFull({ currency: null }), /names no currency/);
    await ignored(transactionFull({ amount: null }), /names no amount/);
  });
});
