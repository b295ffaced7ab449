import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paymentsOf, paymentState, totalsOfPayments } from '../../../nodes/core/ledger/read-payments';
import { recordEvents } from '../../../nodes/core/ledger/record-events';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { migrate } from '../../../nodes/core/store/migrations';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir } from '../../support/temp-store';
import { again, capturedPart, capturedSale, cumulativeRefund, dispute, failedCapture, ownRefund, payment, reversedRefund, voidedSale } from './support/events';

let server: PostgresServer;
const dir = tempDir('tcrm-ledger-');
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await closeAllDatabases();
  await server?.stop();
  dir.remove();
});

const stores: { dialect: 'sqlite' | 'postgres'; url: () => Promise<string> }[] = [
  { dialect: 'sqlite', url: async () => `sqlite:${join(dir.path, 'ledger.db')}` },
  { dialect: 'postgres', url: () => server.createDatabase('tcrm_ledger', { icuLocale: 'en-US' }) },
];

for (const store of stores) {
  describe(`payment ledger on ${store.dialect}`, () => {
    let db: SqlDatabase;
    const record = (events: LedgerEvent[]) => db.transaction((tx) => recordEvents(tx, events));
    before(async () => {
      db = await openDatabase(await store.url());
    });

    it('records an event once: a second delivery is a duplicate with the first answer, and changes nothing', async () => {
      const e = payment('pi_dup', 1800);
      const [first] = await record([e]);
      const [second, third] = await record([again(e), again(e)]);
      assert.deepEqual([first!.outcome, second!.outcome, third!.outcome], ['recorded', 'duplicate', 'duplicate']);
      assert.deepEqual(second!.delta, first!.delta);
      assert.equal(second!.customerId, 'cus_ana');
      assert.deepEqual(second!.payment, first!.payment);
      const rows = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_events WHERE event_id = ?', [e.eventId]);
      assert.equal(rows!.n, 1);
      // Within one batch too.
      const twice = payment('pi_dup2', 700);
      const out = await record([twice, again(twice)]);
      assert.deepEqual(out.map((o) => [o.outcome, o.delta.payments]), [['recorded', 1], ['duplicate', 1]]);
      assert.equal((await paymentState(db, 'stripe', 'pi_dup2'))!.events, 1);
    });

    it('a PaymentIntent and its charge are one payment: the charge enriches it with the card and changes no money', async () => {
      const [pi] = await record([payment('pi_pair', 2500, '2025-03-01T10:00:00Z', { customerId: 'cus_bo' })]);
      const [charge] = await record([payment('pi_pair', 2500, '2025-03-01T10:00:02Z', {
        customerId: null, card: { brand: 'visa', last4: '4242', token: 'ctok_k1_abc', entryMode: 'contactless', wallet: 'apple_pay' }, terminal: { readerId: 'tmr_9', locationId: 'tml_9' },
      })]);
      assert.equal(pi!.delta.payments, 1);
      assert.equal(charge!.outcome, 'enriched');
      assert.deepEqual([charge!.delta.payments, charge!.delta.grossMinor], [0, 0]);
      assert.equal(charge!.customerId, 'cus_bo', 'the charge belongs to the customer who has the payment');
      const p = (await paymentState(db, 'stripe', 'pi_pair'))!;
      assert.deepEqual(
        { counted: p.counted, gross: p.grossMinor, status: p.status, customer: p.customerId, card: p.card, terminal: p.terminal, events: p.events },
        {
          counted: true, gross: 2500, status: 'succeeded', customer: 'cus_bo',
          card: { brand: 'visa', last4: '4242', token: 'ctok_k1_abc', entryMode: 'contactless', wallet: 'apple_pay' },
          terminal: { readerId: 'tmr_9', locationId: 'tml_9' }, events: 2,
        },
      );
    });

    it('a refund before its payment is remembered, counts nothing, and counts with the payment when it arrives', async () => {
      const [early] = await record([cumulativeRefund('pi_early', 600, '2025-03-02T10:00:00Z')]);
      assert.equal(early!.outcome, 'recorded');
      assert.deepEqual([early!.delta.payments, early!.delta.refundedMinor, early!.refundAddedMinor], [0, 0, 600]);
      assert.deepEqual([early!.payment.counted, early!.payment.status, early!.payment.refundedMinor], [false, 'pending', 600]);
      const [late] = await record([payment('pi_early', 1000, '2025-03-01T10:00:00Z')]);
      assert.deepEqual([late!.delta.payments, late!.delta.grossMinor, late!.delta.refundedMinor], [1, 1000, 600]);
      const p = (await paymentState(db, 'stripe', 'pi_early'))!;
      assert.deepEqual([p.netMinor, p.status, p.occurredAt, p.firstSeen, p.lastSeen], [400, 'partially_refunded', '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.000Z', '2025-03-02T10:00:00.000Z']);
    });

    it('cumulative refunds count what each adds; refunds reported one by one all count, two of the same size too', async () => {
      await record([payment('pi_cum', 5000), payment('pi_own', 5000, undefined, { source: 'square', eventId: 'square:pay_own' })]);
      const cumulative = await record([cumulativeRefund('pi_cum', 1000), cumulativeRefund('pi_cum', 3000), cumulativeRefund('pi_cum', 3000)]);
      assert.deepEqual(cumulative.map((o) => o.delta.refundedMinor), [1000, 2000, 0]);
      const own = (refundId: string, eventId: string) => ownRefund('pi_own', refundId, 1000, undefined, { source: 'square', eventId });
      const oneByOne = await record([own('r_1', 'square:ev_a'), own('r_2', 'square:ev_b'), own('r_1', 'square:ev_c')]);
      assert.deepEqual(oneByOne.map((o) => [o.outcome, o.delta.refundedMinor]), [['recorded', 1000], ['recorded', 1000], ['recorded', 0]]);
      assert.equal((await paymentState(db, 'square', 'pi_own'))!.refundedMinor, 2000);
      assert.equal((await paymentState(db, 'stripe', 'pi_cum'))!.refundedMinor, 3000);
    });

    it('a reversed refund gives its amount back to the payment once, in its own batch or the refund\'s, and one reversed first never counts', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([payment('PSP_PAY', 6000, undefined, adyen({ eventId: 'adyen:PSP_PAY:AUTHORISATION:true' }))]);
      const refund = ownRefund('PSP_PAY', 'PSP_R1', 2500, undefined, adyen({ eventId: 'adyen:PSP_R1:REFUND:true' }));
      const reversal = reversedRefund('PSP_PAY', 'PSP_R1', 2500, undefined, adyen({ eventId: 'adyen:PSP_R1:REFUND_FAILED:true' }));
      const [r] = await record([refund]);
      assert.deepEqual([r!.delta.refundedMinor, r!.payment.status], [2500, 'partially_refunded']);
      const [back, replay] = await record([reversal, again(reversal)]);
      assert.deepEqual([back!.outcome, back!.delta.refundedMinor, back!.refundAddedMinor, back!.payment.status], ['recorded', -2500, -2500, 'succeeded']);
      assert.deepEqual([replay!.outcome, replay!.delta.refundedMinor], ['duplicate', -2500]);
      // Another event about the refund (a second notification with a new id) does not bring it back.
      const [late] = await record([{ ...refund, eventId: 'adyen:PSP_R1:REFUND:true-again' }]);
      assert.equal(late!.delta.refundedMinor, 0);
      const state = (await paymentState(db, 'adyen', 'PSP_PAY'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor], [0, 6000]);
      const kept = await db.get<{ reversed_at: string | null }>("SELECT reversed_at FROM ledger_refunds WHERE source = 'adyen' AND refund_id = 'PSP_R1'");
      assert.notEqual(kept!.reversed_at, null);

      // The reversal first, in the same batch as its refund.
      await record([payment('PSP_PAY2', 4000, undefined, adyen({ eventId: 'adyen:PSP_PAY2:AUTHORISATION:true' }))]);
      const early = await record([
        reversedRefund('PSP_PAY2', 'PSP_R2', 4000, undefined, adyen({ eventId: 'adyen:PSP_R2:REFUNDED_REVERSED:true' })),
        ownRefund('PSP_PAY2', 'PSP_R2', 4000, undefined, adyen({ eventId: 'adyen:PSP_R2:REFUND:true' })),
      ]);
      assert.deepEqual(early.map((o) => o.delta.refundedMinor), [0, 0]);
      assert.equal((await paymentState(db, 'adyen', 'PSP_PAY2'))!.status, 'succeeded');
    });

    it('an Adyen refund kept under its event id before refunds went by pspReference is found by its reversal once migrated (schema 19)', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([payment('PSPOLDPAYMENT001', 5000, undefined, adyen({ eventId: 'adyen:PSPOLDPAYMENT001:AUTHORISATION:true' }))]);
      // As the pack recorded it before: no refund id, so the event id stood for the refund.
      await record([ownRefund('PSPOLDPAYMENT001', undefined, 2000, undefined, adyen({ eventId: 'adyen:PSPOLDREFUND0001:REFUND:true' }))]);
      await db.transaction(async (tx) => {
        // A store before schema 19 had no index of reversed refunds (schema 32) either.
        await tx.run('DROP INDEX ledger_refunds_reversed');
        await tx.run('ALTER TABLE ledger_refunds DROP COLUMN reversed_at');
        await tx.run('DELETE FROM schema_migrations WHERE version IN (19, 32)');
      });
      await migrate(db);
      const [back] = await record([reversedRefund('PSPOLDPAYMENT001', 'PSPOLDREFUND0001', 2000, undefined, adyen({ eventId: 'adyen:PSPOLDREFUND0001:REFUND_FAILED:true' }))]);
      assert.equal(back!.delta.refundedMinor, -2000);
      assert.deepEqual([(await paymentState(db, 'adyen', 'PSPOLDPAYMENT001'))!.refundedMinor], [0]);
      const ids = await db.all<{ refund_id: string }>("SELECT refund_id FROM ledger_refunds WHERE source = 'adyen' AND payment_id = 'PSPOLDPAYMENT001'");
      assert.deepEqual(ids.map((r) => r.refund_id), ['PSPOLDREFUND0001']);
    });

    it('a refund counted in a running total and later reported reversed by its id (Stripe\'s failed refund) comes out of the total once; reported reversed first, it never counts', async () => {
      // Refunds of 10.00 and 20.00 reported as running totals (charge.refunded), then the 20.00 one failed.
      await record([payment('pi_refund_failed', 5000), cumulativeRefund('pi_refund_failed', 1000), cumulativeRefund('pi_refund_failed', 3000, '2025-03-03T10:00:00.000Z')]);
      const failed = reversedRefund('pi_refund_failed', 're_second', 2000);
      const [back, replay] = await record([failed, again(failed)]);
      assert.deepEqual([back!.outcome, back!.delta.refundedMinor, back!.refundAddedMinor, back!.payment.refundedMinor], ['recorded', -2000, -2000, 1000]);
      assert.deepEqual([replay!.outcome, replay!.delta.refundedMinor], ['duplicate', -2000]);
      // The same failure told again under another event (refund.failed after charge.refund.updated), a total told again: nothing moves.
      const [other, total] = await record([{ ...failed, eventId: 'stripe:evt_refund_failed_again' }, cumulativeRefund('pi_refund_failed', 3000, '2025-03-05T10:00:00.000Z')]);
      assert.deepEqual([other!.delta.refundedMinor, total!.delta.refundedMinor], [0, 0]);
      const state = (await paymentState(db, 'stripe', 'pi_refund_failed'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [1000, 4000, 'partially_refunded']);
      const stored = await db.get<{ refund_reported_minor: number; refund_reversed_minor: number }>(
        "SELECT refund_reported_minor, refund_reversed_minor FROM ledger_payments WHERE source = 'stripe' AND payment_id = 'pi_refund_failed'",
      );
      assert.deepEqual([Number(stored!.refund_reported_minor), Number(stored!.refund_reversed_minor)], [3000, 2000]);

      // The failure arrives before the total that counts its refund: the refund never counts.
      await record([payment('pi_refund_failed_first', 4000)]);
      const early = await record([reversedRefund('pi_refund_failed_first', 're_only', 4000), cumulativeRefund('pi_refund_failed_first', 4000)]);
      assert.deepEqual(early.map((o) => o.delta.refundedMinor), [0, 0]);
      assert.deepEqual([(await paymentState(db, 'stripe', 'pi_refund_failed_first'))!.netMinor, (await paymentState(db, 'stripe', 'pi_refund_failed_first'))!.status], [4000, 'succeeded']);
    });

    it('a store from before schema 25 is upgraded: the refunds it had reversed are summed on their payment, and nothing counted changes', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([
        payment('PSP_SCHEMA23PAY1', 6000, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA23PAY1:AUTHORISATION:true' })),
        ownRefund('PSP_SCHEMA23PAY1', 'PSP_SCHEMA23RF01', 1500, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA23RF01:REFUND:true' })),
        ownRefund('PSP_SCHEMA23PAY1', 'PSP_SCHEMA23RF02', 500, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA23RF02:REFUND:true' })),
        reversedRefund('PSP_SCHEMA23PAY1', 'PSP_SCHEMA23RF01', 1500, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA23RF01:REFUND_FAILED:true' })),
      ]);
      const before = (await paymentState(db, 'adyen', 'PSP_SCHEMA23PAY1'))!;
      await db.transaction(async (tx) => {
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN refund_reversed_minor');
        await tx.run('DELETE FROM schema_migrations WHERE version = 25');
      });
      await migrate(db);
      const row = await db.get<{ refund_reversed_minor: number }>("SELECT refund_reversed_minor FROM ledger_payments WHERE source = 'adyen' AND payment_id = 'PSP_SCHEMA23PAY1'");
      assert.equal(Number(row!.refund_reversed_minor), 1500);
      const after = (await paymentState(db, 'adyen', 'PSP_SCHEMA23PAY1'))!;
      assert.deepEqual([after.refundedMinor, after.netMinor, after.status], [before.refundedMinor, before.netMinor, before.status]);
      assert.deepEqual([after.refundedMinor, after.netMinor], [500, 5500]);
    });

    it('a store from before schema 26 is upgraded: a sale counted before keeps the amount it was counted with, whatever captures come after', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      // Counted before schema 26 from a capture that arrived before its authorisation: the capture's 6000 of 10000.
      await record([capturedPart('PSP_SCHEMA25PAY1', 'PSP_SCHEMA25CAP1', 6000, '2025-03-02T10:00:00.000Z', adyen({ eventId: 'adyen:PSP_SCHEMA25CAP1:CAPTURE:true' }))]);
      await record([payment('PSP_SCHEMA25PAY2', 3000, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA25PAY2:AUTHORISATION:true' }))]);
      await db.run("UPDATE ledger_payments SET seen = 1, gross_minor = 6000, occurred_at = first_seen WHERE payment_id = 'PSP_SCHEMA25PAY1'");
      const before = (await paymentState(db, 'adyen', 'PSP_SCHEMA25PAY1'))!;
      assert.deepEqual([before.counted, before.grossMinor, before.netMinor], [true, 6000, 6000]);
      await db.transaction(async (tx) => {
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN sale_minor');
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN captured_minor');
        await tx.run('DELETE FROM schema_migrations WHERE version = 26');
      });
      await migrate(db);
      const rows = await db.all<{ payment_id: string; sale_minor: number; captured_minor: number | null }>(
        "SELECT payment_id, sale_minor, captured_minor FROM ledger_payments WHERE payment_id IN ('PSP_SCHEMA25PAY1', 'PSP_SCHEMA25PAY2') ORDER BY payment_id",
      );
      assert.deepEqual(rows.map((r) => [r.payment_id, Number(r.sale_minor), r.captured_minor]), [['PSP_SCHEMA25PAY1', 6000, null], ['PSP_SCHEMA25PAY2', 3000, null]]);
      const [auth, second] = await record([
        payment('PSP_SCHEMA25PAY1', 10000, '2025-03-01T10:00:00.000Z', adyen({ eventId: 'adyen:PSP_SCHEMA25PAY1:AUTHORISATION:true' })),
        capturedPart('PSP_SCHEMA25PAY1', 'PSP_SCHEMA25CAP2', 4000, '2025-03-02T10:00:00.000Z', adyen({ eventId: 'adyen:PSP_SCHEMA25CAP2:CAPTURE:true' })),
      ]);
      assert.deepEqual([auth!.outcome, auth!.delta.grossMinor, second!.delta.grossMinor, second!.delta.refundedMinor], ['enriched', 0, 0, 0]);
      const after = (await paymentState(db, 'adyen', 'PSP_SCHEMA25PAY1'))!;
      assert.deepEqual([after.grossMinor, after.refundedMinor, after.status], [before.grossMinor, before.refundedMinor, before.status]);
      const [part] = await record([capturedPart('PSP_SCHEMA25PAY2', 'PSP_SCHEMA25CAP3', 1000, undefined, adyen({ eventId: 'adyen:PSP_SCHEMA25CAP3:CAPTURE:true' }))]);
      assert.deepEqual([part!.delta.grossMinor, part!.delta.refundedMinor, part!.payment.netMinor], [0, 0, 3000], 'a sale counted before keeps its amount');
    });

    it('a sale reported void gives back what it took and stops being a payment once, however often the void comes; a later capture makes it count again', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([payment('PSP_VOIDPAY', 7000, '2025-03-01T10:00:00Z', adyen({ eventId: 'adyen:PSP_VOIDPAY:AUTHORISATION:true' }))]);
      const failed = voidedSale('PSP_VOIDPAY', 7000, '2025-03-03T10:00:00Z', adyen({ eventId: 'adyen:PSP_VOIDCAP:CAPTURE_FAILED:true' }));
      const [v, dup] = await record([failed, again(failed)]);
      assert.deepEqual([v!.outcome, v!.delta.payments, v!.delta.refundedMinor, v!.payment.status, v!.payment.netMinor], ['recorded', -1, 7000, 'failed', 0]);
      assert.deepEqual([dup!.outcome, dup!.delta.payments, dup!.delta.refundedMinor], ['duplicate', -1, 7000]);
      const stored = await db.get<{ voided_at: string | null; restored_at: string | null }>(
        "SELECT voided_at, restored_at FROM ledger_payments WHERE source = 'adyen' AND payment_id = 'PSP_VOIDPAY'",
      );
      assert.deepEqual({ ...stored }, { voided_at: '2025-03-03T10:00:00.000Z', restored_at: null });
      const [back] = await record([capturedSale('PSP_VOIDPAY', 7000, '2025-03-05T10:00:00Z', adyen({ eventId: 'adyen:PSP_VOIDCAP:CAPTURE:true:recaptured' }))]);
      assert.deepEqual([back!.outcome, back!.delta.payments, back!.delta.refundedMinor, back!.payment.status, back!.payment.netMinor], ['enriched', 1, -7000, 'succeeded', 7000]);
      assert.equal((await paymentState(db, 'adyen', 'PSP_VOIDPAY'))!.netMinor, 7000);
    });

    it('a store from before sale voids (schema 19) is upgraded: its payments keep counting, and a void recorded after counts (schema 20)', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([payment('PSP_OLDSALE00001', 2500, '2025-03-01T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDSALE00001:AUTHORISATION:true' }))]);
      await db.transaction(async (tx) => {
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN voided_at');
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN restored_at');
        await tx.run('DELETE FROM schema_migrations WHERE version = 20');
      });
      await migrate(db);
      assert.deepEqual([(await paymentState(db, 'adyen', 'PSP_OLDSALE00001'))!.status, (await paymentState(db, 'adyen', 'PSP_OLDSALE00001'))!.netMinor], ['succeeded', 2500]);
      const [v] = await record([voidedSale('PSP_OLDSALE00001', 2500, '2025-03-04T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDCAPT00001:CAPTURE_FAILED:true' }))]);
      assert.deepEqual([v!.delta.refundedMinor, v!.payment.status], [2500, 'failed']);
    });

    it('a failed part capture takes off its own amount once, kept by its capture id; a re-capture brings it back', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([
        payment('PSP_PARTSALE0001', 10000, '2025-03-01T10:00:00Z', adyen({ eventId: 'adyen:PSP_PARTSALE0001:AUTHORISATION:true' })),
        capturedPart('PSP_PARTSALE0001', 'PSP_PARTCAPA0001', 6000, '2025-03-02T10:00:00Z', adyen({ eventId: 'adyen:PSP_PARTCAPA0001:CAPTURE:true' })),
        capturedPart('PSP_PARTSALE0001', 'PSP_PARTCAPB0001', 4000, '2025-03-02T10:00:00Z', adyen({ eventId: 'adyen:PSP_PARTCAPB0001:CAPTURE:true' })),
      ]);
      const failed = failedCapture('PSP_PARTSALE0001', 'PSP_PARTCAPB0001', 4000, '2025-03-04T10:00:00Z', adyen({ eventId: 'adyen:PSP_PARTCAPB0001:CAPTURE_FAILED:true:x' }));
      const [v, dup] = await record([failed, again(failed)]);
      assert.deepEqual([v!.outcome, v!.delta.payments, v!.delta.refundedMinor, v!.payment.status, v!.payment.netMinor], ['recorded', 0, 4000, 'partially_refunded', 6000]);
      assert.deepEqual([dup!.outcome, dup!.delta.refundedMinor], ['duplicate', 4000]);
      const captures = await db.all<{ capture_id: string; amount_minor: number; failed_at: string | null; captured_at: string | null }>(
        "SELECT capture_id, amount_minor, failed_at, captured_at FROM ledger_captures WHERE source = 'adyen' AND payment_id = 'PSP_PARTSALE0001' ORDER BY capture_id",
      );
      assert.deepEqual(captures.map((c) => ({ ...c, amount_minor: Number(c.amount_minor) })), [
        { capture_id: 'PSP_PARTCAPA0001', amount_minor: 6000, failed_at: null, captured_at: '2025-03-02T10:00:00.000Z' },
        { capture_id: 'PSP_PARTCAPB0001', amount_minor: 4000, failed_at: '2025-03-04T10:00:00.000Z', captured_at: '2025-03-02T10:00:00.000Z' },
      ]);
      const stored = await db.get<{ voided_at: string | null; capture_failed_minor: number }>(
        "SELECT voided_at, capture_failed_minor FROM ledger_payments WHERE source = 'adyen' AND payment_id = 'PSP_PARTSALE0001'",
      );
      assert.deepEqual([stored!.voided_at, Number(stored!.capture_failed_minor)], [null, 4000]);
      const [back] = await record([capturedPart('PSP_PARTSALE0001', 'PSP_PARTCAPB0001', 4000, '2025-03-06T10:00:00Z', adyen({ eventId: 'adyen:PSP_PARTCAPB0001:CAPTURE:true:recaptured:x' }))]);
      assert.deepEqual([back!.delta.payments, back!.delta.refundedMinor, back!.payment.status, back!.payment.netMinor], [0, -4000, 'succeeded', 10000]);
    });

    it('a store from before captures were kept by id (schema 22) is upgraded: a sale voided then stays void until a capture after it', async () => {
      const adyen = (over: Partial<LedgerEvent>) => ({ source: 'adyen' as const, ...over });
      await record([
        payment('PSP_OLDVOID00001', 3000, '2025-03-01T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDVOID00001:AUTHORISATION:true' })),
        voidedSale('PSP_OLDVOID00001', 3000, '2025-03-03T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDVCAP00001:CAPTURE_FAILED:true' })),
      ]);
      await db.transaction(async (tx) => {
        await tx.run('DROP TABLE ledger_captures');
        await tx.run('ALTER TABLE ledger_payments DROP COLUMN capture_failed_minor');
        await tx.run('DELETE FROM schema_migrations WHERE version IN (24, 34)');
      });
      await migrate(db);
      assert.deepEqual([(await paymentState(db, 'adyen', 'PSP_OLDVOID00001'))!.status, (await paymentState(db, 'adyen', 'PSP_OLDVOID00001'))!.netMinor], ['failed', 0]);
      const [back] = await record([capturedPart('PSP_OLDVOID00001', 'PSP_OLDVCAP00001', 3000, '2025-03-05T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDVCAP00001:CAPTURE:true:recaptured:x' }))]);
      assert.deepEqual([back!.delta.payments, back!.payment.status, back!.payment.netMinor], [1, 'succeeded', 3000]);
      const [gone] = await record([failedCapture('PSP_OLDVOID00001', 'PSP_OLDVCAP00001', 3000, '2025-03-07T10:00:00Z', adyen({ eventId: 'adyen:PSP_OLDVCAP00001:CAPTURE_FAILED:true:y' }))]);
      assert.deepEqual([gone!.delta.payments, gone!.payment.status, gone!.payment.netMinor], [-1, 'failed', 0]);
    });

    it('a lost dispute takes the money back once; a won one nothing', async () => {
      await record([payment('pi_lost', 4000), payment('pi_won', 3000)]);
      const lost = await record([dispute('pi_lost', 'disputed', 4000), dispute('pi_lost', 'refunded', 4000), dispute('pi_lost', 'refunded', 4000, '2025-03-21T10:00:00Z')]);
      assert.deepEqual(lost.map((o) => [o.delta.chargebackMinor, o.delta.disputedOpenMinor, o.payment.status]), [[0, 4000, 'disputed'], [4000, -4000, 'refunded'], [0, 0, 'refunded']]);
      const won = await record([dispute('pi_won', 'disputed', 3000), dispute('pi_won', 'succeeded', 3000)]);
      assert.deepEqual(won.map((o) => o.delta.chargebackMinor), [0, 0]);
      assert.deepEqual([won[1]!.payment.status, won[1]!.payment.netMinor], ['succeeded', 3000]);
    });

    it('lists payments in time order, page by page, by source, customer and time', async () => {
      const at = (d: number) => `2025-05-${String(d).padStart(2, '0')}T12:00:00.000Z`;
      await record(Array.from({ length: 7 }, (_, i) => payment(`pi_list_${i}`, 100 + i, at(i + 1), { customerId: i % 2 ? 'cus_odd' : 'cus_even', source: i === 6 ? 'zettle' : 'stripe', eventId: `x:list_${i}` })));
      const window = { since: at(1), until: at(20) };
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await paymentsOf(db, { ...window, limit: 3, cursor });
        seen.push(...page.payments.map((p) => p.paymentId));
        cursor = page.next;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6].map((i) => `pi_list_${i}`));
      assert.equal(pages, 3);
      assert.deepEqual((await paymentsOf(db, { ...window, customerId: 'cus_odd', limit: 10 })).payments.map((p) => p.paymentId), ['pi_list_1', 'pi_list_3', 'pi_list_5']);
      assert.deepEqual((await paymentsOf(db, { ...window, source: 'zettle', limit: 10 })).payments.map((p) => p.paymentId), ['pi_list_6']);
      assert.deepEqual((await paymentsOf(db, { since: at(3), until: at(5), limit: 10 })).payments.map((p) => p.paymentId), ['pi_list_2', 'pi_list_3']);
      assert.equal((await paymentsOf(db, { ...window, limit: 7 })).next, null);
      await assert.rejects(paymentsOf(db, { limit: 0 }), /limit: .*Fix: use a whole number from 1 to 1000/);
      await assert.rejects(paymentsOf(db, { limit: 5, cursor: 'nonsense' }), /cursor: is not a cursor this listing gave out/);
      await assert.rejects(paymentsOf(db, { limit: 5, since: 'yesterday' }), /since: "yesterday" is not a time/);
      assert.deepEqual(await totalsOfPayments(db, [{ source: 'stripe', paymentId: 'pi_list_1' }, { source: 'stripe', paymentId: 'pi_list_3' }, { source: 'stripe', paymentId: 'pi_none' }]), [
        { currency: 'USD', payments: 2, grossMinor: 204, refundedMinor: 0, chargebackMinor: 0, netMinor: 204 },
      ]);
    });

    it('money beyond 2^31 minor units stays exact', async () => {
      const big = 1_900_000_000;
      await record([payment('pi_idr', big, undefined, { amount: { minor: big, currency: 'IDR' } })]);
      const [r] = await record([cumulativeRefund('pi_idr', big - 1, undefined, { refundedTotal: { minor: big - 1, currency: 'IDR' } })]);
      assert.deepEqual([r!.delta.refundedMinor, r!.payment.grossMinor, r!.payment.netMinor], [big - 1, big, 1]);
    });
  });
}
