import type { SqlDatabase, SqlExecutor } from './sql-database';

/**
 * The store as seen from inside one of its open transactions, for code written against a whole store (the inbox,
 * the cursor store, the local CRM): its statements and its own `transaction` calls join the open one instead of
 * waiting for it. Closing is left to whoever opened the store; a script cannot run inside a transaction.
 */
export function transactionView(db: SqlDatabase, tx: SqlExecutor): SqlDatabase {
  return {
    dialect: db.dialect,
    location: db.location,
    all: (sql, params) => tx.all(sql, params),
    get: (sql, params) => tx.get(sql, params),
    run: (sql, params) => tx.run(sql, params),
    transaction: (fn) => fn(tx),
    exec: () => Promise.reject(new Error('a script cannot run inside an open transaction')),
    close: () => Promise.resolve(),
  };
}
