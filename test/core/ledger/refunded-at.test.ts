import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { readRecords, ledgerPaymentOf } from '../../../nodes/core/ledger/payment-rows';
import { refundedTimesOf } from '../../../nodes/core/ledger/refunded-at';
import { paymentItemsOf } from '../../../nodes/core/outbox/payment-items';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { bothDialects, type DialectStore } from '../../support/both-dialects';
import { tempDir } from '../../support/temp-store';
import { withLedgerStore } from './support/ledger-store';
import { cumulativeRefund, dispute, ownRefund, payment, reversedRefund } from './support/events';

const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}T10:00:00.000Z`;

/** The refund time the ledger gives each of these payments (absent: none to give), after the events, in any batches. */
async function refundTimes(db: SqlDatabase, paymentIds: readonly string[]): Promise<Record<string, string | undefined>> {
  const records = await readRecords(db, paymentIds.map((paymentId) => ({ source: 'stripe', paymentId })));
  const times = await refundedTimesOf(db, [...records.values()].map(ledgerPaymentOf));
  return Object.fromEntries(paymentIds.map((id) => [id, times.get(`stripe:${id}`)]));
}

// Each test a store of its own: bothDialects' SQLite store is one file, for a migration test's reopening.
const files = tempDir('tcrm-refunded-at-');
after(() => files.remove());
let n = 0;
const stores: DialectStore[] = bothDialects('refunded-at').map((s) =>
  s.dialect === 'sqlite' ? { dialect: s.dialect, open: async () => new SqliteDatabase(join(files.path, `${++n}.db`)) } : s,
);

for (const store of stores) {
  describe(`when a payment was refunded in full, from the ledger's refund reports (${store.dialect})`, () => {
    const record = (events: readonly LedgerEvent[][]) => async (_db: SqlDatabase, crm: { recordTransactions(e: readonly LedgerEvent[]): Promise<unknown> }) => {
      for (const batch of events) await crm.recordTransactions(batch);
    };

    it('is the refund that completed it: the latest of several adding up to it, whatever order they arrived in; a partial refund has none', async () => {
      await withLedgerStore(store, async (db, crm) => {
        await record([
          [payment('pi_two', 10000, day(1)), payment('pi_part', 10000, day(1)), payment('pi_total', 10000, day(1))],
          // Two refunds of 60.00 and 40.00 (per refund), the later one heard first.
          [ownRefund('pi_two', 're_2', 4000, day(8))],
          [ownRefund('pi_two', 're_1', 6000, day(5)), ownRefund('pi_part', 're_3', 2500, day(5))],
          // Stripe's running total: 40.00, then all of it; a later report of the same total adds nothing.
          [cumulativeRefund('pi_total', 10000, day(7)), cumulativeRefund('pi_total', 10000, day(9)), cumulativeRefund('pi_total', 4000, day(4))],
        ])(db, crm);
        assert.deepEqual(await refundTimes(db, ['pi_two', 'pi_part', 'pi_total']), { pi_two: day(8), pi_part: undefined, pi_total: day(7) });
      });
    });

    it('after a refund taken back, is the refund that made it whole again', async () => {
      await withLedgerStore(store, async (db, crm) => {
        await record([[payment('pi_back', 5000, day(1)), ownRefund('pi_back', 're_1', 5000, day(3))], [reversedRefund('pi_back', 're_1', 5000, day(4))], [ownRefund('pi_back', 're_2', 5000, day(6))]])(db, crm);
        assert.deepEqual(await refundTimes(db, ['pi_back']), { pi_back: day(6) });
      });
    });

    it('is the lost dispute when a chargeback gave back the rest, or all of it; the refund when that came after the dispute', async () => {
      await withLedgerStore(store, async (db, crm) => {
        await record([
          [payment('pi_cb_rest', 10000, day(1)), ownRefund('pi_cb_rest', 're_1', 3000, day(3)), dispute('pi_cb_rest', 'refunded', 7000, day(9))],
          [payment('pi_cb_all', 10000, day(1)), dispute('pi_cb_all', 'refunded', 10000, day(10)), ownRefund('pi_cb_all', 're_2', 3000, day(12))],
          [payment('pi_cb_first', 10000, day(1)), dispute('pi_cb_first', 'refunded', 6000, day(5)), ownRefund('pi_cb_first', 're_3', 4000, day(11))],
        ])(db, crm);
        assert.deepEqual(await refundTimes(db, ['pi_cb_rest', 'pi_cb_all', 'pi_cb_first']), { pi_cb_rest: day(9), pi_cb_all: day(10), pi_cb_first: day(11) });
      });
    });

    it('is carried in the CRM record the outbox sends of a refunded payment, and in no other', async () => {
      await withLedgerStore(store, async (db, crm) => {
        await record([[payment('pi_a', 2000, day(1)), payment('pi_b', 2000, day(1)), ownRefund('pi_a', 're_1', 500, day(20)), ownRefund('pi_a', 're_2', 1500, day(25))]])(db, crm);
        const items = await paymentItemsOf(db, [{ source: 'stripe', paymentId: 'pi_a' }, { source: 'stripe', paymentId: 'pi_b' }]);
        const payments = items.flatMap((i) => (i.kind === 'payment' ? [i.record] : []));
        assert.deepEqual(payments.map((p) => [p.paymentId, p.status, p.refundedAt]), [['pi_a', 'refunded', day(25)], ['pi_b', 'succeeded', undefined]]);
        assert.ok(!('refundedAt' in payments[1]!), 'a payment not refunded has no refund time');
      });
    });
  });
}
