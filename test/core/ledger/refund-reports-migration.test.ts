import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { cumulativeRefund, ownRefund, payment, reversedRefund } from './support/events';


const day = (d: number) => `2025-03-0${d}T10:00:00.000Z`;

/** The store as schema 27 left it: what the pack wrote then, without the refund reports it did not keep. */
async function backToSchema27(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DROP TABLE ledger_refund_reports');
    await tx.run('DELETE FROM schema_migrations WHERE version = 28');
  });
}

const refundRows = async (db: SqlDatabase, paymentId: string) =>
  (await db.all<{ amount_minor: number; occurred_at: string }>(
    "SELECT amount_minor, occurred_at FROM transactions WHERE payment_id = ? AND kind = 'refund' ORDER BY occurred_at, amount_minor",
    [paymentId],
  )).map((r) => [Number(r.amount_minor), r.occurred_at]);

const stores = bothDialects('refund-reports');

for (const store of stores) {
  describe(`store schema 28 on ${store.dialect}: refund reports start from each refund's first report`, () => {
    it('a refund first recorded voided is placed once it is read standing; a running total recorded before stays as it was', async () => {
      await withLedgerStore(store, async (db, crm) => {
        // Clover-like: a refund of 30.00, then a second refund read only voided (it added nothing then).
        await crm.recordTransactions([payment('pay_clover', 10000, day(3), { eventId: 'clover:pay' }), ownRefund('pay_clover', 'r1', 3000, day(5), { eventId: 'clover:r1' })]);
        await crm.recordTransactions([reversedRefund('pay_clover', 'r2', 2000, day(6), { eventId: 'clover:r2:voided' })]);
        // Stripe: the total 40.00 heard; the 25.00 before it is still to come.
        await crm.recordTransactions([payment('pi_stripe', 10000, day(3)), cumulativeRefund('pi_stripe', 4000, day(6), { eventId: 'stripe:evt_rf40' })]);
        await backToSchema27(db);

        await migrate(db);
        assert.deepEqual(
          (await db.all<{ event_id: string; refund_id: string | null; reversed: number; amount_minor: number; occurred_at: string }>(
            'SELECT event_id, refund_id, reversed, amount_minor, occurred_at FROM ledger_refund_reports ORDER BY event_id',
          )).map((r) => [r.event_id, r.refund_id, Number(r.reversed), Number(r.amount_minor), r.occurred_at]),
          [['clover:r1', 'r1', 0, 3000, day(5)], ['clover:r2:voided', 'r2', 1, 2000, day(6)]],
          'each per-refund refund\'s first report, reversed where it was recorded so; no running total (its figure was not kept)',
        );

        // The voided refund read standing after all: it stood before its void, +20.00 and -20.00.
        await crm.recordTransactions([ownRefund('pay_clover', 'r2', 2000, day(6), { eventId: 'clover:r2' })]);
        assert.deepEqual(await refundRows(db, 'pay_clover'), [[3000, day(5)], [-2000, day(6)], [2000, day(6)]]);
        // A total heard behind one recorded before schema 28 cannot be placed: what each added on arrival stays.
        await crm.recordTransactions([cumulativeRefund('pi_stripe', 2500, day(5), { eventId: 'stripe:evt_rf25' })]);
        assert.deepEqual(await refundRows(db, 'pi_stripe'), [[0, day(5)], [4000, day(6)]]);
      });
    });
  });
}
