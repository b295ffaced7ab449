import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { migrate } from '../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { tempDir } from '../../support/temp-store';
import { message } from './support/messages';
import { Random } from './support/random';

const PROGRAM = { id: 'race', currency: 'USD' };

/**
 * Every event of two customers' payment histories: a PaymentIntent event and a charge event per payment (the
 * charge brings the card), cumulative partial refunds, and disputes that are won or lost.
 */
function history(): unknown[] {
  const rnd = new Random(99);
  const out: unknown[] = [];
  for (const customerId of ['race_a', 'race_b']) {
    for (let i = 0; i < 30; i++) {
      const paymentId = `pi_${customerId}_${i}`;
      const amountMinor = 100 * (5 + rnd.int(200));
      const at = new Date(Date.parse('2025-01-01T09:00:00Z') + rnd.int(120) * 86_400_000 + rnd.int(600) * 60_000).toISOString();
      out.push(message({ customerId, paymentId, amountMinor, at, eventId: `evt_pi_${paymentId}` }));
      out.push(message({ customerId, paymentId, amountMinor, at, eventId: `evt_ch_${paymentId}`, entryMode: 'contactless', brand: 'visa', locationId: 'tml_1' }));
      if (i % 6 === 1) {
        for (const share of [0.25, 0.5]) {
          const total = Math.floor(amountMinor * share);
          out.push(message({ customerId, paymentId, kind: 'refund', amountMinor, refundedTotalMinor: total, at: new Date(Date.parse(at) + share * 86_400_000).toISOString(), eventId: `evt_rf_${paymentId}_${total}` }));
        }
      }
      if (i % 10 === 3) {
        const close = i % 20 === 3 ? 'succeeded' : 'refunded';
        out.push(message({ customerId, paymentId, kind: 'dispute', status: 'disputed', amountMinor, at: new Date(Date.parse(at) + 5 * 86_400_000).toISOString(), eventId: `evt_dp_${paymentId}` }));
        out.push(message({ customerId, paymentId, kind: 'dispute', status: close, amountMinor, at: new Date(Date.parse(at) + 20 * 86_400_000).toISOString(), eventId: `evt_dc_${paymentId}` }));
      }
    }
  }
  return out;
}

async function snapshot(db: SqlDatabase) {
  return {
    stats: await db.all(
      `SELECT customer_id, currency, payments, purchase_days, gross_minor, refunded_minor, disputes, disputed_open_minor, chargeback_minor,
         first_seen, last_seen, first_day, last_day, first_day_value_minor FROM segment_stats ORDER BY customer_id`,
    ),
    counters: await db.all('SELECT customer_id, dimension, item, hits, amount_minor FROM segment_counters ORDER BY customer_id, dimension, item'),
    members: await db.all(
      'SELECT customer_id, points_balance, points_held, points_earned, lifetime_spend_minor, visits FROM loyalty_members ORDER BY customer_id',
    ),
    ledgerSums: await db.all('SELECT customer_id, SUM(points) AS points, SUM(held_points) AS held FROM loyalty_ledger GROUP BY customer_id ORDER BY customer_id'),
  };
}

function runWorker(path: string, messages: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(__dirname, 'support', 'concurrent-worker.js'), { workerData: { path, messages, program: PROGRAM } });
    w.once('message', (m: { processed?: number; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.processed!)));
    w.once('error', reject);
  });
}

describe('two engine instances on one store', () => {
  it('racing on the same customers, each delivering every event (one in order, one in reverse), end where one careful pass ends', async () => {
    const dir = tempDir('tcrm-race-');
    try {
      const events = history();
      const reference = new SqliteDatabase(join(dir.path, 'reference.db'));
      await migrate(reference);
      const program = parseLoyaltyProgram(PROGRAM);
      for (const m of events) {
        await segmentStep(m, { db: reference });
        await loyaltyStep(m, { db: reference, program });
      }
      const want = await snapshot(reference);
      await reference.close();

      const shared = join(dir.path, 'shared.db');
      const setup = new SqliteDatabase(shared);
      await migrate(setup);
      const [a, b] = await Promise.all([runWorker(shared, events), runWorker(shared, [...events].reverse())]);
      assert.deepEqual([a, b], [events.length, events.length]);
      const got = await snapshot(setup);
      await setup.close();

      assert.deepEqual(got, want);
      const stats = want.stats as { payments: number }[];
      assert.deepEqual(stats.map((s) => s.payments), [30, 30]);
      assert.deepEqual(got.members.map((m) => [(m as { points_balance: number }).points_balance, (m as { points_held: number }).points_held]),
        got.ledgerSums.map((l) => [(l as { points: number }).points, (l as { held: number }).held]), 'balances equal the ledger');
    } finally {
      dir.remove();
    }
  });
});
