import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir, testKeys } from '../../support/temp-store';

const T0 = Date.parse('2026-11-21T09:00:00Z');
let serial = 0;
function sale(amount = 2500): PaymentEvent {
  const n = ++serial;
  const id = `evt_1Consumer${String(n).padStart(3, '0')}${'B'.repeat(13)}`;
  return normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ chargeId: `ch_consumer_${n}`, amount, created: T0 / 1000 + n, card: { fingerprint: `fp_consumer_${n}` } }), { id, created: T0 / 1000 + n }));
}

let server: PostgresServer;
const dir = tempDir('tcrm-inbox-consumers-');
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await closeAllDatabases();
  await server?.stop();
  dir.remove();
});

const stores: { dialect: string; url: () => Promise<string> }[] = [
  { dialect: 'sqlite', url: async () => `sqlite:${join(dir.path, 'consumers.db')}` },
  { dialect: 'postgres', url: () => server.createDatabase('tcrm_inbox_consumers') },
];

for (const store of stores) {
  describe(`inbox consumers: two workflows on one store each pass an event on once (${store.dialect})`, () => {
    let db: SqlDatabase;
    const inboxOf = (consumer?: string) => new SqlInbox(db, testKeys(), consumer);
    const ids = (r: { fresh: PaymentEvent[] }) => r.fresh.map((e) => e.id);
    const kept = async (id: string) => Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ?', [id]))!.n);

    before(async () => {
      db = await openDatabase(await store.url());
    });

    it('the same event reaches the thank-you and the high-value workflow once each; the store keeps it once', async () => {
      const e = sale();
      const thankYou = inboxOf('n8n:wf-thank-you:trigger');
      const highValue = inboxOf('n8n:wf-high-value:trigger');
      assert.deepEqual(ids(await thankYou.accept([e], new Date())), [e.id]);
      assert.deepEqual(ids(await highValue.accept([e], new Date())), [e.id]);
      // Stripe retries to both endpoints (a lost answer): neither passes it on again.
      assert.deepEqual(await thankYou.accept([e], new Date()), { fresh: [], duplicates: [e.id] });
      assert.deepEqual(await highValue.accept([e], new Date()), { fresh: [], duplicates: [e.id] });
      assert.equal(await kept(e.id), 1);
    });

    it('a batch mixes events new to this workflow with its own replays', async () => {
      const [a, b, c] = [sale(), sale(), sale()];
      const first = inboxOf('node-red:1a2b3c');
      const second = inboxOf('node-red:4d5e6f');
      await first.accept([a, b], new Date());
      await second.accept([a], new Date());
      const r = await second.accept([a, b, c], new Date());
      assert.deepEqual(ids(r), [b.id, c.id]);
      assert.deepEqual(r.duplicates, [a.id]);
    });

    it('recording the event marks it done for the store: a redelivery to the second workflow is then a replay there too', async () => {
      const e = sale();
      const one = inboxOf('n8n:wf-1:t');
      const two = inboxOf('n8n:wf-2:t');
      await one.accept([e], new Date());
      await two.accept([e], new Date());
      await processPayments([e], { keys: testKeys(), crm: new LocalSqlCrm(db) });
      const state = await db.get<{ state: string }>('SELECT state FROM inbox_events WHERE event_id = ?', [e.id]);
      assert.equal(state?.state, 'done');
      assert.deepEqual(await two.notDone([e.id]), []);
    });

    it('an event kept before consumers were recorded (or by a trigger that names none) stays a replay for every trigger', async () => {
      const e = sale();
      assert.deepEqual(ids(await inboxOf().accept([e], new Date())), [e.id]);
      assert.deepEqual(await inboxOf('n8n:wf-new:t').accept([e], new Date()), { fresh: [], duplicates: [e.id] });
      assert.deepEqual(await inboxOf().accept([e], new Date()), { fresh: [], duplicates: [e.id] });
    });

    it('two workflows taking the same new event at the same moment each pass it on once', async () => {
      const e = sale();
      const results = await Promise.all(['a', 'b', 'c'].map((w) => inboxOf(`n8n:${w}:t`).accept([e], new Date())));
      assert.deepEqual(results.map(ids), [[e.id], [e.id], [e.id]]);
      const again = await Promise.all(['a', 'b', 'c'].map((w) => inboxOf(`n8n:${w}:t`).accept([e], new Date())));
      assert.deepEqual(again.map(ids), [[], [], []]);
      assert.equal(await kept(e.id), 1);
    });
  });
}
