/**
 * A dispute report stating no amount (Square's amount_money null, recorded at the payment's total) after one that
 * stated an amount keeps the stated amount, through the store on both dialects: each report recorded in a transaction
 * of its own, so the amount and the time of the report that stated it go through ledger_payments (schema 33).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { dispute, payment } from './support/events';

const DEADLINE = { timeout: 60_000 };
const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const unstated = { disputeAmountStated: false as const };

/** The store as schema 32 left it: no time or phase of the report that stated a dispute's amount. */
async function backToSchema32(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('ALTER TABLE ledger_payments DROP COLUMN dispute_amount_at');
    await tx.run('ALTER TABLE ledger_payments DROP COLUMN dispute_amount_phase');
    await tx.run('DELETE FROM schema_migrations WHERE version = 33');
  });
}

const stores = bothDialects('dispute-amount');

for (const store of stores) {
  describe(`a dispute keeps the amount last stated for it, on ${store.dialect}`, () => {
    it('30.00 of a 100.00 sale disputed, then lost in a report stating none: 30.00 is charged back, in either order, and for a dispute recorded before schema 33', DEADLINE, async () => {
      await withLedgerStore(store, async (db, crm) => {
        // In order: the stated report first.
        await crm.recordTransactions([payment('pay_in_order', 10000, day(3))]);
        await crm.recordTransactions([dispute('pay_in_order', 'disputed', 3000, day(10))]);
        await crm.recordTransactions([dispute('pay_in_order', 'refunded', 10000, day(20), unstated)]);
        // The amountless outcome delivered before the opening that stated the amount.
        await crm.recordTransactions([payment('pay_late_open', 10000, day(3))]);
        await crm.recordTransactions([dispute('pay_late_open', 'refunded', 10000, day(20), unstated)]);
        assert.equal((await paymentState(db, 'stripe', 'pay_late_open'))!.chargebackMinor, 10000, 'no amount stated yet: the sale\'s total');
        await crm.recordTransactions([dispute('pay_late_open', 'disputed', 3000, day(10))]);
        for (const id of ['pay_in_order', 'pay_late_open']) {
          const p = (await paymentState(db, 'stripe', id))!;
          assert.deepEqual([id, p.disputePhase, p.disputedMinor, p.chargebackMinor, p.netMinor, p.disputeAmountAt], [id, 'lost', 3000, 3000, 7000, day(10)]);
        }

        // A dispute recorded before schema 33 is taken as stated by the report that set it: a later report stating
        // none keeps its amount.
        await crm.recordTransactions([payment('pay_before', 10000, day(3)), dispute('pay_before', 'disputed', 3000, day(10))]);
        await backToSchema32(db);
        await migrate(db);
        const row = await db.get<{ dispute_amount_at: string | null; dispute_amount_phase: string | null }>(
          'SELECT dispute_amount_at, dispute_amount_phase FROM ledger_payments WHERE payment_id = ?', ['pay_before']);
        assert.deepEqual({ ...row }, { dispute_amount_at: day(10), dispute_amount_phase: 'open' });
        await crm.recordTransactions([dispute('pay_before', 'refunded', 10000, day(20), unstated)]);
        const p = (await paymentState(db, 'stripe', 'pay_before'))!;
        assert.deepEqual([p.disputePhase, p.chargebackMinor, p.netMinor], ['lost', 3000, 7000]);
      });
    });
  });
}
