import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { migrate } from '../../../nodes/core/store/migrations';
import { PostgresDatabase } from '../../../nodes/core/store/postgres-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { keyProviderFromSpec } from '../../../nodes/core/tokenize/key-provider';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir, TEST_TOKEN_KEYS } from '../../support/temp-store';
import { raceEvents, runInstance, type EventOutcome } from './support/race-events';

let server: PostgresServer;
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await server?.stop();
});

const race = raceEvents(20);

async function createCustomer(db: SqlDatabase): Promise<string> {
  const [first] = await processPayments(race.setup, { keys: keyProviderFromSpec(TEST_TOKEN_KEYS), crm: new LocalSqlCrm(db) });
  return first!.upsert.customerId!;
}

/**
 * Both instances received every event (a webhook delivered to each, or retried onto the other): each event must
 * have been applied by exactly one of them, and the customer's totals must be exactly one careful pass.
 */
async function assertExactlyOnce(db: SqlDatabase, customerId: string, a: EventOutcome[], b: EventOutcome[]): Promise<void> {
  const byEvent = new Map<string, string[]>();
  for (const o of [...a, ...b]) byEvent.set(o.eventId, [...(byEvent.get(o.eventId) ?? []), o.outcome]);
  assert.equal(byEvent.size, race.events.length);
  for (const [eventId, outcomes] of byEvent) {
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 1, `${eventId}: one instance applied it, the other saw a duplicate (${outcomes.join(', ')})`);
  }
  const totals = await db.get<{ payments: number; gross_minor: number; refunded_minor: number }>(
    'SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?',
    [customerId],
  );
  assert.deepEqual({ ...totals }, { payments: race.expected.payments, gross_minor: race.expected.grossMinor, refunded_minor: race.expected.refundedMinor });
  const counts = await db.get<{ customers: number; payments: number; refunds: number; processed: number }>(
    `SELECT (SELECT COUNT(*) FROM customers) AS customers,
            (SELECT COUNT(*) FROM transactions WHERE kind = 'payment') AS payments,
            (SELECT SUM(amount_minor) FROM transactions WHERE kind = 'refund') AS refunds,
            (SELECT COUNT(*) FROM ledger_events) AS processed`,
  );
  assert.deepEqual({ ...counts }, {
    customers: 1,
    payments: race.expected.payments,
    refunds: race.expected.refundedMinor,
    processed: race.setup.length + race.events.length,
  });
}

function sqliteInstance(path: string, events: unknown[]): Promise<EventOutcome[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(__dirname, 'support', 'local-crm-worker.js'), { workerData: { path, events } });
    w.once('message', (m: { outcomes?: EventOutcome[]; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.outcomes!)));
    w.once('error', reject);
  });
}

describe('two engine instances processing one customer’s payments and refunds at the same time', () => {
  it('on Postgres, through two connection pools, apply every event once and end with exact totals', async (t) => {
    const url = await server.createDatabase('tcrm_race');
    const [a, b] = [new PostgresDatabase(url), new PostgresDatabase(url)];
    try {
      await Promise.all([migrate(a), migrate(b)]);
      const customerId = await createCustomer(a);
      const started = Date.now();
      const [outA, outB] = await Promise.all([runInstance(a, race.events), runInstance(b, [...race.events].reverse())]);
      t.diagnostic(`2 × ${race.events.length} events in ${Date.now() - started} ms`);
      await assertExactlyOnce(a, customerId, outA, outB);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('on SQLite, through two connections to one file in two threads, apply every event once and end with exact totals', async (t) => {
    const dir = tempDir('tcrm-race-');
    const path = join(dir.path, 'store.db');
    const db = new SqliteDatabase(path);
    try {
      await migrate(db);
      const customerId = await createCustomer(db);
      const started = Date.now();
      const [outA, outB] = await Promise.all([sqliteInstance(path, race.events), sqliteInstance(path, [...race.events].reverse())]);
      t.diagnostic(`2 × ${race.events.length} events in ${Date.now() - started} ms`);
      await assertExactlyOnce(db, customerId, outA, outB);
    } finally {
      await db.close();
      dir.remove();
    }
  });
});
