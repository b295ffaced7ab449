/**
 * The little SQL surface the store and the local CRM need, so SQLite (embedded default) and Postgres (shared
 * by several engine instances) are interchangeable. Statements use `?` placeholders; adapters translate.
 * Integer columns come back as JS numbers on both (Postgres BIGINT/NUMERIC are converted, see postgres-types.ts).
 */
export type SqlValue = string | number | bigint | null;

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface TransactionOptions {
  /**
   * What the transaction reads and then writes that another instance may be writing at the same moment
   * ("payment:stripe:pi_1", "customer:cus_1"). On Postgres, transactions naming the same key queue for each
   * other up front instead of colliding and being retried; correctness never depends on it (transactions are
   * serializable either way). SQLite ignores it: it runs one writer at a time anyway.
   */
  lockKeys?: readonly string[];
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for messages ("sqlite:/home/…/store.db", "postgres://app@db:5432/crm"). Never includes a password. */
  readonly location: string;
  /**
   * Runs `fn` in one serializable write transaction; it commits when `fn` resolves and rolls back when it throws.
   * On Postgres, `fn` runs again from the start when the transaction lost a race with another instance
   * (serialization failure, deadlock): keep effects outside the database (pushing to arrays or counters declared
   * outside `fn`, sending messages) out of `fn`, or apply them after it returns.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * A value that differs after any commit to the database, by this process or another, where the store can tell
   * that cheaply (SQLite); undefined where it cannot (Postgres). Read it before a query: if it is the same later,
   * the query would answer the same.
   */
  writeMark?(): string;
  exec(sqlScript: string): Promise<void>;
  close(): Promise<void>;
}
