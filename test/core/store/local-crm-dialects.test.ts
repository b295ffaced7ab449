import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { migrate, MIGRATIONS } from '../../../nodes/core/store/migrations';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { keyProviderFromSpec } from '../../../nodes/core/tokenize/key-provider';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir, TEST_TOKEN_KEYS } from '../../support/temp-store';

const norm = (type: string, object: object, id?: string, created?: number) => normalizeStripeEvent(stripeEvent(type, object, { id, created }));

let server: PostgresServer;
const dir = tempDir('tcrm-dialects-');
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await closeAllDatabases();
  await server?.stop();
  dir.remove();
});

/** The local CRM's behaviour, asserted on the rows, once per store dialect. */
const stores: { dialect: 'sqlite' | 'postgres'; url: () => Promise<string> }[] = [
  { dialect: 'sqlite', url: async () => `sqlite:${join(dir.path, 'store.db')}` },
  // A natural-language collation, as a production database usually has: text must still sort as in SQLite.
  { dialect: 'postgres', url: () => server.createDatabase('tcrm_dialects', { icuLocale: 'en-US' }) },
];

for (const store of stores) {
  describe(`local CRM on ${store.dialect}`, () => {
    let url: string;
    let db: SqlDatabase;
    let crm: LocalSqlCrm;
    const ctx = () => ({ keys: keyProviderFromSpec(TEST_TOKEN_KEYS), crm });
    before(async () => {
      url = await store.url();
      db = await openDatabase(url);
      crm = new LocalSqlCrm(db);
    });

    it('opens the store it was given, migrated to the latest version', async (t) => {
      if (store.dialect === 'postgres') t.diagnostic(`PostgreSQL ${server.version} server started in ${server.startMs} ms`);
      assert.equal(db.dialect, store.dialect);
      const versions = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(versions.map((v) => v.version), MIGRATIONS.map((m) => m.version));
      assert.equal(await openDatabase(url), db, 'one open store per location per process');
      await migrate(db);
      assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM schema_migrations'))!.n, MIGRATIONS.length, 'migrating again changes nothing');
      if (store.dialect === 'postgres') {
        const password = new URL(url).password;
        assert.ok(password.length > 0 && !db.location.includes(password), `no password in ${db.location}`);
        assert.match(db.location, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/tcrm_dialects_[0-9a-f]+$/);
      } else {
        assert.equal(db.location, url);
      }
    });

    it('creates the customer and the transaction, with no card data in the store', async () => {
      const charge = chargeObject({ amount: 2500, email: 'ana@example.com', name: 'Ana Diaz', card: { fingerprint: 'fp_ana' }, paymentIntentId: 'pi_1' });
      const [r] = await processPayments([norm('charge.succeeded', charge, 'evt_1')], ctx());
      assert.equal(r!.upsert.outcome, 'recorded');
      const customer = await db.get<{ id: string; email: string; name: string }>('SELECT id, email, name FROM customers');
      assert.deepEqual({ ...customer }, { id: r!.upsert.customerId, email: 'ana@example.com', name: 'Ana Diaz' });
      const tx = await db.all<{ event_id: string; amount_minor: number; card_token: string }>('SELECT event_id, amount_minor, card_token FROM transactions');
      assert.equal(tx.length, 1);
      assert.equal(tx[0]!.amount_minor, 2500);
      assert.match(tx[0]!.card_token, /^ctok_k1_/);
      const dump = JSON.stringify(await db.all('SELECT * FROM customer_keys')) + JSON.stringify(await db.all('SELECT * FROM transactions'));
      assert.ok(!dump.includes('fp_ana'), 'the processor fingerprint must not be stored');
    });

    it('applies the same event twice only once', async () => {
      const e = norm('charge.succeeded', chargeObject({ amount: 700, email: 'bo@example.com', paymentIntentId: 'pi_2' }), 'evt_2');
      const [first] = await processPayments([e], ctx());
      const [second] = await processPayments([e], ctx());
      assert.equal(second!.upsert.outcome, 'duplicate');
      assert.equal(second!.upsert.customerId, first!.upsert.customerId);
      const n = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE event_id = 'stripe:evt_2'");
      assert.equal(n!.n, 1, 'COUNT(*) comes back as the number 1 on both dialects');
      assert.deepEqual(second!.upsert.totals.map((t) => t.grossMinor), [700]);
    });

    it('counts a PaymentIntent and its charge as one payment of one customer', async () => {
      const pi = paymentIntentObject({ amount: 1800, paymentIntentId: 'pi_3', email: 'cy@example.com' });
      const charge = chargeObject({ amount: 1800, paymentIntentId: 'pi_3', card: { fingerprint: 'fp_cy' } });
      const [a, b] = await processPayments([norm('payment_intent.succeeded', pi, 'evt_3a'), norm('charge.succeeded', charge, 'evt_3b')], ctx());
      assert.equal(b!.match.customerId, a!.upsert.customerId);
      assert.equal(b!.upsert.outcome, 'enriched');
      assert.deepEqual(b!.upsert.totals, [{ currency: 'USD', payments: 1, grossMinor: 1800, refundedMinor: 0, netMinor: 1800 }]);
      const rows = await db.all<{ kind: string; card_last4: string }>("SELECT kind, card_last4 FROM transactions WHERE payment_id = 'pi_3' AND kind = 'payment'");
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ kind: 'payment', card_last4: '4242' }]);
    });

    it('lowers net spend by what each refund adds, whatever order and repetition the refunds come in', async () => {
      const base = { amount: 5000, paymentIntentId: 'pi_4', email: 'di@example.com', chargeId: 'ch_4' };
      await processPayments([norm('charge.succeeded', chargeObject(base), 'evt_4')], ctx());
      const r1 = norm('charge.refunded', chargeObject({ ...base, amountRefunded: 1000 }), 'evt_4r1');
      const r2 = norm('charge.refunded', chargeObject({ ...base, amountRefunded: 3000 }), 'evt_4r2');
      const out = await processPayments([r2, r1, r2], ctx());
      assert.deepEqual(out.map((o) => o.upsert.outcome), ['recorded', 'recorded', 'duplicate']);
      assert.deepEqual(out[2]!.upsert.totals, [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 3000, netMinor: 2000 }]);
      const sum = await db.get<{ s: number }>("SELECT SUM(amount_minor) AS s FROM transactions WHERE payment_id = 'pi_4' AND kind = 'refund'");
      assert.equal(sum!.s, 3000, 'SUM comes back as a number on both dialects');
    });

    it('keeps first and last seen across payments that arrive out of order', async () => {
      const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
      const later = chargeObject({ amount: 100, email: 'fi@example.com', paymentIntentId: 'pi_5b', created: at('2025-03-02T10:00:00Z') });
      const earlier = chargeObject({ amount: 200, email: 'fi@example.com', paymentIntentId: 'pi_5a', created: at('2025-03-01T10:00:00Z') });
      const [a] = await processPayments(
        [norm('charge.succeeded', later, 'evt_5b', at('2025-03-02T10:00:01Z')), norm('charge.succeeded', earlier, 'evt_5a', at('2025-03-01T10:00:01Z'))],
        ctx(),
      );
      const t = await db.get<{ first_seen: string; last_seen: string; payments: number }>(
        'SELECT first_seen, last_seen, payments FROM customer_totals WHERE customer_id = ?',
        [a!.upsert.customerId],
      );
      assert.equal(t!.payments, 2);
      assert.ok(t!.first_seen < t!.last_seen, `${t!.first_seen} < ${t!.last_seen}`);
      assert.match(t!.first_seen, /^2025-03-01/);
      assert.match(t!.last_seen, /^2025-03-02/);
    });

    it('orders text byte by byte, as SQLite does, whatever the database locale', async () => {
      const ids = ['ord_b', 'ord_B', 'ord__', 'ord_a', 'ord_A'];
      await crm.upsertCustomers(ids.map((id) => ({ id, profile: {}, keys: [] })));
      const rows = await db.all<{ id: string }>("SELECT id FROM customers WHERE id >= 'ord_' AND id < 'ord`' ORDER BY id");
      assert.deepEqual(rows.map((r) => r.id), ['ord_A', 'ord_B', 'ord__', 'ord_a', 'ord_b']);
    });

    it('adds up money beyond 2^31 minor units exactly (a month of sales in rupiah)', async () => {
      const big = 1_900_000_000;
      const events = [1, 2, 3].map((i) =>
        norm('charge.succeeded', chargeObject({ amount: big, currency: 'idr', email: 'gu@example.com', paymentIntentId: `pi_6_${i}` }), `evt_6_${i}`),
      );
      const out = await processPayments(events, ctx());
      assert.deepEqual(out[2]!.upsert.totals, [{ currency: 'IDR', payments: 3, grossMinor: 3 * big, refundedMinor: 0, netMinor: 3 * big }]);
      const sum = await db.get<{ s: number }>("SELECT SUM(amount_minor) AS s FROM transactions WHERE currency = 'IDR'");
      assert.equal(sum!.s, 3 * big);
    });

    it('upserts a batch of customers in chunks as it would one by one: first claimant keeps a key, a duplicate fills gaps, updated_at moves only for what is new', async () => {
      const stamp = async (id: string) => (await db.get<{ updated_at: string }>('SELECT updated_at FROM customers WHERE id = ?', [id]))!.updated_at;
      const owner = async (kind: string, value: string) => (await db.get<{ customer_id: string }>('SELECT customer_id FROM customer_keys WHERE kind = ? AND value = ?', [kind, value]))?.customer_id;
      await crm.upsertCustomers([{ id: 'cus_chunk_known', profile: { name: 'Known Person' }, cards: [{ last4: '1111', token: 'tok_chunk_known' }], keys: [{ kind: 'email', value: 'known@chunk.example' }] }]);
      const before = { known: await stamp('cus_chunk_known') };
      await new Promise((r) => setTimeout(r, 5));
      // 70 customers: more than one chunk of rows (64), and a key two of them claim, the earlier one first.
      const batch = Array.from({ length: 70 }, (_, i) => ({
        id: `cus_chunk_${i}`,
        profile: { name: `Chunk ${i}` },
        cards: [{ last4: String(2000 + i), token: `tok_chunk_${i}` }],
        keys: [{ kind: 'email' as const, value: i === 66 ? 'shared@chunk.example' : `c${i}@chunk.example` }, ...(i === 3 ? [{ kind: 'email' as const, value: 'shared@chunk.example' }] : [])],
      }));
      await crm.upsertCustomers([
        ...batch,
        // Known: the same key again changes nothing; a second appearance in the batch fills in what the first lacks.
        { id: 'cus_chunk_known', profile: {}, cards: [{ last4: '1111', token: 'tok_chunk_known' }], keys: [{ kind: 'email', value: 'known@chunk.example' }] },
        { id: 'cus_chunk_5', profile: { name: 'Someone Else', email: 'five@chunk.example' }, keys: [] },
      ]);
      assert.equal(await owner('email', 'shared@chunk.example'), 'cus_chunk_3', 'the first customer of the batch to claim it');
      assert.equal(await owner('email', 'c69@chunk.example'), 'cus_chunk_69');
      assert.equal(Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM customer_cards WHERE customer_id LIKE 'cus_chunk_%' AND customer_id <> 'cus_chunk_known'"))!.n), 70);
      const five = await db.get<{ name: string; email: string }>('SELECT name, email FROM customers WHERE id = ?', ['cus_chunk_5']);
      assert.deepEqual({ ...five }, { name: 'Chunk 5', email: 'five@chunk.example' });
      assert.equal(await stamp('cus_chunk_known'), before.known, 'nothing new for the known customer');
      const added = await stamp('cus_chunk_69');
      await new Promise((r) => setTimeout(r, 5));
      await crm.upsertCustomers([{ id: 'cus_chunk_69', profile: {}, cards: [{ last4: '9999', token: 'tok_chunk_69_new' }], keys: [] }]);
      assert.ok((await stamp('cus_chunk_69')) > added, 'a new card moves updated_at');
    });
  });
}
