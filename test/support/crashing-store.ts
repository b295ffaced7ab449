import type { SqlDatabase } from '../../nodes/core/store/sql-database';

/**
 * The store with its Nth transaction failing after its work and before it commits, as a process killed at that
 * moment would: nothing of that transaction is kept. `why` is the error's message, for the test to expect.
 */
export function crashingAtCommit(db: SqlDatabase, n: number, why: string): SqlDatabase {
  let count = 0;
  return withTransaction(db, (fn, options) =>
    db.transaction(async (tx) => {
      const result = await fn(tx);
      if (++count === n) throw new Error(`${why} (simulated)`);
      return result;
    }, options));
}

/** `db` with its `transaction` replaced (a fault a test injects there), everything else passed through. */
export function withTransaction(db: SqlDatabase, transaction: SqlDatabase['transaction']): SqlDatabase {
  return {
    dialect: db.dialect,
    location: db.location,
    all: (sql, params) => db.all(sql, params),
    get: (sql, params) => db.get(sql, params),
    run: (sql, params) => db.run(sql, params),
    exec: (script) => db.exec(script),
    close: () => db.close(),
    transaction,
  };
}
