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

/**
 * The store with the first transaction that ran a statement matching `statement` (and changed a row with it) committed,
 * and the process dying right after: the work is kept, but the caller never hears back (`why` (simulated) is thrown
 * where the commit would have returned). Later transactions run as usual: the retry meets the store as it was left.
 */
export function dyingAfterCommitOf(db: SqlDatabase, statement: RegExp, why: string): SqlDatabase {
  let died = false;
  return withTransaction(db, async (fn, options) => {
    let matched = false;
    const result = await db.transaction((tx) => {
      matched = false;
      return fn({
        all: (sql, params) => tx.all(sql, params),
        get: (sql, params) => tx.get(sql, params),
        run: async (sql, params) => {
          const r = await tx.run(sql, params);
          if (r.changes > 0 && statement.test(sql)) matched = true;
          return r;
        },
      });
    }, options);
    if (matched && !died) {
      died = true;
      throw new Error(`${why} (simulated)`);
    }
    return result;
  });
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
