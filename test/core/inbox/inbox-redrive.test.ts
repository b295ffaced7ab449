import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { redriveInbox } from '../../../nodes/core/inbox/redrive';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir, testKeys } from '../../support/temp-store';

const T0 = Date.parse('2026-11-20T10:00:00Z');
let serial = 0;
/** A fresh card-present sale, its event id and card fingerprint unique to this test run. */
function sale(amount = 1200): PaymentEvent {
  const n = ++serial;
  const id = `evt_1Redrive${String(n).padStart(3, '0')}${'A'.repeat(14)}`;
  return normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ chargeId: `ch_redrive_${n}`, amount, created: T0 / 1000 + n, card: { fingerprint: `fp_redrive_${n}` } }), { id, created: T0 / 1000 + n }));
}

interface InboxRow {
  state: string;
  done_at: string | null;
  attempts: number;
  last_error: string | null;
}

let server: PostgresServer;
const dir = tempDir('tcrm-inbox-');
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await closeAllDatabases();
  await server?.stop();
  dir.remove();
});

const stores: { dialect: string; url: () => Promise<string> }[] = [
  { dialect: 'sqlite', url: async () => `sqlite:${join(dir.path, 'inbox.db')}` },
  { dialect: 'postgres', url: () => server.createDatabase('tcrm_inbox') },
];

for (const store of stores) {
  describe(`inbox done-marking and redrive on ${store.dialect}`, () => {
    let db: SqlDatabase;
    let inbox: SqlInbox;
    let ctx: Parameters<typeof processPayments>[1];
    const row = async (id: string) => {
      const r = (await db.get<InboxRow>('SELECT state, done_at, attempts, last_error FROM inbox_events WHERE event_id = ?', [id]))!;
      return { ...r, attempts: Number(r.attempts) };
    };
    const transactions = async (id: string) => Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [id]))!.n);
    const ledgerEvents = async (id: string) => Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_events WHERE event_id = ?', [id]))!.n);
    const through = async (event: unknown) => (await processPayments([event], ctx))[0]!.upsert.outcome;
    // Accepted an hour before "now": past any grace period the tests give.
    const acceptOld = async (...events: PaymentEvent[]) => (await inbox.accept(events, new Date(Date.now() - 3_600_000))).fresh;

    before(async () => {
      db = await openDatabase(await store.url());
      inbox = new SqlInbox(db, testKeys());
      ctx = { keys: testKeys(), crm: new LocalSqlCrm(db) };
    });

    it('CRM Upsert marks the event done in the transaction that records it', async () => {
      const e = sale();
      await inbox.accept([e], new Date());
      assert.equal((await row(e.id)).state, 'accepted');
      assert.equal(await through(e), 'recorded');
      const r = await row(e.id);
      assert.equal(r.state, 'done');
      assert.ok(r.done_at, 'done_at is set');
      assert.equal(await ledgerEvents(e.id), 1);
    });

    it('a failed ledger write leaves the event accepted: "recorded" and "done" commit together', async () => {
      const e = sale();
      await inbox.accept([e], new Date());
      const failing = Object.create(db) as SqlDatabase;
      failing.transaction = (fn, o) => db.transaction(async (tx) => {
        await fn(tx);
        throw new Error('power cut before commit');
      }, o);
      await assert.rejects(processPayments([e], { keys: testKeys(), crm: new LocalSqlCrm(failing) }), /power cut/);
      assert.equal((await row(e.id)).state, 'accepted');
      assert.equal(await ledgerEvents(e.id), 0);
      assert.equal(await through(e), 'recorded');
      assert.equal((await row(e.id)).state, 'done');
    });

    it('redrive finishes accepted events once, leaves recent ones to their flow, and has nothing left on a second run', async () => {
      const [a, b] = [sale(1500), sale(2500)];
      await acceptOld(a, b);
      const recent = sale(700);
      await inbox.accept([recent], new Date());
      const first = await redriveInbox(db, through, { olderThanMs: 60_000 });
      const mine = first.redriven.filter((r) => [a.id, b.id, recent.id].includes(r.eventId));
      assert.deepEqual(mine.map((r) => [r.eventId, r.result]), [[a.id, 'recorded'], [b.id, 'recorded']]);
      assert.deepEqual(first.failed, []);
      for (const e of [a, b]) {
        assert.equal((await row(e.id)).state, 'done');
        assert.equal(await transactions(e.id), 1);
      }
      assert.equal((await row(recent.id)).state, 'accepted', 'a flow may still be on it');
      assert.equal(first.waiting, 1);
      const second = await redriveInbox(db, through, { olderThanMs: 60_000 });
      assert.deepEqual(second.redriven, []);
      // The stored event was tokenized at the inbox: no processor fingerprint reached the store.
      const payload = (await db.get<{ payload: string }>('SELECT payload FROM inbox_events WHERE event_id = ?', [a.id]))!.payload;
      assert.doesNotMatch(payload, /fp_redrive_/);
      assert.equal(await transactions(recent.id), 0);
      await through(recent);
    });

    it('an event a flow recorded after its answer is not recorded twice by a redrive that raced it', async () => {
      const e = sale();
      await acceptOld(e);
      // The redrive has claimed the event when the flow records it, then hands it on itself: both get there, and
      // the upsert is idempotent by event id. (Left to a Promise.all, which one is first was up to the scheduler: a
      // flow that committed before the claim left the redrive nothing to do, and the race was not run.)
      let flow: string | undefined;
      const redrive = await redriveInbox(db, async (event) => {
        flow ??= await through(e);
        return through(event);
      }, { olderThanMs: 0 });
      const outcomes = [flow, ...redrive.redriven.filter((r) => r.eventId === e.id).map((r) => r.result)].sort();
      assert.deepEqual(outcomes, ['duplicate', 'recorded']);
      assert.equal(await transactions(e.id), 1);
      assert.equal(await ledgerEvents(e.id), 1);
    });

    it('a failure stays in the inbox with its reason; the claim keeps it until its lease ends, then it is retried', async () => {
      const e = sale();
      await acceptOld(e);
      const now = Date.now();
      const broken = await redriveInbox(db, () => Promise.reject(new Error('CRM down')), { olderThanMs: 0, leaseMs: 60_000, now: () => new Date(now) });
      assert.deepEqual(broken.failed.map((f) => [f.eventId, f.error, f.attempts]), [[e.id, 'CRM down', 1]]);
      assert.deepEqual({ ...(await row(e.id)) }, { state: 'accepted', done_at: null, attempts: 1, last_error: 'CRM down' });
      const held = await redriveInbox(db, through, { olderThanMs: 0, now: () => new Date(now + 30_000) });
      assert.deepEqual(held.redriven, [], 'still claimed by the run that failed');
      const later = await redriveInbox(db, through, { olderThanMs: 0, now: () => new Date(now + 61_000) });
      assert.deepEqual(later.redriven.map((r) => [r.eventId, r.attempts, r.result]), [[e.id, 2, 'recorded']]);
      assert.equal((await row(e.id)).state, 'done');
    });

    it('two redrives at once take each event once', async () => {
      const events = Array.from({ length: 6 }, () => sale());
      await acceptOld(...events);
      const handled: string[] = [];
      const handle = async (event: unknown) => {
        handled.push((event as PaymentEvent).id);
        return through(event);
      };
      const [x, y] = await Promise.all([redriveInbox(db, handle, { olderThanMs: 0 }), redriveInbox(db, handle, { olderThanMs: 0 })]);
      assert.deepEqual([...handled].sort(), events.map((e) => e.id).sort());
      assert.equal(x.redriven.length + y.redriven.length, 6);
      for (const e of events) assert.equal(await transactions(e.id), 1);
    });

    it('a redelivery of an event not yet done is handed back by notDone; a done one is not', async () => {
      const [open, finished] = [sale(), sale()];
      await inbox.accept([open, finished], new Date());
      await through(finished);
      const again = await inbox.accept([open, finished], new Date());
      assert.deepEqual(again.duplicates, [open.id, finished.id]);
      assert.deepEqual((await inbox.notDone(again.duplicates)).map((e) => e.id), [open.id]);
      await through(open);
    });
  });
}
