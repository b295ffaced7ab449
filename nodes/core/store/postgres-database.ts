import type { PoolClient, QueryResult } from 'pg';
import { DatabaseError, Pool } from 'pg';
import { connectionErrorToInputError } from './postgres-errors';
import { lockPlan, lockStatements } from './postgres-locks';
import { toPostgresPlaceholders } from './postgres-placeholders';
import { storeTypes } from './postgres-types';
import { postgresLocation } from './postgres-url';
import type { SqlDatabase, SqlExecutor, SqlValue, TransactionOptions } from './sql-database';

/** Postgres error codes after which running the transaction again can succeed: it lost a race, nothing is wrong. */
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
/** A row another instance inserted first (an event both received): the rerun sees it and takes the duplicate path. */
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 12;
/**
 * Fewer than a lost serialization: a key that is always taken is a mistake to surface, not a race. Each rerun sees
 * the rows it lost to, so it gets past them; two instances writing one batch's events in opposite orders without
 * lock keys were seen to lose three times running under load, so a few more than that.
 */
export const MAX_UNIQUE_VIOLATION_ATTEMPTS = 6;

export interface PostgresOptions {
  /** Connections this instance keeps at most (default 10). Each engine instance has its own pool. */
  maxConnections?: number;
  /** How long to wait for a connection before reporting the server unreachable (default 10 s). */
  connectTimeoutMs?: number;
}

/**
 * The shared store: several engine instances, on several machines, process payments against one Postgres.
 *
 * Transactions are SERIALIZABLE, the guarantee SQLite gives by running one writer at a time, so the local CRM's
 * read-then-write sequences (is this event processed? is this payment recorded? how much was refunded so far?)
 * stay correct when two instances handle the same payment at the same moment: Postgres aborts one of two
 * transactions that would otherwise interleave wrongly, and the store runs the loser again, which then sees the
 * winner's rows. Callers that know what they contend for name it in `lockKeys`; such transactions queue on
 * advisory locks instead of aborting, which keeps retries rare where instances share customers.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: Pool;
  private readonly translated = new Map<string, string>();

  private readonly connectTimeoutMs: number;

  constructor(url: string, options: PostgresOptions = {}) {
    this.location = postgresLocation(url);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: this.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      application_name: 'terminal-crm',
      types: storeTypes,
    });
    // An idle connection the server dropped (restart, failover) is discarded; the next statement opens a new one.
    this.pool.on('error', () => undefined);
  }

  private sql(text: string): string {
    let out = this.translated.get(text);
    if (out === undefined) {
      out = toPostgresPlaceholders(text);
      if (this.translated.size < 1000) this.translated.set(text, out);
    }
    return out;
  }

  private async connect(): Promise<PoolClient> {
    const started = Date.now();
    try {
      return await this.pool.connect();
    } catch (e) {
      // The driver reports its own connect timeout as "Connection terminated unexpectedly".
      const timedOut = Date.now() - started >= this.connectTimeoutMs - 100;
      throw connectionErrorToInputError(e, this.location, timedOut ? { timedOutAfterMs: this.connectTimeoutMs } : {});
    }
  }

  private async query(client: PoolClient, text: string, params: readonly SqlValue[] = []): Promise<QueryResult> {
    try {
      return await client.query(this.sql(text), params as unknown[]);
    } catch (e) {
      throw connectionErrorToInputError(e, this.location, false);
    }
  }

  /**
   * Statements on one connection, each sent when the one before it has settled. Callers may start several at once
   * on one transaction (Promise.all of reads), and a transaction's COMMIT or ROLLBACK must not overtake what it ran;
   * pg queues a statement sent while another runs, but that queue is deprecated and gone in pg 9.
   */
  private inTurns(): <R>(work: () => Promise<R>) => Promise<R> {
    let turn: Promise<unknown> = Promise.resolve();
    return (work) => {
      const result = turn.then(work);
      turn = result.catch(() => undefined);
      return result;
    };
  }

  private executor(client: PoolClient, inTurn = this.inTurns()): SqlExecutor {
    const send = (sql: string, params?: readonly SqlValue[]) => inTurn(() => this.query(client, sql, params));
    return {
      all: async <T>(sql: string, params?: readonly SqlValue[]) => (await send(sql, params)).rows as T[],
      get: async <T>(sql: string, params?: readonly SqlValue[]) => (await send(sql, params)).rows[0] as T | undefined,
      run: async (sql: string, params?: readonly SqlValue[]) => ({ changes: (await send(sql, params)).rowCount ?? 0 }),
    };
  }

  /** One statement on a pooled connection, outside any transaction. */
  private async single<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let failure: unknown;
    try {
      return await fn(this.executor(client));
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      // A statement error leaves the connection usable; anything else (a dropped socket) does not.
      client.release(failure !== undefined && !(failure instanceof DatabaseError));
    }
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.single((x) => x.all<T>(sql, params));
  }
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.single((x) => x.get<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.single((x) => x.run(sql, params));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const plan = lockPlan(options.lockKeys ?? []);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn, plan);
      } catch (e) {
        if (!retryable(e, attempt)) throw e;
        await backoff(attempt);
      }
    }
  }

  private async attempt<T>(fn: (tx: SqlExecutor) => Promise<T>, plan: ReturnType<typeof lockPlan>): Promise<T> {
    const client = await this.connect();
    // A connection in an unknown state (a failed ROLLBACK or unlock) is closed rather than reused: closing it
    // also ends its transaction and releases its locks.
    let broken = false;
    try {
      if (plan) for (const s of lockStatements(plan)) await client.query(s.text, s.values);
      const inTurn = this.inTurns();
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await fn(this.executor(client, inTurn));
        await inTurn(() => client.query('COMMIT'));
        return result;
      } catch (e) {
        await inTurn(() => client.query('ROLLBACK')).catch(() => {
          broken = true;
        });
        throw e;
      }
    } finally {
      if (plan) {
        await client.query('SELECT pg_advisory_unlock_all()').catch(() => {
          broken = true;
        });
      }
      client.release(broken);
    }
  }

  /** Several statements, no parameters: sent as they are (the simple protocol runs a script in one go). */
  async exec(sqlScript: string): Promise<void> {
    const client = await this.connect();
    let failure: unknown;
    try {
      await client.query(sqlScript);
    } catch (e) {
      failure = e;
      throw connectionErrorToInputError(e, this.location, false);
    } finally {
      client.release(failure !== undefined && !(failure instanceof DatabaseError));
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function retryable(error: unknown, attempt: number): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED) return attempt < MAX_ATTEMPTS;
  if (code === UNIQUE_VIOLATION) return attempt < MAX_UNIQUE_VIOLATION_ATTEMPTS;
  return false;
}

/** Exponential with full jitter, so two instances that collided do not collide again in step. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
