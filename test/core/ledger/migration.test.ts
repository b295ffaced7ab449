import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { schemaStatementFor } from '../../../nodes/core/store/dialect';
import { migrate, MIGRATIONS } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { bothDialects } from '../../support/both-dialects';
import { cumulativeRefund, payment } from './support/events';


/** A store as the pack left it before the ledger (schema 5), with what the local CRM and the steps wrote then. */
async function storeBeforeLedger(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 5)) {
      for (const statement of m.sql.split(';').map((x) => x.trim()).filter(Boolean)) await tx.run(schemaStatementFor(db.dialect, statement));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, '2025-01-01T00:00:00.000Z']);
    }
    const at = '2025-02-01T10:00:00.000Z';
    await tx.run("INSERT INTO customers (id, created_at, updated_at) VALUES ('cus_old', ?, ?)", [at, at]);
    const row = (eventId: string, paymentId: string, kind: string, amount: number, status: string, occurredAt: string, last4: string | null = null) =>
      tx.run(
        `INSERT INTO transactions (event_id, customer_id, source, payment_id, kind, amount_minor, currency, status, occurred_at, card_last4, recorded_at)
         VALUES (?, 'cus_old', 'stripe', ?, ?, ?, 'USD', ?, ?, ?, ?)`,
        [eventId, paymentId, kind, amount, status, occurredAt, last4, occurredAt],
      );
    // A payment (its charge enriched the row: no row of its own), refunded 300 then 700 in all (rows hold what each added).
    await row('stripe:evt_old_pi', 'pi_old', 'payment', 5000, 'succeeded', at, '4242');
    await row('stripe:evt_old_rf1', 'pi_old', 'refund', 300, 'partially_refunded', '2025-02-02T10:00:00.000Z');
    await row('stripe:evt_old_rf2', 'pi_old', 'refund', 400, 'partially_refunded', '2025-02-03T10:00:00.000Z');
    // A payment whose dispute was opened, then lost.
    await row('stripe:evt_old_pi2', 'pi_old2', 'payment', 2000, 'succeeded', at);
    await row('stripe:evt_old_dp', 'pi_old2', 'dispute', 2000, 'disputed', '2025-02-10T10:00:00.000Z');
    await row('stripe:evt_old_dl', 'pi_old2', 'dispute', 2000, 'refunded', '2025-02-20T10:00:00.000Z');
    for (const [id, outcome] of [['stripe:evt_old_pi', 'recorded'], ['stripe:evt_old_ch', 'enriched'], ['stripe:evt_old_rf1', 'recorded'], ['stripe:evt_old_rf2', 'recorded'],
      ['stripe:evt_old_pi2', 'recorded'], ['stripe:evt_old_dp', 'recorded'], ['stripe:evt_old_dl', 'recorded']] as const) {
      await tx.run("INSERT INTO processed_events (scope, event_id, result, processed_at) VALUES ('local-crm', ?, ?, ?)", [id, JSON.stringify({ customerId: 'cus_old', outcome }), at]);
    }
    await tx.run(
      `INSERT INTO customer_totals (customer_id, currency, payments, gross_minor, refunded_minor, first_seen, last_seen) VALUES ('cus_old', 'USD', 2, 7000, 2700, ?, ?)`,
      [at, '2025-02-20T10:00:00.000Z'],
    );
    // The Segment step's memory: a counted payment with its lost dispute, and a refund it kept for a payment not seen.
    const seg = (paymentId: string, counted: number, refunded: number, state: string | null, disputed: number) =>
      tx.run(
        `INSERT INTO segment_payments (source, payment_id, customer_id, currency, amount_minor, counted, refunded_minor, dispute_state, disputed_minor, occurred_at, day, minute_of_day)
         VALUES ('stripe', ?, 'cus_old', 'USD', 2000, ?, ?, ?, ?, ?, 20120, 600)`,
        [paymentId, counted, refunded, state, disputed, at],
      );
    await seg('pi_old2', 1, 0, 'lost', 2000);
    await seg('pi_unseen', 0, 500, null, 0);
    await tx.run(
      `INSERT INTO loyalty_payments (program_id, source, payment_id, customer_id, amount_minor, occurred_at, counted, refunded_minor)
       VALUES ('p', 'stripe', 'pi_unseen', 'cus_old', 2000, ?, 0, 500)`,
      [at],
    );
  });
}

const stores = bothDialects('ledger-migrate');

for (const store of stores) {
  describe(`store schema 6 on ${store.dialect}: the ledger starts from what the local CRM recorded`, () => {
    it('payments keep their refunds and chargebacks, recorded events stay recorded, and a later refund counts what it adds', async () => {
      const db = await store.open();
      try {
        await storeBeforeLedger(db);
        await migrate(db);
        const old = (await paymentState(db, 'stripe', 'pi_old'))!;
        assert.deepEqual(
          [old.counted, old.customerId, old.grossMinor, old.refundedMinor, old.status, old.card.last4, old.firstSeen, old.lastSeen],
          [true, 'cus_old', 5000, 700, 'partially_refunded', '4242', '2025-02-01T10:00:00.000Z', '2025-02-03T10:00:00.000Z'],
        );
        const lost = (await paymentState(db, 'stripe', 'pi_old2'))!;
        assert.deepEqual([lost.disputePhase, lost.chargebackMinor, lost.netMinor, lost.status], ['lost', 2000, 0, 'refunded']);

        // Redeliveries of events recorded before the ledger are duplicates, for the local CRM too.
        const crm = new LocalSqlCrm(db);
        const [redelivered, enrichedBefore] = await crm.recordTransactions([
          payment('pi_old', 5000, '2025-02-01T10:00:00.000Z', { eventId: 'stripe:evt_old_pi', customerId: 'cus_old' }),
          payment('pi_old', 5000, '2025-02-01T10:00:00.000Z', { eventId: 'stripe:evt_old_ch', customerId: 'cus_old' }),
        ]);
        assert.deepEqual([redelivered!.outcome, enrichedBefore!.outcome, enrichedBefore!.customerId], ['duplicate', 'duplicate', 'cus_old']);
        // A refund of an old payment: Stripe reports 1000 refunded in all, 300 more than before.
        const [refund] = await crm.recordTransactions([cumulativeRefund('pi_old', 1000, '2025-03-01T10:00:00.000Z', { eventId: 'stripe:evt_new_rf', customerId: 'cus_old' })]);
        assert.deepEqual(refund!.totals, [{ currency: 'USD', payments: 2, grossMinor: 7000, refundedMinor: 3000, netMinor: 4000 }]);

        // What the Segment and Loyalty steps kept for a payment they had not seen counted nothing: the ledger keeps it now.
        assert.deepEqual(await db.all("SELECT payment_id FROM segment_payments WHERE counted = 0"), []);
        assert.deepEqual(await db.all("SELECT payment_id FROM loyalty_payments WHERE counted = 0"), []);
        const seg = await db.get<{ chargeback_minor: number }>("SELECT chargeback_minor FROM segment_payments WHERE payment_id = 'pi_old2'");
        assert.equal(seg!.chargeback_minor, 2000);
      } finally {
        await db.close();
      }
    });
  });
}
