import type { SqlDatabase } from './sql-database';

export type Dialect = SqlDatabase['dialect'];

/**
 * A schema statement as the dialect needs it. Migrations are written once, with the type names both databases
 * know, in capitals (TEXT, INTEGER, REAL). On Postgres:
 * - INTEGER becomes BIGINT: SQLite's INTEGER is 64-bit, Postgres' 32-bit, too small for money in minor units
 *   of currencies such as IDR or KRW;
 * - REAL becomes DOUBLE PRECISION: SQLite's REAL is a double, Postgres' a 4-byte float;
 * - TEXT is compared byte by byte (COLLATE "C"), as SQLite does, so ORDER BY and the `id > ?` paging cursors
 *   give the same order whatever locale the database was created with.
 * Text inside quotes is left alone.
 */
export function schemaStatementFor(dialect: Dialect, statement: string): string {
  if (dialect !== 'postgres') return statement;
  return statement
    .split(/('(?:[^']|'')*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/\bINTEGER\b/g, 'BIGINT').replace(/\bREAL\b/g, 'DOUBLE PRECISION').replace(/\bTEXT\b/g, 'TEXT COLLATE "C"'),
    )
    .join('');
}
