/**
 * The little SQL surface the store and the local CRM need, so SQLite (embedded default) and Postgres (shared
 * by several engine instances) are interchangeable. Statements use `?` placeholders; adapters translate.
 */
export type SqlValue = string | number | bigint | null;

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for messages ("sqlite:/home/…/store.db"). Never includes a password. */
  readonly location: string;
  /** Runs `fn` in one write transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  exec(sqlScript: string): Promise<void>;
  close(): Promise<void>;
}
