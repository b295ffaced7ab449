import type { SqlExecutor, SqlValue } from './sql-database';

/**
 * Statements over many rows, in a few fixed shapes whose SQL text is built once. A statement built afresh on every
 * call is a new string each time, which the store must hash and compare in full to find its compiled statement;
 * on the hot path (every payment) that costs more than running it.
 */

const INSERT_CHUNKS = [64, 32, 16, 8, 4, 2, 1];

/** One statement text per list size, built the first time that size is asked for. */
class TextsBySize {
  private readonly texts = new Map<number, string>();
  /** `statement` gets the list: `size` placeholder tuples of `width` values (a lone `?` when `bareSingle`). */
  constructor(private readonly width: number, private readonly statement: (list: string) => string, private readonly bareSingle = false) {}

  of(size: number): string {
    let sql = this.texts.get(size);
    if (sql === undefined) {
      const tuple = this.bareSingle && this.width === 1 ? '?' : `(${Array.from({ length: this.width }, () => '?').join(', ')})`;
      sql = this.statement(Array.from({ length: size }, () => tuple).join(', '));
      this.texts.set(size, sql);
    }
    return sql;
  }
}

/**
 * A multi-row INSERT: one statement per chunk instead of one per row. Chunks are 64 rows, then the rest in powers
 * of two (100 rows: 64 + 32 + 4). `suffix` follows the VALUES list (an ON CONFLICT clause). Postgres refuses an
 * upsert that touches one row twice in a statement: give each key once.
 */
export class MultiRowInsert {
  private readonly texts: TextsBySize;
  constructor(head: string, columns: number, suffix = '') {
    this.texts = new TextsBySize(columns, (list) => `${head} VALUES ${list} ${suffix}`);
  }

  async run(tx: SqlExecutor, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    for (const [sql, params] of this.chunks(rows)) await tx.run(sql, params);
  }

  /**
   * The rows the statements return, in chunk order: the suffix ends in a RETURNING clause (after ON CONFLICT DO
   * NOTHING, the rows actually inserted; SQLite and Postgres both have it).
   */
  async all<T>(tx: SqlExecutor, rows: readonly (readonly SqlValue[])[]): Promise<T[]> {
    const out: T[] = [];
    for (const [sql, params] of this.chunks(rows)) out.push(...(await tx.all<T>(sql, params)));
    return out;
  }

  private *chunks(rows: readonly (readonly SqlValue[])[]): Generator<[string, readonly SqlValue[]]> {
    let i = 0;
    for (const size of INSERT_CHUNKS) {
      while (rows.length - i >= size) {
        yield [this.texts.of(size), size === 1 ? rows[i]! : valuesOf(rows, i, i + size)];
        i += size;
      }
    }
  }
}

/**
 * The values of rows `from` to `to`, one after another, appended to `out`: what `rows.slice(from, to).flat()` gives
 * for rows of values, in a loop that costs a third of flat()'s (a batch's statements pass thousands of values).
 */
function valuesOf(rows: readonly (readonly SqlValue[])[], from: number, to: number, out: SqlValue[] = []): SqlValue[] {
  for (let i = from; i < to; i++) {
    const row = rows[i]!;
    for (let j = 0; j < row.length; j++) out.push(row[j]!);
  }
  return out;
}

export const LOOKUP_CHUNK = 256;

/**
 * A lookup of many keys: `<prefix>(?, …), (?, …)<suffix>` with one tuple per key. Lists are padded to a power of
 * two by repeating the last key, so n keys use one of nine shapes.
 */
export class InListQuery {
  private readonly texts: TextsBySize;
  constructor(prefix: string, width: number, suffix = '') {
    this.texts = new TextsBySize(width, (list) => `${prefix}${list}${suffix}`, true);
  }

  /** Rows for these keys (each key `width` values, in the order the prefix names them). */
  async all<T>(tx: Pick<SqlExecutor, 'all'>, keys: readonly (readonly SqlValue[])[], before: readonly SqlValue[] = []): Promise<T[]> {
    const out: T[] = [];
    for (const [sql, params] of this.chunks(keys, before)) out.push(...(await tx.all<T>(sql, params)));
    return out;
  }

  /** A write over these keys (an UPDATE … WHERE … IN); the padding repeats a key, so the write must be idempotent. */
  async run(tx: Pick<SqlExecutor, 'run'>, keys: readonly (readonly SqlValue[])[], before: readonly SqlValue[] = []): Promise<void> {
    for (const [sql, params] of this.chunks(keys, before)) await tx.run(sql, params);
  }

  private *chunks(keys: readonly (readonly SqlValue[])[], before: readonly SqlValue[]): Generator<[string, SqlValue[]]> {
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      const chunk = keys.slice(i, i + LOOKUP_CHUNK);
      let size = 1;
      while (size < chunk.length) size *= 2;
      while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
      yield [this.texts.of(size), valuesOf(chunk, 0, chunk.length, [...before])];
    }
  }
}
