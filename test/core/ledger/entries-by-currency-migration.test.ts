/**
 * Store schema 36: a refund or capture reported by its id is kept once per id and currency (ledger_refunds and
 * ledger_captures keyed with the currency), so a reversal or capture failure naming another currency than the refund's
 * or capture's is an entry of its own and takes nothing back, in any order. A store from before (one entry per id) is
 * upgraded on both dialects: its entries and payments read as they did, the index of reversed refunds is there again,
 * and reports heard after the upgrade follow the new rule, also against entries recorded before it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { schemaStatementFor } from '../../../nodes/core/store/dialect';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { capturedPart, failedCapture, ownRefund, payment, reversedRefund } from './support/events';

const DEADLINE = { timeout: 60_000 };
const day = (d: number) => `2025-05-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const eur = (minor: number): Partial<LedgerEvent> => ({ amount: { minor, currency: 'EUR' }, refundedTotal: { minor, currency: 'EUR' } });
const adyen = (eventId: string, over: Partial<LedgerEvent> = {}): Partial<LedgerEvent> => ({ source: 'adyen', eventId, ...over });

/** The store as schema 35 left it: ledger_refunds and ledger_captures keyed by id alone, their rows as they are. */
async function backToSchema35(db: SqlDatabase): Promise<void> {
  const statements = [
    `CREATE TABLE ledger_refunds_35 (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, refund_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL, reversed_at TEXT,
      PRIMARY KEY (source, payment_id, refund_id)
    )`,
    'INSERT INTO ledger_refunds_35 SELECT source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at, reversed_at FROM ledger_refunds',
    'DROP TABLE ledger_refunds',
    'ALTER TABLE ledger_refunds_35 RENAME TO ledger_refunds',
    'CREATE INDEX ledger_refunds_reversed ON ledger_refunds(source, refund_id) WHERE reversed_at IS NOT NULL',
    `CREATE TABLE ledger_captures_35 (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, capture_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      failed_at TEXT, captured_at TEXT,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
      added_up INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (source, payment_id, capture_id)
    )`,
    `INSERT INTO ledger_captures_35 SELECT source, payment_id, capture_id, amount_minor, currency, failed_at, captured_at, event_id, recorded_at, added_up
      FROM ledger_captures`,
    'DROP TABLE ledger_captures',
    'ALTER TABLE ledger_captures_35 RENAME TO ledger_captures',
    'DELETE FROM schema_migrations WHERE version = 36',
  ];
  await db.transaction(async (tx) => {
    for (const s of statements) await tx.run(schemaStatementFor(db.dialect, s));
  });
}

const entries = async (db: SqlDatabase) => ({
  refunds: (await db.all<{ refund_id: string; currency: string; reversed_at: string | null; amount_minor: number }>(
    'SELECT source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at, reversed_at FROM ledger_refunds ORDER BY source, payment_id, refund_id, currency',
  )).map((r) => ({ ...r, amount_minor: Number(r.amount_minor) })),
  captures: (await db.all<{ amount_minor: number; added_up: number }>(
    `SELECT source, payment_id, capture_id, amount_minor, currency, failed_at, captured_at, event_id, recorded_at, added_up FROM ledger_captures
     ORDER BY source, payment_id, capture_id, currency`,
  )).map((c) => ({ ...c, amount_minor: Number(c.amount_minor), added_up: Number(c.added_up) })),
});

const money = async (db: SqlDatabase, source: string, pay: string) => {
  const p = (await paymentState(db, source, pay))!;
  return [p.counted, p.currency, p.grossMinor, p.refundedMinor, p.netMinor, p.status];
};

const reversedIndexed = async (db: SqlDatabase) =>
  db.dialect === 'sqlite'
    ? (await db.get("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ledger_refunds_reversed'")) !== undefined
    : (await db.get("SELECT indexname FROM pg_indexes WHERE indexname = 'ledger_refunds_reversed'")) !== undefined;

for (const store of bothDialects('entries-by-currency')) {
  describe(`store schema 36 on ${store.dialect}: a refund's or capture's entry is its id in one currency`, () => {
    it('entries and payments recorded before read as they did; after the upgrade a reversal or failure in another currency takes nothing back, one in the entry\'s own still does', DEADLINE, async () => {
      await withLedgerStore(store, async (db, crm) => {
        // A USD sale with a refund reversed and one standing; an Adyen sale with a capture; a payment whose first report
        // was a reversal in EUR (its refund and sale, in USD, come after the upgrade).
        await crm.recordTransactions([
          payment('pi_bc_sale', 10_000, day(1)), ownRefund('pi_bc_sale', 're_bc_back', 3000, day(2)), reversedRefund('pi_bc_sale', 're_bc_back', 3000, day(3)),
          ownRefund('pi_bc_sale', 're_bc_kept', 2000, day(2)),
        ]);
        await crm.recordTransactions([
          payment('PSP_BCAUTH', 10_000, day(1), adyen('adyen:PSP_BCAUTH:AUTHORISATION:true')),
          capturedPart('PSP_BCAUTH', 'PSP_BCCAPTURE', 6000, day(2), adyen('adyen:PSP_BCCAPTURE:CAPTURE:true')),
        ]);
        await crm.recordTransactions([reversedRefund('pi_bc_wait', 're_bc_wait', 1000, day(3), eur(1000))]);
        const before = { entries: await entries(db), sale: await money(db, 'stripe', 'pi_bc_sale'), captured: await money(db, 'adyen', 'PSP_BCAUTH') };
        assert.deepEqual([before.sale, before.captured], [[true, 'USD', 10_000, 2000, 8000, 'partially_refunded'], [true, 'USD', 10_000, 4000, 6000, 'partially_refunded']]);
        await backToSchema35(db);

        await migrate(db);
        assert.deepEqual(await entries(db), before.entries, 'every entry as it was');
        assert.deepEqual([await money(db, 'stripe', 'pi_bc_sale'), await money(db, 'adyen', 'PSP_BCAUTH')], [before.sale, before.captured], 'every payment as it was');
        assert.equal(await reversedIndexed(db), true, 'the reversed refunds are indexed by id again (schema 32)');

        // A reversal in EUR of the USD refund standing takes nothing back; the USD one does, the entry being as it was.
        await crm.recordTransactions([reversedRefund('pi_bc_sale', 're_bc_kept', 2000, day(4), eur(2000))]);
        assert.deepEqual(await money(db, 'stripe', 'pi_bc_sale'), [true, 'USD', 10_000, 2000, 8000, 'partially_refunded']);
        await crm.recordTransactions([reversedRefund('pi_bc_sale', 're_bc_kept', 2000, day(5))]);
        assert.deepEqual(await money(db, 'stripe', 'pi_bc_sale'), [true, 'USD', 10_000, 0, 10_000, 'succeeded']);
        const kept = (await entries(db)).refunds.filter((r) => r.refund_id === 're_bc_kept').map((r) => [r.currency, r.reversed_at !== null]);
        assert.deepEqual(kept, [['EUR', true], ['USD', true]], 'one entry per currency');

        // A CAPTURE_FAILED in EUR of the USD capture: it still collected.
        await crm.recordTransactions([failedCapture('PSP_BCAUTH', 'PSP_BCCAPTURE', 6000, day(3), adyen('adyen:PSP_BCCAPTURE:CAPTURE_FAILED:true', eur(6000)))]);
        assert.deepEqual(await money(db, 'adyen', 'PSP_BCAUTH'), before.captured);

        // The EUR reversal recorded before the upgrade does not keep the USD refund of that id from counting.
        await crm.recordTransactions([ownRefund('pi_bc_wait', 're_bc_wait', 1000, day(2)), payment('pi_bc_wait', 5000, day(1))]);
        assert.deepEqual(await money(db, 'stripe', 'pi_bc_wait'), [true, 'USD', 5000, 1000, 4000, 'partially_refunded']);
        assert.deepEqual(
          (await db.all<{ payments: number; gross_minor: number; refunded_minor: number }>("SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = 'cus_ana'"))
            .map((t) => [Number(t.payments), Number(t.gross_minor), Number(t.refunded_minor)]),
          [[3, 25_000, 5000]],
          'the CRM totals follow: 0 + 4000 + 1000 back',
        );
      });
    });
  });
}
