import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { migrate, MIGRATIONS } from '../../../nodes/core/store/migrations';
import { openDatabase, resolveStoreUrl } from '../../../nodes/core/store/open-database';
import { MAX_UNIQUE_VIOLATION_ATTEMPTS, PostgresDatabase, type PostgresOptions } from '../../../nodes/core/store/postgres-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';

let server: PostgresServer;
const opened: SqlDatabase[] = [];
const instance = (url: string, options?: PostgresOptions) => {
  const db = new PostgresDatabase(url, options);
  opened.push(db);
  return db;
};
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
  await server?.stop();
});

function listen(onConnection: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/** Rejects with an InputError about the store URL whose message matches `pattern`, and never shows the password. */
async function rejectsAsStoreUrlError(p: Promise<unknown>, pattern: RegExp, password: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `an InputError, got ${String(e)}`);
    assert.equal(e.field, 'Store Location');
    assert.match(e.message, pattern);
    assert.match(e.message, /TERMINAL_CRM_STORE_URL|Postgres server/);
    assert.ok(!e.message.includes(password), 'the password must not appear in the message');
    return true;
  });
}

describe('the Postgres store, against a real server', () => {
  it('tells the operator what is wrong with the store URL, and how to fix it', async () => {
    const password = 'Wrong-Pass-123';
    await rejectsAsStoreUrlError(
      instance(server.url('postgres', { password })).get('SELECT 1'),
      /^Store Location: cannot open the Postgres store postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres: the server refused the password of user "postgres"\. Fix: correct the user name and password/,
      password,
    );
    const good = new URL(server.url('postgres')).password;
    await rejectsAsStoreUrlError(
      openDatabase(server.url('no_such_db')),
      /there is no database "no_such_db" on 127\.0\.0\.1:\d+\. Fix: create it/,
      good,
    );
    await rejectsAsStoreUrlError(
      instance(`postgres://app:${good}@127.0.0.1:1/crm`).run('SELECT 1'),
      /nothing accepts connections at 127\.0\.0\.1:1\. Fix: start the Postgres server, or correct the host and port in the store URL \(TERMINAL_CRM_STORE_URL/,
      good,
    );
    // Something that is not Postgres at that address: one that never answers, one that hangs up.
    const silent = await listen(() => undefined);
    const hangsUp = await listen((socket) => socket.destroy());
    try {
      await rejectsAsStoreUrlError(
        instance(`postgres://app:${good}@127.0.0.1:${silent.port}/crm`, { connectTimeoutMs: 300 }).get('SELECT 1'),
        /the server at 127\.0\.0\.1:\d+ did not answer within 0\.3 s\. Fix: check the host and port/,
        good,
      );
      await rejectsAsStoreUrlError(
        instance(`postgres://app:${good}@127.0.0.1:${hangsUp.port}/crm`).get('SELECT 1'),
        /closed the connection without answering as a Postgres server\. Fix: check the host and port/,
        good,
      );
    } finally {
      await Promise.all([silent.close(), hangsUp.close()]);
    }
    assert.throws(() => resolveStoreUrl('postgres://app:pw@db.example:5432'), /names no database/);
    assert.deepEqual(resolveStoreUrl('postgresql://app:s3cret@db.example:5432/crm?sslmode=require&password=x'), {
      dialect: 'postgres',
      url: 'postgresql://app:s3cret@db.example:5432/crm?sslmode=require&password=x',
      path: 'postgresql://app@db.example:5432/crm?sslmode=require',
      location: 'postgresql://app@db.example:5432/crm?sslmode=require',
    });
  });

  it('keeps read-then-write transactions of two instances exact, serializing them with or without lock keys', async () => {
    const url = await server.createDatabase('tcrm_tx');
    const [a, b] = [instance(url), instance(url)];
    await a.exec('CREATE TABLE counters (id TEXT PRIMARY KEY, n BIGINT NOT NULL)');
    await a.run("INSERT INTO counters (id, n) VALUES ('free', 0), ('keyed', 0)");
    // A lost update waits to happen here: both read n, both write n + 1.
    const increment = (db: SqlDatabase, id: string, lockKeys?: string[]) =>
      db.transaction(async (tx) => {
        const row = await tx.get<{ n: number }>('SELECT n FROM counters WHERE id = ?', [id]);
        await new Promise((r) => setTimeout(r, 2));
        await tx.run('UPDATE counters SET n = ? WHERE id = ?', [row!.n + 1, id]);
      }, lockKeys ? { lockKeys } : {});
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => increment(i % 2 ? a : b, 'free')),
      ...Array.from({ length: 40 }, (_, i) => increment(i % 2 ? a : b, 'keyed', ['counter:keyed'])),
    ]);
    const rows = await a.all<{ id: string; n: number }>('SELECT id, n FROM counters ORDER BY id');
    assert.deepEqual(rows.map((r) => [r.id, r.n]), [['free', 6], ['keyed', 40]]);
  });

  it('rolls back a transaction that throws, runs it once, and surfaces its error unchanged', async () => {
    const url = await server.createDatabase('tcrm_rollback');
    const db = instance(url);
    await db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY)');
    let runs = 0;
    const failure = new InputError('note', 'is not acceptable', 'write another');
    await assert.rejects(
      db.transaction(async (tx) => {
        runs++;
        await tx.run("INSERT INTO notes (id) VALUES ('a')");
        throw failure;
      }),
      (e) => e === failure,
    );
    assert.equal(runs, 1);
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM notes'))!.n, 0);
    await assert.rejects(db.transaction((tx) => tx.run('INSERT INTO no_such_table VALUES (1)')), /no_such_table/);
  });

  it('runs the statements a transaction starts at once one after another on its connection, in the order started, without leaning on pg\'s own queue (deprecated, gone in pg 9)', async () => {
    const url = await server.createDatabase('tcrm_overlap');
    const db = instance(url);
    await db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const [inserted, slow, count, failed, after] = await db.transaction(async (tx) =>
        Promise.all([
          tx.run("INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two')"),
          tx.get<{ body: string }>('SELECT body FROM notes, pg_sleep(0.05) WHERE id = 2'),
          tx.get<{ n: number }>('SELECT COUNT(*)::int AS n FROM notes'),
          tx.get('SELECT * FROM notes WHERE id = ?', [1]).then(() => 'read'),
          tx.all<{ id: number }>('SELECT id FROM notes ORDER BY id'),
        ]),
      );
      assert.equal(inserted.changes, 2);
      assert.equal(slow?.body, 'two');
      assert.equal(count?.n, 2);
      assert.equal(failed, 'read');
      assert.deepEqual(after.map((r) => r.id), [1, 2]);
      // A statement that fails mid-queue fails that caller and the transaction, not a later transaction.
      await assert.rejects(db.transaction((tx) => Promise.all([tx.get('SELECT 1'), tx.run('INSERT INTO no_such_table VALUES (1)'), tx.get('SELECT 2')])), /no_such_table/);
      assert.equal((await db.get<{ n: number }>('SELECT COUNT(*)::int AS n FROM notes'))!.n, 2);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((m) => /already executing a query/.test(m)), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('runs a transaction again after a key another instance took first, and gives up with Postgres\'s error when the key is always taken', async () => {
    const url = await server.createDatabase('tcrm_unique_retry');
    const db = instance(url);
    await db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY)');
    await db.exec("INSERT INTO notes (id) VALUES ('taken')");
    // Lost once (the other instance's row), then through: the rerun sees the row and writes another.
    const other = instance(url);
    let runs = 0;
    await db.transaction(async (tx) => {
      runs++;
      const id = (await tx.get('SELECT 1 AS one FROM notes WHERE id = ?', ['raced'])) ? 'after-race' : 'raced';
      if (runs === 1) await other.transaction((o) => o.run("INSERT INTO notes (id) VALUES ('raced')"));
      await tx.run('INSERT INTO notes (id) VALUES (?)', [id]);
    });
    assert.equal(runs, 2);
    assert.deepEqual((await db.all<{ id: string }>('SELECT id FROM notes ORDER BY id')).map((r) => r.id), ['after-race', 'raced', 'taken']);
    // Always taken: a mistake, surfaced after a bounded number of runs rather than retried for ever.
    runs = 0;
    await assert.rejects(
      db.transaction(async (tx) => {
        runs++;
        await tx.run("INSERT INTO notes (id) VALUES ('taken')");
      }),
      (e: { code?: string }) => e.code === '23505',
    );
    assert.equal(runs, MAX_UNIQUE_VIOLATION_ATTEMPTS);
  });

  it('migrates once when several instances start on an empty database at the same moment', async () => {
    const url = await server.createDatabase('tcrm_migrate');
    const instances = Array.from({ length: 4 }, () => instance(url));
    await Promise.all(instances.map((db) => migrate(db)));
    const versions = await instances[0]!.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(versions.map((v) => v.version), MIGRATIONS.map((m) => m.version));
    const types = await instances[0]!.all<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'customer_totals' AND column_name IN ('gross_minor', 'payments') ORDER BY column_name",
    );
    assert.deepEqual(types.map((t) => [t.column_name, t.data_type]), [['gross_minor', 'bigint'], ['payments', 'bigint']]);
  });
});
