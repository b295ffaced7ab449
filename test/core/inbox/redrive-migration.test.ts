import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempDir, testKeys } from '../../support/temp-store';

describe('store migration 9 (inbox redrive)', () => {
  const dir = tempDir('tcrm-inbox-migration-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('marks done the events a flow recorded before done-marking existed, and leaves the unfinished ones to a redrive', async () => {
    const url = `sqlite:${join(dir.path, 'store.db')}`;
    let db = await openDatabase(url);
    const [recorded, unfinished] = [1, 2].map((n) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: n * 1000, email: `m${n}@example.com` }))));
    // As a version-8 store holds them: recorded in the ledger with its inbox row still "accepted", and one not recorded.
    await processPayments([recorded], { keys: testKeys(), crm: new LocalSqlCrm(db) });
    await new SqlInbox(db, testKeys()).accept([recorded!, unfinished!], new Date('2026-11-01T00:00:00Z'));
    for (const column of ['attempts', 'claimed_until', 'last_error']) await db.exec(`ALTER TABLE inbox_events DROP COLUMN ${column}`);
    await db.run('DELETE FROM schema_migrations WHERE version = 9');
    await closeAllDatabases();

    db = await openDatabase(url);
    const rows = await db.all<{ event_id: string; state: string; done_at: string | null; attempts: number }>('SELECT event_id, state, done_at, attempts FROM inbox_events ORDER BY received_at, event_id');
    const byId = new Map(rows.map((r) => [r.event_id, { ...r }]));
    assert.deepEqual(byId.get(recorded!.id), { event_id: recorded!.id, state: 'done', done_at: '2026-11-01T00:00:00.000Z', attempts: 0 });
    assert.deepEqual(byId.get(unfinished!.id), { event_id: unfinished!.id, state: 'accepted', done_at: null, attempts: 0 });
  });
});
