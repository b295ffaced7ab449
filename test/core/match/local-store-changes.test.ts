import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { keysOfCustomersSql } from '../../../nodes/core/match/local-store-changes';
import { MIGRATIONS } from '../../../nodes/core/store/migrations';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import { SqliteDatabase } from '../../../nodes/core/store/sqlite-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir } from '../../support/temp-store';

describe('store version 2: customer details, card descriptors, changes for the match index', () => {
  const dir = tempDir('tcrm-mig-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });
  let crm: LocalSqlCrm;

  before(async () => {
    // a store written by version 1, with a customer in it
    const path = join(dir.path, 'v1.db');
    const v1 = new SqliteDatabase(path);
    await v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const statement of MIGRATIONS[0]!.sql.split(';').map((x) => x.trim()).filter(Boolean)) await v1.run(statement);
    await v1.run("INSERT INTO schema_migrations VALUES (1, 'v1', '2025-01-01T00:00:00.000Z')");
    await v1.run("INSERT INTO customers (id, name, email, created_at, updated_at) VALUES ('cus_old', 'Old Timer', 'old@example.com', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')");
    await v1.run("INSERT INTO customer_keys VALUES ('email', 'old@example.com', 'cus_old', '2025-01-01T00:00:00.000Z')");
    await v1.close();
    crm = new LocalSqlCrm(await openDatabase(`sqlite:${path}`));
  });

  it('upgrades a version 1 store in place and keeps its customers', async () => {
    const versions = await crm.db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(versions.map((v) => Number(v.version)).slice(0, 2), [1, 2]);
    const old = await crm.db.get<{ name: string; given_name: string | null }>("SELECT name, given_name FROM customers WHERE id = 'cus_old'");
    assert.deepEqual({ ...old }, { name: 'Old Timer', given_name: null });
  });

  it('stores every detail of a customer once, filling only what is empty, and the cards seen', async () => {
    const profile = { givenName: 'Ana', familyName: 'Diaz', email: 'ana@example.com', street: '1 Main St', city: 'Springfield', postalCode: '12345', region: 'IL', country: 'US', dateOfBirth: '1990-02-03' };
    const card = { bin: '424242', last4: '4242', expMonth: 12, expYear: 2029, brand: 'visa' };
    await crm.upsertCustomers([{ id: 'cus_ana', profile, keys: [{ kind: 'email', value: 'ana@example.com' }], cards: [card] }]);
    await crm.upsertCustomers([{ id: 'cus_ana', profile: { givenName: 'Anastasia', phone: '+15555550100' }, keys: [], cards: [card] }]);
    const row = await crm.db.get('SELECT given_name, family_name, phone, street, city, postal_code, region, country, date_of_birth FROM customers WHERE id = ?', ['cus_ana']);
    assert.deepEqual({ ...row }, { given_name: 'Ana', family_name: 'Diaz', phone: '+15555550100', street: '1 Main St', city: 'Springfield', postal_code: '12345', region: 'IL', country: 'US', date_of_birth: '1990-02-03' });
    const cards = await crm.db.all('SELECT bin, last4, exp_month, exp_year FROM customer_cards WHERE customer_id = ?', ['cus_ana']);
    assert.equal(cards.length, 1);
  });

  it('lists customers changed since a cursor, page by page, with their keys and cards', async () => {
    const all = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await crm.customerChanges(cursor, 1);
      all.push(...page.records);
      cursor = page.next;
      if (!page.more) break;
    }
    assert.deepEqual(all.map((r) => r.id).sort(), ['cus_ana', 'cus_old']);
    const ana = all.find((r) => r.id === 'cus_ana')!;
    assert.deepEqual(ana.keys, [{ kind: 'email', value: 'ana@example.com' }]);
    assert.deepEqual(ana.cards, [{ last4: '4242', bin: '424242', expMonth: 12, expYear: 2029 }]);
    // SQLite stamps follow commit order, so the cursor after the last page is exact: nothing is read twice…
    const again = await crm.customerChanges(cursor, 100);
    assert.deepEqual(again.records, []);
    // …and the next changes, also within the same millisecond and with a smaller id, are each read once.
    await crm.upsertCustomers([{ id: 'cus_zed', profile: { givenName: 'Zed' }, keys: [] }]);
    await crm.upsertCustomers([{ id: 'cus_abe', profile: { givenName: 'Abe' }, keys: [] }]);
    const next = await crm.customerChanges(again.next, 100);
    assert.deepEqual(next.records.map((r) => r.id), ['cus_zed', 'cus_abe']);
    assert.deepEqual((await crm.customerChanges(next.next, 100)).records, []);
  });

  it('does not count a payment as a change of its customer unless it brings something new', async () => {
    const before = await crm.customerChanges(null, 1000);
    const last = before.next;
    await crm.upsertCustomers([{ id: 'cus_ana', profile: { givenName: 'Ana' }, keys: [{ kind: 'paymentId', value: 'stripe:pi_new' }] }]);
    assert.deepEqual((await crm.customerChanges(last, 100)).records, []);
    await crm.upsertCustomers([{ id: 'cus_ana', profile: {}, keys: [{ kind: 'phone', value: '+15555550199' }] }]);
    assert.deepEqual((await crm.customerChanges(last, 100)).records.map((r) => r.id), ['cus_ana']);
  });
});

describe('changes for the match index: cheap when nothing changed, never missing what another process wrote', () => {
  const dir = tempDir('tcrm-changes-');
  after(async () => {
    await closeAllDatabases();
    dir.remove();
  });

  it('answers a caught-up cursor without a query, and reads again once anything commits', async () => {
    const path = join(dir.path, 'store.db');
    const crm = new LocalSqlCrm(await openDatabase(`sqlite:${path}`));
    await crm.upsertCustomers([{ id: 'cus_1', profile: { givenName: 'Ana' }, keys: [{ kind: 'email', value: 'ana@example.com' }] }]);
    const first = await crm.customerChanges(null, 100);
    assert.deepEqual(first.records.map((r) => r.id), ['cus_1']);

    let queries = 0;
    const all = crm.db.all.bind(crm.db);
    crm.db.all = ((sql: string, params?: never) => {
      queries++;
      return all(sql, params);
    }) as typeof crm.db.all;
    for (let i = 0; i < 5; i++) assert.deepEqual((await crm.customerChanges(first.next, 100)).records, []);
    assert.equal(queries, 0, 'nothing committed since the last read: the store is not asked');

    // Another process (its own connection to the file) adds a customer: the next read sees it.
    const other = new SqliteDatabase(path);
    await new LocalSqlCrm(other).upsertCustomers([{ id: 'cus_2', profile: { givenName: 'Bo' }, keys: [{ kind: 'phone', value: '+15555550123' }] }]);
    await other.close();
    const next = await crm.customerChanges(first.next, 100);
    assert.deepEqual(next.records.map((r) => [r.id, r.keys]), [['cus_2', [{ kind: 'phone', value: '+15555550123' }]]]);
    assert.ok(queries > 0);
  });

  it("reads a refresh's keys through the customer index, not by scanning every key of a kind", async () => {
    const crm = new LocalSqlCrm(await openDatabase(`sqlite:${join(dir.path, 'many.db')}`));
    const customers = Array.from({ length: 2000 }, (_, i) => ({
      id: `cus_${i}`,
      profile: { givenName: `P${i}` },
      keys: [
        { kind: 'email' as const, value: `p${i}@example.com` },
        { kind: 'paymentId' as const, value: `stripe:pi_${i}` },
      ],
    }));
    // No ANALYZE: the store never runs it, so the planner goes by the schema alone.
    await crm.upsertCustomers(customers);
    const plan = await crm.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${keysOfCustomersSql(100)}`, customers.slice(0, 100).map((c) => c.id));
    assert.match(plan.map((p) => p.detail).join('\n'), /customer_keys_by_customer/);
    const page = await crm.customerChanges(null, 3000);
    assert.equal(page.records.length, 2000);
    // Only the kinds the index holds come back (a payment id is looked up one by one, not indexed).
    assert.deepEqual(page.records.find((r) => r.id === 'cus_7')!.keys, [{ kind: 'email', value: 'p7@example.com' }]);
  });
});

describe('changes for the match index on Postgres: in commit order, each change read once', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgresServer();
  });
  after(async () => {
    await closeAllDatabases();
    await server?.stop();
  });

  it('reads nothing twice, and a customer written by a transaction still open when a later one committed is read once it commits', async () => {
    const db = await openDatabase(await server.createDatabase('commit_order'));
    const crm = new LocalSqlCrm(db);
    await crm.upsertCustomers([{ id: 'cus_a', profile: { givenName: 'Ana' }, keys: [{ kind: 'email', value: 'ana@example.com' }] }]);
    const first = await crm.customerChanges(null, 100);
    assert.deepEqual(first.records.map((r) => r.id), ['cus_a']);
    assert.match(first.next!, /^x:\d+\|cus_a$/);
    assert.deepEqual((await crm.customerChanges(first.next, 100)).records, [], 'read up to the end: nothing again');

    // A transaction that took its id first (cus_b) commits after one that took its id later (cus_c).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inside = new Promise<void>((r) => (started = r));
    const slow = db.transaction(async (tx) => {
      await tx.run("INSERT INTO customers (id, given_name, created_at, updated_at) VALUES ('cus_b', 'Bo', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
      started();
      await gate;
    });
    await inside;
    await crm.upsertCustomers([{ id: 'cus_c', profile: { givenName: 'Cy' }, keys: [{ kind: 'phone', value: '+15555550199' }] }]);
    const whileOpen = await crm.customerChanges(first.next, 100);
    assert.deepEqual(whileOpen.records, [], 'nothing past a transaction still running: it could commit behind the cursor');
    release();
    await slow;
    const after = await crm.customerChanges(whileOpen.next, 100);
    assert.deepEqual(after.records.map((r) => [r.id, r.keys]), [['cus_b', []], ['cus_c', [{ kind: 'phone', value: '+15555550199' }]]]);
    assert.deepEqual((await crm.customerChanges(after.next, 100)).records, []);

    // A new key moves its customer, even when the profile stays as it was.
    await crm.upsertCustomers([{ id: 'cus_a', profile: { givenName: 'Ana' }, keys: [{ kind: 'cardToken', value: 'tok_ana' }] }]);
    const moved = await crm.customerChanges(after.next, 100);
    assert.deepEqual(moved.records.map((r) => [r.id, (r.keys ?? []).map((k) => k.kind).sort()]), [['cus_a', ['cardToken', 'email']]]);
  });

  it('leaves a returning customer unwritten when the payment brings nothing new: no change for the index to read', async () => {
    const db = await openDatabase(await server.createDatabase('commit_unchanged'));
    const crm = new LocalSqlCrm(db);
    await crm.upsertCustomers([{ id: 'cus_r', profile: { givenName: 'Rae', email: 'rae@example.com' }, keys: [{ kind: 'email', value: 'rae@example.com' }] }]);
    const first = await crm.customerChanges(null, 100);
    const xid = async () => (await db.get<{ x: string }>("SELECT change_xid::text AS x FROM customers WHERE id = 'cus_r'"))!.x;
    const before = await xid();

    // Her next payments: the same details, a payment id (not an indexed key), details already known.
    await crm.upsertCustomers([{ id: 'cus_r', profile: { givenName: 'Rae', email: 'rae@example.com' }, keys: [{ kind: 'paymentId', value: 'stripe:pi_r2' }] }]);
    await crm.upsertCustomers([{ id: 'cus_r', profile: { givenName: 'Raelynn' }, keys: [] }]);
    assert.equal(await xid(), before, 'the row was not written');
    assert.deepEqual((await crm.customerChanges(first.next, 100)).records, []);

    // A detail the record lacks is written, and read once.
    await crm.upsertCustomers([{ id: 'cus_r', profile: { phone: '+15555550142' }, keys: [] }]);
    const filled = await crm.customerChanges(first.next, 100);
    assert.deepEqual(filled.records.map((r) => [r.id, r.givenName, r.phone]), [['cus_r', 'Rae', '+15555550142']]);
    assert.deepEqual((await crm.customerChanges(filled.next, 100)).records, []);
  });

  it('pages exactly: a page limit splits the changes without losing or repeating one', async () => {
    const db = await openDatabase(await server.createDatabase('commit_pages'));
    const crm = new LocalSqlCrm(db);
    await crm.upsertCustomers(Array.from({ length: 7 }, (_, i) => ({ id: `cus_p${i}`, profile: { givenName: `P${i}` }, keys: [] })));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let more = true; more; ) {
      const page: Awaited<ReturnType<typeof crm.customerChanges>> = await crm.customerChanges(cursor, 3);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.next;
      more = page.more;
    }
    assert.deepEqual(seen.sort(), Array.from({ length: 7 }, (_, i) => `cus_p${i}`));
  });
});
