import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { dispute, payment } from './support/events';


const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}T10:00:00.000Z`;

/** The store as schema 29 left it: disputes without the time of the report that decided them. */
async function backToSchema29(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('ALTER TABLE ledger_payments DROP COLUMN dispute_at');
    await tx.run('DELETE FROM schema_migrations WHERE version = 30');
  });
}

const stores = bothDialects('dispute-time');

for (const store of stores) {
  describe(`store schema 30 on ${store.dialect}: a dispute recorded before is decided by its latest report from then on`, () => {
    it('a dispute won before the migration is lost to a second chargeback after it; an older report still changes nothing', async () => {
      await withLedgerStore(store, async (db, crm) => {
        await crm.recordTransactions([payment('pay_won', 10000, day(3)), dispute('pay_won', 'disputed', 10000, day(5)), dispute('pay_won', 'succeeded', 10000, day(20))]);
        await crm.recordTransactions([payment('pay_open', 5000, day(3)), dispute('pay_open', 'disputed', 5000, day(6))]);
        await backToSchema29(db);

        await migrate(db);
        const at = async (paymentId: string) => (await db.get<{ dispute_at: string | null }>('SELECT dispute_at FROM ledger_payments WHERE payment_id = ?', [paymentId]))!.dispute_at;
        assert.deepEqual([await at('pay_won'), await at('pay_open')], [day(20), day(6)], 'the time of the report that set each phase');

        // A report older than the win (a chargeback notice delivered late) changes nothing; a second chargeback after it does.
        await crm.recordTransactions([dispute('pay_won', 'disputed', 10000, day(10), { eventId: 'late-notice' })]);
        assert.equal((await paymentState(db, 'stripe', 'pay_won'))!.disputePhase, 'won');
        await crm.recordTransactions([dispute('pay_won', 'refunded', 10000, day(40), { eventId: 'second-chargeback' })]);
        const won = (await paymentState(db, 'stripe', 'pay_won'))!;
        assert.deepEqual([won.disputePhase, won.chargebackMinor, won.netMinor], ['lost', 10000, 0]);
      });
    });
  });
}
