/**
 * Store schema 34: a capture heard failed before it is heard captured (Adyen's CAPTURE_FAILED ahead of its CAPTURE)
 * counts among what the sale's captures were to collect from then on (ledger_payments.captured_minor), so its amount
 * goes back once. Before, it counted there only once its CAPTURE came, and until then its amount went back twice. A
 * store from before is upgraded on both dialects: `ledger_captures.added_up` tells the captures whose amount is in
 * captured_minor from those a payment seen already was counted without (their CAPTURE adds them, as it did), and a
 * payment not seen yet, which nothing counted, is brought to the new rule at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { capturedPart, failedCapture, payment } from './support/events';

const DEADLINE = { timeout: 60_000 };
const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const adyen = (eventId: string): Partial<LedgerEvent> => ({ source: 'adyen', eventId });

/** The sale's notifications: an authorisation of 100.00, CAPTURE 60.00 (capture A), CAPTURE and CAPTURE_FAILED 40.00 (capture B). */
const sale = (pay: string) => ({
  authorisation: payment(pay, 10000, day(1), adyen(`adyen:${pay}:AUTHORISATION:true`)),
  capture60: capturedPart(pay, `${pay}A`, 6000, day(2), adyen(`adyen:${pay}A:CAPTURE:true`)),
  capture40: capturedPart(pay, `${pay}B`, 4000, day(2), adyen(`adyen:${pay}B:CAPTURE:true`)),
  failed40: failedCapture(pay, `${pay}B`, 4000, day(4), adyen(`adyen:${pay}B:CAPTURE_FAILED:true:${day(4)}`)),
});

/**
 * The store as schema 33 left it after these notifications: capture B, heard only failed, not among the captures
 * (captured_minor 40.00 lower), and for a payment counted by then what its CAPTURE_FAILED event gave back under that rule
 * (40.00 more: all of the failure, as the captures then left the same 40.00 of the authorisation uncollected), in the
 * ledger's event and the customer's totals; no added_up column.
 */
async function backToSchema33(db: SqlDatabase, failedFirst: readonly { pay: string; counted: boolean }[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const { pay, counted } of failedFirst) {
      await tx.run("UPDATE ledger_payments SET captured_minor = captured_minor - 4000 WHERE source = 'adyen' AND payment_id = ?", [pay]);
      if (!counted) continue;
      await tx.run('UPDATE ledger_events SET refunded_minor = refunded_minor + 4000 WHERE event_id = ?', [`adyen:${pay}B:CAPTURE_FAILED:true:${day(4)}`]);
      await tx.run("UPDATE customer_totals SET refunded_minor = refunded_minor + 4000 WHERE customer_id = 'cus_ana'");
    }
    await tx.run('ALTER TABLE ledger_captures DROP COLUMN added_up');
    await tx.run('DELETE FROM schema_migrations WHERE version = 34');
  });
}

/** The payment as a ledger reader sees it, and what its recorded events' deltas add up to (the CRM totals and reconcile read those). */
async function seen(db: SqlDatabase, pay: string) {
  const p = (await paymentState(db, 'adyen', pay))!;
  const events = (await db.get<{ gross: number; refunded: number }>(
    'SELECT COALESCE(SUM(gross_minor), 0) AS gross, COALESCE(SUM(refunded_minor), 0) AS refunded FROM ledger_events WHERE source = ? AND payment_id = ?', ['adyen', pay],
  ))!;
  return { counted: p.counted, gross: p.grossMinor, refunded: p.refundedMinor, status: p.status, captured: p.capturedMinor, eventsGross: Number(events.gross), eventsRefunded: Number(events.refunded) };
}

const totals = async (db: SqlDatabase) =>
  (await db.all<{ payments: number; gross_minor: number; refunded_minor: number }>("SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = 'cus_ana'"))
    .map((t) => `${t.payments}:${t.gross_minor}:${t.refunded_minor}`);

const addedUp = async (db: SqlDatabase, pay: string) =>
  (await db.all<{ capture_id: string; added_up: number }>('SELECT capture_id, added_up FROM ledger_captures WHERE source = ? AND payment_id = ? ORDER BY capture_id', ['adyen', pay]))
    .map((c) => [c.capture_id, Number(c.added_up)]);

for (const store of bothDialects('capture-failed-first')) {
  describe(`store schema 34 on ${store.dialect}: a capture heard failed before it is heard captured counts among the captures`, () => {
    it('a payment counted before keeps what it was counted with until the CAPTURE, which then gives back 40.00 of the 80.00; one not counted yet, and any recorded after, read 40.00 back at once', DEADLINE, async () => {
      await withLedgerStore(store, async (db, crm) => {
        const counted = sale('PSP_FIRSTOLDSEEN');
        const waiting = sale('PSP_FIRSTOLDWAIT');
        for (const e of [counted.authorisation, counted.capture60, counted.failed40, waiting.capture60, waiting.failed40]) await crm.recordTransactions([e]);
        await backToSchema33(db, [{ pay: 'PSP_FIRSTOLDSEEN', counted: true }, { pay: 'PSP_FIRSTOLDWAIT', counted: false }]);
        // What schema 33 showed: 80.00 back, in the ledger, its events and the CRM totals alike.
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDSEEN'), { counted: true, gross: 10000, refunded: 8000, status: 'partially_refunded', captured: 6000, eventsGross: 10000, eventsRefunded: 8000 });
        assert.deepEqual(await totals(db), ['1:10000:8000']);

        await migrate(db);
        assert.deepEqual(await addedUp(db, 'PSP_FIRSTOLDSEEN'), [['PSP_FIRSTOLDSEENA', 1], ['PSP_FIRSTOLDSEENB', 0]], 'the capture heard only failed is not among the captures the payment was counted with');
        assert.deepEqual(await addedUp(db, 'PSP_FIRSTOLDWAIT'), [['PSP_FIRSTOLDWAITA', 1], ['PSP_FIRSTOLDWAITB', 1]], 'a payment not counted yet: both among its captures');
        // Nothing counted moves: the payment, its events and the CRM totals still agree.
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDSEEN'), { counted: true, gross: 10000, refunded: 8000, status: 'partially_refunded', captured: 6000, eventsGross: 10000, eventsRefunded: 8000 });
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDWAIT'), { counted: false, gross: 0, refunded: 0, status: 'failed', captured: 10000, eventsGross: 0, eventsRefunded: 0 });

        // The 40.00 capture's CAPTURE adds it among the captures: 40.00 back, its event taking the other 40.00 back.
        await crm.recordTransactions([counted.capture40]);
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDSEEN'), { counted: true, gross: 10000, refunded: 4000, status: 'partially_refunded', captured: 10000, eventsGross: 10000, eventsRefunded: 4000 });
        assert.deepEqual(await addedUp(db, 'PSP_FIRSTOLDSEEN'), [['PSP_FIRSTOLDSEENA', 1], ['PSP_FIRSTOLDSEENB', 1]]);
        assert.deepEqual(await totals(db), ['1:10000:4000']);

        // The payment not counted before the upgrade: 40.00 back as soon as it counts, and its CAPTURE changes nothing.
        await crm.recordTransactions([waiting.authorisation]);
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDWAIT'), { counted: true, gross: 10000, refunded: 4000, status: 'partially_refunded', captured: 10000, eventsGross: 10000, eventsRefunded: 4000 });
        await crm.recordTransactions([waiting.capture40]);
        assert.deepEqual(await seen(db, 'PSP_FIRSTOLDWAIT'), { counted: true, gross: 10000, refunded: 4000, status: 'partially_refunded', captured: 10000, eventsGross: 10000, eventsRefunded: 4000 });
        assert.deepEqual(await totals(db), ['2:20000:8000']);

        // A sale recorded after the upgrade: 40.00 back as soon as its capture is heard failed, and its CAPTURE changes nothing.
        const after = sale('PSP_FIRSTNEW0001');
        for (const e of [after.authorisation, after.capture60, after.failed40]) await crm.recordTransactions([e]);
        assert.deepEqual(await seen(db, 'PSP_FIRSTNEW0001'), { counted: true, gross: 10000, refunded: 4000, status: 'partially_refunded', captured: 10000, eventsGross: 10000, eventsRefunded: 4000 });
        assert.deepEqual(await addedUp(db, 'PSP_FIRSTNEW0001'), [['PSP_FIRSTNEW0001A', 1], ['PSP_FIRSTNEW0001B', 1]]);
        await crm.recordTransactions([after.capture40]);
        assert.deepEqual(await seen(db, 'PSP_FIRSTNEW0001'), { counted: true, gross: 10000, refunded: 4000, status: 'partially_refunded', captured: 10000, eventsGross: 10000, eventsRefunded: 4000 });
        assert.deepEqual(await totals(db), ['3:30000:12000']);
      });
    });
  });
}
