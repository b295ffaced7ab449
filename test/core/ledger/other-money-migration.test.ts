/**
 * Store schema 35: money heard for a payment before it counts, in another currency than the one it was first heard in,
 * is kept aside (ledger_payments.other_money), so a sale arriving in that currency counts it, as when it is heard after
 * the sale. A store from before is upgraded on both dialects: its payments read as before (nothing kept aside), money
 * heard so before the upgrade, which that store did not keep, stays uncounted, and money heard after it counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { readRecords } from '../../../nodes/core/ledger/payment-rows';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { withLedgerStore } from './support/ledger-store';
import { ownRefund, payment } from './support/events';

const DEADLINE = { timeout: 60_000 };
const day = (d: number) => `2025-04-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const eur = (minor: number): Partial<LedgerEvent> => ({ amount: { minor, currency: 'EUR' }, refundedTotal: { minor, currency: 'EUR' } });

/** The store as schema 34 left it: no other_money column, so nothing heard in another currency kept. */
async function backToSchema34(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('ALTER TABLE ledger_payments DROP COLUMN other_money');
    await tx.run('DELETE FROM schema_migrations WHERE version = 35');
  });
}

const money = async (db: SqlDatabase, pay: string) => {
  const p = (await paymentState(db, 'stripe', pay))!;
  return [p.counted, p.currency, p.grossMinor, p.refundedMinor, p.netMinor];
};

for (const store of bothDialects('other-money')) {
  describe(`store schema 35 on ${store.dialect}: money heard before the sale in another currency than the payment's first is kept for a sale in it`, () => {
    it('payments recorded before read as they did; a USD refund heard before the upgrade stays uncounted, one heard after counts with the USD sale', DEADLINE, async () => {
      await withLedgerStore(store, async (db, crm) => {
        await crm.recordTransactions([payment('pi_om_seen', 5000, day(1)), ownRefund('pi_om_seen', 're_om_seen', 1000, day(2))]);
        await crm.recordTransactions([ownRefund('pi_om_wait', 're_om_eur', 3000, day(2), eur(3000)), ownRefund('pi_om_wait', 're_om_old', 1000, day(3))]);
        const seenBefore = await money(db, 'pi_om_seen');
        await backToSchema34(db);

        await migrate(db);
        assert.deepEqual(await money(db, 'pi_om_seen'), seenBefore, 'a payment counted before reads as it did');
        const waiting = (await readRecords(db, [{ source: 'stripe', paymentId: 'pi_om_wait' }])).get('stripe:pi_om_wait')!;
        assert.deepEqual([waiting.currency, waiting.otherMoney], ['EUR', []], 'the USD refund heard before the upgrade was not kept');

        await crm.recordTransactions([ownRefund('pi_om_wait', 're_om_new', 2000, day(4))]);
        const kept = (await readRecords(db, [{ source: 'stripe', paymentId: 'pi_om_wait' }])).get('stripe:pi_om_wait')!;
        assert.deepEqual(kept.otherMoney.map((h) => [h.event.amount, h.changes.refundSum]), [[{ minor: 2000, currency: 'USD' }, 2000]], 'the one heard after it is');

        await crm.recordTransactions([payment('pi_om_wait', 10_000, day(1))]);
        assert.deepEqual(await money(db, 'pi_om_wait'), [true, 'USD', 10_000, 2000, 8000], 'the USD sale counts the USD refund kept, not the EUR one, nor the USD one the old store dropped');
        const after = (await readRecords(db, [{ source: 'stripe', paymentId: 'pi_om_wait' }])).get('stripe:pi_om_wait')!;
        assert.deepEqual(after.otherMoney, [], 'nothing kept once the sale counts');
        assert.equal((await db.get<{ m: string | null }>("SELECT other_money AS m FROM ledger_payments WHERE payment_id = 'pi_om_wait'"))!.m, null);
      });
    });
  });
}
